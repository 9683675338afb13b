"""Render one document's body: Liquid first (as Jekyll does), then Markdown, then the text
statistics the theme shows. Pure given its inputs, so it can run in worker processes and its
result can be cached by the document's hash."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .model import Content, ContentBulk, Document
from .parse import content_dir_url
from .text import count_words, excerpt, reading_minutes, strip_html

if TYPE_CHECKING:
    from markdown_it import MarkdownIt


@dataclass(frozen=True)
class ContentContext:
    """What rendering a body needs besides the body: the same for every document of a build."""

    baseurl: str
    urls_by_source: Mapping[str, str]
    site_math: bool
    mermaid_url: str = ""  # site.yaml's mermaid_url: where diagrams' script comes from


@dataclass(frozen=True)
class LiquidContext:
    """What Liquid in a body sees of the site (``llmcourse.liquid``; defined here, where the
    content stage finds it without importing python-liquid)."""

    site: Mapping[str, Any]  # site.* from site.yaml plus "time" (an aware datetime)
    baseurl: str  # "" or "/AI-course"
    url: str  # "" or "https://user.github.io"
    urls_by_source: Mapping[str, str]  # source path -> URL without baseurl
    post_urls: Mapping[str, str]  # post file stem -> URL without baseurl
    includes_dirs: tuple[Path, ...]  # searched in order by {% include %}
    markdownify: Callable[[str], str] | None = None


LiquidOutput = tuple[int, int, str] | None  # (start, end, output) of a body's Liquid span


def after_liquid(body: str, output: LiquidOutput) -> str:
    """The body with its Liquid span replaced by what it rendered to."""
    if output is None:
        return body
    start, end, rendered = output
    return body[:start] + rendered + body[end:]


def text_digest(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8", "surrogatepass")).hexdigest()


def page_variables(doc: Document) -> dict[str, Any]:
    """Jekyll's ``page`` object for Liquid in content."""
    data: dict[str, Any] = dict(doc.front_matter)
    data.update(title=doc.title, url=doc.url, date=doc.date, categories=list(doc.categories),
                tags=list(doc.tags), path=doc.source.rel, slug=doc.slug,
                description=doc.description, layout=doc.layout)
    return data


def render_body(doc: Document, body: str, md: MarkdownIt, ctx: ContentContext
                ) -> tuple[Content, list[tuple[int, str]]]:
    """Markdown (already through Liquid) -> Content, and warnings as (file line, message)."""
    from .markdown import render_markdown  # not imported by builds that render no Markdown

    env: dict[str, Any] = {
        "baseurl": ctx.baseurl,
        "dir_url": content_dir_url(doc.source),
        "urls_by_source": ctx.urls_by_source,
        "math": ctx.site_math if doc.math is None else doc.math,
        "path": doc.source.rel,
        "source_dir": str(doc.source.path.parent),  # local images' pixel sizes are read here
        "mermaid_url": ctx.mermaid_url,
    }
    rendered = render_markdown(md, body, env=env)
    plain = strip_html(rendered.html)
    words, cjk = count_words(plain)
    content = Content(
        bulk=ContentBulk(rendered.html, rendered.toc, rendered.data),
        excerpt=doc.description or excerpt(rendered.html),
        words=words + cjk,
        reading_minutes=reading_minutes(words, cjk),
        digest=hashlib.sha1(rendered.html.encode("utf-8", "surrogatepass")).hexdigest(),
        data_digests={key: hashlib.sha1(repr(value).encode("utf-8", "surrogatepass")).hexdigest()
                      for key, value in sorted(rendered.data.items())},
    )
    warnings = [(doc.body_line + line, message) for line, message in rendered.warnings]
    return content, warnings


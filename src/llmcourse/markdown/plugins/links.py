"""Resolve the URLs a lecture links to, and record every link and image for later stages.

Content files sit beside their lecture (content/lectures/img/a.png) but the lecture is published
at its permalink (/lectures/LLM/), so relative URLs are resolved against the source's folder and
written root-relative with the baseurl. Links to other Markdown files become their page URLs.
Every link is recorded in ``env["links"]`` as (href, text, body line) for the reference index and
``llmcourse check``; images in ``env["images"]`` as (src, alt, body line).
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Mapping
from urllib.parse import unquote

from markdown_it import MarkdownIt
from markdown_it.rules_core import StateCore
from markdown_it.token import Token

_SCHEME = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:")
_HTML_URL_ATTR = re.compile(r"""(\s(?:src|href|poster)\s*=\s*)(["'])([^"']*)\2""", re.IGNORECASE)


def resolve_url(url: str, *, baseurl: str, dir_url: str,
                urls_by_source: Mapping[str, str]) -> str:
    """A URL as written in ``content/<dir_url>/x.md`` -> the URL to publish."""
    if not url or url.startswith(("#", "//", "?")) or _SCHEME.match(url):
        return url
    path, sep, fragment = url.partition("#")
    if path.startswith("/"):
        if baseurl and (path == baseurl or path.startswith(baseurl + "/")):
            return url
        return baseurl + url
    target = posixpath.normpath(posixpath.join(dir_url, unquote(path)))
    if target.startswith(".."):
        return url  # leaves content/: leave it alone; `llmcourse check` reports it
    doc_url = urls_by_source.get(target.lstrip("/"))
    if doc_url is not None:
        return baseurl + doc_url + sep + fragment
    resolved = posixpath.normpath(posixpath.join(dir_url, path))
    if path.endswith("/") and not resolved.endswith("/"):
        resolved += "/"
    return baseurl + resolved + sep + fragment


def _inline_text(children: list[Token], start: int) -> str:
    parts = []
    for child in children[start + 1:]:
        if child.type == "link_close":
            break
        if child.type in ("text", "code_inline"):
            parts.append(child.content)
    return "".join(parts).strip()


def links_plugin(md: MarkdownIt) -> None:
    def rewrite(state: StateCore) -> None:
        env = state.env
        baseurl, dir_url = env.get("baseurl", ""), env.get("dir_url", "/")
        urls_by_source = env.get("urls_by_source", {})

        def resolve(url: str) -> str:
            return resolve_url(url, baseurl=baseurl, dir_url=dir_url,
                               urls_by_source=urls_by_source)

        links: list[tuple[str, str, int]] = env.setdefault("links", [])
        images: list[tuple[str, str, int]] = env.setdefault("images", [])

        def fix_html(html: str, line: int) -> str:
            def sub(match: re.Match[str]) -> str:
                original = match.group(3)
                if match.group(1).strip().lower().startswith("href"):
                    links.append((original, "", line))
                else:
                    images.append((original, "", line))
                return f"{match.group(1)}{match.group(2)}{resolve(original)}{match.group(2)}"
            return _HTML_URL_ATTR.sub(sub, html)

        for block in state.tokens:
            kind = block.type
            if kind == "html_block":
                if "=" in block.content:
                    block.content = fix_html(block.content, block.map[0] if block.map else 0)
                continue
            if kind != "inline" or not block.children:
                continue
            line = block.map[0] if block.map else 0
            children = block.children
            for index, token in enumerate(children):
                kind = token.type
                if kind == "text":
                    continue
                if kind == "link_open":
                    href = str(token.attrGet("href") or "")
                    links.append((href, _inline_text(children, index), line))
                    token.attrSet("href", resolve(href))
                elif kind == "image":
                    src = str(token.attrGet("src") or "")
                    images.append((src, token.content, line))
                    token.attrSet("src", resolve(src))
                elif kind == "html_inline" and "=" in token.content:
                    token.content = fix_html(token.content, line)

    md.core.ruler.push("resolve_links", rewrite)

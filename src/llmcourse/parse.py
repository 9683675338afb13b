"""Pure parse: a source file's text -> ``Document`` (or the diagnostics that explain why not).

No I/O here, so tests call it with strings; the builder reads the files.
"""

from __future__ import annotations

import hashlib
import posixpath
import re
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from .config import SiteConfig
from .errors import ContentError, Diagnostic
from .frontmatter import as_string_list, parse_date, split_front_matter
from .model import Document, LiquidSpan, SourceFile
from .permalink import expand, url_to_output

# Jekyll's post file name: YYYY-MM-DD-title, one-digit month and day allowed.
_DATED_NAME = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})-(.+)$")
_FIRST_H1 = re.compile(r"^# +(.+?)\s*#*\s*$", re.MULTILINE)

KNOWN_KEYS = frozenset({
    "layout", "title", "date", "categories", "category", "tags", "tag", "author", "authors",
    "permalink", "published", "draft", "description", "mathjax", "math", "comments", "order",
    "week", "image", "slides", "redirect_from", "redirect_to", "slug", "excerpt", "lang",
    "toc", "search", "sitemap",
})


def source_hash(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def parse_document(source: SourceFile, text: str, config: SiteConfig, digest: str
                   ) -> tuple[Document | None, list[Diagnostic]]:
    try:
        raw = split_front_matter(text, source.rel)
    except ContentError as exc:
        return None, [exc.diagnostic]
    problems: list[Diagnostic] = []
    fm = raw.data

    def error(key: str, message: str, hint: str | None = None) -> None:
        problems.append(Diagnostic(source.rel, raw.key_lines.get(key, 1), message, "error", hint))

    stem = posixpath.splitext(posixpath.basename(source.content_rel))[0]
    name_match = _DATED_NAME.match(stem)
    slug = str(fm.get("slug") or (name_match.group(4) if name_match else stem))

    date = None
    if "date" in fm and fm["date"] not in (None, ""):
        try:
            date = parse_date(fm["date"], config.tz)
        except ValueError as exc:
            error("date", str(exc))
    elif name_match:
        try:
            date = parse_date("-".join(name_match.groups()[:3]), config.tz)
        except ValueError as exc:
            problems.append(Diagnostic(source.rel, 1, f"file name: {exc}"))
    kind = "lecture" if date is not None or name_match else "page"

    title = _title(fm, raw.body, slug)
    categories = as_string_list(fm.get("categories", fm.get("category")))
    tags = as_string_list(fm.get("tags", fm.get("tag")))
    authors = _authors(fm.get("authors", fm.get("author")), config)
    order = _number(fm, ("order", "week"), error)

    content_path = posixpath.splitext(source.content_rel)[0]
    if posixpath.basename(content_path) == "index":
        content_path = posixpath.dirname(content_path)
    pattern = str(fm["permalink"]) if fm.get("permalink") else config.permalink(kind)
    url = expand(pattern, date=date, title=slug, categories=categories, path=content_path)
    output = url_to_output(url)
    if output is None:
        error("permalink", f"permalink '{pattern}' leads outside the output folder")
        output = ""

    layout = str(fm.get("layout") or ("post" if kind == "lecture" else "page"))
    flags = {k: _flag(fm, k, error) for k in ("draft", "published", "comments", "slides")}
    math = _flag(fm, "math", error) if "math" in fm else (
        _flag(fm, "mathjax", error) if "mathjax" in fm else None)
    if problems:
        return None, problems
    return Document(
        source=source, kind=kind, title=title, url=url, output=output, layout=layout,
        stored_body=raw.body, body_line=raw.body_line, source_hash=digest, date=date, slug=slug,
        categories=categories, tags=tags, authors=authors,
        description=str(fm.get("description") or ""), math=math,
        comments=bool(flags["comments"]), order=order, image=str(fm.get("image") or ""),
        draft=bool(flags["draft"]) or flags["published"] is False,
        slides=flags["slides"] is not False,
        redirect_from=as_string_list(fm.get("redirect_from")),
        redirect_to=str(fm.get("redirect_to") or ""),
        front_matter=fm, key_lines=raw.key_lines, liquid=liquid_span(raw.body, raw.body_line),
    ), []


def liquid_span(body: str, body_line: int) -> LiquidSpan | None:
    """The span of ``body`` from its first Liquid tag to its last, widened over the
    whitespace next to it (which whitespace control, ``{%-`` and ``-}}``, may strip)."""
    first = _TAG_START.search(body)
    if first is None:
        return None
    start = first.start()
    end = body.rfind("}")  # the last "}}" or "%}": one backward scan
    while end > start and body[end - 1] not in "}%":
        end = body.rfind("}", 0, end)
    end = end + 1 if end > start + 1 else len(body)
    while start > 0 and body[start - 1].isspace():
        start -= 1
    while end < len(body) and body[end].isspace():
        end += 1
    return LiquidSpan(start, end, body_line + body.count("\n", 0, start), body[start:end])


_TAG_START = re.compile(r"\{[{%]")


def _title(fm: Mapping[str, Any], body: str, slug: str) -> str:
    if fm.get("title") not in (None, ""):
        return str(fm["title"])
    match = _FIRST_H1.search(body)
    if match:
        return match.group(1).strip()
    return slug.replace("-", " ").replace("_", " ").strip() or slug


def _authors(value: Any, config: SiteConfig) -> tuple[str, ...]:
    if value is None:
        return (config.author,) if config.author else ()
    if isinstance(value, (list, tuple)):
        return tuple(str(v) for v in value if v)
    if isinstance(value, dict):
        return (str(value.get("name", "")),) if value.get("name") else ()
    return (str(value),)


def _flag(fm: Mapping[str, Any], key: str, error: Any) -> bool | None:
    if key not in fm or fm[key] is None:
        return None
    if not isinstance(fm[key], bool):
        error(key, f"'{key}' must be true or false, not '{fm[key]}'")
        return None
    return bool(fm[key])


def _number(fm: Mapping[str, Any], keys: tuple[str, ...], error: Any) -> float | None:
    for key in keys:
        if key in fm and fm[key] is not None:
            value = fm[key]
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                error(key, f"'{key}' must be a number, not '{value}'")
                return None
            return float(value)
    return None


def is_future(doc: Document, now: datetime) -> bool:
    return doc.date is not None and doc.date > now


def content_dir_url(source: SourceFile) -> str:
    """The URL folder that mirrors the source's folder under content/ (for relative assets)."""
    folder = posixpath.dirname(source.content_rel)
    return "/" + folder + "/" if folder else "/"

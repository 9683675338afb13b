"""The content model: frozen dataclasses that every stage reads and none mutates.

discover -> ``SourceFile``; parse -> ``Document`` (front matter, URL, body);
render markdown -> ``Content``; link -> ``Site`` (order, neighbours, taxonomies).
"""

from __future__ import annotations

import hashlib
import zlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path
from typing import Any, Literal, NamedTuple, SupportsIndex

from .errors import ContentError

Kind = Literal["lecture", "page"]

# Attributes the Markdown stage puts on a lecture's slide breaks and speaker notes, for the
# slides pages to split the rendered HTML by (kept here so slides need not import Markdown)
SLIDE_BREAK_ATTR = "data-slide-break"
SLIDE_NOTES_ATTR = "data-slide-notes"


@dataclass(frozen=True)
class SourceFile:
    path: Path  # absolute path on disk
    rel: str  # relative to the site folder, POSIX separators: "content/lectures/x.md"
    content_rel: str  # relative to content/: "lectures/x.md"


@dataclass(frozen=True)
class LiquidSpan:
    """The part of a body that is Liquid: from its first tag to its last (the text around it
    renders to itself). Found when the file is parsed, so later builds need not scan it."""

    start: int
    end: int
    line: int  # file line where the span starts
    source: str  # body[start:end]

    @property
    def site_only(self) -> bool:
        """Output statements only, none naming ``page``: they see only the site, so they
        render alike in every document of a build (a course footer renders once, not 1000
        times)."""
        return "{%" not in self.source and "page" not in self.source


@dataclass(frozen=True)
class FileBody:
    """A cached document's body before it is read: the last ``size`` bytes of its file (the
    file's hash, checked when they are read, must be the document's ``source_hash``)."""

    size: int


@dataclass(frozen=True)
class Document:
    """One Markdown file after its front matter is parsed and its URL is known."""

    source: SourceFile
    kind: Kind
    title: str
    url: str  # without baseurl, starts with "/"
    output: str  # file under OUT: "lectures/LLM/index.html"
    layout: str
    # Markdown after the front matter (Liquid not yet rendered), or UTF-8 bytes that end with
    # it from ``body_offset`` on, or, for a document from the cache, still in its file
    # (``FileBody``): decoded, or read, only when needed (see ``body``), since a warm build of
    # 1000 lectures reads none of them
    stored_body: str | bytes | FileBody
    body_line: int  # file line of the body's first line
    source_hash: str  # sha256 of the file's bytes: the cache key of everything derived
    date: datetime | None = None
    slug: str = ""  # the file name's :title part
    categories: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    authors: tuple[str, ...] = ()
    description: str = ""
    math: bool | None = None  # None: follow site.yaml
    comments: bool = False
    order: float | None = None
    image: str = ""
    draft: bool = False
    slides: bool = True
    redirect_from: tuple[str, ...] = ()
    redirect_to: str = ""
    front_matter: Mapping[str, Any] = field(default_factory=dict)  # every key, for page.KEY
    key_lines: Mapping[str, int] = field(default_factory=dict)
    liquid: LiquidSpan | None = None  # where the body's Liquid is; None: it has none
    body_offset: int = 0  # where the body starts in ``stored_body``, when that is bytes
    # hash of ``meta_key()``: what the keys of other pages include of this one
    meta_digest: str = field(init=False, repr=False, compare=False)
    # hash of everything a template's view shows of this document but its text
    view_digest: str = field(init=False, repr=False, compare=False)

    @property
    def body(self) -> str:
        stored = self.stored_body
        if isinstance(stored, str):
            return stored
        if isinstance(stored, FileBody):
            stored = self._read_body(stored.size)
        return str(memoryview(stored)[self.body_offset:], "utf-8", "surrogatepass")

    def _read_body(self, size: int) -> bytes:
        """The file's bytes, which must still be the ones this document was parsed from."""
        data = self.source.path.read_bytes()
        if size > len(data) or hashlib.sha256(data).hexdigest() != self.source_hash:
            raise ContentError(self.source.rel, 0, "the file changed while the site was being "
                               "built: build again")
        # kept once read (a document parsed in this build holds its file's bytes too)
        object.__setattr__(self, "stored_body", data)
        object.__setattr__(self, "body_offset", len(data) - size)
        return data

    def packed(self) -> Document:
        """This document with its body as UTF-8 bytes, to be kept in the cache."""
        if not isinstance(self.stored_body, str):
            return self
        return replace(self, stored_body=self.stored_body.encode("utf-8", "surrogatepass"))

    @property
    def is_lecture(self) -> bool:
        return self.kind == "lecture"

    def line_of(self, key: str) -> int:
        return self.key_lines.get(key, 1)

    def meta_key(self) -> tuple[Any, ...]:
        """What other pages show of this one (lists, neighbours, sidebar): their cache input."""
        return (self.url, self.title, self.date.isoformat() if self.date else "",
                self.categories, self.tags, self.description, self.order, self.draft, self.image)

    def __post_init__(self) -> None:
        # Made once, when the document is parsed, and cached with it: each build puts them
        # into the keys of a dozen pages per lecture (hashing them there each time was a
        # tenth of a one-lecture build).
        object.__setattr__(self, "meta_digest", _digest(self.meta_key()))
        object.__setattr__(self, "view_digest", _digest((
            self.meta_digest, self.kind, self.authors, self.layout, self.math, self.comments,
            self.slides, self.source.rel, self.front_matter)))


def _digest(value: object) -> str:
    return hashlib.sha1(repr(value).encode("utf-8", "surrogatepass")).hexdigest()


class Heading(NamedTuple):
    """One heading of a rendered body: its table-of-contents entry. (A named tuple: a cached
    lecture has dozens, and tuples load from the cache several times faster.)"""

    level: int
    id: str
    text: str
    line: int  # 0-based line in the Markdown body (token.map)


@dataclass(frozen=True)
class ContentBulk:
    """The bulky part of a rendered body, which only the document's own pages (and ``check``)
    read: a build that reuses those pages never loads it from the cache."""

    # The HTML, or its UTF-8 compressed by zlib (see ``Content.packed``): a lecture keeps it so
    # until a page shows it; holding 1000 lectures' HTML decoded took most of a build's memory.
    stored_html: str | bytes
    toc: tuple[Heading, ...]
    data: Mapping[str, Any] = field(default_factory=dict)  # plugin results (references, ...)


class DeferredBulk:
    """A ``ContentBulk`` still in the cache, loaded on first use (``load`` makes it again when
    the cache lost it). Pickles as the bulk itself."""

    __slots__ = ("_bulk", "_load")

    def __init__(self, load: Callable[[], ContentBulk]) -> None:
        self._load = load
        self._bulk: ContentBulk | None = None

    def get(self) -> ContentBulk:
        if self._bulk is None:
            self._bulk = self._load()
        return self._bulk

    def __reduce_ex__(self, protocol: SupportsIndex) -> Any:
        return self.get().__reduce_ex__(protocol)


@dataclass(frozen=True)
class Content:
    """A document's body rendered to HTML, with what the theme needs to show it."""

    bulk: ContentBulk | DeferredBulk  # HTML, table of contents, plugin data
    excerpt: str  # plain text, for lists and meta descriptions
    words: int  # English words plus CJK characters
    reading_minutes: int
    digest: str = ""  # hash of html: part of the key of every output that shows it
    # one hash per ``data`` key: pages built from one kind of data (the reference index) are
    # keyed by it, without reading (or decoding) the data itself
    data_digests: Mapping[str, str] = field(default_factory=dict)

    def _bulk(self) -> ContentBulk:
        bulk = self.bulk
        return bulk if isinstance(bulk, ContentBulk) else bulk.get()

    @property
    def html(self) -> str:
        stored = self._bulk().stored_html
        return stored if isinstance(stored, str) else zlib.decompress(stored).decode("utf-8")

    @property
    def toc(self) -> tuple[Heading, ...]:
        return self._bulk().toc

    @property
    def data(self) -> Mapping[str, Any]:
        return self._bulk().data

    def packed(self) -> Content:
        """This content with its HTML compressed, to be kept (cache, other processes)."""
        bulk = self._bulk()
        if isinstance(bulk.stored_html, bytes):
            return self
        html = zlib.compress(bulk.stored_html.encode("utf-8"), 1)
        return replace(self, bulk=replace(bulk, stored_html=html))


@dataclass(frozen=True)
class Entry:
    """A document with its rendered content: what templates call ``page``."""

    doc: Document
    content: Content


@dataclass(frozen=True)
class Site:
    """Everything the templates need, after linking."""

    lectures: tuple[Entry, ...]  # course order
    pages: tuple[Entry, ...]
    previous: Mapping[str, Entry | None]  # lecture url -> neighbour in course order
    following: Mapping[str, Entry | None]
    categories: Mapping[str, tuple[Entry, ...]]  # sorted by term
    tags: Mapping[str, tuple[Entry, ...]]
    years: Mapping[int, tuple[Entry, ...]]  # newest year first
    assets: tuple[SourceFile, ...]  # non-Markdown files under content/

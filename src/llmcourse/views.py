"""The read-only views templates see: ``page`` for a document, ``site`` for the course.

Built by one function each, so templates never reach into the model's internals, and a
template typo fails loudly (Jinja's StrictUndefined) instead of printing nothing.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from markupsafe import Markup

from .config import SiteConfig
from .model import Content, Entry, Heading, Site
from .permalink import slugify


class _TextReads:
    """How many times templates read a page's text (below): a page that lists others (home,
    tag pages) and read none of their texts is keyed by their summaries alone, so editing a
    lecture's text does not re-render every list it is in (``render.PlannedPage.light_key``).
    Counted in this process; a read from another thread only costs a needless re-render."""

    count = 0


def text_reads() -> int:
    return _TextReads.count


@dataclass(frozen=True)
class PageView:
    kind: str
    title: str
    url: str  # without baseurl; use the relative_url filter in templates
    date: datetime | None
    categories: tuple[str, ...]
    tags: tuple[str, ...]
    authors: tuple[str, ...]
    description: str
    excerpt: str
    reading_minutes: int
    layout: str
    image: str
    math: bool
    comments: bool
    slides: bool
    source: str  # path relative to the site folder
    meta: Mapping[str, Any]  # every front-matter key, for page.meta.KEY
    _text: Content  # the rendered body: templates read it through the properties below

    # The rendered body's parts are made when a template asks, since a view exists for every
    # document of every build and most builds show few of them (holding each body, unpacked
    # and again as Markup, took a 1000-lecture course 140 MB; a cached one is not even read
    # from the cache until then), and each read is counted (``_TextReads``). Everything else
    # a view shows is in ``render.summary_fingerprint``.
    @property
    def rendered(self) -> Content:
        _TextReads.count += 1
        return self._text

    @property
    def content(self) -> Markup:
        return Markup(self.rendered.html)

    @property
    def toc(self) -> tuple[Heading, ...]:
        return self.rendered.toc

    @property
    def data(self) -> Mapping[str, Any]:  # plugin results (references, ...)
        return self.rendered.data

    @property
    def words(self) -> int:
        return self.rendered.words

    @property
    def is_lecture(self) -> bool:
        return self.kind == "lecture"

    def __getattr__(self, name: str) -> Any:
        # page.KEY for any other front-matter key, as in Jekyll; missing keys still fail loudly
        meta = object.__getattribute__(self, "meta")
        if name in meta:
            return meta[name]
        raise AttributeError(name)


def page_view(entry: Entry, site_math: bool) -> PageView:
    doc, content = entry.doc, entry.content
    return PageView(
        kind=doc.kind, title=doc.title, url=doc.url, date=doc.date, categories=doc.categories,
        tags=doc.tags, authors=doc.authors, description=doc.description,
        excerpt=content.excerpt, reading_minutes=content.reading_minutes, layout=doc.layout,
        image=doc.image, math=site_math if doc.math is None else doc.math, comments=doc.comments,
        slides=doc.slides, source=doc.source.rel, meta=doc.front_matter,
        _text=content,
    )


@dataclass(frozen=True)
class SiteView:
    title: str
    tagline: str
    description: str
    lang: str
    url: str
    baseurl: str
    author: str
    nav: tuple[Mapping[str, str], ...]
    time: datetime
    config: SiteConfig
    lectures: tuple[PageView, ...]  # course order
    pages: tuple[PageView, ...]
    categories: Mapping[str, tuple[PageView, ...]]
    tags: Mapping[str, tuple[PageView, ...]]
    years: Mapping[int, tuple[PageView, ...]]
    extra: Mapping[str, Any]
    lecture_positions: Mapping[str, int] = field(default_factory=dict)  # url -> course index

    def lecture_window(self, url: str, size: int = 15) -> tuple[PageView, ...]:
        """The sidebar's lectures: all of a normal course; around ``url`` in a long one, so a
        1000-lecture site does not put 1000 links on every page."""
        if len(self.lectures) <= size:
            return self.lectures
        here = self.lecture_positions.get(url, 0)
        start = max(0, min(here - size // 2, len(self.lectures) - size))
        return self.lectures[start:start + size]

    def __getattr__(self, name: str) -> Any:
        extra = object.__getattribute__(self, "extra")
        if name in extra:
            return extra[name]
        raise AttributeError(name)


def site_view(site: Site, config: SiteConfig, time: datetime,
              views: Mapping[str, PageView]) -> SiteView:
    """``views`` maps document URL -> its PageView, built once per build."""
    def pick(entries: tuple[Entry, ...]) -> tuple[PageView, ...]:
        return tuple(views[e.doc.url] for e in entries)

    return SiteView(
        title=config.title, tagline=config.tagline, description=config.description,
        lang=config.lang, url=config.url, baseurl=config.baseurl, author=config.author,
        nav=tuple({"title": n.title, "url": n.url} for n in config.nav), time=time,
        config=config, lectures=pick(site.lectures), pages=pick(site.pages),
        lecture_positions={e.doc.url: i for i, e in enumerate(site.lectures)},
        categories={k: pick(v) for k, v in site.categories.items()},
        tags={k: pick(v) for k, v in site.tags.items()},
        years={k: pick(v) for k, v in site.years.items()},
        extra=dict(config.extra),
    )


TAXONOMIES = ("categories", "tags")


def term_slug(term: str) -> str:
    """The URL part of a category or tag; a term of punctuation only still gets a stable one."""
    slug = slugify(term)
    if slug:
        return slug
    return "term-" + hashlib.sha1(term.encode("utf-8", "surrogatepass")).hexdigest()[:8]


def term_url(taxonomy: str, term: str) -> str:
    """``/tags/<slug>/``: one page per term (terms whose slugs match share it)."""
    return f"/{taxonomy}/{term_slug(term)}/"

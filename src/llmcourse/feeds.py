"""Machine-readable outputs: feed.xml (Atom, like jekyll-feed), sitemap.xml and robots.txt
(like jekyll-sitemap).

Pure functions build the text; the generators plan them like any other page, keyed on what they
show. Nothing here reads the clock: the feed's ``updated`` is the newest lecture's date, so the
same course gives byte-identical files.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from . import __version__
from .config import SiteConfig
from .link import newest_first
from .model import Entry
from .render import PlannedPage, RenderInputs, content_fingerprint, fingerprint
from .views import PageView

if TYPE_CHECKING:
    import xml.etree.ElementTree as ET

ATOM = "http://www.w3.org/2005/Atom"
SITEMAP = "http://www.sitemaps.org/schemas/sitemap/0.9"
RAW_TEMPLATE = "_raw.txt"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
XML_BASE = "{http://www.w3.org/XML/1998/namespace}base"
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
# XML 1.0 forbids most control characters; one in a lecture would make the whole feed invalid.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_ROOT_URL_ATTR = re.compile(r"""(\s(?:href|src|poster)=)(["'])(/(?!/)[^"']*)\2""")


def absolute(config: SiteConfig, path: str) -> str:
    """The same URL the ``absolute_url`` filter gives (baseurl added once, then url)."""
    if path.startswith(("http://", "https://", "//", "mailto:", "#")):
        return path
    base = config.baseurl
    rel = path if base and (path == base or path.startswith(base + "/")) else (
        base + "/" + path.lstrip("/"))
    return config.url + rel


def absolutize_html(html: str, config: SiteConfig) -> str:
    """Root-relative links and images in content -> absolute, for feed readers elsewhere."""
    if not config.url:
        return html
    return _ROOT_URL_ATTR.sub(lambda m: f"{m.group(1)}{m.group(2)}{config.url}{m.group(3)}"
                              f"{m.group(2)}", html)


def _clean(text: str) -> str:
    return _CONTROL.sub("", text)


def _sub(parent: ET.Element, tag: str, text: str = "", **attrs: str) -> ET.Element:
    import xml.etree.ElementTree as ET

    element = ET.SubElement(parent, f"{{{ATOM}}}{tag}", attrs)
    if text:
        element.text = _clean(text)
    return element


def feed_updated(lectures: Iterable[PageView]) -> datetime:
    dates = [p.date for p in lectures if p.date]
    return max(dates) if dates else EPOCH


def feed_xml(config: SiteConfig, lectures: list[PageView]) -> str:
    """Atom 1.0: the newest ``feed_limit`` lectures, newest first, with their full content."""
    import xml.etree.ElementTree as ET  # (here: most builds write neither feed nor sitemap)

    ET.register_namespace("", ATOM)
    root = ET.Element(f"{{{ATOM}}}feed", {XML_LANG: config.lang})
    _sub(root, "generator", "llmcourse", uri="https://pypi.org/project/llmcourse/",
         version=__version__)
    feed_url = absolute(config, "/feed.xml")
    _sub(root, "link", href=feed_url, rel="self", type="application/atom+xml")
    _sub(root, "link", href=absolute(config, "/"), rel="alternate", type="text/html")
    _sub(root, "updated", feed_updated(lectures).isoformat())
    _sub(root, "id", feed_url)
    _sub(root, "title", config.title, type="html")
    if config.description or config.tagline:
        _sub(root, "subtitle", config.description or config.tagline)
    author = _sub(root, "author")
    _sub(author, "name", config.author or config.title)
    for page in lectures:
        url = absolute(config, page.url)
        entry = _sub(root, "entry")
        _sub(entry, "title", page.title, type="html")
        _sub(entry, "link", href=url, rel="alternate", type="text/html", title=page.title)
        stamp = (page.date or EPOCH).isoformat()
        _sub(entry, "published", stamp)
        _sub(entry, "updated", stamp)
        _sub(entry, "id", url)
        _sub(entry, "content", absolutize_html(str(page.content), config), type="html",
             **{XML_BASE: url})
        for name in page.authors:
            _sub(_sub(entry, "author"), "name", name)
        for term in dict.fromkeys(page.categories + page.tags):
            _sub(entry, "category", term=term)
        summary = page.description or page.excerpt
        if summary:
            _sub(entry, "summary", summary, type="html")
    ET.indent(root)
    return '<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(root, "unicode") + "\n"


def sitemap_xml(entries: Iterable[tuple[str, str]]) -> str:
    """``entries``: (absolute URL, lastmod or "")."""
    import xml.etree.ElementTree as ET

    ET.register_namespace("", SITEMAP)
    root = ET.Element(f"{{{SITEMAP}}}urlset")
    for loc, lastmod in entries:
        url = ET.SubElement(root, f"{{{SITEMAP}}}url")
        ET.SubElement(url, f"{{{SITEMAP}}}loc").text = loc
        if lastmod:
            ET.SubElement(url, f"{{{SITEMAP}}}lastmod").text = lastmod
    ET.indent(root)
    return '<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(root, "unicode") + "\n"


def robots_txt(config: SiteConfig) -> str:
    return f"User-agent: *\nAllow: /\n\nSitemap: {absolute(config, '/sitemap.xml')}\n"


def in_sitemap(page: PageView) -> bool:
    """jekyll-sitemap's rules: not the 404 page, not redirects, not ``sitemap: false``."""
    meta = page.meta
    return (meta.get("sitemap", True) is not False and not meta.get("redirect_to")
            and page.url not in ("/404.html", "/404/"))


# -- generators ---------------------------------------------------------------------------------
def _feed_entries(lectures: tuple[Entry, ...], limit: int) -> tuple[Entry, ...]:
    return newest_first(e for e in lectures if e.doc.date)[:limit]


def feed_page(inputs: RenderInputs, site_v: object, views: Mapping[str, PageView]
              ) -> list[PlannedPage]:
    if "/feed.xml" in views:
        return []
    config = inputs.config
    entries = _feed_entries(inputs.site.lectures, config.feed_limit)
    key = fingerprint("feed", config.fingerprint(), __version__,
                      [(e.doc.meta_digest, e.doc.authors) for e in entries],
                      content_fingerprint(entries))
    return [PlannedPage("feed.xml", "/feed.xml", RAW_TEMPLATE, key, lambda: {
        "body": feed_xml(config, [views[e.doc.url] for e in entries])})]


def sitemap_page(inputs: RenderInputs, views: Mapping[str, PageView], generated: list[str]
                 ) -> list[PlannedPage]:
    if "/sitemap.xml" in views:
        return []
    config = inputs.config
    docs = [p for p in views.values() if in_sitemap(p)]
    rows = sorted({(absolute(config, p.url), p.date.isoformat() if p.date else "") for p in docs}
                  | {(absolute(config, url), "") for url in generated})
    key = fingerprint("sitemap", config.fingerprint(), inputs.nav_key, rows)
    return [PlannedPage("sitemap.xml", "/sitemap.xml", RAW_TEMPLATE, key,
                        lambda: {"body": sitemap_xml(rows)})]


def robots_page(inputs: RenderInputs, site_v: object, views: Mapping[str, PageView]
                ) -> list[PlannedPage]:
    if "/robots.txt" in views:
        return []
    key = fingerprint("robots", inputs.config.fingerprint())
    return [PlannedPage("robots.txt", "/robots.txt", RAW_TEMPLATE, key,
                        lambda: {"body": robots_txt(inputs.config)})]

"""Pages that no source file has: home, 404, category and tag pages, the archive, the syntax
stylesheet, and (from ``feeds``) feed.xml, sitemap.xml and robots.txt.

Each generator returns ``PlannedPage``s with a key that covers everything the page shows, so a
warm build reuses them unrendered. A document with the same URL (content/index.md, a hand-made
content/tags.md...) wins over the generated page.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

import pygments

from . import feeds
from .model import Entry
from .redirects import redirect_pages
from .references_export import reference_pages
from .render import (
    PlannedPage,
    RenderInputs,
    content_fingerprint,
    fingerprint,
    summary_fingerprint,
)
from .slides import slide_pages
from .views import TAXONOMIES, PageView, SiteView, term_slug, term_url

TAXONOMY_TITLES = {"categories": ("Categories", "Category"), "tags": ("Tags", "Tag")}
RAW_TEMPLATE = "_raw.txt"  # outputs its ``body`` as it is (not autoescaped: not .html/.xml)
LIGHT_STYLE, DARK_STYLE = "xcode", "github-dark"  # both AA on the theme's code backgrounds
SYNTAX_CSS = "assets/css/syntax.css"


def _generated(url: str, output: str, template: str, key: str, views: Mapping[str, PageView],
               *, light_key: str = "", **context: object) -> list[PlannedPage]:
    """One generated page, unless a document already has its URL."""
    if url in views:
        return []
    return [PlannedPage(output, url, template, key, lambda: {**context, "url": url},
                        light_key=light_key)]


def _listing_keys(inputs: RenderInputs, *parts: object,
                  entries: tuple[Entry, ...] | list[Entry]) -> dict[str, str]:
    """The key of a page listing ``entries``, and its ``light_key`` (when it reads no text)."""
    return {"key": fingerprint(*parts, content_fingerprint(entries)),
            "light_key": fingerprint(*parts, summary_fingerprint(inputs, entries))}


def home_page(inputs: RenderInputs, site_v: SiteView, views: Mapping[str, PageView]
              ) -> list[PlannedPage]:
    keys = _listing_keys(inputs, "home", inputs.theme_key, inputs.nav_key,
                         entries=inputs.site.lectures)
    return _generated("/", "index.html", "home.html", views=views, site=site_v, page=None,
                      title="", **keys)


def not_found_page(inputs: RenderInputs, site_v: SiteView, views: Mapping[str, PageView]
                   ) -> list[PlannedPage]:
    key = fingerprint("404", inputs.theme_key, inputs.nav_key)
    return _generated("/404.html", "404.html", "404.html", key, views, site=site_v, page=None,
                      title="Page not found")


def group_terms(terms: Mapping[str, tuple[Entry, ...]]) -> dict[str, tuple[list[str], list[Entry]]]:
    """slug -> (terms, lectures): "GenAI" and "genai" share one page, lectures once each."""
    groups: dict[str, tuple[list[str], list[Entry]]] = {}
    seen: dict[str, set[str]] = {}  # by URL: comparing whole entries is quadratic and slow
    for term, entries in terms.items():
        slug = term_slug(term)
        names, lectures = groups.setdefault(slug, ([], []))
        urls = seen.setdefault(slug, set())
        names.append(term)
        for entry in entries:
            if entry.doc.url not in urls:
                urls.add(entry.doc.url)
                lectures.append(entry)
    return groups


def taxonomy_pages(inputs: RenderInputs, site_v: SiteView, views: Mapping[str, PageView]
                   ) -> list[PlannedPage]:
    nav_key = inputs.nav_key
    order = {e.doc.url: i for i, e in enumerate(inputs.site.lectures)}
    planned: list[PlannedPage] = []
    for taxonomy in TAXONOMIES:
        groups = group_terms(getattr(inputs.site, taxonomy))
        label, singular = TAXONOMY_TITLES[taxonomy]
        index = [{"name": " / ".join(names), "url": term_url(taxonomy, names[0]),
                  "count": len(entries)} for names, entries in groups.values()]
        planned += _generated(f"/{taxonomy}/", f"{taxonomy}/index.html", "terms.html",
                              fingerprint("terms", taxonomy, inputs.theme_key, nav_key), views,
                              site=site_v, page=None, title=label, taxonomy=taxonomy,
                              terms=index)
        for slug, (names, entries) in groups.items():
            entries = sorted(entries, key=lambda e: order[e.doc.url])
            keys = _listing_keys(inputs, "term", taxonomy, slug, inputs.theme_key, nav_key,
                                 entries=entries)
            name = " / ".join(names)
            planned += _generated(term_url(taxonomy, names[0]), f"{taxonomy}/{slug}/index.html",
                                  "term.html", views=views, site=site_v, page=None, **keys,
                                  title=f"{singular}: {name}",
                                  taxonomy=taxonomy, term=name,
                                  lectures=tuple(views[e.doc.url] for e in entries))
    return planned


def archive_page(inputs: RenderInputs, site_v: SiteView, views: Mapping[str, PageView]
                 ) -> list[PlannedPage]:
    key = fingerprint("archive", inputs.theme_key, inputs.nav_key)
    return _generated("/archive/", "archive/index.html", "archive.html", key, views,
                      site=site_v, page=None, title="Archive")


def generated_urls(inputs: RenderInputs, views: Mapping[str, PageView]) -> list[str]:
    """The listing pages the sitemap names (documents are added by ``feeds``)."""
    urls = ["/", "/archive/"]
    for taxonomy in TAXONOMIES:
        urls.append(f"/{taxonomy}/")
        urls += [term_url(taxonomy, names[0])
                 for names, _ in group_terms(getattr(inputs.site, taxonomy)).values()]
    return [u for u in urls if u not in views]


def syntax_css() -> str:
    """Code colours for both modes in one rule per token class: ``light-dark()`` follows the
    ``color-scheme`` that site.css sets for the light and the dark palette, so the system
    setting and the reader's choice both apply without repeating the rules. A class that one
    style leaves out takes the text colour there, so no light colour leaks onto the dark
    background (and a browser without ``light-dark()`` shows plain, readable code)."""
    from .markdown.highlight import pygments_css  # only when the stylesheet is re-rendered

    def colours(style: str) -> dict[str, tuple[str, str]]:
        found = re.findall(r"^\.highlight (\.[\w-]+) \{ ([^}]*) \}",
                           pygments_css(style, ".highlight"), re.MULTILINE)
        result = {}
        for cls, body in found:
            fg = re.search(r"(?:^|; )color: (#[0-9A-Fa-f]+)", body)
            bg = re.search(r"background-color: (#[0-9A-Fa-f]+)", body)
            result[cls] = (fg.group(1) if fg else "", bg.group(1) if bg else "")
        return result

    light, dark = colours(LIGHT_STYLE), colours(DARK_STYLE)
    by_body: dict[str, list[str]] = {}
    for cls in sorted((set(light) | set(dark)) - {".hll", ".w"}, key=lambda c: (len(c), c)):
        (lfg, lbg), (dfg, dbg) = light.get(cls, ("", "")), dark.get(cls, ("", ""))
        parts = []
        if lfg or dfg:
            parts.append(f"color:light-dark({lfg or 'currentcolor'},{dfg or 'currentcolor'})")
        if lbg or dbg:
            parts.append(f"background-color:light-dark({lbg or 'transparent'},"
                         f"{dbg or 'transparent'})")
        if parts:  # one rule per distinct style keeps the file small
            by_body.setdefault(";".join(parts), []).append(f".highlight {cls}")
    out = [f"/* Pygments {pygments.__version__}: {LIGHT_STYLE} / {DARK_STYLE}. Generated. */"]
    out += [",".join(selectors) + "{" + body + "}" for body, selectors in by_body.items()]
    return "\n".join(out) + "\n"


def syntax_stylesheet(inputs: RenderInputs, site_v: SiteView, views: Mapping[str, PageView]
                      ) -> list[PlannedPage]:
    key = fingerprint("syntax", pygments.__version__, LIGHT_STYLE, DARK_STYLE, inputs.theme_key)
    return [PlannedPage(SYNTAX_CSS, "/" + SYNTAX_CSS, RAW_TEMPLATE, key,
                        lambda: {"body": syntax_css()})]


def sitemap(inputs: RenderInputs, site_v: SiteView, views: Mapping[str, PageView]
            ) -> list[PlannedPage]:
    return feeds.sitemap_page(inputs, views, generated_urls(inputs, views))


GENERATORS = [home_page, not_found_page, taxonomy_pages, archive_page, syntax_stylesheet,
              feeds.feed_page, sitemap, feeds.robots_page, redirect_pages,
              slide_pages, reference_pages]

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
from .markdown.highlight import pygments_css
from .model import Entry
from .redirects import redirect_pages
from .references_export import reference_pages
from .render import PlannedPage, RenderInputs, content_fingerprint, fingerprint, nav_fingerprint
from .slides import slide_pages
from .views import TAXONOMIES, PageView, SiteView, term_slug, term_url

TAXONOMY_TITLES = {"categories": ("Categories", "Category"), "tags": ("Tags", "Tag")}
RAW_TEMPLATE = "_raw.txt"  # outputs its ``body`` as it is (not autoescaped: not .html/.xml)
LIGHT_STYLE, DARK_STYLE = "xcode", "github-dark"  # both AA on the theme's code backgrounds
SYNTAX_CSS = "assets/css/syntax.css"


def _generated(url: str, output: str, template: str, key: str, views: Mapping[str, PageView],
               **context: object) -> list[PlannedPage]:
    """One generated page, unless a document already has its URL."""
    if url in views:
        return []
    return [PlannedPage(output, url, template, key, lambda: {**context, "url": url})]


def home_page(inputs: RenderInputs, site_v: SiteView, views: Mapping[str, PageView]
              ) -> list[PlannedPage]:
    key = fingerprint("home", inputs.theme_key, nav_fingerprint(inputs.site),
                      content_fingerprint(inputs.site.lectures))
    return _generated("/", "index.html", "home.html", key, views, site=site_v, page=None,
                      title="")


def not_found_page(inputs: RenderInputs, site_v: SiteView, views: Mapping[str, PageView]
                   ) -> list[PlannedPage]:
    key = fingerprint("404", inputs.theme_key, nav_fingerprint(inputs.site))
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
    nav_key = nav_fingerprint(inputs.site)
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
            key = fingerprint("term", taxonomy, slug, inputs.theme_key, nav_key,
                              content_fingerprint(entries))
            name = " / ".join(names)
            planned += _generated(term_url(taxonomy, names[0]), f"{taxonomy}/{slug}/index.html",
                                  "term.html", key, views, site=site_v, page=None,
                                  title=f"{singular}: {name}",
                                  taxonomy=taxonomy, term=name,
                                  lectures=tuple(views[e.doc.url] for e in entries))
    return planned


def archive_page(inputs: RenderInputs, site_v: SiteView, views: Mapping[str, PageView]
                 ) -> list[PlannedPage]:
    key = fingerprint("archive", inputs.theme_key, nav_fingerprint(inputs.site))
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
    """Code colours for both modes: light by default, dark when chosen or when the system is
    dark and nothing was chosen. Token classes the dark style leaves out are reset, so no light
    colour leaks onto the dark background."""
    def rules(style: str) -> dict[str, str]:
        found = re.findall(r"^\.highlight (\.[\w-]+) \{ ([^}]*) \}", pygments_css(style, ".highlight"),
                           re.MULTILINE)
        return dict(found)

    light, dark = rules(LIGHT_STYLE), rules(DARK_STYLE)
    for cls in light:
        dark.setdefault(cls, "color: inherit; font-weight: inherit; font-style: inherit")
    for cls in (".hll", ".w"):  # line highlights use the theme's colours; spaces have none
        light.pop(cls, None), dark.pop(cls, None)

    def grouped(prefix: str, styles: dict[str, str]) -> list[str]:
        by_body: dict[str, list[str]] = {}
        for cls, body in styles.items():  # one rule per distinct style keeps the file small
            by_body.setdefault(body, []).append(f"{prefix}.highlight {cls}")
        return [",".join(sels) + "{" + body.replace(": ", ":").replace("; ", ";") + "}"
                for body, sels in by_body.items()]

    out = [f"/* Pygments {pygments.__version__}: {LIGHT_STYLE} / {DARK_STYLE}. Generated. */"]
    out += grouped("", light)
    out += grouped(':root[data-theme="dark"] ', dark)
    out.append("@media (prefers-color-scheme: dark) {")
    out += grouped(":root:not([data-theme]) ", dark)
    out.append("}")
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

"""The tags jekyll-seo-tag writes into every page's <head>: title, description, canonical URL,
OpenGraph and Twitter card, and JSON-LD (a lecture is a BlogPosting and a LearningResource).

Pure: ``page_seo`` gathers the facts from the views, ``seo_tags`` turns them into HTML. The
Jinja global ``seo_tags(site, page, url, title)`` is installed by ``render.create_environment``.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from html import escape
from typing import Any

from markupsafe import Markup

from . import __version__
from .views import PageView, SiteView

UrlFilter = Callable[[str], str]


@dataclass(frozen=True)
class Seo:
    title: str  # the <title>: "Lecture | Course", or "Course | tagline" on the home page
    headline: str  # the page's own title (og:title)
    description: str
    canonical: str  # absolute when site.yaml has url, else root-relative with baseurl
    home: str
    image: str
    kind: str  # "article" for lectures, else "website"
    published: str  # ISO 8601, lectures only
    authors: tuple[str, ...]
    keywords: tuple[str, ...]
    locale: str  # og:locale: zh-Hant -> zh_Hant
    site_name: str
    lang: str
    page_kind: str  # "lecture", "page" or "" for generated pages


def page_seo(site: SiteView, page: PageView | None, url: str, title: str,
             absolute_url: UrlFilter) -> Seo:
    """``url`` is the page's URL without baseurl; ``title`` its own title ("" on the home page)."""
    headline = (page.title if page else title) or ""
    is_home = url == "/"
    if is_home or not headline:
        full_title = f"{site.title} | {site.tagline}" if site.tagline else site.title
    else:
        full_title = f"{headline} | {site.title}"
    description = ""
    if page is not None:
        description = page.description or page.excerpt
    if not description and (is_home or page is None):
        description = site.description
    image = page.image if page is not None and page.image else str(site.extra.get("image", ""))
    authors: tuple[str, ...] = ()
    if page is not None and page.authors:
        authors = page.authors
    elif site.author:
        authors = (site.author,)
    keywords = tuple(dict.fromkeys(page.categories + page.tags)) if page is not None else ()
    return Seo(
        title=full_title, headline=headline or site.title, description=" ".join(description.split()),
        canonical=absolute_url(url), home=absolute_url("/"),
        image=absolute_url(image) if image else "",
        kind="article" if page is not None and page.is_lecture else "website",
        published=page.date.isoformat() if page is not None and page.date else "",
        authors=authors, keywords=keywords, locale=site.lang.replace("-", "_"),
        site_name=site.title, lang=site.lang, page_kind=page.kind if page is not None else "",
    )


def json_ld(seo: Seo) -> dict[str, Any]:
    """schema.org data: a lecture, a page, or the course's web site."""
    data: dict[str, Any] = {"@context": "https://schema.org"}
    if seo.page_kind == "lecture":
        data["@type"] = ["BlogPosting", "LearningResource"]
        data["learningResourceType"] = "lecture notes"
    elif seo.canonical == seo.home:
        data["@type"] = "WebSite"
        data["name"] = seo.site_name
    else:
        data["@type"] = "WebPage"
    data.update(headline=seo.headline, url=seo.canonical, inLanguage=seo.lang)
    if seo.description:
        data["description"] = seo.description
    if seo.published:
        data["datePublished"] = data["dateModified"] = seo.published
    if seo.authors:
        data["author"] = [{"@type": "Person", "name": name} for name in seo.authors]
    if seo.keywords:
        data["keywords"] = ", ".join(seo.keywords)
    if seo.image:
        data["image"] = seo.image
    if seo.page_kind:
        data["mainEntityOfPage"] = {"@type": "WebPage", "@id": seo.canonical}
        data["isPartOf"] = {"@type": "Course", "name": seo.site_name, "url": seo.home}
    return data


def script_json(data: dict[str, Any]) -> str:
    """JSON safe inside <script>: no '<' can end the element or open a comment."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def seo_tags(seo: Seo) -> Markup:
    def meta(attr: str, name: str, content: str) -> str:
        return f'<meta {attr}="{name}" content="{escape(content)}">' if content else ""

    lines = [
        f"<title>{escape(seo.title)}</title>",
        meta("name", "generator", f"llmcourse {__version__}"),
        meta("property", "og:title", seo.headline),
        *(meta("name", "author", name) for name in seo.authors[:1]),
        meta("property", "og:locale", seo.locale),
        meta("name", "description", seo.description),
        meta("property", "og:description", seo.description),
        f'<link rel="canonical" href="{escape(seo.canonical)}">',
        meta("property", "og:url", seo.canonical),
        meta("property", "og:site_name", seo.site_name),
        meta("property", "og:image", seo.image),
        meta("property", "og:type", seo.kind),
        meta("property", "article:published_time", seo.published),
        *(meta("property", "article:tag", word) for word in seo.keywords),
        meta("name", "twitter:card", "summary_large_image" if seo.image else "summary"),
        meta("name", "twitter:title", seo.headline),
        meta("name", "twitter:description", seo.description),
        meta("name", "twitter:image", seo.image),
        f'<script type="application/ld+json">{script_json(json_ld(seo))}</script>',
    ]
    return Markup("\n".join(line for line in lines if line))


def seo_global(absolute_url: UrlFilter) -> Callable[..., Markup]:
    """The Jinja global: ``{{ seo_tags(site, page, url, title) }}``."""
    def render(site: SiteView, page: PageView | None, url: str, title: str = "") -> Markup:
        return seo_tags(page_seo(site, page, url, title, absolute_url))

    return render

"""LECTURE_URL/slides/: the lecture's own rendered HTML, one slide per ``---`` section.

The Markdown is not rendered again: ``slide_breaks_plugin`` marked the top-level thematic
breaks and the ``Note:`` paragraphs, so the slides are the lecture's HTML cut at those marks —
the same embeds, galleries and math, and the same cache key as the lecture itself. The deck's
behaviour (keys, overview, speaker view, fitting long slides) is ``static/assets/js/slides.js``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from markupsafe import Markup

from .model import SLIDE_BREAK_ATTR as BREAK_ATTR
from .model import SLIDE_NOTES_ATTR as NOTES_ATTR
from .render import PlannedPage, RenderInputs, fingerprint
from .views import PageView, SiteView

TEMPLATE = "slides.html"
# The exact attributes the plugin wrote (a kramdown {: .class} may sit beside them).
_BREAK = re.compile(rf"<hr\b[^>]*\s{BREAK_ATTR}=\"\"[^>]*>\n?")
_NOTES = re.compile(rf"<p\b[^>]*\s{NOTES_ATTR}=\"\"[^>]*>\s*Notes?:\s*(.*?)</p>\n?", re.DOTALL)


@dataclass(frozen=True)
class Slide:
    html: Markup  # what the slide shows
    notes: Markup  # speaker notes ("" when none)


def slides_url(url: str) -> str:
    """/lectures/LLM/ -> /lectures/LLM/slides/; /lectures/llm.html -> /lectures/llm/slides/."""
    if url.endswith("/"):
        return url + "slides/"
    stem = url.rsplit("/", 1)
    name = stem[-1].rsplit(".", 1)[0] if "." in stem[-1] else stem[-1]
    return f"{stem[0]}/{name}/slides/"


def output_path(url: str) -> str:
    return url.lstrip("/") + "index.html"


def split_slides(html: str) -> list[Slide]:
    """The lecture's HTML -> its slides; a section with nothing in it is no slide."""
    slides = []
    for part in _BREAK.split(html):
        notes = [m.group(1).strip() for m in _NOTES.finditer(part)]
        shown = _NOTES.sub("", part).strip()
        if shown or notes:
            slides.append(Slide(Markup(shown), Markup("\n".join(f"<p>{n}</p>" for n in notes))))
    return slides


def wants_slides(page: PageView, site_slides: bool) -> bool:
    return site_slides and page.is_lecture and bool(page.slides)


def slide_pages(inputs: RenderInputs, site_v: SiteView, views: Mapping[str, PageView]
                ) -> list[PlannedPage]:
    """One slides page per lecture, keyed by what it shows: the lecture's text and metadata."""
    planned = []
    if not inputs.config.slides:
        return planned
    for entry in inputs.site.lectures:
        view = views[entry.doc.url]
        url = slides_url(entry.doc.url)
        if not wants_slides(view, True) or url in views:
            continue
        key = fingerprint(TEMPLATE, inputs.theme_key, entry.doc.source_hash,
                          entry.content.digest, entry.doc.meta_digest, entry.doc.authors)

        def context(view: PageView = view, url: str = url) -> dict[str, object]:
            return {"site": site_v, "page": None, "lecture": view, "url": url,
                    "title": view.title, "slides": split_slides(str(view.content))}

        planned.append(PlannedPage(output_path(url), url, TEMPLATE, key, context,
                                   entry.doc.source.rel, entry.doc.line_of("slides")))
    return planned

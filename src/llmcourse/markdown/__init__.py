"""The one Markdown factory: CommonMark + GFM + the syntax lectures written for Jekyll use.

Every syntax extension is a small plugin in ``plugins/``; per-document data (headings, links,
warnings, the page's math flag) travels through markdown-it's ``env``, never module globals.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from typing import Any

from markdown_it import MarkdownIt
from mdit_py_plugins.deflist import deflist_plugin
from mdit_py_plugins.footnote import footnote_plugin
from mdit_py_plugins.tasklists import tasklists_plugin

from ..references import references_plugin
from .fast import plain_url_shortcut, shortcuts_apply, speed_up
from .highlight import highlight_code
from .plugins.headings import Heading, headings_plugin
from .plugins.kramdown import kramdown_plugin
from .plugins.links import links_plugin
from .plugins.media import media_plugin
from .plugins.slide_breaks import slide_breaks_plugin


@dataclass(frozen=True)
class RenderedMarkdown:
    html: str
    toc: tuple[Heading, ...]
    warnings: tuple[tuple[int, str], ...] = ()  # (0-based body line, message)
    data: dict[str, Any] = field(default_factory=dict)  # what plugins left for later stages


def create_markdown(*, media: bool = True, fast: bool = True) -> MarkdownIt:
    """``media=False`` leaves out the lecture-media plugins (embeds, image attributes,
    galleries, math...), for tests of other plugins that compare exact HTML. ``fast=False``
    leaves markdown-it's rules and helpers as the plugins registered them, without the
    shortcuts of ``fast.py`` (same output, slower: tests compare the two)."""
    fast = fast and shortcuts_apply()  # only with the releases they were proven against
    md = MarkdownIt("gfm-like", {"html": True, "linkify": True, "typographer": False,
                                 "highlight": highlight_code})
    md.use(footnote_plugin).use(tasklists_plugin).use(deflist_plugin)
    md.use(kramdown_plugin)
    md.use(headings_plugin)
    md.use(links_plugin)
    md.use(references_plugin)  # before media: raw <iframe>s still name their videos
    md.use(slide_breaks_plugin)
    if media:
        md.use(media_plugin)  # videos, images, galleries, math, diagrams, callouts
    # Pure functions of the URL, ~10 % of rendering time (mdurl parses and re-encodes every
    # link); lectures repeat their links, and a cache per MarkdownIt keeps no global state.
    # Plain http(s) URLs, already in normal form, skip mdurl altogether (see fast.py).
    normalize_link = plain_url_shortcut(md.normalizeLink) if fast else md.normalizeLink
    md.normalizeLink = functools.lru_cache(maxsize=4096)(normalize_link)  # type: ignore
    md.normalizeLinkText = functools.lru_cache(maxsize=4096)(md.normalizeLinkText)  # type: ignore
    md.validateLink = functools.lru_cache(maxsize=4096)(md.validateLink)  # type: ignore
    # Last: it configures the rules every plugin registered.
    return speed_up(md) if fast else md


def render_markdown(md: MarkdownIt, text: str, *, env: dict[str, Any] | None = None) -> RenderedMarkdown:
    """Pure: Markdown text -> HTML, table of contents and per-line warnings."""
    env = dict(env or {})
    inputs = set(env)
    html = md.render(text, env)
    return RenderedMarkdown(
        html=html,
        toc=tuple(env.get("toc", ())),
        warnings=tuple(env.get("warnings", ())),
        data={k: v for k, v in env.items()
              if k not in inputs and k not in ("toc", "warnings", "heading_ids")},
    )

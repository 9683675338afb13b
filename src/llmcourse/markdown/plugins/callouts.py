"""Callouts: GitHub alerts (``> [!NOTE]``) and ``::: note`` containers, one look for both.

GitHub's five kinds (note, tip, important, warning, caution) plus ``::: note Title`` blocks
with an optional custom title. The icon is inline SVG (no icon font to download); colours come
from CSS custom properties in media.css, which follow the theme's light and dark modes.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from html import escape
from typing import Any

from markdown_it import MarkdownIt
from markdown_it.rules_core import StateCore
from markdown_it.token import Token
from mdit_py_plugins.container import container_plugin

KINDS = ("note", "tip", "important", "warning", "caution")
# 16x16 outline icons, drawn with currentColor so they take the callout's colour.
_ICONS = {
    "note": '<circle cx="8" cy="8" r="6.5"/><path d="M8 7v4M8 4.5v.5"/>',
    "tip": '<path d="M5.5 11.5h5M6 14h4M8 1.5a4.5 4.5 0 0 0-2.5 8.2v1.8h5V9.7A4.5 4.5 0 0 0 8 1.5z"/>',
    "important": '<path d="M2 2.5h12v9H6l-3 2.5v-2.5H2z"/><path d="M8 4.5v3.5M8 9.5v.5"/>',
    "warning": '<path d="M8 1.8 15 14H1z"/><path d="M8 6v4M8 11.5v.5"/>',
    "caution": '<path d="M5 1.5h6L14.5 5v6L11 14.5H5L1.5 11V5z"/><path d="M8 4.5v4.5M8 11v.5"/>',
}
_ALERT = re.compile(r"^\[!(NOTE|TIP|IMPORTANT|WARNING|CAUTION)\][ \t]*(?:\n|$)", re.IGNORECASE)


def callout_open(kind: str, title: str = "") -> str:
    icon = (f'<svg class="callout-icon" viewBox="0 0 16 16" width="16" height="16" '
            f'aria-hidden="true" focusable="false">{_ICONS[kind]}</svg>')
    label = escape(title) if title else kind.capitalize()
    return (f'<div class="callout callout-{kind}">\n'
            f'<p class="callout-title">{icon}{label}</p>\n')


def _alerts(state: StateCore) -> None:
    """``> [!NOTE]`` as the first line of a blockquote -> a callout. Runs before the inline
    rules, so the marker is removed from the raw text before it could become a link."""
    tokens = state.tokens
    for index, token in enumerate(tokens):
        if (token.type != "blockquote_open" or index + 2 >= len(tokens)
                or tokens[index + 1].type != "paragraph_open"):
            continue
        inline = tokens[index + 2]
        match = _ALERT.match(inline.content)
        if not match:
            continue
        kind = match.group(1).lower()
        inline.content = inline.content[match.end():]
        if not inline.content.strip():  # marker alone: drop the empty paragraph
            tokens[index + 1].hidden = tokens[index + 3].hidden = True
        close = next(i for i in range(index + 1, len(tokens))
                     if tokens[i].type == "blockquote_close" and tokens[i].level == token.level)
        token.type, token.meta = "callout_open", {"kind": kind}
        tokens[close].type = "callout_close"


def _render_open(self: Any, tokens: Sequence[Token], idx: int, options: Any, env: Any) -> str:
    return callout_open(tokens[idx].meta["kind"])


def _render_close(self: Any, tokens: Sequence[Token], idx: int, options: Any, env: Any) -> str:
    return "</div>\n"


def _container_renderer(kind: str) -> Any:
    def render(self: Any, tokens: Sequence[Token], idx: int, options: Any, env: Any) -> str:
        if tokens[idx].nesting == 1:
            title = tokens[idx].info.strip()[len(kind):].strip()
            return callout_open(kind, title)
        return "</div>\n"
    return render


def callouts_plugin(md: MarkdownIt) -> None:
    md.core.ruler.before("inline", "callout_alerts", _alerts)
    md.add_render_rule("callout_open", _render_open)
    md.add_render_rule("callout_close", _render_close)
    for kind in KINDS:
        container_plugin(md, kind, render=_container_renderer(kind))

"""Fenced code highlighted by Pygments with CSS classes; an unknown language is plain text."""

from __future__ import annotations

from functools import lru_cache
from html import escape
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # Pygments is imported by the first code block (a fifth of a one-lecture
    # build's imports otherwise, in a course without code)
    from pygments.formatters import HtmlFormatter
    from pygments.lexer import Lexer


@lru_cache(maxsize=1)
def _formatter() -> HtmlFormatter:
    from pygments.formatters import HtmlFormatter

    # nowrap: markdown-it-py wraps nothing when the result starts with <pre, so we build the
    # wrapper ourselves and keep the language visible to the theme (data-lang).
    return HtmlFormatter(nowrap=True)


@lru_cache(maxsize=256)
def _lexer(lang: str) -> Lexer | None:
    from pygments.lexers import get_lexer_by_name
    from pygments.util import ClassNotFound

    try:
        return get_lexer_by_name(lang, stripnl=False, ensurenl=False)
    except ClassNotFound:
        return None


def highlight_code(code: str, lang: str, attrs: str) -> str:
    """markdown-it ``options.highlight`` hook: returns a complete ``<pre>`` block."""
    lang = (lang or "").strip().lower()
    lexer = _lexer(lang) if lang else None
    if lexer is None or lang == "mermaid":
        body = escape(code)
    else:
        from pygments import highlight

        body = highlight(code, lexer, _formatter())
    lang_attr = f' data-lang="{escape(lang)}"' if lang else ""
    lang_class = f' class="language-{escape(lang)}"' if lang else ""
    return f'<pre class="highlight"{lang_attr}><code{lang_class}>{body}</code></pre>\n'


def pygments_css(style: str, selector: str) -> str:
    """The stylesheet for one Pygments style, scoped under ``selector``."""
    from pygments.formatters import HtmlFormatter

    return HtmlFormatter(style=style).get_style_defs(selector)

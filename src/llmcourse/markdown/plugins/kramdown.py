"""Where kramdown (Jekyll's Markdown) and CommonMark disagree, follow kramdown.

Lectures written for Jekyll rely on two kramdown rules that CommonMark lacks; without them
content silently turns into raw text:

* an HTML block ends with the line where its element closes (``kramdown_html``);
* a link destination may contain spaces or a line break (``kramdown_links``).
"""

from __future__ import annotations

from markdown_it import MarkdownIt

from .kramdown_html import ElementNesting, kramdown_html_block, kramdown_html_plugin
from .kramdown_links import kramdown_link, kramdown_links_plugin

__all__ = [
    "ElementNesting",
    "kramdown_html_block",
    "kramdown_html_plugin",
    "kramdown_link",
    "kramdown_links_plugin",
    "kramdown_plugin",
]


def kramdown_plugin(md: MarkdownIt) -> None:
    """HTML blocks end with their element's line; link destinations may hold spaces."""
    kramdown_html_plugin(md)
    kramdown_links_plugin(md)

"""Mark what the slides page splits on, so it never has to guess from the HTML.

A thematic break (``---``) at the top level of a lecture separates two slides; one inside a
blockquote or list does not. A top-level paragraph that starts with ``Note:`` or ``Notes:`` is
speaker notes. Both only get a data attribute here: the lecture page looks the same, and
``llmcourse.slides`` finds the exact markers in the rendered HTML.
"""

from __future__ import annotations

import re

from markdown_it import MarkdownIt
from markdown_it.rules_core import StateCore

from ...model import SLIDE_BREAK_ATTR as BREAK_ATTR
from ...model import SLIDE_NOTES_ATTR as NOTES_ATTR

_NOTES = re.compile(r"^Notes?:\s*")


def slide_breaks_plugin(md: MarkdownIt) -> None:
    def mark(state: StateCore) -> None:
        tokens = state.tokens
        for index, token in enumerate(tokens):
            if token.level != 0:
                continue
            if token.type == "hr":
                token.attrSet(BREAK_ATTR, "")
            elif (token.type == "paragraph_open" and index + 1 < len(tokens)
                  and _NOTES.match(tokens[index + 1].content)):
                token.attrSet(NOTES_ATTR, "")

    md.core.ruler.push("slide_breaks", mark)

"""Inline links and images whose destination holds spaces or line breaks, as in kramdown.

CommonMark rejects ``[TriFinger](https://arxiv.org/abs/`` + newline + ``2008.03596)`` and
``![fig](my figure.png)``, leaving the brackets as text. kramdown accepts any destination up
to the balancing ``)`` (or up to whitespace followed by a quoted title) and copies it to
``href`` verbatim; browsers then drop the line break and encode spaces as ``%20``. This rule
produces that URL directly: line breaks are removed together with the blanks around them
(the continuation line's indentation is layout, not part of the URL - a browser would turn
it into ``%20``, breaking the link) and spaces are percent-encoded by ``normalizeLink``.

The rule runs before ``link`` and only takes links that CommonMark rejects, so ordinary
links keep markdown-it's exact behaviour and cost one short scan plus one regex match.
"""

from __future__ import annotations

import re

from markdown_it import MarkdownIt
from markdown_it.common.utils import isStrSpace, unescapeAll
from markdown_it.rules_inline import StateInline
from markdown_it.token import Token

# A destination without whitespace or parentheses, closed right away: CommonMark's case.
_PLAIN_DESTINATION = re.compile(r"[^\s()]*\)")
# Characters that matter while scanning a kramdown destination.
_DESTINATION_STOP = re.compile(r"""[()\[\]"']""")
# kramdown's LINK_INLINE_TITLE_RE (blanks, quoted title, blanks, ')'), except that the title
# ends at its first closing quote and holds no brackets, so a failed match costs little.
_TITLE = re.compile(r"""\s*(?:"([^"\[\]]*)"|'([^'\[\]]*)')[ \t\n]*\)""")
_LINE_BREAK = re.compile(r"[ \t]*\n[ \t]*")


def _skip_blanks(src: str, pos: int, maximum: int) -> int:
    while pos < maximum and (isStrSpace(src[pos]) or src[pos] == "\n"):
        pos += 1
    return pos


def commonmark_accepts(state: StateInline, pos: int) -> bool:
    """Would markdown-it's inline link rule accept the destination starting after ``(``?"""
    src, maximum, helpers = state.src, state.posMax, state.md.helpers
    pos = _skip_blanks(src, pos, maximum)
    if pos >= maximum:
        return False
    destination = helpers.parseLinkDestination(src, pos, maximum)
    if destination.ok:
        start = destination.pos
        pos = _skip_blanks(src, start, maximum)
        title = helpers.parseLinkTitle(src, pos, maximum)
        if pos < maximum and pos != start and title.ok:
            pos = _skip_blanks(src, title.pos, maximum)
    return pos < maximum and src[pos] == ")"


def kramdown_destination(src: str, pos: int, maximum: int) -> tuple[str, str, int] | None:
    """Parse ``url [title])`` from ``pos`` like kramdown; return (url, title, end) or None.

    Unlike kramdown, a '[' or ']' ends the attempt: URLs in lectures do not contain brackets,
    and it keeps a paragraph full of unclosed ``[a](b c`` linear instead of quadratic.
    """
    depth = 1
    index = pos
    while True:
        stop = _DESTINATION_STOP.search(src, index, maximum)
        if stop is None:
            return None
        index = stop.start()
        char = src[index]
        if char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
            if depth == 0:
                return src[pos:index].strip(), "", index + 1
        elif char in "[]":
            return None
        elif index > pos and src[index - 1] in " \t\n":  # a quote after a blank: the title
            title = _TITLE.match(src, index - 1, maximum)
            if title is None:
                return None
            text = title.group(1) if title.group(1) is not None else title.group(2)
            return src[pos:index].strip(), unescapeAll(text), title.end()
        index += 1


def _push_link(state: StateInline, label: tuple[int, int], href: str, title: str) -> None:
    state.pos, state.posMax = label
    token = state.push("link_open", "a", 1)
    token.attrs = {"href": href}
    if title:
        token.attrSet("title", title)
    state.linkLevel += 1
    state.md.inline.tokenize(state)
    state.linkLevel -= 1
    state.push("link_close", "a", -1)


def _push_image(state: StateInline, label: tuple[int, int], src: str, title: str) -> None:
    content = state.src[label[0]:label[1]]
    children: list[Token] = []
    state.md.inline.parse(content, state.md, state.env, children)
    token = state.push("image", "img", 0)
    token.attrs = {"src": src, "alt": ""}
    token.children = children or None
    token.content = content
    if title:
        token.attrSet("title", title)


def kramdown_link(state: StateInline, silent: bool) -> bool:
    """``[text](url with spaces)`` and ``![alt](url\\nbroken)``, which CommonMark rejects."""
    src, start, maximum = state.src, state.pos, state.posMax
    is_image = src[start] == "!"
    bracket = start + 1 if is_image else start
    if not (src[start] == "[" or (is_image and src.startswith("[", bracket, maximum))):
        return False
    # Fast exit (C-speed find and match) for the usual cases: no '](' ahead at all, or a
    # simple label followed by a plain destination, which markdown-it's link rule takes.
    first = src.find("](", bracket + 1, maximum)
    if first < 0:
        return False
    if _PLAIN_DESTINATION.match(src, first + 2, maximum) and src.find("[", bracket + 1, first) < 0:
        return False
    # Rare path: find the real label and leave everything CommonMark handles to it.
    label_end = state.md.helpers.parseLinkLabel(state, bracket, not is_image)
    if label_end < 0 or not src.startswith("(", label_end + 1, maximum):
        return False
    if commonmark_accepts(state, label_end + 2):
        return False
    parsed = kramdown_destination(src, label_end + 2, maximum)
    if parsed is None:
        return False
    url, title, end = parsed
    href = state.md.normalizeLink(_LINE_BREAK.sub("", url))
    if not state.md.validateLink(href):
        return False
    if not silent:
        label = (bracket + 1, label_end)
        if is_image:
            _push_image(state, label, href, title)
        else:
            _push_link(state, label, href, title)
    state.pos, state.posMax = end, maximum
    return True


kramdown_link.first_chars = "[!"  # type: ignore[attr-defined]  # see markdown/fast.py


def kramdown_links_plugin(md: MarkdownIt) -> None:
    md.inline.ruler.before("link", "kramdown_link", kramdown_link)

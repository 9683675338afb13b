"""Heading ids compatible with GitHub's, and the table of contents collected into ``env``.

GitHub keeps Unicode letters, marks, numbers and connector punctuation, lower-cases, turns
spaces into '-' and drops other punctuation; duplicates get -1, -2... So ``## 簡介`` gets
``id="簡介"`` and the in-page links that Jekyll/GitHub lectures already contain keep working.
"""

from __future__ import annotations

import re
import unicodedata

from markdown_it import MarkdownIt
from markdown_it.rules_core import StateCore
from markdown_it.token import Token

from ...model import Heading

_DROP_CATEGORIES = ("P", "S", "C", "Z")  # punctuation, symbols, control, separators


def _slug_char(char: str) -> str | None:
    """What GitHub keeps of one (lower-cased) character: itself, '-', or None (dropped)."""
    if char == " " or char == "-":
        return "-"
    if char == "_" or char.isalnum():
        return char
    category = unicodedata.category(char)
    # marks and connector punctuation stay, like everything outside the dropped categories
    if category.startswith("M") or category == "Pc" or not category.startswith(_DROP_CATEGORIES):
        return char
    return None


class _SlugTable(dict):  # type: ignore[type-arg]
    """``str.translate`` table built as characters are met: code point -> kept text/None."""

    def __missing__(self, code: int) -> str | None:
        self[code] = mapped = _slug_char(chr(code))
        return mapped


_SLUG_TABLE = _SlugTable()


def github_slug(text: str) -> str:
    return text.lower().translate(_SLUG_TABLE)


def unique_slug(slug: str, seen: dict[str, int]) -> str:
    if slug not in seen:
        seen[slug] = 0
        return slug
    while True:
        seen[slug] += 1
        candidate = f"{slug}-{seen[slug]}"
        if candidate not in seen:
            seen[candidate] = 0
            return candidate


_TAG_RE = re.compile(r"<[^>]+>")


def heading_text(inline: Token) -> str:
    """Plain text of a heading's inline token (code spans and images keep their text)."""
    parts = []
    for child in inline.children or []:
        if child.type in ("text", "code_inline"):
            parts.append(child.content)
        elif child.type == "image":
            parts.append(child.content)
    return "".join(parts).strip() or _TAG_RE.sub("", inline.content).strip()


def headings_plugin(md: MarkdownIt, *, min_level: int = 1, max_level: int = 6) -> None:
    """Give every heading an id (unless it has one) and store ``env["toc"]``."""

    def assign_ids(state: StateCore) -> None:
        seen: dict[str, int] = state.env.setdefault("heading_ids", {})
        toc: list[Heading] = state.env.setdefault("toc", [])
        tokens = state.tokens
        for index, token in enumerate(tokens):
            if token.type != "heading_open":
                continue
            level = int(token.tag[1])
            text = heading_text(tokens[index + 1])
            existing = token.attrGet("id")
            slug = str(existing) if existing else unique_slug(github_slug(text), seen)
            token.attrSet("id", slug)
            if min_level <= level <= max_level:
                toc.append(Heading(level, slug, text, token.map[0] if token.map else 0))

    md.core.ruler.push("heading_ids", assign_ids)

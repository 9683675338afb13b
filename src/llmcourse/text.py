"""Plain-text helpers: excerpts, word counts and reading time that treat CJK text fairly."""

from __future__ import annotations

import html
import re

_TAGS = re.compile(r"<[^>]*>")
_SKIP_BLOCKS = re.compile(r"<(script|style|pre|figure|iframe|table)\b.*?</\1>", re.S | re.I)
_PARAGRAPH = re.compile(r"<p>(.*?)</p>", re.S)
# CJK ideographs, kana and hangul: each character is read like a word.
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff]")
_WORD = re.compile(r"[A-Za-z0-9\u00c0-\u024f]+(?:['’-][A-Za-z0-9]+)*")

ENGLISH_WPM = 220
CJK_CPM = 400


def strip_html(fragment: str) -> str:
    return " ".join(html.unescape(_TAGS.sub(" ", fragment)).split())


def count_words(text: str) -> tuple[int, int]:
    """(English-like words, CJK characters) in plain text."""
    return len(_WORD.findall(text)), len(_CJK.findall(text))


def reading_minutes(words: int, cjk: int) -> int:
    return max(1, round(words / ENGLISH_WPM + cjk / CJK_CPM))


def excerpt(body_html: str, limit: int = 200) -> str:
    """The first paragraph with real text, cut at a word (or CJK character) boundary."""
    cleaned = _SKIP_BLOCKS.sub(" ", body_html)
    for match in _PARAGRAPH.finditer(cleaned):
        text = strip_html(match.group(1))
        if len(text) >= 12:
            return truncate(text, limit)
    return truncate(strip_html(cleaned), limit)


def truncate(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    cut = text[:limit]
    space = cut.rfind(" ")
    if space > limit * 0.6 and not _CJK.search(cut[space:]):
        cut = cut[:space]
    return cut.rstrip(" ,.;:，。、") + "…"

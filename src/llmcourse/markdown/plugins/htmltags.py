"""Small, forgiving helpers for the raw HTML tags lectures contain (``<img>``, ``<iframe>``).

Lectures paste HTML from YouTube, GitHub and blogs; a regex over one tag is enough here (we
rewrite attributes of single tags, we never need a DOM), and it keeps unknown attributes and
their order, so the output stays close to what the author wrote.
"""

from __future__ import annotations

import re
from html import escape, unescape

_ATTR = re.compile(r"""([^\s"'<>/=]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+)))?""")
_TAG_NAME = re.compile(r"^<([A-Za-z][A-Za-z0-9-]*)")


def parse_tag(tag: str) -> tuple[str, dict[str, str | None]]:
    """``<img src="a" alt=x hidden>`` -> ("img", {"src": "a", "alt": "x", "hidden": None}).

    Values are unescaped; names are lower-cased; the first occurrence of a name wins (as in
    browsers)."""
    match = _TAG_NAME.match(tag)
    if not match:
        return "", {}
    body = tag[match.end():].rstrip(">").rstrip("/")
    attrs: dict[str, str | None] = {}
    for attr in _ATTR.finditer(body):
        name = attr.group(1).lower()
        if name in attrs:
            continue
        value = next((g for g in attr.group(2, 3, 4) if g is not None), None)
        attrs[name] = unescape(value) if value is not None else None
    return match.group(1).lower(), attrs


def render_tag(name: str, attrs: dict[str, str | None]) -> str:
    parts = [name]
    for key, value in attrs.items():
        parts.append(key if value is None else f'{key}="{escape(value)}"')
    return "<" + " ".join(parts) + ">"

"""Split and parse Jekyll-style front matter, keeping file line numbers for every key.

Pure functions over strings. YAML error positions are mapped to file lines through the
front-matter offset, so ``date: 2025-13-40`` is reported at the line where it stands.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone, tzinfo
from typing import Any

import yaml

from .errors import ContentError


@dataclass(frozen=True)
class RawFrontMatter:
    data: dict[str, Any]
    key_lines: dict[str, int]  # top-level key -> file line (1-based)
    body: str
    body_line: int  # file line of the body's first line (1-based)
    has_front_matter: bool


class _StringDatesLoader(yaml.SafeLoader):
    """SafeLoader that keeps timestamps as strings: we parse dates ourselves, the Jekyll way
    (PyYAML would reject '+0800' offsets and silently turn some dates into strings)."""


_StringDatesLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}

_DELIMITER = re.compile(r"^---[ \t]*\r?$")
_CLOSING = re.compile(r"^(---|\.\.\.)[ \t]*\r?$")


def split_front_matter(text: str, path: str) -> RawFrontMatter:
    """Separate ``---`` YAML ``---`` from the body; a file without it has an empty mapping."""
    if text.startswith("\ufeff"):
        text = text[1:]
    lines = text.split("\n")
    if not lines or not _DELIMITER.match(lines[0]):
        return RawFrontMatter({}, {}, text, 1, False)
    for index in range(1, len(lines)):
        if _CLOSING.match(lines[index]):
            yaml_text = "\n".join(lines[1:index])
            data, key_lines = parse_yaml_mapping(yaml_text, path, first_line=2)
            body = "\n".join(lines[index + 1:])
            return RawFrontMatter(data, key_lines, body, index + 2, True)
    raise ContentError(path, 1, "front matter starts with '---' but is never closed",
                       "add a line with '---' after the last front-matter key")


def parse_yaml_mapping(yaml_text: str, path: str, first_line: int) -> tuple[dict[str, Any], dict[str, int]]:
    """YAML text that starts at file line ``first_line`` -> (mapping, key -> file line)."""
    try:
        loader = _StringDatesLoader(yaml_text)
    except yaml.reader.ReaderError as exc:  # control characters, rejected before parsing
        line = first_line + yaml_text.count("\n", 0, exc.position)
        raise ContentError(path, line, f"invalid front matter: control character "
                                       f"U+{exc.character:04X} is not allowed") from None
    try:
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else {}
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = first_line + (mark.line if mark else 0)
        problem = exc.problem or exc.context or "invalid YAML"
        raise ContentError(path, line, f"invalid front matter: {problem}") from None
    except yaml.YAMLError as exc:
        raise ContentError(path, first_line, f"invalid front matter: {exc}") from None
    finally:
        loader.dispose()
    if data is None:
        return {}, {}
    if not isinstance(data, dict):
        raise ContentError(path, first_line, "front matter must be a mapping of 'key: value' lines")
    key_lines = {}
    if isinstance(node, yaml.MappingNode):
        for key_node, _ in node.value:
            key_lines[str(key_node.value)] = first_line + key_node.start_mark.line
    return {str(k): v for k, v in data.items()}, key_lines


_DATE_RE = re.compile(
    r"^(\d{4})-(\d{1,2})-(\d{1,2})"
    r"(?:[T ]+(\d{1,2}):(\d{2})(?::(\d{2})(?:\.(\d+))?)?)?"
    r"\s*(Z|[+-]\d{2}:?\d{2}|[+-]\d{1,2})?$"
)


def parse_date(value: Any, default_tz: tzinfo) -> datetime:
    """Jekyll's date forms -> aware datetime; naive ones are in the site's timezone.

    Raises ValueError with a readable message for anything else.
    """
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=default_tz)
    if isinstance(value, date):
        return datetime.combine(value, time(), tzinfo=default_tz)
    match = _DATE_RE.match(str(value).strip())
    if not match:
        raise ValueError(f"invalid date '{value}' (use YYYY-MM-DD or 'YYYY-MM-DD HH:MM:SS +0800')")
    year, month, day, hour, minute, second, fraction, offset = match.groups()
    tz = default_tz if offset is None else _parse_offset(offset)
    try:
        return datetime(int(year), int(month), int(day), int(hour or 0), int(minute or 0),
                        int(second or 0), int((fraction or "0")[:6].ljust(6, "0")), tzinfo=tz)
    except ValueError as exc:
        raise ValueError(f"invalid date '{value}': {exc}") from None


def _parse_offset(offset: str) -> tzinfo:
    if offset == "Z":
        return timezone.utc
    sign = -1 if offset[0] == "-" else 1
    digits = offset[1:].replace(":", "")
    hours, minutes = (int(digits[:-2] or 0), int(digits[-2:])) if len(digits) > 2 else (int(digits), 0)
    return timezone(sign * timedelta(hours=hours, minutes=minutes))


def as_string_list(value: Any) -> tuple[str, ...]:
    """Jekyll's list fields: a YAML list, or a space-separated string (``tags: a b``)."""
    if value is None or value == "":
        return ()
    if isinstance(value, (list, tuple)):
        return tuple(str(v).strip() for v in value if v is not None and str(v).strip())
    return tuple(str(value).split())

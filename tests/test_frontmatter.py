from __future__ import annotations

from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from llmcourse.errors import ContentError
from llmcourse.frontmatter import as_string_list, parse_date, split_front_matter

TAIPEI = ZoneInfo("Asia/Taipei")


def test_split_keeps_body_and_key_lines() -> None:
    text = "---\nlayout: post # a comment\ntitle: LLM\n\n---\n## Body\n"
    raw = split_front_matter(text, "x.md")
    assert raw.data == {"layout": "post", "title": "LLM"}
    assert raw.key_lines == {"layout": 2, "title": 3}
    assert raw.body == "## Body\n"
    assert raw.body_line == 6


def test_no_front_matter_is_all_body() -> None:
    raw = split_front_matter("# Title\ntext\n", "x.md")
    assert raw.data == {} and not raw.has_front_matter and raw.body_line == 1


def test_unclosed_front_matter_is_an_error_at_line_1() -> None:
    with pytest.raises(ContentError) as info:
        split_front_matter("---\ntitle: x\n\nbody\n", "content/x.md")
    assert str(info.value).startswith("content/x.md:1: front matter starts with '---' but is never closed")


def test_broken_yaml_reports_the_file_line() -> None:
    text = "---\ntitle: ok\ntags: [a, b\nlayout: post\n---\nbody\n"
    with pytest.raises(ContentError) as info:
        split_front_matter(text, "content/x.md")
    diag = info.value.diagnostic
    assert diag.path == "content/x.md"
    assert diag.line in (4, 5)  # where YAML notices the unclosed list
    assert "invalid front matter" in diag.message


def test_front_matter_must_be_a_mapping() -> None:
    with pytest.raises(ContentError, match="mapping"):
        split_front_matter("---\n- a\n- b\n---\n", "x.md")


@pytest.mark.parametrize("value, expected", [
    ("2025-09-14 08:00:00 +0800", datetime(2025, 9, 14, 8, tzinfo=timezone(timedelta(hours=8)))),
    ("2025-09-14", datetime(2025, 9, 14, tzinfo=TAIPEI)),
    ("2025-9-4 7:05", datetime(2025, 9, 4, 7, 5, tzinfo=TAIPEI)),
    ("2025-09-14T08:00:00Z", datetime(2025, 9, 14, 8, tzinfo=timezone.utc)),
    ("2025-09-14 08:00:00 -05:00", datetime(2025, 9, 14, 8, tzinfo=timezone(timedelta(hours=-5)))),
])
def test_parse_date_forms(value: str, expected: datetime) -> None:
    assert parse_date(value, TAIPEI) == expected


@pytest.mark.parametrize("value", ["yesterday", "2025-13-01", "2025-02-30", "14/09/2025"])
def test_invalid_dates(value: str) -> None:
    with pytest.raises(ValueError, match="invalid date"):
        parse_date(value, TAIPEI)


def test_string_lists() -> None:
    assert as_string_list("a b") == ("a", "b")
    assert as_string_list(["Lecture", "AI"]) == ("Lecture", "AI")
    assert as_string_list(None) == ()

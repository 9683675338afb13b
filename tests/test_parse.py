from __future__ import annotations

from pathlib import Path

import pytest

from llmcourse.config import SiteConfig, parse_config
from llmcourse.model import SourceFile
from llmcourse.parse import parse_document

CONFIG = SiteConfig(timezone="Asia/Taipei")


def parse(content_rel: str, text: str, config: SiteConfig = CONFIG):
    source = SourceFile(Path("/x") / content_rel, f"content/{content_rel}", content_rel)
    return parse_document(source, text, config, "hash")


def test_seed_style_lecture() -> None:
    doc, problems = parse("lectures/2025-09-14-LLM.md", (
        "---\nlayout: post # comment\ntitle: LLM\ndate: 2025-09-14 08:00:00 +0800\n"
        "categories: [Lecture]\ntags: [GenAI]\ndescription: Intro\nmathjax: false\n"
        "comments: false\nweek: 2\ncustom_key: hello\n\n---\n## History\n"))
    assert problems == []
    assert doc.kind == "lecture" and doc.title == "LLM"
    assert doc.url == "/lectures/LLM/" and doc.output == "lectures/LLM/index.html"
    assert doc.categories == ("Lecture",) and doc.tags == ("GenAI",)
    assert doc.math is False and doc.order == 2.0 and doc.body_line == 14
    assert doc.front_matter["custom_key"] == "hello"


def test_file_name_date_and_one_digit_month() -> None:
    doc, _ = parse("lectures/2025-9-7-Intro.md", "---\ntitle: Intro\n---\nx\n")
    assert doc.kind == "lecture" and (doc.date.month, doc.date.day) == (9, 7)
    assert str(doc.date.tzinfo) == "Asia/Taipei"


def test_page_without_front_matter_takes_first_heading() -> None:
    doc, _ = parse("notes/my-notes.md", "intro\n\n# 我的筆記\n\ntext\n")
    assert doc.kind == "page" and doc.title == "我的筆記" and doc.url == "/notes/my-notes/"


def test_page_title_from_file_name() -> None:
    doc, _ = parse("syllabus-2025.md", "no heading\n")
    assert doc.title == "syllabus 2025" and doc.url == "/syllabus-2025/"


def test_index_page_is_folder_url() -> None:
    doc, _ = parse("index.md", "---\nlayout: home\n---\n")
    assert doc.url == "/" and doc.output == "index.html"


def test_permalink_patterns() -> None:
    config, _ = parse_config("permalinks:\n  lecture: /:categories/:year/:month/:day/:title.html\n")
    doc, _ = parse("lectures/2025-09-14-LLM.md", "---\ncategories: [Lecture]\n---\n", config)
    assert doc.url == "/lecture/2025/09/14/LLM.html" and doc.output == "lecture/2025/09/14/LLM.html"
    config, _ = parse_config("permalinks:\n  lecture: /:slug/\n")
    doc, _ = parse("lectures/2025-09-14-Big-Model.md", "x", config)
    assert doc.url == "/big-model/"


def test_permalink_escaping_out_is_an_error() -> None:
    doc, problems = parse("a.md", "---\ntitle: a\npermalink: /../../etc/passwd\n---\n")
    assert doc is None
    assert problems[0].format() == (
        "content/a.md:3: permalink '/../../etc/passwd' leads outside the output folder")


@pytest.mark.parametrize("front, line, message", [
    ("date: 2025-13-45", 2, "invalid date '2025-13-45'"),
    ("draft: maybe", 2, "'draft' must be true or false"),
    ("week: two", 2, "'week' must be a number"),
])
def test_bad_fields_report_their_line(front: str, line: int, message: str) -> None:
    doc, problems = parse("lectures/x.md", f"---\n{front}\n---\nbody\n")
    assert doc is None
    assert problems[0].line == line and message in problems[0].message


def test_all_bad_fields_of_a_file_are_reported() -> None:
    _, problems = parse("x.md", "---\ndate: nope\ndraft: maybe\n---\n")
    assert [p.line for p in problems] == [2, 3]


def test_categories_as_string_and_author_list() -> None:
    doc, _ = parse("lectures/2025-01-01-a.md", "---\ncategory: AI ML\nauthor: [A, B]\ntag: x\n---\n")
    assert doc.categories == ("AI", "ML") and doc.authors == ("A", "B") and doc.tags == ("x",)


def test_drafts_and_unpublished() -> None:
    assert parse("a.md", "---\ndraft: true\n---\n")[0].draft
    assert parse("a.md", "---\npublished: false\n---\n")[0].draft
    assert not parse("a.md", "---\npublished: true\n---\n")[0].draft


def test_config_unknown_key_warns_with_nearest() -> None:
    config, warnings = parse_config("title: T\nbaseur: /x\n")
    assert warnings[0].format() == "site.yaml:2: unknown setting 'baseur' (did you mean 'baseurl'?)"
    assert config.title == "T"


def test_config_errors_are_reported_together() -> None:
    from llmcourse.errors import BuildError
    with pytest.raises(BuildError) as info:
        parse_config("timezone: Mars/Olympus\nsearch: maybe\n")
    assert sorted(d.line for d in info.value.diagnostics) == [1, 2]

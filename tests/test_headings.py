from __future__ import annotations

import re
from urllib.parse import unquote

import pytest

from llmcourse.markdown import create_markdown, render_markdown
from llmcourse.markdown.plugins.headings import github_slug


@pytest.mark.parametrize("text, slug", [
    ("簡介", "簡介"),
    ("從AI到LLM基礎", "從ai到llm基礎"),
    ("DeepLearningAI短課程學習紀錄", "deeplearningai短課程學習紀錄"),
    ("History of LLMs", "history-of-llms"),
    ("C++ & Rust: a (short) tour!", "c--rust-a-short-tour"),
    ("snake_case stays", "snake_case-stays"),
    ("📝 Notebooks", "-notebooks"),
])
def test_github_slug(text: str, slug: str) -> None:
    assert github_slug(text) == slug


def test_duplicate_headings_get_suffixes_and_toc() -> None:
    result = render_markdown(create_markdown(), "# A\n## Intro\n## Intro\n## Intro\n")
    assert [h.id for h in result.toc] == ["a", "intro", "intro-1", "intro-2"]
    assert '<h2 id="intro-1">Intro</h2>' in result.html


def test_cjk_toc_links_resolve() -> None:
    text = "- [簡介](#簡介)\n\n## 簡介\n"
    result = render_markdown(create_markdown(), text)
    href = re.search(r'href="([^"]+)"', result.html).group(1)
    assert unquote(href) == "#簡介"  # browsers percent-decode fragments before matching ids
    assert 'id="簡介"' in result.html


def test_code_is_highlighted_and_unknown_language_is_plain() -> None:
    html = render_markdown(create_markdown(), "```python\nx = 1\n```\n\n```nosuchlang\n<a>\n```\n").html
    assert 'data-lang="python"' in html and '<span class="n">x</span>' in html
    assert "&lt;a&gt;" in html and 'data-lang="nosuchlang"' in html

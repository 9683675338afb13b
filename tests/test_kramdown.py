"""kramdown compatibility rules: HTML blocks end with their element, spaced link destinations."""

from __future__ import annotations

from pathlib import Path

import pytest
from markdown_it import MarkdownIt
from markdown_it.rules_block.html_block import html_block
from markdown_it.utils import read_fixture_file

from llmcourse.markdown import create_markdown, render_markdown
from llmcourse.markdown.plugins.kramdown import ElementNesting

FIXTURES = Path(__file__).parent / "fixtures" / "kramdown.md"
CASES = read_fixture_file(FIXTURES)


@pytest.fixture(scope="module")
def md() -> MarkdownIt:
    return create_markdown(media=False)  # the kramdown rules alone, without media rewrites


@pytest.fixture(scope="module")
def commonmark_md() -> MarkdownIt:
    """The same factory with markdown-it's own html_block and link rules back in charge."""
    plain = create_markdown(media=False)
    plain.block.ruler.at("html_block", html_block, {"alt": ["paragraph", "reference", "blockquote"]})
    plain.inline.ruler.disable("kramdown_link")
    return plain


@pytest.mark.parametrize("line,title,text,expected", CASES, ids=[case[1] for case in CASES])
def test_fixture(md: MarkdownIt, line: int, title: str, text: str, expected: str) -> None:
    assert render_markdown(md, text).html == expected


# Inputs where kramdown and CommonMark agree: the plugin must not change a byte.
UNCHANGED = [
    "[a](https://e.org/a) [b](<https://e.org/b c>) [c](https://e.org/c \"T\")\n",
    "[d](https://en.wikipedia.org/wiki/Foo_(bar)) ![f](https://e.org/f.png)\n",
    "[a][ref] [ref]\n\n[ref]: https://e.org/ref\n",
    "[not a link] (https://e.org/a b)\n",
    "<!-- a\n\nb -->\n*x*\n",
    "<pre>\n<b>x</b>\n\n</pre>\n",
    "text\n\n<br>\n\nmore\n",
    "text <br>\nmore <span>*em*</span>\n",
    "<div>\nunclosed\n\n*md*\n",
    "<table>\n<tr><td>a</td></tr>\n</table>\n",
]


@pytest.mark.parametrize("text", UNCHANGED)
def test_commonmark_cases_unchanged(md: MarkdownIt, commonmark_md: MarkdownIt, text: str) -> None:
    assert md.render(text) == commonmark_md.render(text)


def test_iframe_then_image_is_lost_without_the_plugin(commonmark_md: MarkdownIt, md: MarkdownIt) -> None:
    # Guards the fixture's premise: plain CommonMark swallows the image line as raw text.
    text = '<iframe src="https://www.youtube.com/embed/x"></iframe>\n![](https://e.org/a.png)\n'
    assert "<img" not in commonmark_md.render(text)
    assert '<img src="https://e.org/a.png"' in md.render(text)


def test_html_block_token_map_covers_only_the_element(md: MarkdownIt) -> None:
    tokens = md.parse("<p><img src='a.png'></p>\n### Next\n")
    assert [t.type for t in tokens][:2] == ["html_block", "heading_open"]
    assert tokens[0].map == [0, 1]
    assert tokens[1].map == [1, 2]


def test_link_rule_runs_before_link(md: MarkdownIt) -> None:
    names = md.inline.ruler.get_active_rules()
    assert names.index("kramdown_link") + 1 == names.index("link")


@pytest.mark.parametrize(
    "lines,closed",
    [
        (["<br>"], True),
        (["<img src='a' />"], True),
        (["</div>"], True),
        (["<p><img src='x'></p>"], True),
        (["<div>"], False),
        (["<div>", "<div>x</div>"], False),
        (["<div>", "<div>x</div>", "</div>"], True),
        (['<iframe src="a"', 'title="x > y"></iframe>'], True),
        (['<iframe title="multi', 'line">'], False),
        (["<div><!-- </div>", "--></div>"], True),
        (["<table><tr><td>a", "</table>"], True),
        (["<div><script>if (a<b) {}", "</script></div>"], True),
        (["<DIV>", "</div>"], True),
        (["a < b"], True),
    ],
)
def test_element_nesting(lines: list[str], closed: bool) -> None:
    nesting = ElementNesting()
    for line in lines:
        nesting.feed(line)
    assert nesting.closed is closed


def test_unfinished_tag_gives_up_after_a_bound() -> None:
    nesting = ElementNesting()
    nesting.feed("<div title='")
    for _ in range(2000):
        nesting.feed("x" * 10)
    assert nesting.gave_up and not nesting.closed
    nesting.feed("'></div>")  # too late: the block now ends at a blank line, as in CommonMark
    assert not nesting.closed

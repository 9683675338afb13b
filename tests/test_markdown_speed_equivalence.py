"""The speed-ups of ``llmcourse.markdown.fast`` change nothing: every shortcut against the
markdown-it / linkify-it / mdurl function it stands in for, and whole documents rendered with
and without them (``create_markdown(fast=False)``)."""

from __future__ import annotations

import random
import re
import unicodedata
from pathlib import Path

import pytest
from conftest import SEEDS
from markdown_it import MarkdownIt
from markdown_it.common.normalize_url import normalizeLink
from markdown_it.helpers import parseLinkDestination

from llmcourse.markdown import create_markdown, render_markdown
from llmcourse.markdown.fast import (
    _linkify_functions,
    parse_link_destination,
    plain_url_shortcut,
    shortcuts_apply,
)
from llmcourse.markdown.plugins.headings import github_slug

pytestmark = pytest.mark.skipif(
    not shortcuts_apply(), reason="markdown-it-py release the shortcuts were not proven against "
    "(create_markdown leaves them off)")

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "fixtures"
_FRONT = re.compile(r"\A---\s*\n(.*?)\n---\s*\n", re.DOTALL)


def _body(path: Path) -> str:
    text = path.read_text(encoding="utf-8")
    match = _FRONT.match(text)
    return text[match.end():] if match else text


def _documents() -> list[str]:
    paths = sorted((ROOT / "content").rglob("*.md")) + sorted(FIXTURES.glob("*.md"))
    paths += sorted(SEEDS.glob("*.txt")) if SEEDS.is_dir() else []
    return [_body(path) for path in paths]


# Markdown that exercises every rule the dispatchers and helpers touch.
SNIPPETS = [
    "# Title", "## 簡介", "## Dup", "## Dup", "#### `code` in *heading*", "Setext\n===",
    "Setext2\n---", "[A Survey](https://arxiv.org/abs/2303.18223)<br>",
    "[TriFinger](https://arxiv.org/abs/\n2008.03596)", "![fig](my figure.png \"The title\")",
    "[a](b c", "[x](https://example.com/a(b)c)", "[x](<with space.html>)", "[e](a\\ b) [f](a\\)b)",
    "[deep](((((a))))) [u](https://例え.jp/パス?q=1#h) [pct](https://e.org/%zz%41)",
    "[link](../notes/llm-course-notes.md#sec)", "[m](mailto:a@b.c)", "[j](javascript:alert(1))",
    "[ref link][r1]\n\n[r1]: https://github.com/ollama/ollama \"T\"",
    "[full][]\n\n[full]: <https://huggingface.co/datasets/squad>",
    "https://www.youtube.com/watch?v=zjkBMFhNj_g", "www.example.com/path", "visit http://x.org.",
    "email me at foo@bar.com please", "<https://autolink.org/x>", "ftp://ftp.example.org/file",
    "http\\://escaped.org", "LOCALHOST:8000/x and localhoſt", "a_http://b.c ｜http://d.e 、//f.g",
    "![](https://github.com/o/r/blob/main/a/b.png?raw=true)", "![one](a.png)\n![two](b.png)",
    "<img src=\"x.png\" width=\"50%\">", "<p><img src=\"https://example.org/o.png\"></p>",
    "<iframe src=\"https://www.youtube.com/embed/SAc-O5FDJ4k\" title=\"A vid\"></iframe>",
    "text <span>inline <b>html</b></span> <!-- c --> <?pi?> <![CDATA[x]]> </close>",
    "<details>\n<summary>More</summary>\n\n**inside**\n\n</details>", "<div>a</div> *b*",
    "```python\ndef f(x):\n    return x * 2\n```", "~~~\nfence tilde\n~~~", "    indented code",
    "$x^2$ and $$\\frac{a}{b}$$ inline", "$$\n\\sum_i x_i\n$$", "\\(a+b\\) and \\[c\\]",
    "\\begin{equation}\na=b\n\\end{equation}", "costs $5 and $6",
    "> [!NOTE]\n> Be careful", "> quote\n> more", "::: note Custom title\nbody\n:::",
    "::: gallery\n![a](a.png)\n![b](b.png)\n:::", "- [ ] task\n- [x] done",
    "1. one\n2. two\n   - nested", "* a\n\n* b", "+ plus", "Term\n: Definition",
    "Footnote ref[^1].\n\n[^1]: The note.", "inline^[foot *note*] here",
    "| a | b |\n|---|:-:|\n| 1 | 2 |", "~~strike~~ **bold** *em* _em_ __b__ `code` ``co`de``",
    "line  \nhard break\\\nagain", "back\\\\slash \\* esc", "&amp; &copy; &#x41; &bogus;",
    "Note: speaker notes", "---", "***", "___", "{{ site.time | date: '%Y' }}",
    "中文的段落，包含**粗體**和[連結](https://zh.wikipedia.org/wiki/大型语言模型)。",
    "[<b>html</b> text](https://github.com/huggingface/transformers)", "a * b * c",
    "**unclosed", "[unclosed link", "![unclosed", "]( weird", "[a]\n\n[a]: <>", "x_y_z",
    "http://a.b/c_(d)", "(www.paren.com)", "[nested [brackets]](https://e.com)", "`https://c.d`",
    "[li\nnk](https://e.com)", "[link]( https://spaces.com/a b )", "a^b ~c~ =d= +e+ %f @g #h",
]


def _fuzz_documents(count: int, seed: int) -> list[str]:
    rnd = random.Random(seed)
    docs = []
    for _ in range(count):
        text = rnd.choice(SNIPPETS)
        for _ in range(rnd.randint(0, 12)):
            text += rnd.choice(["\n\n", "\n", " ", "\n> ", "\n- ", "\n  ", ""]) + rnd.choice(SNIPPETS)
        docs.append(text)
    return docs


@pytest.fixture(scope="module")
def pair() -> tuple[MarkdownIt, MarkdownIt]:
    return create_markdown(), create_markdown(fast=False)


def _rendered(md: MarkdownIt, text: str, env: dict) -> tuple[str, str, str, str]:
    result = render_markdown(md, text, env=dict(env))
    return result.html, repr(result.toc), repr(result.warnings), repr(list(result.data.items()))


@pytest.mark.parametrize("env", [{"math": True, "baseurl": "/c", "dir_url": "/lectures/"}, {}],
                         ids=["math", "plain"])
def test_documents_render_the_same(pair: tuple[MarkdownIt, MarkdownIt], env: dict) -> None:
    fast, slow = pair
    for text in _documents() + _fuzz_documents(150, seed=len(env)):
        assert _rendered(fast, text, env) == _rendered(slow, text, env), text[:200]


def test_ruler_api_still_works() -> None:
    md = create_markdown(media=False)
    names = md.inline.ruler.get_active_rules()
    assert names.index("kramdown_link") + 1 == names.index("link")  # rules are all still there
    text = "[a](https://e.org/a b)\n"
    assert '<a href="https://e.org/a%20b">' in md.render(text)
    md.inline.ruler.disable("kramdown_link")  # recompiles the dispatcher without it
    assert "a%20b" not in md.render(text)
    md.inline.ruler.enable("kramdown_link")
    assert '<a href="https://e.org/a%20b">' in md.render(text)
    md.block.ruler.disable("heading")
    assert md.render("# x\n") == "<p># x</p>\n"


def test_parse_link_destination() -> None:
    rnd = random.Random(1)
    alphabet = list("ab()\\ <>\n\t\x01\x7f%é)") + ["\\ ", "\\(", "((", "))", "&amp;", "\\\\"]
    for _ in range(20000):
        text = "".join(rnd.choice(alphabet) for _ in range(rnd.randint(0, 12)))
        for pos in range(len(text) + 1):
            maximum = rnd.randint(pos, len(text))
            ours, theirs = parse_link_destination(text, pos, maximum), parseLinkDestination(
                text, pos, maximum)
            assert (ours.ok, ours.pos, ours.str) == (theirs.ok, theirs.pos, theirs.str), (
                text, pos, maximum)
    deep = "(" * 40 + ")" * 40
    assert not parse_link_destination(deep, 0, len(deep)).ok  # parens nest at most 32 deep


def test_linkify_pretest_and_test() -> None:
    linkify = MarkdownIt("gfm-like", {"linkify": True}).linkify
    functions = _linkify_functions(linkify)
    assert functions is not None, "linkify-it changed: fast.py falls back to its own functions"
    pretest, test = functions
    rnd = random.Random(2)
    atoms = ["http://", "https://", "HTTP:", "ftp:", "//", "mailto:", "www.", "WWW.", ".com",
             ".org", ".1.", "@", "a@b.co", "localhost", "LOCALHOST", "localhoſt", "_", "｜",
             "、", "：", " ", "\n", "x", "例", ".", ":", "/", "-", "(", "<", ">", "example",
             ".рф", "xn--p1ai", "127.0.0.1", "_http://a.b", "ſ", "\u212a", "İ"]
    texts = [line for text in _documents() for line in text.splitlines()]
    texts += ["".join(rnd.choice(atoms) for _ in range(rnd.randint(0, 8))) for _ in range(20000)]
    for text in texts:
        assert pretest(text) == linkify.pretest(text), text
        assert test(text) == linkify.test(text), text


def test_plain_url_shortcut() -> None:
    fast = plain_url_shortcut(normalizeLink)
    rnd = random.Random(3)
    alphabet = list("aZ09-._~/?#@:;&=+$,!*'()%[]{}|\\^`<> \t\"") + [
        "%41", "%zz", "%4", "é", "例", "\u3002", "xn--", "..", "//", "A" * 64, "\x00", "\xa0"]
    urls = re.findall(r"https?://[^\s)\"'<>\]]+", "\n".join(_documents()))
    urls += ["https://" + ".".join(["a" * 63] * 5), "https://" + ".".join(["a" * 63] * 4)]
    for _ in range(20000):
        urls.append(rnd.choice(["http://", "https://", "HTTP://", "https:", "//", ""]) + "".join(
            rnd.choice(alphabet + list("abc.")) for _ in range(rnd.randint(0, 16))))
    for url in urls:
        assert fast(url) == normalizeLink(url), url


def _reference_slug(text: str) -> str:
    """github_slug as it was written before the translate table."""
    out = []
    for char in text.lower():
        if char == " " or char == "-":
            out.append("-")
        elif char == "_" or char.isalnum():
            out.append(char)
        else:
            category = unicodedata.category(char)
            if category.startswith("M") or category == "Pc":  # noqa: SIM114 - as it was
                out.append(char)
            elif not category.startswith(("P", "S", "C", "Z")):
                out.append(char)
    return "".join(out)


def test_github_slug() -> None:
    rnd = random.Random(4)
    chars = [chr(code) for code in range(0x2500)] + [
        chr(code) for code in range(0x2500, 0x110000, 97)]
    for char in chars:
        assert github_slug(char) == _reference_slug(char), repr(char)
    for _ in range(5000):
        text = "".join(rnd.choice(chars) for _ in range(rnd.randint(0, 10)))
        assert github_slug(text) == _reference_slug(text), repr(text)

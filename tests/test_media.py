"""Lecture media (issue 4): plugin fixtures, warnings with lines, and real builds of the seeds."""

from __future__ import annotations

import re
import struct
import zlib
from html.parser import HTMLParser
from pathlib import Path

import pytest
from conftest import write
from markdown_it import MarkdownIt
from markdown_it.utils import read_fixture_file

from llmcourse.build import Builder, BuildOptions
from llmcourse.markdown import create_markdown, render_markdown
from llmcourse.markdown.plugins.images import raw_github_url
from llmcourse.markdown.plugins.math import tex_to_mathml
from llmcourse.markdown.plugins.youtube import YouTubeVideo, parse_youtube

FIXTURES = Path(__file__).parent / "fixtures"
CASES = read_fixture_file(FIXTURES / "media.md")
MATH_CASES = read_fixture_file(FIXTURES / "media_math.md")
LLM = "content/lectures/2025-09-14-LLM.md"


def png(width: int, height: int) -> bytes:
    """A real, minimal grey PNG of the given size (no imaging library needed)."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))
    rows = b"".join(b"\x00" + b"\x80" * width for _ in range(height))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))


@pytest.fixture(scope="module")
def md() -> MarkdownIt:
    return create_markdown()


@pytest.mark.parametrize("line,title,text,expected", CASES, ids=[c[1] for c in CASES])
def test_fixture(md: MarkdownIt, line: int, title: str, text: str, expected: str) -> None:
    assert render_markdown(md, text).html == expected


@pytest.mark.parametrize("line,title,text,expected", MATH_CASES, ids=[c[1] for c in MATH_CASES])
def test_math_fixture(md: MarkdownIt, line: int, title: str, text: str, expected: str) -> None:
    assert render_markdown(md, text, env={"math": True}).html == expected


@pytest.mark.parametrize("url,video", [
    ("https://www.youtube.com/embed/uhNsUCb2fJI?list=PLx_1", YouTubeVideo("uhNsUCb2fJI", 0, "PLx_1")),
    ("https://youtu.be/zjkBMFhNj_g?si=VnNOE1gggtAhxTDn", YouTubeVideo("zjkBMFhNj_g")),
    ("https://www.youtube.com/watch?v=zjkBMFhNj_g&t=1h2m3s", YouTubeVideo("zjkBMFhNj_g", 3723)),
    ("https://youtube-nocookie.com/embed/zjkBMFhNj_g?start=42", YouTubeVideo("zjkBMFhNj_g", 42)),
    ("https://www.youtube.com/shorts/zjkBMFhNj_g", YouTubeVideo("zjkBMFhNj_g")),
    ("https://www.youtube.com/channel/UCabc", None),
    ("https://notyoutube.com/embed/zjkBMFhNj_g", None),
    ("https://youtu.be/short", None),
])
def test_parse_youtube(url: str, video: YouTubeVideo | None) -> None:
    assert parse_youtube(url) == video


def test_raw_github_url() -> None:
    assert raw_github_url("https://github.com/o/r/blob/main/a/b.png?raw=true") == \
        "https://raw.githubusercontent.com/o/r/main/a/b.png"
    assert raw_github_url("https://github.com/o/r/raw/main/ui.png?raw=true") == \
        "https://raw.githubusercontent.com/o/r/main/ui.png"
    assert raw_github_url("https://github.com/o/r/blob/main/b.png") == \
        "https://github.com/o/r/blob/main/b.png"  # a page, not the file: left alone


@pytest.mark.parametrize("tex,reason", [
    (r"\frac{a}{b", "unbalanced '{'"), ("a}", "unbalanced '}'"),
    (r"\nosuchcommand x", r"unknown command \nosuchcommand"), (r"\sqrt", "no available tokens"),
])
def test_broken_tex_is_reported(tex: str, reason: str) -> None:
    with pytest.raises(ValueError, match=re.escape(reason)):
        tex_to_mathml(tex, display=False)


def test_warnings_carry_body_lines(md: MarkdownIt) -> None:
    text = "Intro\n\n![](fig.TIFF)\n\nSome $\\frac{1}{2$ and\n$$\\left( x$$\n"
    warnings = render_markdown(md, text, env={"math": True}).warnings
    assert [(line, msg.split(":")[0]) for line, msg in warnings] == [
        (2, "browsers cannot show the image format of 'fig.TIFF'"),
        (4, "cannot convert math '\\frac{1}{2'"), (4, "cannot convert math '\\left( x'")]


def test_local_image_sizes(md: MarkdownIt, tmp_path: Path) -> None:
    write(tmp_path / "img" / "plot.png", png(321, 123))
    text = ("![p](img/plot.png)\n\n<img src=\"img/plot.png\" alt=\"h\">\n\n"
            "![kept](img/plot.png){width=10}\n\n<img src=\"img/missing.png\">\n")
    html = render_markdown(md, text, env={"source_dir": str(tmp_path)}).html
    assert html.count('width="321" height="123"') == 3
    assert '<img src="/img/missing.png" loading="lazy" decoding="async">' in html


# -- real builds -----------------------------------------------------------------------------
def build(site_dir: Path) -> tuple[Path, object]:
    out = site_dir / "_site"
    result = Builder(BuildOptions(site_dir, out)).build()
    return out, result


class _Collect(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.hrefs: set[str] = set()
        self.srcs: set[str] = set()
        self.videos: set[str] = set()
        self.styles: list[str] = []
        self.scripts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "a" and a.get("href"):
            self.hrefs.add(a["href"])
        if tag == "img" and a.get("src"):
            self.srcs.add(a["src"])
        if "data-yt-id" in a:
            self.videos.add(a["data-yt-id"])
        if tag == "link" and a.get("rel") == "stylesheet":
            self.styles.append(a["href"])
        if tag == "script" and a.get("src"):
            self.scripts.append(a["src"])


def collect(html: str) -> _Collect:
    parser = _Collect()
    parser.feed(html)
    return parser


_SRC_VIDEO = re.compile(r"(?:youtube(?:-nocookie)?\.com/(?:embed/|watch\?v=)|youtu\.be/)([\w-]{11})")
_SRC_IMAGE = re.compile(r"!\[[^\]]*\]\((https?://[^)\s]+)\)|<img\b[^>]*\ssrc=\"(https?://[^\"]+)\"")
_SRC_LINK = re.compile(r"(?<!!)\[[^\]]*\]\((https?://[^)\s]+)\)|<a\b[^>]*\shref=\"(https?://[^\"]+)\"")


@pytest.mark.parametrize("name", ["2023-09-10-Introduction-to-LLMs", "2024-09-08-LLM-Overview",
                                  "2025-09-14-LLM"])
def test_seed_lectures_keep_videos_images_and_links(example_site: Path, name: str) -> None:
    out, _ = build(example_site)
    source = (example_site / "content" / "lectures" / f"{name}.md").read_text(encoding="utf-8")
    slug = name[11:]
    built = collect((out / "lectures" / slug / "index.html").read_text(encoding="utf-8"))
    videos = set(_SRC_VIDEO.findall(source))
    images = {raw_github_url(a or b) for a, b in _SRC_IMAGE.findall(source)}
    links = {a or b for a, b in _SRC_LINK.findall(source)}
    assert videos and images and links
    assert videos <= built.videos
    tiffs = {i for i in images if i.lower().endswith((".tif", ".tiff"))}
    assert images - tiffs <= built.srcs
    assert tiffs <= built.hrefs  # shown as links
    assert not any(s.startswith("https://github.com/") for s in built.srcs)  # all raw
    assert links <= built.hrefs, links - built.hrefs
    assert not any("youtube.com/embed" in s for s in built.srcs)


def test_seed_build_warns_about_tiff_and_media_weight(example_site: Path) -> None:
    out, result = build(example_site)
    tiff = [w for w in result.warnings if "image format" in w.message]
    assert [(w.path, w.line) for w in tiff] == [(LLM, 16)]
    page = out / "lectures" / "LLM" / "index.html"
    html = page.read_text(encoding="utf-8")
    parsed = collect(html)
    assets = [u for u in parsed.styles + parsed.scripts if u.startswith("/AI-course/")]
    assert any(u.endswith("assets/css/media.css") for u in assets)
    assert any(u.endswith("assets/js/media.js") for u in assets)
    sizes = {u: len((out / u.removeprefix("/AI-course/")).read_bytes()) for u in assets}
    # This feature's own share of the budget: its CSS, its JS and the embeds' markup.
    embeds = sum(len(m.encode()) for m in re.findall(r'<span class="yt-embed".*?</a></span>', html))
    ours = embeds + sum(n for u, n in sizes.items() if u.endswith(("/media.css", "/media.js")))
    assert ours < 20_000, ours
    first = page.read_bytes()
    out2 = example_site / "_site2"
    Builder(BuildOptions(example_site, out2)).build()
    assert (out2 / "lectures" / "LLM" / "index.html").read_bytes() == first  # deterministic


def lecture(site: Path, name: str, body: str, front: str = "") -> None:
    write(site / "content" / "lectures" / f"2024-01-0{name[-1]}-{name}.md",
          f"---\ntitle: {name}\n{front}---\n{body}")


def test_math_per_lecture_and_bad_formula_warns(site: Path) -> None:
    lecture(site, "m1", "Intro\n\n$a^2$ and $\\frac{1}{2$\n", "math: true\n")
    lecture(site, "m2", "Costs $a^2$ here.\n", "mathjax: false\n")
    out, result = build(site)
    m1 = (out / "lectures" / "m1" / "index.html").read_text(encoding="utf-8")
    assert "<msup><mi>a</mi><mn>2</mn></msup>" in m1 and "<code class=\"math-source\">" in m1
    assert "Costs $a^2$ here." in (out / "lectures" / "m2" / "index.html").read_text("utf-8")
    assert [(w.path, w.line, w.message) for w in result.warnings] == [
        ("content/lectures/2024-01-01-m1.md", 7,
         "cannot convert math '\\frac{1}{2': unbalanced '{'")]


@pytest.mark.parametrize("mermaid_url", ["", "/vendor/mermaid.esm.mjs"])
def test_mermaid_only_with_a_configured_url(site: Path, mermaid_url: str) -> None:
    write(site / "site.yaml", f"title: T\nbaseurl: /c\nmermaid_url: '{mermaid_url}'\n")
    lecture(site, "d1", "```mermaid\ngraph TD; A-->B\n```\n\n```mermaid\ngraph LR; C\n```\n")
    lecture(site, "d2", "No diagram.\n")
    out, _ = build(site)
    d1 = (out / "lectures" / "d1" / "index.html").read_text(encoding="utf-8")
    d2 = (out / "lectures" / "d2" / "index.html").read_text(encoding="utf-8")
    assert "mermaid" not in d2
    if mermaid_url:
        assert d1.count('<pre class="mermaid">') == 2
        assert d1.count('import mermaid from "/c/vendor/mermaid.esm.mjs"') == 1
    else:
        assert '<pre class="mermaid">' not in d1 and "<script type=\"module\">" not in d1
        assert 'data-lang="mermaid"' in d1 and "graph TD; A--&gt;B" in d1


def test_seed_llm_page_weighs_under_100_kb(example_site: Path) -> None:
    out, _ = build(example_site)
    page = out / "lectures" / "LLM" / "index.html"
    parsed = collect(page.read_text(encoding="utf-8"))
    assets = [u for u in parsed.styles + parsed.scripts if u.startswith("/AI-course/")]
    total = len(page.read_bytes()) + sum(
        len((out / u.removeprefix("/AI-course/")).read_bytes()) for u in assets)
    print(f"seed LLM lecture: HTML + CSS + JS = {total} bytes")
    assert total < 100_000, total

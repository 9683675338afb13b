"""The default theme on real builds: valid HTML5, landmarks, listings, taxonomies, SEO tags,
colour contrast in both modes, and generated pages that are not re-rendered when unchanged."""

from __future__ import annotations

import gzip
import itertools
import json
import re
from datetime import UTC, datetime
from pathlib import Path

import html5lib
import pytest
from conftest import REPO, write

from llmcourse.build import Builder, BuildOptions
from llmcourse.pages import syntax_css

FIXED = datetime(2025, 10, 1, tzinfo=UTC)

COURSE = """title: Test Course
tagline: Models, one lecture at a time
description: A course about testing themes.
url: https://example.org
baseurl: /AI-course
author: Ada
lang: zh-Hant
nav:
  - title: About
    url: /about/
"""


def build(site: Path, out: Path | None = None):
    return Builder(BuildOptions(site, out or site / "_site"), time=FIXED).build()


def lecture(site: Path, name: str, front: str, body: str = "Some text for the lecture.\n") -> None:
    write(site / f"content/lectures/{name}.md", f"---\n{front}\n---\n{body}")


@pytest.fixture
def course(site: Path) -> Path:
    write(site / "site.yaml", COURSE)
    lecture(site, "2024-09-01-alpha", "title: Alpha\norder: 2\ncategories: [Lecture]\n"
            "tags: [GenAI, 注意力]\nauthors: [Ada, Grace]",
            "## 簡介 Intro\n\nFirst paragraph with enough words to be an excerpt.\n\n"
            "### Details\n\n```python\nprint('hi')\n```\n\n## Wrap up\n\nDone.\n")
    lecture(site, "2023-09-01-beta", "title: Beta\norder: 1\ndescription: The beta one.\n"
            "categories: [Lecture]\ntags: [genai]")
    lecture(site, "2025-01-05-gamma", "title: Gamma </script> & co\ntags: ['!!!']")
    write(site / "content/about.md", "---\ntitle: About\n---\nAbout this course.\n")
    return site


def html_of(out: Path, rel: str) -> str:
    return (out / rel).read_text(encoding="utf-8")


def strict_errors(data: bytes) -> list[str]:
    parser = html5lib.HTMLParser(strict=True)
    try:
        parser.parse(data)
    except html5lib.html5parser.ParseError as exc:
        return [str(exc)]
    return []


# -- HTML validity and structure ---------------------------------------------------------------
def test_every_page_is_strict_html5_with_landmarks_and_headings_in_order(course: Path) -> None:
    build(course)
    # slide decks (LECTURE_URL/slides/) are full-screen documents of their own, not the theme's
    pages = sorted(p for p in (course / "_site").rglob("*.html") if "slides" not in p.parts)
    assert len(pages) >= 10  # lectures, about, home, 404, archive, taxonomies
    for path in pages:
        data = path.read_bytes()
        assert strict_errors(data) == [], path
        text = data.decode()
        for landmark in ("<header", "<main id=\"main\"", "<nav", "<aside", "<footer"):
            assert landmark in text, (path, landmark)
        assert re.search(r'<body>\s*<a class="skip-link" href="#main">', text), path
        levels = [int(n) for n in re.findall(r"<h([1-6])[\s>]", text.split("<main", 1)[1])]
        assert levels[0] == 1 and levels.count(1) == 1, path
        assert all(b <= a + 1 for a, b in itertools.pairwise(levels)), (path, levels)


def test_example_course_theme_markup_is_strict_html5(example_site: Path) -> None:
    """The seed notes contain authors' own HTML (e.g. ``</br>``); only errors outside the
    rendered content would be the theme's."""
    build(example_site)
    out = example_site / "_site"
    for path in sorted(p for p in out.rglob("*.html") if "slides" not in p.parts):
        data = path.read_bytes()
        text = data.decode()
        if '<div class="content">' not in text:
            assert strict_errors(data) == [], path
            continue
        parser = html5lib.HTMLParser(strict=False)
        parser.parse(data)
        start = text[:text.index('<div class="content">')].count("\n") + 1
        end = text[:text.rindex("</article>")].count("\n") + 1
        outside = [e for e in parser.errors if not start <= e[0][0] <= end]
        assert outside == [], path


def test_home_lists_lectures_in_course_order_with_dates_descriptions_and_tags(course: Path
                                                                              ) -> None:
    build(course)
    home = html_of(course / "_site", "index.html")
    assert "<h1>Test Course</h1>" in home and "Models, one lecture at a time" in home
    titles = re.findall(r'<h3 class="card-title"><a href="([^"]+)">([^<]+)</a>', home)
    assert [t for _, t in titles] == ["Beta", "Alpha", "Gamma &lt;/script&gt; &amp; co"]
    assert titles[0][0] == "/AI-course/lectures/beta/"
    assert "The beta one." in home  # the description
    assert "First paragraph with enough words" in home  # an excerpt when there is none
    assert '<time datetime="2023-09-01T00:00:00+00:00">Sep 1, 2023</time>' in home
    assert 'href="/AI-course/tags/%E6%B3%A8%E6%84%8F%E5%8A%9B/"' in home or \
        'href="/AI-course/tags/注意力/"' in home


def test_lecture_page_has_meta_toc_reading_time_and_neighbours(course: Path) -> None:
    build(course)
    page = html_of(course / "_site", "lectures/alpha/index.html")
    assert "Ada, Grace" in page and "1 min read" in page
    assert '<a class="term term-category" href="/AI-course/categories/lecture/">Lecture</a>' in page
    toc = page.split('<nav class="toc"', 1)[1].split("</nav>", 1)[0]
    assert "<details id=\"toc-details\">" in toc and "<summary>Contents</summary>" in toc
    targets = re.findall(r'href="#([^"]+)"', toc)
    assert targets == ["簡介-intro", "details", "wrap-up"]
    for target in targets:
        assert f'id="{target}"' in page
    assert 'rel="prev" href="/AI-course/lectures/beta/"' in page
    assert 'rel="next" href="/AI-course/lectures/gamma/"' in page
    assert 'aria-current="page">Alpha</a>' in page  # the sidebar marks where we are
    assert 'src="/AI-course/assets/js/media.js" defer' in page
    assert 'href="/AI-course/assets/css/media.css"' in page


def test_taxonomy_pages_merge_terms_with_one_slug_and_keep_cjk(course: Path) -> None:
    build(course)
    out = course / "_site"
    tags = html_of(out, "tags/index.html")
    # "genai" (Beta) and "GenAI" (Alpha) share /tags/genai/; the punctuation-only tag still gets a page
    assert re.search(r'href="/AI-course/tags/genai/">genai / GenAI <span class="count">2</span>',
                     tags)
    assert re.search(r'href="/AI-course/tags/注意力/">注意力 <span class="count">1</span>', tags)
    odd = re.search(r'href="/AI-course/tags/(term-[0-9a-f]{8})/">!!!', tags)
    assert odd and (out / "tags" / odd.group(1) / "index.html").is_file()
    genai = html_of(out, "tags/genai/index.html")
    assert genai.index(">Beta<") < genai.index(">Alpha<")  # course order
    assert "<h1>Tag: genai / GenAI</h1>" in genai
    assert ">Lecture <span class=\"count\">2</span>" in html_of(out, "categories/index.html")
    assert (out / "tags/注意力/index.html").is_file()
    archive = html_of(out, "archive/index.html")
    assert [int(y) for y in re.findall(r"<h2 id=\"year-(\d+)\"", archive)] == [2025, 2024, 2023]


def test_a_document_with_a_generated_url_wins(course: Path) -> None:
    write(course / "content/tags.md", "---\ntitle: My tags\npermalink: /tags/\n---\nHand-made.\n")
    build(course)
    assert "Hand-made." in html_of(course / "_site", "tags/index.html")


def test_archive_works_as_a_layout_for_a_page_of_ones_own(course: Path) -> None:
    write(course / "content/archive.md", "---\ntitle: 課程存檔\nlayout: archive\n---\n")
    build(course)
    archive = html_of(course / "_site", "archive/index.html")
    assert "<h1>課程存檔</h1>" in archive and '<h2 id="year-2024">2024</h2>' in archive


# -- SEO -------------------------------------------------------------------------------------
def test_seo_tags_canonical_opengraph_twitter_and_json_ld(course: Path) -> None:
    build(course)
    out = course / "_site"
    page = html_of(out, "lectures/alpha/index.html")
    head = page.split("</head>", 1)[0]
    url = "https://example.org/AI-course/lectures/alpha/"
    assert "<title>Alpha | Test Course</title>" in head
    assert f'<link rel="canonical" href="{url}">' in head
    assert f'<meta property="og:url" content="{url}">' in head
    assert '<meta property="og:type" content="article">' in head
    assert '<meta property="og:locale" content="zh_Hant">' in head
    assert '<meta name="twitter:card" content="summary">' in head
    assert '<meta name="description" content="First paragraph with enough words' in head
    assert '<meta property="article:published_time" content="2024-09-01T00:00:00+00:00">' in head
    data = json.loads(re.search(r'<script type="application/ld\+json">(.*?)</script>', head).group(1))
    assert data["@type"] == ["BlogPosting", "LearningResource"]
    assert data["url"] == url and data["headline"] == "Alpha"
    assert [a["name"] for a in data["author"]] == ["Ada", "Grace"]
    assert data["isPartOf"]["url"] == "https://example.org/AI-course/"
    home = html_of(out, "index.html").split("</head>", 1)[0]
    assert "<title>Test Course | Models, one lecture at a time</title>" in home
    assert '<meta property="og:type" content="website">' in home
    assert '"@type":"WebSite"' in home
    assert 'type="application/atom+xml"' in home and 'href="/AI-course/feed.xml"' in home


def test_json_ld_cannot_close_its_script_element(course: Path) -> None:
    build(course)
    head = html_of(course / "_site", "lectures/gamma/index.html").split("</head>")[0]
    script = re.search(r'<script type="application/ld\+json">(.*?)</script>', head, re.DOTALL).group(1)
    assert "</script" not in script and "<" not in script
    assert json.loads(script)["headline"] == "Gamma </script> & co"
    assert "<title>Gamma &lt;/script&gt; &amp; co | Test Course</title>" in head


# -- incremental, deterministic ---------------------------------------------------------------
def test_generated_pages_are_reused_until_what_they_show_changes(course: Path) -> None:
    builder = Builder(BuildOptions(course, course / "_site"), time=FIXED)
    first = builder.build()
    static = {p.relative_to(REPO / "static").as_posix() for p in (REPO / "static").rglob("*")}
    assert first.rendered == len([k for k in first.outputs if k != ".nojekyll" and k not in static])
    assert builder.build().rendered == 0
    lecture(course, "2024-09-01-alpha", "title: Alpha\norder: 2\ncategories: [Lecture]\n"
            "tags: [GenAI, 注意力]\nauthors: [Ada, Grace]", "## Other\n\nNew body text here.\n")
    third = builder.build()
    changed = set(third.written)
    assert "lectures/alpha/index.html" in changed and "feed.xml" in changed
    assert "tags/genai/index.html" in changed  # shows the excerpt
    assert "archive/index.html" not in changed and "about/index.html" not in changed
    assert third.rendered < first.rendered


def test_two_builds_give_byte_identical_theme_outputs(course: Path, tmp_path: Path) -> None:
    build(course, tmp_path / "a")
    build(course, tmp_path / "b")
    for path in (tmp_path / "a").rglob("*"):
        if path.is_file():
            assert path.read_bytes() == (tmp_path / "b" / path.relative_to(tmp_path / "a")
                                         ).read_bytes(), path


# -- colours ---------------------------------------------------------------------------------
def _luminance(hex_colour: str) -> float:
    value = hex_colour.lstrip("#")
    if len(value) == 3:
        value = "".join(c * 2 for c in value)
    channels = [int(value[i:i + 2], 16) / 255 for i in (0, 2, 4)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(a: str, b: str) -> float:
    high, low = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def _properties(block: str) -> dict[str, str]:
    return dict(re.findall(r"(--[\w-]+):\s*(#[0-9a-fA-F]{3,6})\b", block))


def theme_colours() -> dict[str, dict[str, str]]:
    css = (REPO / "static/assets/css/site.css").read_text(encoding="utf-8")
    light = _properties(re.search(r"^:root \{(.*?)\n\}", css, re.DOTALL | re.MULTILINE).group(1))
    chosen = _properties(re.search(r'^:root\[data-theme="dark"\] \{(.*?)\n\}', css,
                                   re.DOTALL | re.MULTILINE).group(1))
    system = _properties(re.search(r"prefers-color-scheme: dark\) \{\s*:root:not\(\[data-theme\]\)"
                                   r" \{(.*?)\}", css, re.DOTALL).group(1))
    return {"light": light, "dark": chosen, "system-dark": system}


PAIRS = [("fg", "bg"), ("link", "bg"), ("muted", "bg"), ("fg", "surface"), ("link", "surface"),
         ("muted", "surface"), ("chip-fg", "chip-bg"), ("fg", "chip-bg"), ("code-fg", "code-bg"),
         ("link", "code-bg")]


@pytest.mark.parametrize("mode", ["light", "dark"])
def test_text_colours_meet_wcag_aa_in_both_modes(mode: str) -> None:
    colours = theme_colours()
    assert colours["dark"] == colours["system-dark"]  # the two dark blocks cannot drift apart
    palette = colours[mode]
    ratios = {(fg, bg): contrast(palette[f"--{fg}"], palette[f"--{bg}"]) for fg, bg in PAIRS}
    assert {pair: round(r, 2) for pair, r in ratios.items() if r < 4.5} == {}
    assert contrast(palette["--focus"], palette["--bg"]) >= 3  # non-text: focus outline


def test_code_highlighting_meets_wcag_aa_in_both_modes() -> None:
    css = syntax_css()
    palette = theme_colours()
    rules = [line for line in css.splitlines() if line.startswith(".highlight")]
    assert len(rules) > 10
    checked = 0
    for rule in rules:
        properties = set(re.findall(r"[{;]([\w-]+):light-dark\(", rule))
        assert "color" in properties or "background-color" in properties, rule
        for mode, index in (("light", 0), ("dark", 1)):
            if "color" in properties:
                colour = re.search(r"[{;]color:light-dark\(([^,]+),([^)]+)\)",
                                   rule).group(index + 1)
            else:
                colour = "currentcolor"
            if colour == "currentcolor":  # the code's own text colour: checked with the palette
                colour = palette[mode]["--code-fg"]
            own = re.search(r"background-color:light-dark\(([^,]+),([^)]+)\)", rule)
            background = own.group(index + 1) if own else "transparent"
            if background == "transparent":
                background = palette[mode]["--code-bg"]
            assert contrast(colour, background) >= 4.5, (mode, rule)
            checked += 1
    assert checked == 2 * len(rules)
    # spaces have no colour, and line highlights use the theme's own
    assert ".highlight .w{" not in css and ".highlight .w," not in css and ".hll" not in css


def test_lecture_page_with_theme_assets_stays_small(example_site: Path) -> None:
    """The theme's share of a lecture: its HTML around the content, CSS and JS (the media
    feature's files included). The seed lecture's own text (hundreds of paper links) is not
    the theme's to shrink; compressed, the whole page still travels in well under 100 KB."""
    build(example_site)
    out = example_site / "_site"
    html = (out / "lectures/LLM/index.html").read_bytes()
    assets = [out / "assets/css" / n for n in ("site.css", "syntax.css", "media.css")]
    assets += [out / "assets/js" / n for n in ("theme.js", "media.js")]
    theme = sum(p.stat().st_size for p in assets)
    text = html.decode()
    content = text.split('<div class="content">', 1)[1].rsplit("</article>", 1)[0].encode()
    chrome = len(html) - len(content)
    assert theme < 45_000, theme
    assert chrome < 16_000, chrome
    assert chrome + theme < 60_000
    compressed = len(gzip.compress(html)) + sum(len(gzip.compress(p.read_bytes())) for p in assets)
    assert compressed < 50_000, compressed

"""The seed lectures lose nothing moving from Jekyll (kramdown) to llmcourse.

Each seed is rendered by the real ``jekyll`` and by ``create_markdown()``; the sets of heading
texts, link hrefs, image srcs and YouTube video ids must be supersets of Jekyll's.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

from llmcourse.markdown import create_markdown, render_markdown

SEEDS = Path(__file__).resolve().parents[2] / "shared" / "seeds"
SEED_NUMBERS = ("000", "001", "002")
JEKYLL = shutil.which("jekyll")

# GitHub Pages' kramdown defaults (github-pages gem): GFM input, no hard line breaks.
JEKYLL_CONFIG = """\
markdown: kramdown
kramdown:
  input: GFM
  hard_wrap: false
  auto_ids: true
  syntax_highlighter: rouge
"""
# No layout and no Liquid: compare the Markdown conversion only.
POST_FRONT_MATTER = "---\nlayout: null\nrender_with_liquid: false\n---\n"
_HEADING = re.compile(r"h[1-6]")
_GITHUB_IMAGE = re.compile(r"https://github\.com/([^/]+/[^/]+)/(?:blob|raw)/([^/]+)/([^?#]+)(?:\?raw=true)?$")
_YOUTUBE_ID = re.compile(r"(?:youtube\.com/(?:embed/|watch\?v=)|youtu\.be/)([\w-]{11})")


def seed_path(number: str) -> Path:
    matches = sorted(SEEDS.glob(f"{number}_*.txt"))
    if not matches:
        pytest.fail(f"seed lecture {number}_*.txt missing from {SEEDS}")
    return matches[0]


def strip_front_matter(text: str) -> str:
    if not text.startswith("---"):
        return text
    end = text.find("\n---", 3)
    return text[text.index("\n", end + 1) + 1:] if end >= 0 else text


def normalize_url(url: str) -> str:
    """Undo what legitimately differs: kramdown leaves spaces and line breaks for the browser
    to encode, markdown-it percent-encodes; llmcourse writes relative URLs root-relative."""
    url = unquote(url.replace("\n", "")).strip()
    # The media plugin serves GitHub images from raw.githubusercontent.com (saves a redirect).
    github = _GITHUB_IMAGE.match(url)
    if github:
        url = "https://raw.githubusercontent.com/{}/{}/{}".format(*github.groups())
    if not urlsplit(url).scheme and not url.startswith(("#", "//")):
        url = url.lstrip("/")
    return url


@dataclass
class Content(HTMLParser):
    """What a student must still find on the page."""

    headings: set[str] = field(default_factory=set)
    links: set[str] = field(default_factory=set)
    images: set[str] = field(default_factory=set)
    videos: set[str] = field(default_factory=set)
    _heading: list[str] | None = None

    def __post_init__(self) -> None:
        super().__init__(convert_charrefs=True)  # entities decoded: &amp; vs & is no difference

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        if _HEADING.fullmatch(tag):
            self._heading = []
        elif tag == "a" and "href" in values:
            self.links.add(normalize_url(values["href"]))
            self.videos.update(_YOUTUBE_ID.findall(values["href"]))
        elif tag == "img" and "src" in values:
            self.images.add(normalize_url(values["src"]))
        elif tag == "iframe" and "src" in values:
            self.videos.update(_YOUTUBE_ID.findall(values["src"]))

    def handle_endtag(self, tag: str) -> None:
        if _HEADING.fullmatch(tag) and self._heading is not None:
            self.headings.add(" ".join("".join(self._heading).split()))
            self._heading = None

    def handle_data(self, data: str) -> None:
        if self._heading is not None:
            self._heading.append(data)


def content_of(html: str) -> Content:
    content = Content()
    content.feed(html)
    content.close()
    return content


@pytest.fixture(scope="module")
def jekyll_html(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """Build one tiny Jekyll site holding the seeds (jekyll runs once for the module)."""
    if JEKYLL is None:
        pytest.skip("jekyll is not installed (apt-get install jekyll); CI installs it")
    root = tmp_path_factory.mktemp("jekyll")
    source, dest = root / "src", root / "site"
    (source / "_posts").mkdir(parents=True)
    (source / "_config.yml").write_text(JEKYLL_CONFIG, encoding="utf-8")
    for number in SEED_NUMBERS:
        body = strip_front_matter(seed_path(number).read_text(encoding="utf-8"))
        post = source / "_posts" / f"2024-01-01-seed{number}.md"
        post.write_text(POST_FRONT_MATTER + body, encoding="utf-8")
    result = subprocess.run(
        [JEKYLL, "build", "--safe", "--quiet", "-s", str(source), "-d", str(dest)],
        capture_output=True, text=True, timeout=120, cwd=root,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    pages = {}
    for number in SEED_NUMBERS:
        page = dest / "2024" / "01" / "01" / f"seed{number}.html"
        assert page.is_file(), f"jekyll did not write {page}"
        pages[number] = page.read_text(encoding="utf-8")
    return pages


@pytest.fixture(scope="module")
def our_html() -> dict[str, str]:
    md = create_markdown()
    return {number: render_markdown(md, strip_front_matter(seed_path(number).read_text(encoding="utf-8"))).html
            for number in SEED_NUMBERS}


KINDS = ("headings", "links", "images", "videos")


@pytest.mark.parametrize("number", SEED_NUMBERS)
@pytest.mark.parametrize("kind", KINDS)
def test_nothing_lost_compared_with_jekyll(jekyll_html: dict[str, str], our_html: dict[str, str],
                                           number: str, kind: str) -> None:
    theirs: set[str] = getattr(content_of(jekyll_html[number]), kind)
    ours: set[str] = getattr(content_of(our_html[number]), kind)
    if kind == "images":  # a .tif (no browser shows it) is published as a link to the image
        ours = ours | content_of(our_html[number]).links
    assert theirs, f"jekyll rendered no {kind} for seed {number}: the comparison would be empty"
    missing, extra = sorted(theirs - ours), sorted(ours - theirs)
    print(f"seed {number} {kind}: jekyll {len(theirs)}, ours {len(ours)}, "
          f"missing {missing[:5]}, extra {extra[:5]}")
    assert not missing, f"seed {number}: {kind} rendered by Jekyll but not by llmcourse: {missing}"


def test_seed_iframe_then_images_render(our_html: dict[str, str]) -> None:
    # Seed 001 line 524: the two images after the ALTER-LLM iframe (lost by plain CommonMark).
    found = content_of(our_html["001"]).images
    assert "https://tnoinkwms.github.io/ALTER-LLM/architecture_2.png" in found
    assert "https://tnoinkwms.github.io/ALTER-LLM/feedback.png" in found

"""redirect_from / redirect_to (jekyll-redirect-from compatible): real builds in tmp_path."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import write

from llmcourse.build import BuildOptions, build_site
from llmcourse.config import SiteConfig
from llmcourse.errors import BuildError
from llmcourse.redirects import public_url, redirect_html

LECTURE = """\
---
title: Attention
date: 2025-09-14 08:00:00 +0800
categories: [Lecture]
redirect_from:
  - /lecture/2025/09/14/Attention.html
  - old/attention/
---
# Attention

Body.
"""


def build(site: Path) -> dict[str, bytes]:
    return build_site(BuildOptions(site, site / "_site")).outputs


def refresh_target(page: bytes) -> str:
    match = re.search(r'http-equiv="refresh" content="0; url=([^"]+)"', page.decode())
    assert match, page
    return match.group(1)


@pytest.fixture
def course(site: Path) -> Path:
    write(site / "site.yaml", "title: T\nurl: https://me.github.io\nbaseurl: /AI-course\n")
    write(site / "content/lectures/2025-09-14-Attention.md", LECTURE)
    return site


def test_every_redirect_from_path_gets_a_redirect_page(course: Path) -> None:
    outputs = build(course)
    for output in ("lecture/2025/09/14/Attention.html", "old/attention/index.html"):
        page = outputs[output]
        assert refresh_target(page) == "/AI-course/lectures/Attention/"
        text = page.decode()
        assert '<link rel="canonical" href="https://me.github.io/AI-course/lectures/Attention/">' \
            in text
        assert '<meta name="robots" content="noindex">' in text
        assert '<a href="/AI-course/lectures/Attention/">' in text
    # the files are really written, and the lecture itself is still a normal page
    assert (course / "_site/lecture/2025/09/14/Attention.html").is_file()
    assert b"http-equiv" not in outputs["lectures/Attention/index.html"]


def test_redirect_from_as_a_string(site: Path) -> None:
    write(site / "content/about.md", "---\ntitle: About\nredirect_from: /about.html\n---\nHi\n")
    outputs = build(site)
    assert refresh_target(outputs["about.html"]) == "/about/"


def test_redirect_to_replaces_the_page_and_keeps_external_urls(site: Path) -> None:
    write(site / "content/moved.md", "---\ntitle: Moved\nredirect_to: https://example.org/x\n---\n"
          "old text\n")
    write(site / "content/inner.md", "---\ntitle: Inner\nredirect_to: /about/\n---\nold\n")
    outputs = build(site)
    moved = outputs["moved/index.html"].decode()
    assert refresh_target(outputs["moved/index.html"]) == "https://example.org/x"
    assert "old text" not in moved
    assert refresh_target(outputs["inner/index.html"]) == "/about/"


def test_non_ascii_targets_are_percent_encoded(site: Path) -> None:
    write(site / "content/lectures/2025-01-02-注意力.md",
          "---\ntitle: 注意力\nredirect_from: /old/注意力.html\n---\nx\n")
    outputs = build(site)
    assert refresh_target(outputs["old/注意力.html"]) == \
        "/lectures/%E6%B3%A8%E6%84%8F%E5%8A%9B/"


def test_a_redirect_to_its_own_url_is_ignored(site: Path) -> None:
    write(site / "content/about.md", "---\ntitle: About\nredirect_from: /about/\n---\nHi\n")
    outputs = build(site)
    assert b"http-equiv" not in outputs["about/index.html"]


def test_a_redirect_that_clashes_with_a_page_names_both_files(course: Path) -> None:
    write(course / "content/old/attention.md", "---\ntitle: Real page\n---\nHere.\n")
    with pytest.raises(BuildError) as caught:
        build(course)
    lines = [d.format() for d in caught.value.diagnostics]
    assert lines == ["content/lectures/2025-09-14-Attention.md:5: redirect_from '/old/attention/' "
                     "clashes with content/old/attention.md, which is published there"]


def test_two_documents_redirecting_from_the_same_path(course: Path) -> None:
    write(course / "content/lectures/2025-09-15-Other.md",
          "---\ntitle: Other\nredirect_from: [/old/attention/]\n---\nx\n")
    with pytest.raises(BuildError) as caught:
        build(course)
    (diag,) = caught.value.diagnostics
    assert diag.path == "content/lectures/2025-09-15-Other.md" and diag.line == 3
    assert "content/lectures/2025-09-14-Attention.md" in diag.message


def test_clash_is_one_line_and_exit_1_on_the_command_line(course: Path) -> None:
    write(course / "content/old/attention.md", "---\ntitle: Real page\n---\nHere.\n")
    run = subprocess.run([sys.executable, "-m", "llmcourse.cli", "build", str(course)],
                         check=False, capture_output=True, text=True)
    assert run.returncode == 1
    first = run.stderr.splitlines()[0].replace(" error:", "")  # the level is the CLI's choice
    assert first == ("content/lectures/2025-09-14-Attention.md:5: redirect_from '/old/attention/' "
                     "clashes with content/old/attention.md, which is published there")
    assert "Traceback" not in run.stderr


def test_redirect_html_escapes_and_public_url_adds_baseurl() -> None:
    config = SiteConfig(url="https://u.github.io", baseurl="/c")
    assert public_url("/a b/", config) == ("/c/a%20b/", "https://u.github.io/c/a%20b/")
    assert public_url("/c/x/", config) == ("/c/x/", "https://u.github.io/c/x/")
    page = redirect_html('/x"><script>', "/x")
    assert '"><script>' not in page.split("<script>location")[0]
    assert "\\u003cscript>" in page

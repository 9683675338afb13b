"""Search: Pagefind indexes the built example course; the sidebar box finds English and Chinese
terms in a real browser, served under the baseurl; the index is deterministic, and a missing
binary is one clear line."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
from conftest import REPO, write

from llmcourse.build import BuildOptions, build_site
from llmcourse.search import FOLDER

PAGES = {  # source -> published path (without the baseurl)
    "lectures/2023-09-10-Introduction-to-LLMs.md": "/lectures/Introduction-to-LLMs/",
    "lectures/2024-09-08-LLM-Overview.md": "/lectures/LLM-Overview/",
    "lectures/2025-09-14-LLM.md": "/lectures/LLM/",
    "notes/ai-learning-notes.md": "/notes/ai-learning-notes/",
    "notes/llm-course-notes.md": "/notes/llm-course-notes/",
}


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The example course, built once for this module's tests (they only read it)."""
    site = tmp_path_factory.mktemp("search") / "example"
    shutil.copytree(REPO / "content", site / "content")
    shutil.copy(REPO / "site.yaml", site / "site.yaml")
    build_site(BuildOptions(site, site / "_site"))
    return site / "_site"


def files_of(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def test_index_covers_lectures_and_pages_only_and_is_deterministic(built: Path,
                                                                     tmp_path: Path) -> None:
    entry = json.loads((built / FOLDER / "pagefind-entry.json").read_text())
    assert list(entry["languages"]) == ["zh-hant"]  # site.yaml lang: zh-Hant
    # only the bodies marked data-pagefind-body: no home, listings, slides or references
    assert entry["languages"]["zh-hant"]["page_count"] == len(PAGES)
    again = tmp_path / "again"
    build_site(BuildOptions(built.parent, again))
    assert files_of(again / FOLDER) == files_of(built / FOLDER)


def tiny(site: Path, extra: str = "") -> Path:
    write(site / "site.yaml", "title: Tiny\nlang: en\n" + extra)
    write(site / "content" / "lectures" / "2024-01-01-one.md",
          "---\ntitle: One\n---\n## Tokens\nTokenizers split text.\n")
    return site


def test_rebuild_keeps_the_index_and_search_false_removes_it(site: Path) -> None:
    out = site / "_site"
    build_site(BuildOptions(tiny(site), out))
    index = files_of(out / FOLDER)
    assert "pagefind.js" in index and "site-search-input" in (out / "index.html").read_text()
    # the write stage leaves pagefind/ to the search step, which rewrites nothing unchanged
    result = build_site(BuildOptions(site, out))
    assert files_of(out / FOLDER) == index and result.removed == ()
    build_site(BuildOptions(tiny(site, "search: false\n"), out))
    assert not (out / FOLDER).exists()
    assert "site-search-input" not in (out / "index.html").read_text("utf-8")


def test_missing_pagefind_is_one_clear_line(site: Path, tmp_path: Path) -> None:
    env = {**os.environ, "PAGEFIND_BINARY_PATH": str(tmp_path / "no-such-pagefind")}
    done = subprocess.run([sys.executable, "-m", "llmcourse.cli", "build", str(tiny(site)),
                           "-o", str(tmp_path / "out")], capture_output=True, text=True, env=env,
                          check=False)
    assert done.returncode == 1
    assert done.stderr.count("\n") == 1, done.stderr
    assert done.stderr.startswith("llmcourse: ")
    assert "pip install 'pagefind[extended]'" in done.stderr


def expected_pages(term: str) -> set[str]:
    """The documents whose Markdown holds the term: found without Pagefind."""
    return {url for source, url in PAGES.items()
            if term.lower() in (REPO / "content" / source).read_text("utf-8").lower()}


@pytest.mark.browser
@pytest.mark.parametrize("term, anchor", [("Chinchilla", "chinchilla-scaling-law"),
                                          ("模型", None), ("量化", None)])
def test_search_box_finds_the_right_lectures(built: Path, browser,
                                             static_server, term: str, anchor: str | None
                                             ) -> None:
    base = static_server(built, prefix="/AI-course")
    context = browser.new_context()
    page = context.new_page()
    origin = base.split("/AI-course")[0]
    outside = []

    def offline(route) -> None:  # no network in tests: the lectures' own images stay away
        if route.request.resource_type in ("script", "stylesheet", "font", "fetch", "xhr"):
            outside.append(route.request.url)
        route.abort()

    context.route(lambda url: not url.startswith(origin), offline)
    page.goto(base + "lectures/LLM/")
    page.locator("#site-search-input").fill(term)
    page.wait_for_selector(".search-result-title")
    hrefs = page.eval_on_selector_all(".search-result-title", "els => els.map(e => e.href)")
    paths = {unquote(urlsplit(h).path) for h in hrefs}
    assert paths == {"/AI-course" + url for url in expected_pages(term)}, hrefs
    assert all(urlsplit(h).fragment for h in hrefs), hrefs  # each result opens at a heading
    if anchor:
        assert any(urlsplit(h).fragment == anchor for h in hrefs), hrefs
    first = hrefs[0]
    page.locator(".search-result-title").first.click()
    page.wait_for_url(first)
    fragment = unquote(urlsplit(first).fragment)
    assert page.locator(f"[id='{fragment}']").count() == 1  # the heading exists on the page
    assert outside == []  # everything same-origin: no third-party script, style or font
    context.close()

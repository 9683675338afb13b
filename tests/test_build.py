"""End-to-end builds on real files: the example course, determinism, and build semantics."""

from __future__ import annotations

import re
import sys
from pathlib import Path
from urllib.parse import unquote

import pytest
from click.testing import CliRunner

from conftest import write
from llmcourse.build import BuildOptions, Builder
from llmcourse.cli import cli


def run(*args: str):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def build(site: Path, out: Path | None = None, **kwargs: bool):
    return Builder(BuildOptions(site, out or site / "_site", **kwargs)).build()


def tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def test_example_course_builds_every_lecture_without_liquid(example_site: Path) -> None:
    result = run("build", str(example_site))
    assert result.exit_code == 0, result.output
    out = example_site / "_site"
    for name in ("LLM", "LLM-Overview", "Introduction-to-LLMs"):
        html = (out / f"lectures/{name}/index.html").read_text(encoding="utf-8")
        assert "<h2" in html
    for path in out.rglob("*.html"):
        text = path.read_text(encoding="utf-8")
        assert not re.search(r"\{\{ *site\.|\{%", text), path
    assert "This site was last updated" in (out / "lectures/LLM/index.html").read_text()


def test_cjk_table_of_contents_links_of_the_notes_resolve(example_site: Path) -> None:
    build(example_site)
    html = (example_site / "_site/notes/ai-learning-notes/index.html").read_text(encoding="utf-8")
    ids = set(re.findall(r'\sid="([^"]+)"', html))
    fragments = [unquote(f) for f in re.findall(r'href="#([^"]+)"', html)]
    cjk = [f for f in fragments if re.search(r"[\u4e00-\u9fff]", f)]
    assert len(cjk) >= 5
    assert [f for f in fragments if f not in ids] == []


def test_two_builds_are_byte_identical(example_site: Path, tmp_path: Path,
                                       monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1760000000")
    build(example_site, tmp_path / "a")
    build(example_site, tmp_path / "b")
    first, second = tree(tmp_path / "a"), tree(tmp_path / "b")
    assert first.keys() == second.keys()
    assert [k for k in first if first[k] != second[k]] == []
    assert "October 09, 2025" in (tmp_path / "a/lectures/LLM/index.html").read_text()


def test_baseurl_prefixes_generated_links_and_relative_assets(site: Path) -> None:
    write(site / "site.yaml", "title: T\nbaseurl: /AI-course\n")
    write(site / "content/lectures/2025-01-02-first.md",
          "---\ntitle: First\n---\n![diagram](img/a.png)\n[next](2025-01-09-second.md)\n"
          "[abs](/about/)\n")
    write(site / "content/lectures/2025-01-09-second.md", "---\ntitle: Second\n---\ntext\n")
    write(site / "content/lectures/img/a.png", b"\x89PNG\r\n\x1a\n")
    build(site)
    html = (site / "_site/lectures/first/index.html").read_text()
    assert 'src="/AI-course/lectures/img/a.png"' in html
    assert 'href="/AI-course/lectures/second/"' in html
    assert 'href="/AI-course/about/"' in html
    assert (site / "_site/lectures/img/a.png").read_bytes().startswith(b"\x89PNG")
    assert 'href="/AI-course/lectures/second/"' in (site / "_site/index.html").read_text()


def test_drafts_and_future_lectures_need_flags(site: Path) -> None:
    write(site / "content/lectures/2020-01-01-draft.md", "---\ndraft: true\n---\nx\n")
    write(site / "content/lectures/2999-01-01-future.md", "---\ntitle: F\n---\nx\n")
    write(site / "content/lectures/2020-01-02-hidden.md", "---\npublished: false\n---\nx\n")
    build(site)
    assert not (site / "_site/lectures/draft").exists()
    assert not (site / "_site/lectures/future").exists()
    build(site, drafts=True, future=True)
    for name in ("draft", "future", "hidden"):
        assert (site / f"_site/lectures/{name}/index.html").exists()


def test_deleted_source_disappears_and_unchanged_files_are_not_rewritten(site: Path) -> None:
    a = write(site / "content/a.md", "# A\n")
    write(site / "content/b.md", "# B\n")
    build(site)
    stamp = (site / "_site/b/index.html").stat().st_mtime_ns
    a.unlink()
    result = build(site)
    assert not (site / "_site/a").exists() and "a/index.html" in result.removed
    assert (site / "_site/b/index.html").stat().st_mtime_ns == stamp


def test_page_without_front_matter_and_jekyll_permalinks(site: Path) -> None:
    write(site / "site.yaml", "permalinks:\n  lecture: /:categories/:year/:month/:day/:title.html\n")
    write(site / "content/lectures/2025-09-14-LLM.md", "---\ncategories: [Lecture]\n---\nx\n")
    write(site / "content/syllabus.md", "# Course syllabus\n\nWeek 1\n")
    build(site)
    assert (site / "_site/lecture/2025/09/14/LLM.html").exists()
    assert "<title>Course syllabus" in (site / "_site/syllabus/index.html").read_text()


def test_legacy_encoding_is_decoded_with_a_warning(site: Path) -> None:
    write(site / "content/big5.md", ("# 大型語言模型\n\n" + "這是一份課程筆記，介紹模型。\n" * 5).encode("big5"))
    result = run("build", str(site))
    assert result.exit_code == 0
    assert "content/big5.md:1: warning: decoded as big5" in result.stderr
    assert "大型語言模型" in (site / "_site/big5/index.html").read_text()


def test_mojibake_note_builds_with_a_warning_naming_the_file(site: Path) -> None:
    clean = "## 簡介\n\n這個筆記主要是我自己對於AI工程師相關的知識以及技能的了解與整理。\n"
    write(site / "content/notes/damaged.md", clean.encode("utf-8").decode("cp1252", "ignore"))
    result = run("build", str(site))
    assert result.exit_code == 0
    assert re.search(r"content/notes/damaged\.md:\d+: warning: text looks mis-encoded", result.stderr)


def test_unknown_site_setting_warns_with_nearest_key(site: Path) -> None:
    write(site / "site.yaml", "title: T\ntagine: oops\n")
    result = run("build", str(site))
    assert result.exit_code == 0
    assert "site.yaml:2: warning: unknown setting 'tagine' (did you mean 'tagline'?)" in result.stderr


@pytest.mark.parametrize("out", [".", "content", ".."])
def test_refuses_output_that_is_or_contains_the_site(site: Path, out: str) -> None:
    result = run("build", str(site), "-o", str(site / out))
    assert result.exit_code == 2
    assert "refusing to build into" in result.stderr
    assert (site / "content").is_dir() and (site / "site.yaml").exists()


def test_refuses_non_empty_folder_it_did_not_make(site: Path, tmp_path: Path) -> None:
    precious = write(tmp_path / "mine/thesis.txt", "do not delete")
    result = run("build", str(site), "-o", str(tmp_path / "mine"))
    assert result.exit_code == 2 and precious.read_text() == "do not delete"


def test_missing_site_folder_is_a_usage_error(tmp_path: Path) -> None:
    result = run("build", str(tmp_path / "nope"))
    assert result.exit_code == 2


def test_a_new_process_reuses_unchanged_pages_but_never_trusts_edited_files(site: Path) -> None:
    write(site / "content/lectures/2025-01-02-a.md", "---\ntitle: A\n---\ntext a\n")
    write(site / "content/lectures/2025-01-09-b.md", "---\ntitle: B\n---\ntext b\n")
    first = build(site)
    assert first.rendered > 0
    again = build(site)  # a fresh Builder, as a new `llmcourse build` process would be
    assert again.rendered == 0 and again.written == ()
    page = site / "_site/lectures/a/index.html"
    page.write_text("tampered")  # OUT no longer holds what was written: render it again
    third = build(site)
    assert third.rendered == 1 and "text a" in page.read_text()
    write(site / "content/lectures/2025-01-09-b.md", "---\ntitle: B\n---\nnew text\n")
    fourth = build(site)
    assert "new text" in (site / "_site/lectures/b/index.html").read_text()
    assert "lectures/a/index.html" not in fourth.written


def test_a_corrupt_page_manifest_only_costs_a_full_render(site: Path) -> None:
    write(site / "content/a.md", "# A\n")
    build(site)
    for manifest in (site / ".llmcourse-cache").glob("pages-*.json"):
        manifest.write_text("{not json")
    result = build(site)
    assert result.rendered > 0 and "A" in (site / "_site/a/index.html").read_text()


def test_changes_named_by_the_caller_skip_the_walk(site: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    """The dev server names the files its watcher saw change: the builder then neither walks
    content/ nor stats the other files, unless a named file is new or gone."""
    import llmcourse.build as build_module

    lecture = "---\ntitle: {title}\ndate: 2024-01-0{day}\n---\n\n{body}\n"
    write(site / "content/lectures/2024-01-01-a.md", lecture.format(title="A", day=1, body="One."))
    write(site / "content/lectures/2024-01-02-b.md", lecture.format(title="B", day=2, body="Two."))
    builder = Builder(BuildOptions(site, site / "_site"))
    builder.build()
    walks = []
    real_walk = build_module.discover_content
    monkeypatch.setattr(build_module, "discover_content",
                        lambda *a, **k: walks.append(1) or real_walk(*a, **k))
    out = site / "_site/lectures"

    write(site / "content/lectures/2024-01-01-a.md",
          lecture.format(title="A", day=1, body="Edited."))
    builder.changed = frozenset({"content/lectures/2024-01-01-a.md"})
    builder.build()
    assert walks == [] and "Edited." in (out / "a/index.html").read_text()

    write(site / "content/lectures/2024-01-03-c.md", lecture.format(title="C", day=3, body="New."))
    builder.changed = frozenset({"content/lectures/2024-01-03-c.md"})
    builder.build()
    assert walks == [1] and "New." in (out / "c/index.html").read_text()

    (site / "content/lectures/2024-01-02-b.md").unlink()
    builder.changed = frozenset({"content/lectures/2024-01-02-b.md"})
    builder.build()
    assert walks == [1, 1] and not (out / "b").exists()

    write(site / "content/lectures/2024-01-03-c.md", lecture.format(title="C", day=3, body="Re."))
    builder.changed = None  # unknown: walk and stat everything
    builder.build()
    assert walks == [1, 1, 1] and "Re." in (out / "c/index.html").read_text()


def _course(site: Path, lectures: int) -> Path:
    for day in range(1, lectures + 1):
        write(site / f"content/lectures/2025-01-{day:02d}-l{day}.md",
              f"---\ntitle: L{day}\ntags: [t{day % 3}]\n---\n\n## Part\n\nLecture {day}.\n\n"
              f"---\n\nSee [arXiv](https://arxiv.org/abs/2303.{day:05d}).\n")
    return site


@pytest.mark.parametrize("child_fails", [False, True])
def test_pages_rendered_in_two_processes_are_the_same(example_site: Path, tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch,
                                                      child_fails: bool) -> None:
    """A long list of pages is shared with a forked process: the output is byte-identical
    to one process, also when that process fails (its pages are then rendered here)."""
    import os

    import llmcourse.render as render_module

    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1760000000")
    _course(example_site, 20)
    alone = build(example_site, tmp_path / "one")
    forks = []
    real_fork, real_pages = os.fork, render_module._render_pages
    parent = os.getpid()

    def fork() -> int:
        forks.append(sys._getframe(1).f_code.co_name)  # (the build's helper forks too)
        return real_fork()

    def pages(*args, **kwargs):  # type: ignore[no-untyped-def]
        if child_fails and os.getpid() != parent:
            raise RuntimeError("the child dies")
        return real_pages(*args, **kwargs)

    monkeypatch.setattr(render_module, "PARALLEL_PAGES", 2)
    # (a test process may run other threads, a browser's: the fork is still safe here)
    monkeypatch.setattr(render_module.threading, "active_count", lambda: 1)
    monkeypatch.setattr(render_module.os, "fork", fork)
    monkeypatch.setattr(render_module, "_render_pages", pages)
    result = build(example_site, tmp_path / "two")
    assert forks.count("_render_in_two") == 1
    first, second = tree(tmp_path / "one"), tree(tmp_path / "two")
    assert first.keys() == second.keys() and [k for k in first if first[k] != second[k]] == []
    assert result.rendered == alone.rendered > 40
    assert not (tmp_path / "two/.llmcourse-staging").exists()

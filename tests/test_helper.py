"""The helper process of one-shot builds (``llmcourse.helper``): it renders what this process
would, and a helper that dies or fails never changes a build's output."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

import llmcourse.helper as helper_module
from llmcourse.build import BuildOptions, Builder
from llmcourse.errors import BuildError
from llmcourse.helper import Helper, HelperGone

from conftest import write


def lecture(site: Path, day: int, body: str) -> Path:
    return write(site / "content" / "lectures" / f"2025-09-{day:02d}-l{day}.md",
                 f"---\ntitle: Lecture {day}\n---\n{body}\n")


def make_site(site: Path) -> None:
    lecture(site, 1, "Built {{ site.time | date: '%Y' }}, see [two](2025-09-02-l2.md).\n\n"
                     "## Part\n\n$x^2$ and `code`.")
    lecture(site, 2, "{% for p in site.posts %}- {{ p.title }}\n{% endfor %}\n\nText.")


def tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def build(site: Path, out: Path, helper: Helper | None = None, **options: object):
    builder = Builder(BuildOptions(site, out, **options), helper=helper)  # type: ignore[arg-type]
    try:
        return builder.build()
    finally:
        builder.close()


def edited_twice(root: Path, helper: Helper | None) -> dict[str, bytes]:
    """A new site's cached build, an edit, and the build after it (with ``helper``): the
    output."""
    site = root / "site"
    write(site / "site.yaml", "title: Test Course\n")
    make_site(site)
    build(site, root / "out", jobs=1)
    lecture(site, 1, "Edited in {{ site.time | date: '%Y' }}; see [two](2025-09-02-l2.md).")
    result = build(site, root / "out", helper=helper)
    assert result.markdown_rendered == 1
    return tree(root / "out")


@pytest.fixture(autouse=True)
def _fixed_time(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1760000000")


@pytest.mark.parametrize("ahead", ["right", "wrong"])
def test_a_build_with_a_helper_is_the_same_as_without(tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch,
                                                      ahead: str) -> None:
    """The helper renders the edited lecture's Markdown as soon as it has its Liquid, before
    the build knows it must: used when the text is the one the build would render, else the
    lecture is rendered again (here the helper is made to get it wrong)."""
    if ahead == "wrong":  # (the helper is forked with this; the build keeps the real one)
        monkeypatch.setattr("llmcourse.content.text_digest", lambda text: "not it")
    calls: list[str] = []
    real_send = Helper.send

    def send(self: Helper, name: str, *args: object) -> None:
        calls.append(name)
        real_send(self, name, *args)

    monkeypatch.setattr(Helper, "send", send)
    helper = Helper.start()
    assert helper is not None
    with_helper = edited_twice(tmp_path / "a", helper)
    assert calls == (["liquid", "markdown_after_liquid"] if ahead == "right"
                     else ["liquid", "markdown_after_liquid", "markdown"])
    alone = edited_twice(tmp_path / "b", None)
    assert with_helper == alone


@pytest.mark.parametrize("failure", ["killed", "raises"])
def test_a_failing_helper_leaves_the_work_to_the_build(tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch,
                                                       failure: str) -> None:
    alone = edited_twice(tmp_path / "alone", None)
    helper = Helper.start()
    assert helper is not None
    if failure == "killed":
        os.kill(helper._pid, signal.SIGKILL)  # type: ignore[arg-type]
        os.waitpid(helper._pid, 0)  # type: ignore[arg-type]
    else:  # every request fails in the helper
        monkeypatch.setattr(helper_module, "HANDLERS", {})
        helper.close()
        helper = Helper.start()
    assert edited_twice(tmp_path / "after", helper) == alone


def test_a_liquid_error_is_reported_the_same_through_the_helper(site: Path,
                                                                tmp_path: Path) -> None:
    make_site(site)
    build(site, tmp_path / "out", jobs=1)
    lecture(site, 2, "Fine.\n\n{{ site.title | nosuchfilter }}")
    errors = []
    for helper in (Helper.start(), None):
        with pytest.raises(BuildError) as failed:
            build(site, tmp_path / "out", helper=helper)
        errors.append([d.format() for d in failed.value.diagnostics])
    assert errors[0] == errors[1]
    assert errors[0][0].startswith("content/lectures/2025-09-02-l2.md:6: ")


def test_a_helper_answers_what_it_is_asked_and_ends_with_its_caller() -> None:
    helper = Helper.start()
    assert helper is not None
    pid = helper._pid
    helper.send("no-such-handler")
    with pytest.raises(HelperGone):
        helper.receive()
    assert helper._pid == pid  # a failed request leaves it serving
    helper.close()
    with pytest.raises(ChildProcessError):
        os.waitpid(pid, os.WNOHANG)  # type: ignore[arg-type]  # reaped
    with pytest.raises(HelperGone):
        helper.send("markdown")


def test_only_builds_that_gain_start_one(site: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {0, 1}, raising=False)
    assert not helper_module.wanted(site, jobs=0, use_cache=True)  # no cache yet: cold
    write(site / ".llmcourse-cache" / "cache.sqlite", b"")
    assert helper_module.wanted(site, jobs=0, use_cache=True)
    assert not helper_module.wanted(site, jobs=1, use_cache=True)
    assert not helper_module.wanted(site, jobs=0, use_cache=False)
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {0})
    assert not helper_module.wanted(site, jobs=0, use_cache=True)  # one core


def test_the_command_line_build_after_an_edit_matches_a_fresh_one(site: Path,
                                                                  tmp_path: Path) -> None:
    """`llmcourse build` starts its helper before anything else: a real process, end to end."""
    make_site(site)

    def cli(*args: str) -> None:
        done = subprocess.run([sys.executable, "-m", "llmcourse.cli", "build", str(site), *args],
                              capture_output=True, text=True, timeout=120, check=False)
        assert done.returncode == 0, done.stderr

    cli()
    lecture(site, 1, "Edited in {{ site.time | date: '%Y' }}; see [two](2025-09-02-l2.md).")
    cli()
    cli("-o", str(tmp_path / "fresh"), "--no-cache", "-j", "1")
    assert tree(site / "_site") == tree(tmp_path / "fresh")


def test_big_requests_and_answers_cross_without_a_deadlock(site: Path, tmp_path: Path) -> None:
    """The build sends the Markdown of 31 edited lectures (more than a pipe holds) before it
    reads the Liquid of 250 (more than a pipe holds too): the helper must go on reading."""
    filler = "Words of the lecture between its Liquid tags. " * 40
    text = "{{ page.title }} " + filler + "{{ page.title }}\n\n" + "More text. " * 3000

    def lectures(edit: str) -> None:
        for day in range(250):
            body = text + (edit if day < 31 else "")
            write(site / "content" / "lectures" / f"2025-01-01-l{day:03d}.md",
                  f"---\ntitle: Lecture {day}\n---\n{body}\n")

    def cli(*args: str) -> None:
        done = subprocess.run([sys.executable, "-m", "llmcourse.cli", "build", str(site), *args],
                              capture_output=True, text=True, timeout=120, check=False)
        assert done.returncode == 0, done.stderr

    lectures("")
    cli()
    lectures("Edited.")
    cli()  # (a deadlock would time out here)
    cli("-o", str(tmp_path / "fresh"), "--no-cache", "-j", "1")
    assert tree(site / "_site") == tree(tmp_path / "fresh")

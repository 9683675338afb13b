"""``llmcourse check`` on real sites in folders, through the real CLI; ``build --strict``."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import write

from llmcourse.check import check_site
from llmcourse.cli import cli

FIXTURE = Path(__file__).parent / "fixtures" / "check_site"


@pytest.fixture
def fixture_site(tmp_path: Path) -> Path:
    """A copy, so whatever a build may cache never lands in the repository."""
    return Path(shutil.copytree(FIXTURE, tmp_path / "check_site"))


def run(*args: str):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def lecture(site: Path, name: str, body: str, front: str = "") -> Path:
    return write(site / "content" / "lectures" / name, f"---\ntitle: T\n{front}---\n{body}")


def test_fixture_site_reports_each_mistake_at_its_line(fixture_site: Path) -> None:
    result = run("check", str(fixture_site))
    assert result.stdout == (FIXTURE / "expected.txt").read_text(encoding="utf-8")
    assert result.exit_code == 1


def test_json_format_is_one_object_per_finding(fixture_site: Path) -> None:
    result = run("check", str(fixture_site), "--format", "json")
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    expected = (FIXTURE / "expected.txt").read_text(encoding="utf-8").splitlines()[:-1]
    assert len(rows) == len(expected)
    assert {tuple(row) for row in rows} == {("path", "line", "level", "message", "hint")}
    mojibake = next(r for r in rows if r["path"] == "content/notes/mojibake.md")
    assert mojibake == {
        "path": "content/notes/mojibake.md", "line": 6, "level": "error",
        "message": "text looks mis-encoded (UTF-8 read as Windows-1252)",
        "hint": "repair it with: llmcourse fix-encoding content/notes/mojibake.md"}
    cjk = next(r for r in rows if "不存在" in r["message"])
    assert (cjk["line"], cjk["level"], cjk["hint"]) == (9, "error", None)
    assert result.exit_code == 1


def test_github_format_prints_escaped_annotations(fixture_site: Path) -> None:
    result = run("check", str(fixture_site), "--format", "github")
    lines = result.stdout.splitlines()
    assert len(lines) == len((FIXTURE / "expected.txt").read_text().splitlines()) - 1
    assert all(re.match(r"^::(error|warning) file=[^:,]+,line=\d+::", line) for line in lines)
    assert ("::warning file=content/lectures/2024-01-01-first.md,line=3::unknown front-matter "
            "key 'catagories' (did you mean 'categories'?)") in lines
    assert ("::error file=content/notes/notes.md,line=3::output URL /same/ is also produced by "
            "content/notes/copy.md") in lines
    assert result.exit_code == 1


def test_clean_site_exits_0(site: Path) -> None:
    lecture(site, "2024-01-01-a.md", "## 簡介\n\n[b](2024-01-02-b.md#part) [self](#簡介)\n")
    lecture(site, "2024-01-02-b.md", "## Part\n\n![a cat](cat.png)\n")
    write(site / "content" / "lectures" / "cat.png", b"\x89PNG\r\n\x1a\n")
    before = _files(site)
    result = run("check", str(site))
    assert result.stdout == "0 errors, 0 warnings\n"
    assert result.exit_code == 0
    assert _files(site) == before  # nothing written (but the build's caches)


def _files(site: Path) -> list[Path]:
    return sorted(p for p in site.rglob("*") if ".llmcourse-cache" not in p.parts)


def test_warnings_alone_exit_0(site: Path) -> None:
    lecture(site, "2024-01-01-a.md", "Text.\n\n![](cat.png)\n\n![](cat.png)\n")
    write(site / "content" / "lectures" / "cat.png", b"\x89PNG\r\n\x1a\n")
    result = run("check", str(site))
    assert result.stdout == ("content/lectures/2024-01-01-a.md:6: warning: 2 images without alt "
                             "text (describe each image: ![what it shows](url))\n"
                             "0 errors, 1 warning\n")
    assert result.exit_code == 0


def test_http_resources_only_matter_on_https_sites(site: Path) -> None:
    lecture(site, "2024-01-01-a.md", '<iframe src="http://example.com/x"></iframe>\n')
    assert check_site(site) == []
    write(site / "site.yaml", "title: T\nurl: https://example.org\n")
    [finding] = check_site(site)
    assert (finding.line, finding.level) == (4, "warning")
    assert "http://example.com/x" in finding.message


def test_links_respect_baseurl_and_report_drafts(site: Path) -> None:
    write(site / "site.yaml", "title: T\nbaseurl: /AI-course\n")
    lecture(site, "2024-01-01-a.md",
            "[in](/AI-course/lectures/b/)\n[also](/lectures/b/)\n[draft](/lectures/c/)\n"
            "[out](/other-course/x/)\n")
    lecture(site, "2024-01-02-b.md", "B\n")
    lecture(site, "2024-01-03-c.md", "C\n", front="draft: true\n")
    found = [(d.line, d.message, d.hint) for d in check_site(site)]
    assert found == [
        (6, "link to '/lectures/c/': that page is a draft and not published",
         "build with --drafts to publish it, or remove the link"),
        (7, "link to '/other-course/x/': no such page", None),
    ]


def test_anchor_hint_suggests_the_nearest_id(site: Path) -> None:
    lecture(site, "2024-01-01-a.md", "## Attention Is All You Need\n\n[x](#attention-is-all)\n")
    [finding] = check_site(site)
    assert finding.hint == "did you mean '#attention-is-all-you-need'?"


def test_broken_config_is_reported_without_a_traceback(site: Path) -> None:
    write(site / "site.yaml", "title: [unclosed\n")
    result = run("check", str(site))
    assert result.stdout.startswith("site.yaml:2: error: invalid YAML")
    assert result.exit_code == 1


def test_build_strict_fails_on_warnings_and_writes_nothing(site: Path) -> None:
    lecture(site, "2024-01-01-a.md", "Fine.\n", front="catagories: [x]\n")
    write(site / "site.yaml", "title: T\ntitel: typo\n")  # an unknown site.yaml key: a warning
    out = site.parent / "out"
    strict = run("build", str(site), "-o", str(out), "--strict")
    assert strict.exit_code == 1
    assert "site.yaml:2: warning:" in strict.stderr
    assert "--strict; nothing was written" in strict.stderr
    assert not out.exists()
    relaxed = run("build", str(site), "-o", str(out))
    assert relaxed.exit_code == 0
    assert (out / "lectures" / "a" / "index.html").exists()

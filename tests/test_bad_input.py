"""Every kind of bad input: one line ``path:line: message``, all of them, exit 1, no traceback,
and the previous output left exactly as it was."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import write
from llmcourse.cli import cli

GOOD = "---\ntitle: Good\n---\nfine\n"

CASES = {
    "broken_yaml": ("content/lectures/2025-01-01-a.md", "---\ntitle: [unclosed\nlayout: post\n---\nx\n",
                    "content/lectures/2025-01-01-a.md:3: invalid front matter"),
    "unclosed_front_matter": ("content/b.md", "---\ntitle: B\nno end\n",
                              "content/b.md:1: front matter starts with '---' but is never closed"),
    "control_character": ("content/i.md", "---\ntitle: I\ndescription: bell\x07\n---\nx\n",
                          "content/i.md:3: invalid front matter: control character U+0007 is not allowed"),
    "invalid_date": ("content/lectures/c.md", "---\ntitle: C\ndate: 2025-02-30\n---\nx\n",
                     "content/lectures/c.md:3: invalid date '2025-02-30'"),
    "unknown_layout": ("content/d.md", "---\ntitle: D\nlayout: fancy\n---\nx\n",
                       "content/d.md:3: unknown layout 'fancy'"),
    "liquid_syntax": ("content/e.md", "---\ntitle: E\n---\nline 4\n{% if %}\n",
                      "content/e.md:5: "),
    "undecodable": ("content/f.md", b"\xff\xfe\x00\x00\x01\x02garbage\x00\x00",
                    "content/f.md:1: "),
    "binary_md": ("content/g.md", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x10",
                  "content/g.md:1: binary data"),
    "duplicate_url": ("content/lectures/2025-03-01-same.md", "---\npermalink: /clash/\n---\nx\n",
                      "content/other.md:3: output URL /clash/ is also produced by "
                      "content/lectures/2025-03-01-same.md"),
    "escaping_permalink": ("content/h.md", "---\npermalink: /../../x/\n---\n",
                           "content/h.md:2: permalink '/../../x/' leads outside the output folder"),
}


def make_site(root: Path) -> Path:
    write(root / "site.yaml", "title: Bad input\n")
    write(root / "content/other.md", "---\ntitle: Other\npermalink: /clash/\n---\nx\n")
    write(root / "content/good.md", GOOD)
    return root


@pytest.mark.parametrize("name", sorted(CASES))
def test_each_bad_input_is_one_clear_line_and_keeps_previous_output(tmp_path: Path, name: str) -> None:
    site = make_site(tmp_path / "site")
    (site / "content/other.md").write_text("---\ntitle: Other\n---\nx\n")  # no clash yet
    first = CliRunner().invoke(cli, ["build", str(site)])
    assert first.exit_code == 0, first.output
    before = {p: p.read_bytes() for p in (site / "_site").rglob("*") if p.is_file()}

    (site / "content/other.md").write_text("---\ntitle: Other\npermalink: /clash/\n---\nx\n")
    path, text, expected = CASES[name]
    write(site / path, text)
    result = CliRunner().invoke(cli, ["build", str(site)])
    assert result.exit_code == 1
    assert "Traceback" not in result.output + result.stderr
    errors = [line for line in result.stderr.splitlines() if ": error:" in line or
              (expected in line)]
    assert any(expected in line for line in errors), result.stderr
    after = {p: p.read_bytes() for p in (site / "_site").rglob("*") if p.is_file()}
    assert after == before


def test_all_errors_of_a_build_are_reported(tmp_path: Path) -> None:
    site = make_site(tmp_path / "site")
    for path, text, _ in CASES.values():
        write(site / path, text)
    result = CliRunner().invoke(cli, ["build", str(site)])
    assert result.exit_code == 1
    for _, _, expected in CASES.values():
        assert expected in result.stderr, expected
    assert not (site / "_site").exists()


def test_debug_shows_the_traceback(tmp_path: Path) -> None:
    site = make_site(tmp_path / "site")
    write(site / "content/b.md", "---\ntitle: B\n")
    result = CliRunner().invoke(cli, ["build", str(site), "--debug"])
    assert result.exit_code != 0 and result.exception is not None


def test_broken_site_yaml(tmp_path: Path) -> None:
    site = make_site(tmp_path / "site")
    write(site / "site.yaml", "title: x\nnav: [\n")
    result = CliRunner().invoke(cli, ["build", str(site)])
    assert result.exit_code == 1
    assert result.stderr.startswith("site.yaml:")
    assert "invalid YAML" in result.stderr


def test_unreadable_output_folder_is_one_line(tmp_path: Path) -> None:
    site = make_site(tmp_path / "site")
    blocker = write(tmp_path / "file-not-folder", "x")
    result = CliRunner().invoke(cli, ["build", str(site), "-o", str(blocker / "out")])
    assert result.exit_code == 1
    assert "Traceback" not in result.stderr and len(result.stderr.strip().splitlines()) == 1


def test_template_error_while_rendering_leaves_output_and_no_staging(tmp_path: Path) -> None:
    """Pages are staged on disk while a build renders; a template that fails halfway through
    the pages leaves OUT exactly as it was, and no staging folder behind."""
    site = make_site(tmp_path / "site")
    (site / "content/other.md").write_text("---\ntitle: Other\n---\nx\n")
    for day in range(1, 6):
        write(site / f"content/lectures/2025-01-0{day}-l{day}.md",
              f"---\ntitle: L{day}\n---\nLecture {day}.\n")
    assert CliRunner().invoke(cli, ["build", str(site)]).exit_code == 0
    before = {p: p.read_bytes() for p in (site / "_site").rglob("*") if p.is_file()}

    for day in range(1, 6):  # every page changes, so each one is staged before the failure
        write(site / f"content/lectures/2025-01-0{day}-l{day}.md",
              f"---\ntitle: L{day}\n---\nLecture {day}, edited.\n")
    write(site / "templates/home.html", "{% extends 'base.html' %}{% block main %}"
          "{{ site.no_such_setting.deeper }}{% endblock %}\n")
    result = CliRunner().invoke(cli, ["build", str(site)])
    assert result.exit_code == 1
    assert result.output.startswith("templates/home.html:1: template error while rendering /")
    assert "Traceback" not in result.output
    assert not (site / "_site/.llmcourse-staging").exists()
    after = {p: p.read_bytes() for p in (site / "_site").rglob("*") if p.is_file()}
    assert after == before


def test_the_same_bad_liquid_in_two_lectures_is_reported_where_each_has_it(
        tmp_path: Path) -> None:
    """A span that sees only the site renders once for all the lectures that have it; its
    error is still reported for each of them, at its own line."""
    site = make_site(tmp_path / "site")
    (site / "content/other.md").write_text("---\ntitle: Other\n---\nx\n")
    bad = "{{ site.title | nosuchfilter }}"
    write(site / "content/lectures/2025-01-01-a.md", f"---\ntitle: A\n---\nText.\n{bad}\n")
    write(site / "content/lectures/2025-01-02-b.md", f"---\ntitle: B\n---\n#\n\nText.\n{bad}\n")
    result = CliRunner().invoke(cli, ["build", str(site)])
    assert result.exit_code == 1
    lines = [line.split(": ", 1)[0] for line in result.stderr.splitlines()
             if "nosuchfilter" in line]
    assert lines == ["content/lectures/2025-01-01-a.md:5", "content/lectures/2025-01-02-b.md:7"]

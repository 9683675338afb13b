"""``llmcourse serve`` as a user runs it: a real process, Ctrl-C, the terminal output."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

from click.testing import CliRunner
from serve_helpers import make_site, raw_request, write

from llmcourse.cli import cli

URL = re.compile(r"Serving .* at http://([\d.]+):(\d+)(/\S*)")


def start(site: Path, *args: str) -> tuple[subprocess.Popen[str], str, int]:
    proc = subprocess.Popen(
        [sys.executable, "-c", "from llmcourse.cli import main; main()", "serve", str(site),
         "--port", "0", *args],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"})
    assert proc.stdout is not None
    lines = []
    for line in proc.stdout:
        lines.append(line)
        if match := URL.search(line):
            return proc, match.group(3), int(match.group(2))
    proc.kill()
    raise AssertionError("no 'Serving' line:\n" + "".join(lines) + proc.stderr.read())


def stop(proc: subprocess.Popen[str]) -> tuple[float, str, str]:
    started = time.monotonic()
    proc.send_signal(signal.SIGINT)
    try:
        out, err = proc.communicate(timeout=5)
    except subprocess.TimeoutExpired:
        proc.kill()
        out, err = proc.communicate()
    return time.monotonic() - started, out, err


def test_ctrl_c_exits_cleanly_within_a_second(tmp_path: Path) -> None:
    site = make_site(tmp_path / "site")
    proc, base, port = start(site)
    assert base == "/AI-course/"
    status, _, body = raw_request(port, "/AI-course/lectures/first/")
    assert status == 200 and b"The first lecture." in body
    assert not (site / "_site").exists()  # the preview never touches the published build
    seconds, out, err = stop(proc)
    assert proc.returncode == 0 and seconds < 2, (seconds, err)
    assert "Traceback" not in err + out and "Stopped." in out


def test_errors_print_path_line_message_and_the_server_goes_on(tmp_path: Path) -> None:
    site = make_site(tmp_path / "site")
    proc, _, port = start(site)
    write(site / "content/lectures/2024-01-01-first.md", "---\ntitle: [oops\n---\n")
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:  # the overlay appears once the rebuild failed
        if b"<div id=\"llmcourse-error-overlay\"" in raw_request(port, "/AI-course/")[2]:
            break
        time.sleep(0.1)
    assert raw_request(port, "/AI-course/lectures/first/")[0] == 200
    _, _, err = stop(proc)
    assert re.search(r"^content/lectures/2024-01-01-first\.md:2: (error: )?invalid front matter", err, re.MULTILINE), err
    assert "still serving the last good site" in err and "Traceback" not in err


def test_other_address_warns_that_it_is_a_development_server(tmp_path: Path) -> None:
    proc, _, _ = start(make_site(tmp_path / "site"), "--host", "0.0.0.0")
    _, _, err = stop(proc)
    assert "development server" in err


def test_help_has_an_example() -> None:
    result = CliRunner().invoke(cli, ["serve", "--help"])
    assert result.exit_code == 0
    for text in ("--port", "--host", "--open / --no-open", "--drafts", "--future",
                 "llmcourse serve"):
        assert text in result.output

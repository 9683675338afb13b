"""``llmcourse check --external`` against a real HTTP server on 127.0.0.1 (never the internet)."""

from __future__ import annotations

import http.server
import json
import threading
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import write

from llmcourse.check import check_site
from llmcourse.check_external import CACHE_FILE, FetchOptions, check_urls
from llmcourse.cli import cli


class Server:
    """Counts requests per (method, path) and the most requests it served at once."""

    def __init__(self) -> None:
        self.requests: Counter[tuple[str, str]] = Counter()
        self.active = 0
        self.most_active = 0
        self.lock = threading.Lock()
        owner = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_HEAD(self) -> None:
                owner.answer(self, "HEAD")

            def do_GET(self) -> None:
                owner.answer(self, "GET")

            def log_message(self, *args: object) -> None:
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.base = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05},
                         daemon=True).start()

    def answer(self, handler: http.server.BaseHTTPRequestHandler, method: str) -> None:
        path = handler.path
        with self.lock:
            self.requests[(method, path)] += 1
            self.active += 1
            self.most_active = max(self.most_active, self.active)
        try:
            status, location = self.route(method, path)
        finally:
            # no longer active before the answer leaves: the client may send its next request
            # the moment it has this one's answer, and that must not count as a third at once
            with self.lock:
                self.active -= 1
        handler.send_response(status)
        if location:
            handler.send_header("Location", location)
        handler.send_header("Content-Length", "0")
        handler.end_headers()

    def route(self, method: str, path: str) -> tuple[int, str]:
        if path == "/ok":
            return 200, ""
        if path == "/no-head":
            return (405 if method == "HEAD" else 200), ""
        if path == "/moved":
            return 301, "/ok"
        if path == "/moved-away":
            return 302, "/gone"
        if path.startswith("/slow/"):
            # hold each request until a second one is in flight (or 2 s passed), so a checker
            # that allows two at a time shows it whatever the machine's load
            deadline = time.monotonic() + 2
            while self.active < 2 and time.monotonic() < deadline:
                time.sleep(0.01)
            time.sleep(0.05)
            return 200, ""
        if path == "/hang":
            time.sleep(1.5)
            return 200, ""
        return 404, ""

    def count(self, path: str) -> int:
        return sum(n for (_, p), n in self.requests.items() if p == path)


@pytest.fixture
def server() -> Iterator[Server]:
    srv = Server()
    yield srv
    srv.httpd.shutdown()
    srv.httpd.server_close()


@pytest.fixture(autouse=True)
def no_proxy(monkeypatch: pytest.MonkeyPatch) -> None:
    """A proxy from the environment must not stand between us and 127.0.0.1."""
    for name in ("http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY", "all_proxy",
                 "ALL_PROXY"):
        monkeypatch.delenv(name, raising=False)


def linking_site(site: Path, base: str, paths: list[str]) -> Path:
    links = "\n".join(f"[link {i}]({base}{p})" for i, p in enumerate(paths))
    write(site / "content" / "lectures" / "2024-01-01-a.md", f"---\ntitle: A\n---\n{links}\n")
    return site


FAST = FetchOptions(timeout=0.5, workers=8, per_host=2)


def test_broken_links_are_warnings_and_answers_are_cached(site: Path, server: Server) -> None:
    paths = ["/ok", "/gone", "/no-head", "/moved", "/moved-away", "/hang"]
    linking_site(site, server.base, paths)
    found = [(d.line, d.level, d.message) for d in check_site(site, external=True, fetch=FAST)]
    assert found == [
        (5, "warning", f"link {server.base}/gone returned 404"),
        (8, "warning", f"link {server.base}/moved-away returned 404"),
        (9, "warning", f"link {server.base}/hang failed: no answer within 0.5 s"),
    ]
    assert server.requests[("HEAD", "/ok")] == 2  # once linked, once the end of /moved
    assert server.requests[("GET", "/ok")] == 0  # redirects keep the HEAD: no download
    assert server.requests[("GET", "/no-head")] == 1  # 405 on HEAD -> GET
    assert server.requests[("GET", "/gone")] == 0  # a 404 needs no second look
    cache = json.loads((site / CACHE_FILE).read_text())
    assert cache[f"{server.base}/gone"]["status"] == 404
    assert f"{server.base}/hang" not in cache  # no answer is not cached: maybe the network

    before = server.requests.copy()
    again = [(d.line, d.message) for d in check_site(site, external=True, fetch=FAST)]
    assert again == [(line, message) for line, _, message in found]
    asked = server.requests - before
    assert {path for _, path in asked} == {"/hang"}  # everything else came from the cache


def test_a_day_old_cache_is_asked_again(tmp_path: Path, server: Server) -> None:
    cache = tmp_path / "external.json"
    url = f"{server.base}/ok"
    check_urls([url], cache, FAST, now=1_000_000.0)
    check_urls([url], cache, FAST, now=1_000_000.0 + 23 * 3600)
    assert server.count("/ok") == 1
    result = check_urls([url], cache, FAST, now=1_000_000.0 + 25 * 3600)
    assert server.count("/ok") == 2
    assert result[url].status == 200 and not result[url].broken


def test_at_most_two_requests_at_a_time_per_host(tmp_path: Path, server: Server) -> None:
    urls = [f"{server.base}/slow/{i}" for i in range(6)]
    patient = FetchOptions(timeout=5, workers=8, per_host=2)
    results = check_urls(urls, tmp_path / "external.json", patient)
    assert all(r.status == 200 for r in results.values())
    assert server.most_active == 2  # concurrent, but never more than per_host


def test_without_external_there_is_no_network(site: Path, server: Server) -> None:
    linking_site(site, server.base, ["/gone"])
    assert check_site(site) == []
    assert server.requests == Counter()
    assert not (site / CACHE_FILE).exists()


def test_cli_external_in_json(site: Path, server: Server) -> None:
    linking_site(site, server.base, ["/ok", "/gone"])
    result = CliRunner().invoke(cli, ["check", str(site), "--external", "--format", "json"])
    [row] = [json.loads(line) for line in result.stdout.splitlines()]
    assert row == {"path": "content/lectures/2024-01-01-a.md", "line": 5, "level": "warning",
                   "message": f"link {server.base}/gone returned 404", "hint": None}
    assert result.exit_code == 0  # broken external links are warnings

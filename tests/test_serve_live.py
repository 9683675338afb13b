"""Saves, live-reload streams and the error overlay, with a real watcher, builder and sockets."""

from __future__ import annotations

import os
import socket
import struct
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from serve_helpers import LECTURE, SseClient, make_site, raw_request, serving, write

from llmcourse.serve import DevServer
from llmcourse.serve.watcher import ChangeKind, Changes, Debouncer, WatchRoots, classify

FIRST = "content/lectures/2024-01-01-first.md"
OVERLAY = b'<div id="llmcourse-error-overlay"'


@pytest.fixture
def dev(tmp_path: Path) -> Iterator[DevServer]:
    with serving(DevServer(make_site(tmp_path / "site"), port=0, heartbeat=0.5)) as server:
        yield server


def page(dev: DevServer, url: str) -> tuple[int, bytes]:
    status, _, body = raw_request(dev.port, url)
    return status, body


def wait_build(client: SseClient, build: int) -> dict:
    """Wait for the reload event of the finished build ``build`` (after the early ones)."""
    while True:
        event = client.next("reload")
        if event["build"] >= build:
            return event


def edit(dev: DevServer, rel: str, body: str, *, title: str = "First", day: int = 1) -> Path:
    return write(dev.site_dir / rel, LECTURE.format(title=title, day=day, body=body))


def test_save_rebuilds_and_streams_the_changed_urls(dev: DevServer) -> None:
    client = SseClient(dev.port)
    try:
        hello = client.next("hello")
        assert hello["build"] == 1 and hello["errors"] == []
        edit(dev, FIRST, "Edited text.")
        first = client.next("reload")  # the saved lecture's own pages, before the rest
        assert first["urls"] == ["/AI-course/lectures/first/"]
        assert b"Edited text." in page(dev, "/AI-course/lectures/first/")[1]
        rest = client.next("reload")  # then the pages that list it (home, its tag)
        assert rest["build"] == 2 and not rest["all"]
        assert {"/AI-course/", "/AI-course/tags/ai/", "/AI-course/lectures/first/slides/"
                } <= set(rest["urls"])
        announced = set(first["urls"]) | set(rest["urls"])
        assert "/AI-course/lectures/second/" not in announced  # an untouched page stays
        assert "/AI-course/lectures/first/" not in rest["urls"]  # one reload per page
    finally:
        client.close()


def test_one_save_rerenders_only_what_depends_on_it(dev: DevServer) -> None:
    client = SseClient(dev.port)
    try:
        client.next("hello")
        untouched = dev.site.root / "lectures/second/index.html"
        stamp = untouched.stat().st_mtime_ns
        before = dev.site.last
        edit(dev, FIRST, "Only the text changes.")
        wait_build(client, 2)
        deadline = time.monotonic() + 10  # the outcome is recorded just after the event
        while dev.site.last is before and time.monotonic() < deadline:
            time.sleep(0.01)
        result = dev.site.last.result
        assert result is not None
        assert "lectures/second/index.html" not in result.written
        assert "notes/guide/index.html" not in result.written
        assert untouched.stat().st_mtime_ns == stamp
        total = len(dev.site.builder._render_state.outputs)
        assert 0 < result.rendered + 2 <= total / 2  # +2: the lecture and slides, first
    finally:
        client.close()


def test_css_change_is_announced_as_css(dev: DevServer) -> None:
    client = SseClient(dev.port)
    try:
        client.next("hello")
        write(dev.site_dir / "static/style.css", "body{color:red}")
        event = client.next("reload")
        assert event["css"] == ["/AI-course/style.css"] and event["urls"] == []
        assert page(dev, "/AI-course/style.css")[1] == b"body{color:red}"
    finally:
        client.close()


def test_save_with_many_events_is_one_rebuild(tmp_path: Path) -> None:
    """One save fires several events (truncate, each written chunk, close): one rebuild."""
    root = make_site(tmp_path / "site")
    with DevServer(root, port=0, debounce=0.3) as dev:
        dev.start()
        dev.start_background()
        client = SseClient(dev.port)
        client.next("hello")
        before = dev.site.attempts
        text = LECTURE.format(title="First", day=1, body="Written in chunks. " * 200)
        with open(dev.site_dir / FIRST, "w", encoding="utf-8") as fh:
            for start in range(0, len(text), 1000):  # an editor writing a big file in parts
                fh.write(text[start:start + 1000])
                fh.flush()
                os.fsync(fh.fileno())
                time.sleep(0.01)
        wait_build(client, 2)
        time.sleep(0.6)  # longer than the quiet time: a second rebuild would have run
        assert dev.site.attempts == before + 1
        assert client.events.empty()
        assert b"Written in chunks." in page(dev, "/AI-course/lectures/first/")[1]
        client.close()


@pytest.mark.parametrize("how", ["write", "rename"])
def test_finished_save_does_not_wait_for_the_quiet_time(tmp_path: Path, how: str) -> None:
    """watchdog's close-after-write and rename-into-place events end the save: with a quiet
    time of 10 s, the reload still comes at once."""
    root = make_site(tmp_path / "site")
    with DevServer(root, port=0, debounce=10.0) as dev:
        dev.start()
        dev.start_background()
        client = SseClient(dev.port)
        client.next("hello")
        target = dev.site_dir / FIRST
        text = LECTURE.format(title="First", day=1, body=f"Saved by {how}.")
        sent = time.monotonic()
        if how == "write":
            target.write_text(text, encoding="utf-8")
        else:
            temp = target.with_name(".first.md.tmp-save")
            temp.write_text(text, encoding="utf-8")
            os.replace(temp, target)
        wait_build(client, 2)
        assert time.monotonic() - sent < 5.0
        assert f"Saved by {how}.".encode() in page(dev, "/AI-course/lectures/first/")[1]
        client.close()


def test_debouncer_waits_for_quiet() -> None:
    batches: list[Changes] = []
    done = threading.Event()
    debouncer = Debouncer(lambda c: (batches.append(c), done.set()), quiet=0.2)
    try:
        for name in ("a.md", "b.md", "a.md"):
            debouncer.add(Path(name), ChangeKind.CONTENT)
            time.sleep(0.02)
        debouncer.add(Path("t.html"), ChangeKind.TEMPLATES)
        assert done.wait(5)
        time.sleep(0.3)
        assert len(batches) == 1
        assert batches[0].paths == {Path("a.md"), Path("b.md"), Path("t.html")}
        assert batches[0].kind is ChangeKind.TEMPLATES
    finally:
        debouncer.stop()


def test_debouncer_goes_at_once_when_a_save_is_finished() -> None:
    """A closed write or a rename into place ends the save: no quiet spell to wait for."""
    batches: list[tuple[float, Changes]] = []
    done = threading.Event()
    debouncer = Debouncer(lambda c: (batches.append((time.monotonic(), c)), done.set()),
                          quiet=5.0)
    try:
        debouncer.add(Path("a.md"), ChangeKind.CONTENT)  # modified: more may follow
        time.sleep(0.1)
        assert not done.is_set()
        sent = time.monotonic()
        debouncer.add(Path("a.md"), ChangeKind.CONTENT, finished=True)
        assert done.wait(2)
        assert batches[0][0] - sent < 1.0  # far less than the 5 s quiet time
        assert batches[0][1].paths == {Path("a.md")}
    finally:
        debouncer.stop()


def test_debouncer_event_after_a_finished_one_waits_again() -> None:
    """A save that goes on after one file closed (a second file of the same change) is
    still gathered: a new unfinished event restarts the quiet wait."""
    batches: list[Changes] = []
    debouncer = Debouncer(batches.append, quiet=0.3, settle=0.1)
    try:
        debouncer.add(Path("a.md"), ChangeKind.CONTENT, finished=True)
        debouncer.add(Path("b.md"), ChangeKind.CONTENT)
        time.sleep(0.15)  # past the settle time, within the quiet time
        assert batches == []
        time.sleep(0.5)
        assert len(batches) == 1 and batches[0].paths == {Path("a.md"), Path("b.md")}
    finally:
        debouncer.stop()


def test_editor_temp_files_are_ignored(dev: DevServer) -> None:
    lectures = dev.site_dir / "content/lectures"
    before = dev.site.attempts
    for name in (".2024-01-01-first.md.swp", "2024-01-01-first.md~", "4913",
                 ".#2024-01-01-first.md", "2024-01-01-first.md.tmp"):
        write(lectures / name, "junk")
    write(dev.site_dir / "_site/index.html", "a published build beside the sources")
    time.sleep(0.5)
    assert dev.site.attempts == before
    edit(dev, FIRST, "A real save.")
    deadline = time.monotonic() + 15
    while dev.site.attempts == before and time.monotonic() < deadline:
        time.sleep(0.02)
    assert dev.site.attempts == before + 1


def test_classify_change_kinds(tmp_path: Path) -> None:
    roots = WatchRoots.for_site(tmp_path, [tmp_path / "out"])
    assert classify(tmp_path / "site.yaml", roots) is ChangeKind.CONFIG
    assert classify(tmp_path / "content/a.md", roots) is ChangeKind.CONTENT
    assert classify(tmp_path / "templates/post.html", roots) is ChangeKind.TEMPLATES
    assert classify(tmp_path / "static/x.css", roots) is ChangeKind.STATIC
    assert classify(tmp_path / "content/.a.md.swp", roots) is None
    assert classify(tmp_path / "content/.git/HEAD", roots) is None
    assert classify(tmp_path / "_site/index.html", roots) is None
    assert classify(tmp_path / "out/index.html", roots) is None
    assert classify(tmp_path / "README.md", roots) is None


def test_atomic_rename_save_is_detected(dev: DevServer) -> None:
    client = SseClient(dev.port)
    try:
        client.next("hello")
        target = dev.site_dir / FIRST
        temp = target.with_name(".first.md.vscode-new")  # written beside, renamed over
        temp.write_text(LECTURE.format(title="First", day=1, body="Renamed into place."))
        os.replace(temp, target)
        assert "/AI-course/lectures/first/" in client.next("reload")["urls"]
        assert b"Renamed into place." in page(dev, "/AI-course/lectures/first/")[1]
    finally:
        client.close()


def test_delete_gives_404_and_add_gives_a_new_page(dev: DevServer) -> None:
    client = SseClient(dev.port)
    try:
        client.next("hello")
        (dev.site_dir / "content/lectures/2024-01-02-second.md").unlink()
        event = client.next("reload")
        assert "/AI-course/lectures/second/" in event["urls"]
        assert page(dev, "/AI-course/lectures/second/")[0] == 404
        edit(dev, "content/lectures/2024-01-03-third.md", "Brand new.", title="Third", day=3)
        assert "/AI-course/lectures/third/" in client.next("reload")["urls"]
        status, body = page(dev, "/AI-course/lectures/third/")
        assert status == 200 and b"Brand new." in body
    finally:
        client.close()


def test_content_error_keeps_last_good_site_and_shows_overlay(dev: DevServer) -> None:
    client = SseClient(dev.port)
    try:
        client.next("hello")
        write(dev.site_dir / FIRST, "---\ntitle: [unclosed\n---\n\nBroken.\n")
        failed = client.next("failed")
        assert any(e.startswith(f"{FIRST}:2: ") for e in failed["errors"]), failed
        status, body = page(dev, "/AI-course/lectures/first/")
        assert status == 200 and b"The first lecture." in body  # the last good page
        assert OVERLAY in body and FIRST.encode() in body
        assert OVERLAY in page(dev, "/AI-course/nope/")[1]  # 404s too
        late = SseClient(dev.port)  # a tab opened now learns about the error at once
        assert late.next("hello")["errors"] == failed["errors"]
        late.close()
        edit(dev, FIRST, "Fixed.")
        wait_build(client, 2)
        status, body = page(dev, "/AI-course/lectures/first/")
        assert b"Fixed." in body and OVERLAY not in body
    finally:
        client.close()


def test_template_change_rebuilds_every_page(dev: DevServer) -> None:
    client = SseClient(dev.port)
    try:
        client.next("hello")
        from llmcourse.theme import theme_root

        post = (theme_root() / "templates/post.html").read_text(encoding="utf-8")
        write(dev.site_dir / "templates/post.html", post.replace("</article>",
                                                                   "<p>OVERRIDE</p></article>", 1))
        event = client.next("reload", timeout=30)
        assert {"/AI-course/lectures/first/", "/AI-course/lectures/second/"} <= set(event["urls"])
        assert b"OVERRIDE" in page(dev, "/AI-course/lectures/second/")[1]
        # templates/ did not exist at the start: it is watched from its creation on
        write(dev.site_dir / "templates/post.html", post.replace("</article>",
                                                                   "<p>AGAIN</p></article>", 1))
        event = client.next("reload", timeout=30)
        assert "/AI-course/lectures/second/" in event["urls"]
        assert b"AGAIN" in page(dev, "/AI-course/lectures/second/")[1]
    finally:
        client.close()


def test_hundred_concurrent_clients(dev: DevServer) -> None:
    clients: list[SseClient] = []
    results: list[int] = []
    lock = threading.Lock()

    def tab() -> None:
        client = SseClient(dev.port, timeout=30)
        with lock:
            clients.append(client)
        client.next("hello", timeout=30)
        status, body = page(dev, "/AI-course/lectures/second/")
        with lock:
            results.append(status if b"The second lecture." in body else -status)

    threads = [threading.Thread(target=tab) for _ in range(100)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    try:
        assert results == [200] * 100
        deadline = time.monotonic() + 10
        while dev.hub.clients < 100 and time.monotonic() < deadline:
            time.sleep(0.02)
        assert dev.hub.clients == 100
        edit(dev, FIRST, "Everyone hears of this.")
        for client in clients:  # every open stream gets the news
            assert "/AI-course/lectures/first/" in client.next("reload", timeout=30)["urls"]
    finally:
        for client in clients:
            client.close()


def test_clients_vanishing_mid_stream_do_not_break_the_server(dev: DevServer) -> None:
    doomed = [SseClient(dev.port) for _ in range(10)]
    for client in doomed:
        client.next("hello")
    for client in doomed:  # hang up hard (RST), as a killed tab does
        client.sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        client.close()
    survivor = SseClient(dev.port)
    try:
        survivor.next("hello")
        edit(dev, FIRST, "After the hang-ups.")
        assert survivor.next("reload")
        deadline = time.monotonic() + 5  # heartbeats (0.5 s here) find the dead streams
        while dev.hub.clients > 1 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert dev.hub.clients == 1
        assert page(dev, "/AI-course/lectures/first/")[0] == 200
    finally:
        survivor.close()


def test_shutdown_closes_open_streams(tmp_path: Path) -> None:
    dev = DevServer(make_site(tmp_path / "site"), port=0)
    dev.start()
    dev.start_background()
    client = SseClient(dev.port)
    client.next("hello")
    started = time.monotonic()
    dev.close()
    assert client.closed.wait(2)
    assert time.monotonic() - started < 2
    assert not dev.site.root.exists()  # the temporary build is gone
    client.close()

"""Helpers shared by the dev-server tests: a small site, raw HTTP, an SSE reader."""

from __future__ import annotations

import json
import queue
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from conftest import write  # noqa: F401 - the serve tests import it from here

from llmcourse.serve import DevServer

LECTURE = """---
title: {title}
date: 2024-01-0{day} 10:00:00 +0800
tags: [ai]
---

{body}
"""




@contextmanager
def serving(server: DevServer) -> Iterator[DevServer]:
    """A dev server built and serving in the background; closed afterwards."""
    try:
        assert server.start().ok
        server.start_background()
        yield server
    finally:
        server.close()


def make_site(root: Path, *, baseurl: str = "/AI-course") -> Path:
    """Two lectures, a page, a copied about.html and one static file of each tricky type."""
    write(root / "site.yaml", f"title: Serve Test\nbaseurl: {baseurl}\nsearch: false\n")
    write(root / "content/lectures/2024-01-01-first.md",
          LECTURE.format(title="First", day=1, body="The first lecture."))
    write(root / "content/lectures/2024-01-02-second.md",
          LECTURE.format(title="Second", day=2, body="The second lecture."))
    write(root / "content/notes/guide.md", "---\ntitle: Guide\n---\n\nA guide.\n")
    write(root / "content/about.html", "<!doctype html><title>About</title><body>About us</body>")
    for name, data in {"x.svg": "<svg xmlns='http://www.w3.org/2000/svg'/>",
                       "x.webp": b"RIFF0000WEBP", "data.json": "{}", "x.xml": "<x/>",
                       "font.woff2": b"wOF2", "app.js": "1;", "mod.mjs": "export {};",
                       "x.wasm": b"\0asm", "style.css": "body{}",
                       "search/en_1.pf_fragment": b"\x1f\x8b",
                       "search/en_1.pf_index": b"\x1f\x8b",
                       "search/pagefind-entry.json": "{}"}.items():
        write(root / "static" / name, data)
    return root


def raw_request(port: int, target: str, method: str = "GET", *, timeout: float = 10
                ) -> tuple[int, dict[str, str], bytes]:
    """Send the request line exactly as given (no client-side normalisation of the path)."""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as sock:
        sock.sendall(f"{method} {target} HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                     "Connection: close\r\n\r\n".encode("latin-1"))
        data = b""
        while chunk := sock.recv(65536):
            data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    headers = {}
    for line in lines[1:]:
        key, _, value = line.partition(":")
        headers[key.strip().lower()] = value.strip()
    return status, headers, body


class SseClient:
    """A live-reload stream over a real socket; events land in a queue."""

    def __init__(self, port: int, *, timeout: float = 10) -> None:
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=timeout)
        self.sock.sendall(b"GET /__llmcourse/events HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                          b"Accept: text/event-stream\r\n\r\n")
        self.events: queue.Queue[tuple[str, dict]] = queue.Queue()
        self.closed = threading.Event()
        self.headers = b""
        self._thread = threading.Thread(target=self._read, daemon=True)
        self._thread.start()

    def _read(self) -> None:
        buffer = b""
        try:
            while True:
                chunk = self.sock.recv(65536)
                if not chunk:
                    break
                buffer += chunk
                if not self.headers and b"\r\n\r\n" in buffer:
                    self.headers, _, buffer = buffer.partition(b"\r\n\r\n")
                while self.headers and b"\n\n" in buffer:
                    block, _, buffer = buffer.partition(b"\n\n")
                    fields = dict(line.split(": ", 1) for line in block.decode().splitlines()
                                  if ": " in line and not line.startswith(":"))
                    if "event" in fields:
                        self.events.put((fields["event"], json.loads(fields["data"])))
        except OSError:
            pass
        finally:
            self.closed.set()

    def next(self, name: str, timeout: float = 15) -> dict:
        """The next event called ``name`` (others before it are skipped)."""
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise AssertionError(f"no '{name}' event within {timeout} s")
            try:
                event, data = self.events.get(timeout=left)
            except queue.Empty:
                continue
            if event == name:
                return data

    def close(self) -> None:
        try:  # shutdown first: close() alone leaves the reader thread's recv holding it open
            self.sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        self.sock.close()
        self._thread.join(5)

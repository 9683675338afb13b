"""The HTTP side of the dev server: the built folder served the way GitHub Pages serves it.

Standard library only (``ThreadingHTTPServer``, daemon threads, as in MkDocs' livereload):
the site under its baseurl with a redirect from ``/``, ``index.html`` for folder URLs and a
redirect from ``/x`` to ``/x/``, ``/about`` from ``about.html``, the site's ``404.html`` with
status 404, ``Cache-Control: no-store`` everywhere. HTML responses get the live-reload script
(and the error overlay) on the way out; the files on disk never do.

Every request path is checked before it touches the disk (``resolve_request``): traversal in any
encoding, doubled slashes, backslashes and NUL bytes are refused, and the real path of whatever
is served (after symlinks) must lie inside the served folder.
"""

from __future__ import annotations

import mimetypes
import shutil
import socket
from dataclasses import dataclass
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Protocol
from urllib.parse import quote, unquote, urlsplit

from .livereload import EVENTS_PATH, Event, LiveReloadHub
from .overlay import inject

CONTENT_TYPES = {
    ".html": "text/html; charset=utf-8", ".htm": "text/html; charset=utf-8",
    ".css": "text/css; charset=utf-8", ".js": "text/javascript; charset=utf-8",
    ".mjs": "text/javascript; charset=utf-8", ".json": "application/json",
    ".map": "application/json", ".webmanifest": "application/manifest+json",
    ".xml": "application/xml", ".txt": "text/plain; charset=utf-8",
    ".md": "text/markdown; charset=utf-8", ".svg": "image/svg+xml", ".webp": "image/webp",
    ".avif": "image/avif", ".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg",
    ".gif": "image/gif", ".ico": "image/vnd.microsoft.icon", ".woff2": "font/woff2",
    ".woff": "font/woff", ".ttf": "font/ttf", ".otf": "font/otf", ".wasm": "application/wasm",
    ".pdf": "application/pdf", ".mp4": "video/mp4", ".webm": "video/webm",
    ".mp3": "audio/mpeg", ".zip": "application/zip",
}
_REDIRECT = HTTPStatus.FOUND  # temporary: a dev server's URLs should never be cached


def content_type(name: str) -> str:
    suffix = Path(name).suffix.lower()
    if suffix.startswith(".pf_"):  # Pagefind's index fragments are opaque binary
        return "application/octet-stream"
    if suffix in CONTENT_TYPES:
        return CONTENT_TYPES[suffix]
    guessed, _ = mimetypes.guess_type(name)
    return guessed or "application/octet-stream"


@dataclass(frozen=True)
class Resolved:
    status: int  # 200, 302 or 404
    file: Path | None = None
    location: str = ""


NOT_FOUND = Resolved(HTTPStatus.NOT_FOUND)


def _unsafe(path: str) -> bool:
    if "\\" in path or "\x00" in path or "//" in path or not path.startswith("/"):
        return True
    return any(part in (".", "..") for part in path.split("/"))


def resolve_request(root: Path, baseurl: str, target: str) -> Resolved:
    """Pure apart from reading the folder: what answers ``target`` (a request line's path)."""
    if target.startswith(("http://", "https://")):  # absolute-form request line
        target = urlsplit(target).path or "/"
    raw = target.split("?", 1)[0].split("#", 1)[0]
    # Check every decoding, so "%252e%252e" is refused like "%2e%2e" and "..".
    decoded, layer = raw, raw
    for _ in range(4):
        if _unsafe(layer):
            return NOT_FOUND
        try:
            deeper = unquote(layer, errors="strict") if "%" in layer else layer
        except UnicodeDecodeError:
            return NOT_FOUND
        if deeper == layer:
            break
        if layer is raw:
            decoded = deeper
        layer = deeper
    else:
        return NOT_FOUND
    if baseurl:
        if decoded in ("/", baseurl):
            return Resolved(_REDIRECT, location=quote(baseurl) + "/")
        if not decoded.startswith(baseurl + "/"):
            return NOT_FOUND
        decoded = decoded[len(baseurl):]
    return _find(root, decoded, raw)


def _find(root: Path, path: str, raw: str) -> Resolved:
    real_root = root.resolve()
    rel = path.lstrip("/")
    candidate = root / rel if rel else root
    if not _inside(candidate, real_root):
        return NOT_FOUND
    if candidate.is_dir():
        if not path.endswith("/"):
            return Resolved(_REDIRECT, location=raw + "/")
        candidate = candidate / "index.html"
    elif not candidate.is_file() and not path.endswith("/"):
        candidate = candidate.with_name(candidate.name + ".html")  # /about -> about.html
    if candidate.is_file() and _inside(candidate, real_root):
        return Resolved(HTTPStatus.OK, candidate)
    return NOT_FOUND


def _inside(path: Path, real_root: Path) -> bool:
    try:
        return path.resolve().is_relative_to(real_root)
    except (OSError, RuntimeError, ValueError):  # symlink loops, names too long
        return False


class ServedSite(Protocol):
    """What the handler needs from the live site (see ``serve.site.LiveSite``)."""

    root: Path
    baseurl: str
    hub: LiveReloadHub

    def snippet(self) -> bytes: ...
    def hello(self) -> Event: ...


class DevRequestHandler(BaseHTTPRequestHandler):
    server: DevHTTPServer
    protocol_version = "HTTP/1.1"  # keep-alive; every response has a length or closes
    timeout = 30  # an idle keep-alive connection gives its thread back
    server_version = "llmcourse-serve"

    def do_GET(self) -> None:
        self._respond(head=False)

    def do_HEAD(self) -> None:
        self._respond(head=True)

    def _respond(self, *, head: bool) -> None:
        site = self.server.site
        if self.path.split("?", 1)[0] == EVENTS_PATH:
            return self._events(site, head=head)
        found = resolve_request(site.root, site.baseurl, self.path)
        if found.status == _REDIRECT:
            self.send_response(found.status)
            self.send_header("Location", found.location)
            self._finish_headers(0)
            return
        if found.file is None:
            return self._not_found(site, head=head)
        self._send_file(found.file, HTTPStatus.OK, site, head=head)

    def _not_found(self, site: ServedSite, *, head: bool) -> None:
        page = site.root / "404.html"
        if page.is_file() and _inside(page, site.root.resolve()):
            return self._send_file(page, HTTPStatus.NOT_FOUND, site, head=head)
        body = inject(b"<!doctype html><title>Not found</title><body><h1>404 Not found</h1>"
                      b"</body>", site.snippet())
        self._send_bytes(HTTPStatus.NOT_FOUND, "text/html; charset=utf-8", body, head=head)

    def _send_file(self, path: Path, status: int, site: ServedSite, *, head: bool) -> None:
        kind = content_type(path.name)
        try:
            if kind.startswith("text/html"):
                body = inject(path.read_bytes(), site.snippet())
                return self._send_bytes(status, kind, body, head=head)
            handle = path.open("rb")
        except OSError:  # removed by a rebuild between the check and the read
            return self._send_bytes(HTTPStatus.NOT_FOUND, "text/plain; charset=utf-8",
                                    b"Not found\n", head=head)
        with handle:
            size = handle.seek(0, 2)
            handle.seek(0)
            self.send_response(status)
            self.send_header("Content-Type", kind)
            self._finish_headers(size)
            if not head:
                shutil.copyfileobj(handle, self.wfile)

    def _send_bytes(self, status: int, kind: str, body: bytes, *, head: bool) -> None:
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self._finish_headers(len(body))
        if not head:
            self.wfile.write(body)

    def _finish_headers(self, length: int) -> None:
        self.send_header("Content-Length", str(length))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()

    def _events(self, site: ServedSite, *, head: bool) -> None:
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", "text/event-stream; charset=utf-8")
        self.send_header("Cache-Control", "no-store")
        self.send_header("Connection", "close")  # the stream has no length: it ends by closing
        self.send_header("X-Accel-Buffering", "no")
        self.end_headers()
        self.close_connection = True
        if head:
            return
        self.connection.settimeout(None)  # quiet streams are normal; heartbeats find dead peers

        def write(data: bytes) -> None:
            self.wfile.write(data)

        site.hub.stream(write, site.hello())

    def log_message(self, format: str, *args: object) -> None:
        if self.server.verbose:
            super().log_message(format, *args)


class DevHTTPServer(ThreadingHTTPServer):
    daemon_threads = True  # a stuck client never holds up Ctrl-C
    block_on_close = False
    allow_reuse_address = True
    request_queue_size = 128  # a burst of 100+ tabs and streams connecting at once

    def __init__(self, address: tuple[str, int], site: ServedSite, *, verbose: bool = False
                 ) -> None:
        self.site = site
        self.verbose = verbose
        host = address[0]
        if ":" in host:
            self.address_family = socket.AF_INET6
        super().__init__(address, DevRequestHandler)

    def handle_error(self, request: object, client_address: object) -> None:
        """A client that hangs up mid-response is normal for a dev server: say nothing."""
        import sys

        exc = sys.exc_info()[1]
        if isinstance(exc, (ConnectionError, TimeoutError)):
            return
        if self.verbose:
            super().handle_error(request, client_address)  # type: ignore[arg-type]
        else:
            print(f"llmcourse serve: error answering a request: {exc!r}", file=sys.stderr)

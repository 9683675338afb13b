"""Live reload over Server-Sent Events: a hub that fans build news out to open browser tabs.

Each tab opens one ``EventSource``; the hub keeps a queue per stream. After a build it
publishes the URLs that changed; the tab's script (``client.js`` beside this module) reloads
only when its own page is among them, swaps changed stylesheets in place, and shows or clears
the error overlay. Heartbeats find clients that went away without closing; a broken pipe just
ends that one stream.
"""

from __future__ import annotations

import json
import queue
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

EVENTS_PATH = "/__llmcourse/events"
HEARTBEAT_SECONDS = 15.0

_CLOSE = object()  # put into a stream's queue to end it (shutdown)


@dataclass(frozen=True)
class Event:
    name: str  # "hello", "reload", "error"
    data: dict[str, Any] = field(default_factory=dict)

    def encode(self) -> bytes:
        payload = json.dumps(self.data, ensure_ascii=False, separators=(",", ":"))
        return f"event: {self.name}\ndata: {payload}\n\n".encode()


class LiveReloadHub:
    """Thread-safe: ``publish`` from the build thread, ``stream`` from each request thread."""

    def __init__(self, heartbeat: float = HEARTBEAT_SECONDS) -> None:
        self.heartbeat = heartbeat
        self._lock = threading.Lock()
        self._clients: set[queue.SimpleQueue[object]] = set()
        self._closed = False

    @property
    def clients(self) -> int:
        with self._lock:
            return len(self._clients)

    def publish(self, event: Event) -> None:
        with self._lock:
            for client in self._clients:
                client.put(event)

    def close(self) -> None:
        """End every open stream (shutdown); later streams end at once."""
        with self._lock:
            self._closed = True
            for client in self._clients:
                client.put(_CLOSE)

    def stream(self, write: Callable[[bytes], None], first: Event) -> None:
        """Send ``first`` then every published event until shutdown or until the client goes
        away (``write`` raising OSError: broken pipe, reset, timeout)."""
        client: queue.SimpleQueue[object] = queue.SimpleQueue()
        with self._lock:
            if self._closed:
                return
            self._clients.add(client)
        try:
            write(b"retry: 500\n\n" + first.encode())
            while True:
                try:
                    item = client.get(timeout=self.heartbeat)
                except queue.Empty:
                    write(b": ping\n\n")  # a comment line: keeps proxies open, finds dead peers
                    continue
                if item is _CLOSE:
                    return
                assert isinstance(item, Event)
                write(item.encode())
        except OSError:
            return  # the tab was closed or navigated away mid-stream
        finally:
            with self._lock:
                self._clients.discard(client)

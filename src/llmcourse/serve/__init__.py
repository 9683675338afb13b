"""``llmcourse serve``: live preview while editing.

MkDocs' model (a threaded HTTP server, watchdog, debounced rebuilds, the last good site kept)
with Zola's change kinds, and Server-Sent Events instead of long polling:

- ``watcher``: watchdog events -> editor temp files dropped -> change kinds -> debounced batches
- ``site``: one long-lived Builder; each batch rebuilds, then publishes the changed URLs
- ``livereload``: the SSE hub; ``client.js`` is the script each served HTML page gets
- ``overlay``: the injected tags and the error overlay
- ``http``: the built folder served as GitHub Pages serves it, safely
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Self

from ..build import BuildOptions
from .http import DevHTTPServer
from .livereload import HEARTBEAT_SECONDS, LiveReloadHub
from .site import LiveSite, Outcome
from .watcher import Changes, Watcher, WatchRoots

__all__ = ["Changes", "DevServer", "Outcome"]

DEBOUNCE_SECONDS = 0.03  # editors finish a save's burst of events within a few ms

Reporter = Callable[[Outcome, "Changes | None"], None]


class DevServer:
    """Binds, watches, builds into a private temporary folder (never SITE/_site), serves.

    ``start()`` binds the socket and does the first build; ``serve_forever()`` answers
    requests in the calling thread (Ctrl-C ends it), ``start_background()`` in a thread.
    ``close()`` ends the streams, stops watching and removes the temporary folder.
    """

    def __init__(self, site_dir: Path, *, host: str = "127.0.0.1", port: int = 8000,
                 drafts: bool = False, future: bool = False,
                 debounce: float = DEBOUNCE_SECONDS, heartbeat: float = HEARTBEAT_SECONDS,
                 verbose: bool = False, report: Reporter | None = None,
                 notify: Callable[[str], None] = lambda message: None) -> None:
        self.site_dir = site_dir
        self._temp = Path(tempfile.mkdtemp(prefix="llmcourse-serve-"))
        options = BuildOptions(site_dir=site_dir, out_dir=self._temp / "site", drafts=drafts,
                               future=future, index_search=False, remember_pages=False)
        self.hub = LiveReloadHub(heartbeat)
        self.site = LiveSite(options, self.hub, notify)
        self.report = report or (lambda outcome, changes: None)
        self._debounce = debounce
        self._thread: threading.Thread | None = None
        try:
            self.httpd = DevHTTPServer((host, port), self.site, verbose=verbose)
        except BaseException:
            shutil.rmtree(self._temp, ignore_errors=True)
            raise
        self.watcher: Watcher | None = None

    @property
    def port(self) -> int:
        return int(self.httpd.server_address[1])

    @property
    def url(self) -> str:
        host = str(self.httpd.server_address[0])
        host = f"[{host}]" if ":" in host else host
        return f"http://{host}:{self.port}{self.site.baseurl}/"

    def start(self) -> Outcome:
        # Watch before the first build, so a save during it is not lost.
        roots = WatchRoots.for_site(self.site_dir, [self._temp])
        self.watcher = Watcher(roots, self._on_change, self._debounce)
        self.watcher.start()
        outcome = self.site.rebuild(None)
        self.report(outcome, None)
        return outcome

    def serve_forever(self) -> None:
        self.httpd.serve_forever(poll_interval=0.1)

    def start_background(self) -> None:
        self._thread = threading.Thread(target=self.serve_forever, name="llmcourse-http",
                                        daemon=True)
        self._thread.start()

    def close(self) -> None:
        self.hub.close()
        if self.watcher is not None:
            self.watcher.stop()
        if self._thread is not None:
            self.httpd.shutdown()
            self._thread.join(timeout=1)
        self.httpd.server_close()
        self.site.close()
        _remove_folder(self._temp)

    def _on_change(self, changes: Changes) -> None:
        self.report(self.site.rebuild(changes), changes)

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _remove_folder(folder: Path) -> None:
    """Remove the preview's folder (thousands of files) even while a rebuild still runs in
    its daemon thread: file by file from Python, each unlink waited for that thread to hand
    back the interpreter lock, and Ctrl-C in the middle of a full rebuild took 2 s."""
    try:
        subprocess.run(["rm", "-rf", "--", str(folder)], check=False,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    except OSError:  # no rm (Windows)
        pass
    shutil.rmtree(folder, ignore_errors=True)  # whatever is left, or all of it without rm

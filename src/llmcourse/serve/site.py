"""The live site: one long-lived Builder, the last good build on disk, and the news of each
rebuild for the live-reload hub.

A rebuild that fails leaves the folder as the last good build left it (the build writes
nothing when it finds errors) and turns its diagnostics into the overlay; the next good build
clears it. Pages are replaced atomically by the write stage, so requests are never held while a
build runs (MkDocs holds them because its writes are not atomic).
"""

from __future__ import annotations

import gc
import os
import queue
import secrets
import signal
import threading
import time
import traceback
from collections.abc import Callable, Iterable
from concurrent.futures import Future
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from .. import search
from ..build import Builder, BuildOptions, BuildResult, site_time
from ..config import load_config
from ..errors import BuildError, Diagnostic, LlmcourseError
from . import overlay
from .livereload import Event, LiveReloadHub
from .watcher import ChangeKind, Changes

T = TypeVar("T")
_QUIET_BEFORE_INDEX = 3.0  # seconds without a build before Pagefind re-indexes (it is slow)


@dataclass(frozen=True)
class Outcome:
    """What one rebuild did, for the terminal."""

    seconds: float
    result: BuildResult | None = None
    diagnostics: tuple[Diagnostic, ...] = ()  # errors (failed build) or new warnings
    crash: str = ""  # an unexpected exception's traceback (a bug, not the user's input)
    urls: tuple[str, ...] = field(default=())
    early: tuple[str, ...] = ()  # outputs written and announced before the build finished

    @property
    def ok(self) -> bool:
        return self.result is not None


def output_url(baseurl: str, rel: str) -> str:
    """The canonical URL of an output file: folders end with "/" (``a/index.html`` -> ``a/``)."""
    if rel == "index.html":
        return baseurl + "/"
    if rel.endswith("/index.html"):
        return f"{baseurl}/{rel[:-len('index.html')]}"
    return f"{baseurl}/{rel}"


def reload_event(baseurl: str, build: int, changed: Iterable[str], *, everything: bool
                 ) -> Event:
    pages, css, assets = [], [], []
    for rel in sorted(set(changed)):
        if rel.startswith(".") or "/." in rel:
            continue  # markers (.nojekyll, .llmcourse-output) are not part of any page
        url = output_url(baseurl, rel)
        (pages if rel.endswith((".html", ".htm")) else css if rel.endswith(".css")
         else assets).append(url)
    return Event("reload", {"build": build, "all": everything, "urls": pages, "css": css,
                            "assets": assets})


class LiveSite:
    """Rebuilds on demand (one caller at a time: the debouncer's thread) and publishes."""

    def __init__(self, options: BuildOptions, hub: LiveReloadHub,
                 notify: Callable[[str], None] = lambda message: None) -> None:
        self.options = options
        self.notify = notify  # side news for the terminal (the search index)
        self.root = options.out_dir
        self.hub = hub
        # Every build runs in one thread of its own: the Builder's caches may hold objects
        # bound to the thread that made them (SQLite), and builds must never overlap.
        self._worker = _Worker()
        # site.time fixed for the session: pages showing it would otherwise all change
        # every second, and every save would re-render the whole site.
        self.builder: Builder = self._worker.call(Builder, options, time=site_time())
        self.instance = secrets.token_hex(6)
        self.build = 0  # good builds so far (0: nothing to serve yet)
        self.attempts = 0
        self.errors: tuple[str, ...] = ()
        self.last: Outcome | None = None
        self._early: list[str] = []  # outputs of this rebuild written ahead (first pages)
        self.baseurl, self.search = self._settings()
        self._indexer = _Indexer(self)

    # -- what the HTTP handler asks ---------------------------------------------------------
    def snippet(self) -> bytes:
        build, errors = self.build, self.errors
        return overlay.snippet(instance=self.instance, build=build, errors=errors)

    def hello(self) -> Event:
        return Event("hello", {"instance": self.instance, "build": self.build,
                               "errors": list(self.errors)})

    # -- rebuilding -------------------------------------------------------------------------
    def rebuild(self, changes: Changes | None = None) -> Outcome:
        self.last = self._worker.call(self._rebuild, changes)
        return self.last

    def _rebuild(self, changes: Changes | None) -> Outcome:
        started = time.perf_counter()
        self.attempts += 1
        kind = changes.kind if changes else ChangeKind.CONFIG
        if kind is ChangeKind.CONFIG:
            self.baseurl, self.search = self._settings()
        self._aim_first(changes)
        self._early = []
        try:
            result = self.builder.build()
        except BuildError as exc:
            return self._failed(started, tuple(sorted(exc.diagnostics)))
        except LlmcourseError as exc:
            return self._failed(started, (Diagnostic("", 0, str(exc)),))
        except FileNotFoundError as exc:  # a file went away mid-build: its event comes next
            return self._failed(started, (Diagnostic("", 0, f"file vanished: {exc.filename}"),))
        except Exception as exc:  # noqa: BLE001 (a bug: keep serving, show it, never die)
            return self._failed(started, (Diagnostic("", 0, f"internal error: {exc!r}"),),
                                crash=traceback.format_exc())
        self.build += 1
        self.errors = ()
        changed = result.written + result.removed
        event = reload_event(self.baseurl, self.build, changed,
                             everything=kind is ChangeKind.CONFIG)
        # ``last`` first: whoever hears the event may look at this build's outcome at once
        self.last = Outcome(time.perf_counter() - started, result, _new_warnings(result, changes),
                            urls=tuple(event.data["urls"]), early=tuple(self._early))
        self.hub.publish(event)
        if any(rel.endswith(".html") for rel in changed):
            self._indexer.poke()
        _settle_garbage_collector()
        return self.last

    def _aim_first(self, changes: Changes | None) -> None:
        """A content save: its own pages are written and announced before the rest is done."""
        site = self.options.site_dir.resolve()
        saved = frozenset(p.relative_to(site).as_posix() for p in (changes.paths if changes
                          else ()) if p.is_relative_to(site))
        self.builder.first_sources = (saved if changes and changes.kind is ChangeKind.CONTENT
                                      else frozenset())
        # the watcher saw every change: the build need not walk and stat the whole site
        self.builder.changed = (saved if changes and changes.kind is not ChangeKind.CONFIG
                                and len(saved) == len(changes.paths) else None)
        self.builder.on_first_pages = self._first_pages

    def _first_pages(self, outputs: dict[str, bytes]) -> None:
        changed = []
        for rel, data in outputs.items():
            target = self.root / rel
            try:
                if target.read_bytes() == data:
                    continue
            except OSError:
                pass
            target.parent.mkdir(parents=True, exist_ok=True)
            temp = target.with_name(f".{target.name}.serve-tmp")
            temp.write_bytes(data)
            os.replace(temp, target)  # atomic: a request sees the old page or the new one
            changed.append(rel)
        self._early.extend(changed)
        if changed:  # the build goes on; its own event names the other pages it changes
            self.hub.publish(reload_event(self.baseurl, self.build, changed, everything=False))

    def _failed(self, started: float, diagnostics: tuple[Diagnostic, ...], crash: str = ""
                ) -> Outcome:
        shown = tuple(d.format() for d in diagnostics if d.level == "error")
        self.errors = shown or tuple(d.format() for d in diagnostics)
        self.last = Outcome(time.perf_counter() - started, None, diagnostics, crash)
        self.hub.publish(Event("failed", {"build": self.build, "errors": list(self.errors)}))
        return self.last

    def _settings(self) -> tuple[str, bool]:
        """baseurl and search from site.yaml; the last good values while it is broken."""
        try:
            config, _ = load_config(self.options.site_dir)
        except (LlmcourseError, OSError):
            return getattr(self, "baseurl", ""), getattr(self, "search", False)
        return config.baseurl, config.search

    def close(self) -> None:
        self._indexer.stop()
        self._worker.stop()


def _settle_garbage_collector() -> None:
    """After a build, with its reload already sent: collect, then freeze what survives.

    A 1000-lecture site keeps millions of objects alive between saves; Python's full
    collections walked all of them in the middle of the next save (about 80 ms of a ~150 ms
    save). Frozen objects are skipped by the collector; unfreezing first lets garbage among
    them (an earlier build's cycles) still be found here, off the save path.
    """
    gc.unfreeze()
    gc.collect()
    gc.freeze()


def _new_warnings(result: BuildResult, changes: Changes | None) -> tuple[Diagnostic, ...]:
    """All warnings on the first build; after that only those of the files just saved."""
    if changes is None:
        return result.warnings
    saved = {p.as_posix() for p in changes.paths}
    return tuple(w for w in result.warnings if any(s.endswith("/" + w.path) for s in saved))


class _Worker:
    """One daemon thread that runs calls in order (a daemon, unlike a ThreadPoolExecutor's
    worker, so Ctrl-C during a long first build exits at once)."""

    def __init__(self) -> None:
        self._jobs: queue.SimpleQueue[tuple[Future[Any], Callable[..., Any], tuple, dict]
                                      | None] = queue.SimpleQueue()
        threading.Thread(target=self._run, name="llmcourse-build", daemon=True).start()

    def call(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        future: Future[T] = Future()
        self._jobs.put((future, fn, args, kwargs))
        return future.result()

    def stop(self) -> None:
        self._jobs.put(None)

    def _run(self) -> None:
        while (job := self._jobs.get()) is not None:
            future, fn, args, kwargs = job
            try:
                future.set_result(fn(*args, **kwargs))
            except BaseException as exc:  # noqa: BLE001 (handed to the caller, raised there)
                future.set_exception(exc)


class _Indexer:
    """Pagefind re-indexes after the author pauses, off the save path: a reload never waits
    for the search index, and the index catches up a moment later."""

    def __init__(self, site: LiveSite) -> None:
        self.site = site
        self._cond = threading.Condition()
        self._due: float | None = None
        self._stopped = False
        self._thread = threading.Thread(target=self._run, name="llmcourse-index", daemon=True)
        self._thread.start()

    def poke(self) -> None:
        with self._cond:
            self._due = time.monotonic() + _QUIET_BEFORE_INDEX
            self._cond.notify()

    def stop(self) -> None:
        with self._cond:
            self._stopped = True
            self._cond.notify()
        _stop_pagefind()

    def _run(self) -> None:
        try:  # Linux niceness is per thread, and Pagefind inherits it: saves go first
            os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), 10)
        except (AttributeError, OSError):
            pass
        while True:
            with self._cond:
                while not self._stopped and (self._due is None
                                             or self._due > time.monotonic()):
                    self._cond.wait(None if self._due is None
                                    else max(0.0, self._due - time.monotonic()))
                if self._stopped:
                    return
                self._due = None
            started = time.perf_counter()
            try:
                if self.site.search:
                    search.build_index(Path(self.site.root))
                else:
                    search.remove_index(Path(self.site.root))
            except LlmcourseError as exc:
                self.site.notify(f"search index not updated: {exc}")
            else:
                if self.site.search:
                    self.site.notify(f"Search index updated in "
                                     f"{time.perf_counter() - started:.1f} s")


def _stop_pagefind() -> None:
    """An indexing Pagefind would outlive the server and write into the folder it removes:
    end our own Pagefind children (Linux; elsewhere it just finishes on its own)."""
    me = str(os.getpid())
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            name, rest = stat.read_text().split(" (", 1)[1].rsplit(") ", 1)
        except (OSError, IndexError, ValueError):
            continue
        if rest.split()[1] == me and "pagefind" in name:
            try:
                os.kill(int(stat.parent.name), signal.SIGTERM)
            except OSError:
                pass

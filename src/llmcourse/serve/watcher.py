"""Watch the site's sources and turn editors' bursts of events into one rebuild per save.

Editors save in many ways: vim writes a ``4913`` probe, renames the old file to ``x.md~`` and
writes a new one; VS Code and JetBrains write a temporary file and rename it over the original;
most editors fire several modify events per save. The watcher ignores editor temp files and the
output folder, classifies what is left into change kinds (Zola's model: content, templates,
static, config) and hands them to a :class:`Debouncer`, which calls back once the events have
been quiet for a short while (MkDocs' model, with a shorter wait because latency matters).
"""

from __future__ import annotations

import enum
import threading
import time
import warnings
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from watchdog.events import FileSystemEvent, FileSystemEventHandler
from watchdog.observers import Observer

from ..config import CONFIG_FILE
from ..discover import is_ignored
from ..theme import static_dirs, template_dirs


class ChangeKind(enum.IntEnum):
    """Ordered by how much a change invalidates (a bigger kind covers the smaller ones)."""

    STATIC = 1  # a file copied as it is: no page re-rendered
    CONTENT = 2  # a Markdown document or an asset under content/
    TEMPLATES = 3  # every page may look different
    CONFIG = 4  # site.yaml: everything, including URLs


@dataclass(frozen=True)
class Changes:
    """One debounced batch: the files that changed and the biggest kind among them."""

    paths: frozenset[Path]
    kinds: frozenset[ChangeKind]

    @property
    def kind(self) -> ChangeKind:
        return max(self.kinds)

    def describe(self, site_dir: Path) -> str:
        names = sorted(_short(p, site_dir) for p in self.paths)
        shown = ", ".join(names[:3]) + (f" and {len(names) - 3} more" if len(names) > 3 else "")
        return shown


@dataclass(frozen=True)
class WatchRoots:
    """Where each kind of source lives. The theme's folders count when they are on disk (a
    checkout), so editing the default theme also reloads."""

    site_dir: Path
    content: Path
    templates: tuple[Path, ...]
    static: tuple[Path, ...]
    ignored: tuple[Path, ...]  # output folders: never a source

    @classmethod
    def for_site(cls, site_dir: Path, ignored: Iterable[Path] = ()) -> WatchRoots:
        site = site_dir.resolve()
        return cls(site, site / "content",
                   tuple({d.resolve() for d in [site / "templates", *template_dirs(site)]}),
                   tuple({d.resolve() for d in [site / "static", *static_dirs(site)]}),
                   tuple(p.resolve() for p in [site / "_site", *ignored]))

    def folders(self) -> list[tuple[Path, bool]]:
        """(folder, recursive) to schedule: the site folder itself only for site.yaml and for
        content/, templates/ or static/ appearing later."""
        folders = [(self.site_dir, False), (self.content, True)]
        folders += [(d, True) for d in self.templates + self.static]
        return [(f, r) for f, r in folders if f.is_dir()]


def classify(path: Path, roots: WatchRoots) -> ChangeKind | None:
    """Pure: which kind of change a changed path is, or None when it does not matter."""
    if is_ignored(path.name) or any(path.is_relative_to(i) for i in roots.ignored):
        return None
    if path == roots.site_dir / CONFIG_FILE:
        return ChangeKind.CONFIG
    if path.is_relative_to(roots.content):
        rel = path.relative_to(roots.content)
        return None if any(is_ignored(p) for p in rel.parts) else ChangeKind.CONTENT
    for kind, folders in ((ChangeKind.TEMPLATES, roots.templates),
                          (ChangeKind.STATIC, roots.static)):
        for folder in folders:
            if path.is_relative_to(folder):
                rel = path.relative_to(folder)
                return None if any(is_ignored(p) for p in rel.parts) else kind
    if path.parent == roots.site_dir and path.name in ("content", "templates", "static"):
        return ChangeKind.CONFIG  # a whole source folder appeared or went: start afresh
    return None


class Debouncer:
    """Collects changes; calls ``callback(changes)`` once ``quiet`` seconds pass without new
    ones. A change that arrives while the callback runs starts the next batch, so no save is
    lost and rebuilds never overlap.

    An event that ends a save (the file closed after writing, or renamed into place) need not
    wait for the quiet spell: the batch goes after ``settle`` seconds, just long enough to
    gather the save's trailing events. That is most of the wait of an ordinary save."""

    def __init__(self, callback: Callable[[Changes], None], quiet: float = 0.03,
                 settle: float = 0.003) -> None:
        self.callback = callback
        self.quiet = quiet
        self.settle = min(settle, quiet)
        self._cond = threading.Condition()
        self._paths: set[Path] = set()
        self._kinds: set[ChangeKind] = set()
        self._due = 0.0
        self._stopped = False
        self._thread = threading.Thread(target=self._run, name="llmcourse-debounce", daemon=True)
        self._thread.start()

    def add(self, path: Path, kind: ChangeKind, *, finished: bool = False) -> None:
        """``finished``: this event ends a save of ``path`` (closed after a write, or the
        target of a rename)."""
        with self._cond:
            self._paths.add(path)
            self._kinds.add(kind)
            self._due = time.monotonic() + (self.settle if finished else self.quiet)
            self._cond.notify()

    def stop(self) -> None:
        with self._cond:
            self._stopped = True
            self._cond.notify()
        # A daemon: when it is inside a long rebuild, waiting for it only delays Ctrl-C.
        self._thread.join(timeout=0.1)

    def _run(self) -> None:
        while True:
            with self._cond:
                while not self._paths and not self._stopped:
                    self._cond.wait()
                while not self._stopped:  # wait for a quiet spell
                    left = self._due - time.monotonic()
                    if left <= 0:
                        break
                    self._cond.wait(left)
                if self._stopped:
                    return
                batch = Changes(frozenset(self._paths), frozenset(self._kinds))
                self._paths, self._kinds = set(), set()
            self.callback(batch)


class _Handler(FileSystemEventHandler):
    def __init__(self, roots: WatchRoots, sink: Callable[..., None],
                 new_folder: Callable[[Path], None]) -> None:
        self.roots = roots
        self.sink = sink
        self.new_folder = new_folder

    def on_any_event(self, event: FileSystemEvent) -> None:
        if event.event_type in ("opened", "closed_no_write"):
            return  # reads (our own build reads every source) are not changes
        if event.is_directory and event.event_type == "modified":
            return  # a folder's mtime moves when a file in it changes: that file tells us
        if event.is_directory and event.event_type in ("created", "moved"):
            folder = Path(_text(getattr(event, "dest_path", "") or event.src_path))
            if folder.parent == self.roots.site_dir:  # content/, templates/, static/ appeared
                self.new_folder(folder)
        # (path, whether this event ends a save of it): a write closed, or a file renamed
        # into place (VS Code, JetBrains); a file renamed away (vim's backup) is still to come
        paths = [(event.src_path, event.event_type == "closed"),
                 (getattr(event, "dest_path", ""), event.event_type == "moved")]
        for raw, finished in paths:
            if not raw:
                continue
            path = Path(_text(raw))
            kind = classify(path, self.roots)
            if kind is not None:
                self.sink(path, kind, finished=finished)


class Watcher:
    """watchdog's observer over the site's sources, feeding a debouncer."""

    def __init__(self, roots: WatchRoots, on_change: Callable[[Changes], None],
                 quiet: float = 0.03) -> None:
        self.roots = roots
        # watchdog warns when `mkdir -p a/b` races its recursive watch; nothing is lost
        warnings.filterwarnings("ignore", "Callback with id", RuntimeWarning, "watchdog")
        self.debouncer = Debouncer(on_change, quiet)
        self._observer = Observer()
        self._handler = _Handler(roots, self.debouncer.add, self._watch_new)
        self._watched: set[Path] = set()
        for folder, recursive in roots.folders():
            self._observer.schedule(self._handler, str(folder), recursive=recursive)
            self._watched.add(folder)

    def _watch_new(self, folder: Path) -> None:
        """A source folder made after the start (``mkdir templates``) is watched from now on."""
        if folder in self._watched or folder.name not in ("content", "templates", "static"):
            return
        self._watched.add(folder)
        try:
            self._observer.schedule(self._handler, str(folder), recursive=True)
        except OSError:  # gone again already
            self._watched.discard(folder)

    def start(self) -> None:
        self._observer.start()

    def stop(self) -> None:
        self._observer.stop()
        self.debouncer.stop()
        self._observer.join(timeout=0.3)


def _text(raw: str | bytes) -> str:
    return raw if isinstance(raw, str) else raw.decode()


def _short(path: Path, site_dir: Path) -> str:
    try:
        return path.relative_to(site_dir).as_posix()
    except ValueError:
        return str(path)

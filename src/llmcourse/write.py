"""Write stage: make OUT hold exactly the built files, touching only what changed.

Everything is rendered before this runs, so a build with errors never gets here and the
previous OUT stays as it was. Pages are rendered into memory (the dev server) or, to keep a
big course's build small, into a staging folder (:class:`Staging`) that the write stage
empties into OUT or a failed build removes. Each file is replaced atomically (write beside,
then rename);
files of an earlier build that this build no longer produces are removed. OUT carries a marker
file, and a non-empty folder without it is refused, so a mistyped ``-o`` never empties a folder
that llmcourse did not make.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

from .errors import UsageError

MARKER = ".llmcourse-output"


STAGING = ".llmcourse-staging"  # inside OUT: same file system, so a rename moves a page


@dataclass(frozen=True)
class Kept:
    """A page whose file in OUT already holds exactly its bytes: nothing to write."""

    size: int
    mtime_ns: int = -1  # the file's, when it was found so (-1: not known)


@dataclass(frozen=True)
class Staged:
    """A changed page, rendered into the staging folder: moved into OUT by the write stage."""

    path: Path
    size: int


Output = bytes | Kept | Staged  # what the render stage hands to the write stage


def output_size(output: Output) -> int:
    return len(output) if isinstance(output, bytes) else output.size


class Staging:
    """Pages of an unfinished build, kept on disk rather than in memory: a 1000-lecture course
    renders 170 MB of pages, and holding them until the write was most of a build's memory."""

    def __init__(self, out_dir: Path) -> None:
        self.out_dir = out_dir
        self.folder = out_dir / STAGING
        self.name_prefix = ""  # a second process staging beside this one names its files apart
        self._count = 0
        self._ready = False

    def prepare(self) -> None:
        """Make the (empty) folder; before a second process stages into it too."""
        if not self._ready:
            self.discard()  # what a crashed build may have left
            self.folder.mkdir(parents=True)
            self._ready = True

    def put(self, rel: str, chunks: Iterable[str]) -> Output:
        """``rel``'s new text, written as it comes; kept staged only when it differs from
        what OUT holds. (On an error from ``chunks`` nothing stays staged.)"""
        self.prepare()
        path = self.folder / f"{self.name_prefix}{self._count}"
        self._count += 1
        try:
            with open(path, "w", encoding="utf-8", newline="") as fh:
                fh.writelines(chunks)
        except BaseException:
            path.unlink(missing_ok=True)
            raise
        size = path.stat().st_size
        target = self.out_dir / rel
        try:
            found = target.stat()
            if found.st_size == size and _same_bytes(path, target):
                path.unlink()
                return Kept(size, found.st_mtime_ns)
        except OSError:
            pass
        return Staged(path, size)

    def discard(self) -> None:
        shutil.rmtree(self.folder, ignore_errors=True)


def _same_bytes(a: Path, b: Path) -> bool:
    # not filecmp.cmp: it caches verdicts by size and mtime, which staged files reuse
    with open(a, "rb") as fa, open(b, "rb") as fb:
        while True:
            block = fa.read(1 << 16)
            if block != fb.read(1 << 16):
                return False
            if not block:
                return True


class OutputFiles(Mapping[str, bytes]):
    """A finished build's outputs, read from OUT when asked (they are no longer in memory)."""

    def __init__(self, out_dir: Path, rels: Iterable[str]) -> None:
        self.out_dir = out_dir
        self._rels = sorted(rels)
        self._known = frozenset(self._rels)

    def __getitem__(self, rel: str) -> bytes:
        if rel not in self._known:
            raise KeyError(rel)
        return (self.out_dir / rel).read_bytes()

    def __iter__(self) -> Iterator[str]:
        return iter(self._rels)

    def __len__(self) -> int:
        return len(self._rels)

    def __contains__(self, rel: object) -> bool:
        return rel in self._known


@dataclass(frozen=True)
class WriteStats:
    written: tuple[str, ...]
    removed: tuple[str, ...]
    unchanged: int


def check_output_dir(site_dir: Path, out_dir: Path) -> None:
    site, out = site_dir.resolve(), out_dir.resolve()
    for protected in (site, site / "content", site / "templates", site / "static"):
        if out == protected or protected.is_relative_to(out):
            raise UsageError(f"refusing to build into {out_dir}: it is or contains "
                             f"{protected.name or protected} (choose a separate folder)")
    if out.is_relative_to(site / "content"):
        raise UsageError(f"refusing to build into {out_dir}: it is inside content/")
    if out.exists() and not out.is_dir():
        raise UsageError(f"output {out_dir} exists and is not a folder")
    if out.is_dir() and any(out.iterdir()) and not (out / MARKER).exists():
        raise UsageError(f"output folder {out_dir} is not empty and was not made by llmcourse; "
                         "remove it or choose another folder")


def write_site(out_dir: Path, files: Mapping[str, Output], copies: dict[str, Path],
               keep: tuple[str, ...] = (), previous: Mapping[str, Output] | None = None
               ) -> WriteStats:
    """``files``: output path -> bytes (or a staged or kept page); ``copies``: output path ->
    source file.

    ``keep`` lists output prefixes that another step owns (e.g. the search index).
    ``previous`` is what the same builder wrote last time: a page whose bytes are that very
    object was reused unrendered, so it is skipped without reading the file back.
    """
    out_dir.mkdir(parents=True, exist_ok=True)
    previous = previous or {}
    written: list[str] = []
    unchanged = 0
    files = {**files, MARKER: b""}
    for rel, data in sorted(files.items()):
        if isinstance(data, Kept) or (previous.get(rel) is data and (out_dir / rel).is_file()):
            unchanged += 1
        elif isinstance(data, Staged):
            target = out_dir / rel
            if target.is_dir():
                shutil.rmtree(target)
            target.parent.mkdir(parents=True, exist_ok=True)
            os.replace(data.path, target)
            written.append(rel)
        elif _write_bytes(out_dir / rel, data):
            written.append(rel)
        else:
            unchanged += 1
    for rel, source in sorted(copies.items()):
        if _copy_file(source, out_dir / rel):
            written.append(rel)
        else:
            unchanged += 1
    shutil.rmtree(out_dir / STAGING, ignore_errors=True)
    removed = _remove_stale(out_dir, set(files) | set(copies), keep)
    return WriteStats(tuple(written), tuple(removed), unchanged)


def _write_bytes(target: Path, data: bytes) -> bool:
    try:
        if target.stat().st_size == len(data) and target.read_bytes() == data:
            return False
    except FileNotFoundError:
        pass
    except IsADirectoryError:
        shutil.rmtree(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    temp = target.with_name(f".{target.name}.llmcourse-tmp")
    temp.write_bytes(data)
    os.replace(temp, target)
    return True


def _copy_file(source: Path, target: Path) -> bool:
    src = source.stat()
    try:
        dst = target.stat()
        if dst.st_size == src.st_size and dst.st_mtime_ns == src.st_mtime_ns:
            return False
    except FileNotFoundError:
        pass
    target.parent.mkdir(parents=True, exist_ok=True)
    temp = target.with_name(f".{target.name}.llmcourse-tmp")
    shutil.copy2(source, temp)  # keeps mtime: the next build sees it unchanged
    os.replace(temp, target)
    return True


def _remove_stale(out_dir: Path, expected: set[str], keep: tuple[str, ...]) -> list[str]:
    removed = []
    top = str(out_dir)
    left: dict[str, int] = {}  # folder -> entries it still holds (children come first)
    for root, dirs, names in os.walk(top, topdown=False):
        # relative paths by string: pathlib's relative_to() for each of thousands of files
        # was most of a warm build's write stage
        prefix = root[len(top) + 1:].replace(os.sep, "/")
        prefix = prefix + "/" if prefix else ""
        remaining = 0
        for name in names:
            rel = prefix + name
            if rel not in expected and not rel.startswith(keep):
                os.unlink(os.path.join(root, name))
                removed.append(rel)
            else:
                remaining += 1
        for name in dirs:  # emptied folders go; links to folders were not walked: they stay
            folder = os.path.join(root, name)
            if left.pop(folder, 1) == 0:
                os.rmdir(folder)
            else:
                remaining += 1
        left[root] = remaining
    return sorted(removed)

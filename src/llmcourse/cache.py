"""The persistent build cache: what a build learnt, kept for the next one (Pelican's idea).

One SQLite file, ``SITE/.llmcourse-cache/cache.sqlite``, maps a content-hash key to a pickled
value (parsed documents, rendered Markdown) and, optionally, a bulk part read only when asked
for (a lecture's HTML, table of contents and plugin data: most of a build reuses the page
that shows them and never reads them). Keys hash every input of the value, never an
mtime, so an entry can only be reused for exactly the inputs it was made from. One SQLite
file rather than one pickle per entry in sharded folders: a build's new entries commit in a
few atomic transactions (every 16 MB of them) instead of a write and rename() each, and
pruning is one DELETE. (Not measured against the sharded layout.)

The cache never breaks a build: a file that is not a database, a truncated or garbage entry,
an entry whose checksum does not match, or a cache of another llmcourse version is dropped and
rebuilt. Values are unpickled with a restricted unpickler (only llmcourse's dataclasses and
named tuples, and plain data), because a cache folder can come with a site cloned from someone else.
"""

from __future__ import annotations

import copyreg
import dataclasses
import functools
import hashlib
import io
import os
import pickle
import sqlite3
import zlib
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from . import __version__

CACHE_DIR = ".llmcourse-cache"
DB_NAME = "cache.sqlite"
_FORMAT = "6"  # bump when the layout of the table or of a value changes
_MAX_PENDING = 16 << 20  # bytes of new entries held before they are written
_MAX_LOG = 16 << 20  # bytes of write-ahead log a build leaves behind at most
_KEEP_GENERATIONS = 6  # entries unused for this many successful builds are pruned
# An entry's generation is written again only once it is this many builds old: a build of
# 1000 lectures then rewrites the 2000 generations every third build, not every build (they
# were most of what it wrote to the cache, and of the log the next build reads back).
_REFRESH_AFTER = 3


def cache_key(*parts: object) -> str:
    """A content hash of ``parts`` (their repr): the key of a cache entry."""
    return hashlib.blake2b(repr(parts).encode("utf-8", "surrogatepass"),
                           digest_size=20).hexdigest()


class BuildCache:
    """A persistent key -> value store for one build. ``BuildCache(None)`` is a no-op cache."""

    def __init__(self, folder: Path | None) -> None:
        self.folder = folder
        self._db: sqlite3.Connection | None = None
        self._generation = 0
        self._used: set[str] = set()
        self._generations: dict[str, int] = {}  # as stored, of the entries read
        self._pending: dict[str, tuple[bytes, bytes | None]] = {}
        self._pid = os.getpid()  # a forked process opens its own connection (see get_bulk)
        self._inherited: sqlite3.Connection | None = None  # (see get_bulk)
        self._pending_size = 0
        if folder is not None:
            self._db = self._open(folder / DB_NAME)

    @property
    def enabled(self) -> bool:
        return self._db is not None

    # -- opening ------------------------------------------------------------------------
    def _open(self, path: Path) -> sqlite3.Connection | None:
        for attempt in range(2):
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
                db = sqlite3.connect(path, timeout=5, isolation_level=None)
                self._prepare(db)
                return db
            except (sqlite3.DatabaseError, OSError):
                # Not a database, truncated, locked for too long, or unwritable: start over
                # once; if that fails too, build without a cache rather than fail the build.
                if attempt == 0:
                    _remove_db(path)
        return None

    def _prepare(self, db: sqlite3.Connection) -> None:
        # Write-ahead log, synced at checkpoints only: a build commits without waiting for the
        # disk (a rollback journal's sync was a tenth of a one-lecture build), and a crash
        # can lose the last commits but not corrupt the file (SQLite's guarantee for WAL).
        # Where WAL is not available (some network file systems) the default journal stays.
        try:
            db.execute("PRAGMA journal_mode=WAL").fetchone()
            db.execute("PRAGMA synchronous=NORMAL")
        except sqlite3.OperationalError:
            pass
        db.execute("CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value TEXT)")
        meta = dict(db.execute("SELECT name, value FROM meta").fetchall())
        version = f"{_FORMAT}/{__version__}"
        if meta.get("version") != version:  # another llmcourse wrote it: nothing is reusable
            db.execute("DROP TABLE IF EXISTS entries")
            db.execute("DROP TABLE IF EXISTS used")
            db.execute("INSERT OR REPLACE INTO meta VALUES ('version', ?)", (version,))
            meta["generation"] = "0"
        # The bulk in its own column, after the value: SQLite reads a row's overflow pages only
        # for the columns a query asks for. The generation each entry was last used in is in a
        # table of its own, as an UPDATE rewrites the whole row, bulk included.
        db.execute("CREATE TABLE IF NOT EXISTS entries (key TEXT PRIMARY KEY, "
                   "value BLOB NOT NULL, bulk BLOB)")
        db.execute("CREATE TABLE IF NOT EXISTS used (key TEXT PRIMARY KEY, "
                   "generation INTEGER NOT NULL) WITHOUT ROWID")
        try:
            self._generation = int(meta.get("generation", "0")) + 1
        except ValueError:
            self._generation = 1

    # -- reading and writing ------------------------------------------------------------
    def get_many(self, keys: Iterable[str]) -> dict[str, Any]:
        """The values found for ``keys``; corrupt entries are treated as missing."""
        wanted = [k for k in dict.fromkeys(keys)]
        if self._db is None or not wanted:
            return {}
        found: dict[str, Any] = {}
        try:
            for start in range(0, len(wanted), 500):  # SQLite's limit on bound parameters
                part = wanted[start:start + 500]
                rows = self._db.execute(
                    "SELECT entries.key, value, generation FROM entries LEFT JOIN used "
                    "ON used.key = entries.key "
                    f"WHERE entries.key IN ({','.join('?' * len(part))})", part).fetchall()
                for key, blob, generation in rows:
                    value = _decode(blob)
                    if value is not _MISSING:
                        found[key] = value
                        self._note_use(key, generation)
        except sqlite3.DatabaseError:
            self._reset()
            return {}
        return found

    def get(self, key: str) -> Any | None:
        return self.get_many([key]).get(key)

    def get_bulk(self, key: str) -> Any:
        """The bulk put with ``key``; raises ``LookupError`` when it is missing or corrupt
        (callers then make it again). Works in a process forked from the one that opened the
        cache, which must not share its connection."""
        pending = self._pending.get(key)
        blob = pending[1] if pending is not None else None
        if blob is None:
            if self.folder is None or self._db is None:
                raise LookupError(key)
            try:
                if os.getpid() != self._pid:  # (the parent's connection is left unclosed)
                    self._inherited, self._pid = self._db, os.getpid()
                    self._db = sqlite3.connect(self.folder / DB_NAME, timeout=5,
                                               isolation_level=None)
                row = self._db.execute("SELECT bulk FROM entries WHERE key = ?",
                                       (key,)).fetchone()
            except sqlite3.Error as exc:
                raise LookupError(key) from exc
            blob = row[0] if row is not None else None
        value = _decode(blob)
        if value is _MISSING:
            raise LookupError(key)
        return value

    def put(self, key: str, value: Any, bulk: Any = None) -> None:
        """Keep ``value`` under ``key``, and ``bulk`` (not None) for ``get_bulk``."""
        if self._db is None:
            return
        try:
            entry = _encode(value), None if bulk is None else _encode(bulk)
        except (pickle.PicklingError, TypeError, AttributeError):
            return  # a value that cannot be pickled is simply not cached
        self._pending[key] = entry
        self._used.add(key)
        self._generations[key] = self._generation
        self._pending_size += len(entry[0]) + len(entry[1] or b"")
        if self._pending_size > _MAX_PENDING:
            self.commit()  # entries stand alone (content-addressed): a cold build of a big
            # course need not hold all of them until its end

    def touch(self, keys: Iterable[str]) -> None:
        """Entries a long-lived builder reused from memory count as used too."""
        if self._db is not None:
            for key in keys:
                if key:
                    self._note_use(key, self._generations.get(key))

    def _note_use(self, key: str, generation: int | None) -> None:
        """``key`` is used by this build: its generation is written again when it is old
        (``_REFRESH_AFTER``), or not known."""
        if generation is None or generation <= self._generation - _REFRESH_AFTER:
            self._used.add(key)
            self._generations[key] = self._generation
        else:
            self._generations[key] = generation

    def commit(self) -> None:
        """Write the new entries, and mark the reused ones as used, in one transaction."""
        if self._db is None or not (self._pending or self._used):
            return
        gen = self._generation
        try:
            with self._db:  # one transaction: all of it or, on a crash, none of it
                self._db.execute("BEGIN IMMEDIATE")
                self._db.executemany("INSERT OR REPLACE INTO entries VALUES (?, ?, ?)",
                                     [(k, *v) for k, v in self._pending.items()])
                self._db.executemany("INSERT OR REPLACE INTO used VALUES (?, ?)",
                                     [(k, gen) for k in self._used])
        except sqlite3.DatabaseError:
            self._reset()
        finally:
            self._pending.clear()
            self._pending_size = 0
            self._used.clear()

    def prune(self) -> None:
        """After a successful build: drop entries no build used for a few generations.

        Never after a failed build, which skipped documents whose entries are still good.
        """
        self.commit()
        if self._db is None:
            return
        gen = self._generation
        try:
            with self._db:
                self._db.execute("BEGIN IMMEDIATE")
                old = gen - _KEEP_GENERATIONS
                self._db.execute("DELETE FROM entries WHERE key IN "
                                 "(SELECT key FROM used WHERE generation <= ?)", (old,))
                self._db.execute("DELETE FROM used WHERE generation <= ?", (old,))
                self._db.execute("INSERT OR REPLACE INTO meta VALUES ('generation', ?)",
                                 (str(gen),))
            self._trim_log()
        except sqlite3.DatabaseError:
            self._reset()
        self._generation = gen + 1

    def _trim_log(self) -> None:
        """Move a long write-ahead log into the file and empty it. A build process ends
        without closing the cache; the next one opening it reads the whole log (SQLite's
        recovery): 20 MB after a cold build of 1000 lectures, a fifth of the next build."""
        assert self.folder is not None
        try:
            size = os.stat(self.folder / (DB_NAME + "-wal")).st_size
        except OSError:
            return
        if size > _MAX_LOG:
            self._db.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()  # type: ignore[union-attr]

    def close(self) -> None:
        if self._db is not None:
            self._db.close()
            self._db = None

    def _reset(self) -> None:
        """The file broke under us: drop it; this build goes on without a cache."""
        self.close()
        if self.folder is not None:
            _remove_db(self.folder / DB_NAME)


def clear_cache(site_dir: Path) -> bool:
    """Remove SITE/.llmcourse-cache; True when there was one."""
    import shutil

    folder = site_dir / CACHE_DIR
    if not folder.exists():
        return False
    shutil.rmtree(folder)
    return True


# -- values: checksummed, compressed, restricted pickles -----------------------------------
_MISSING = object()
_CHECK = 4  # bytes of CRC-32 in front of each value (against torn or edited entries; the
# unpickler, not the checksum, is what keeps a hostile cache harmless)


class _Pickler(pickle.Pickler):
    """Pickles a time zone as ``ZoneInfo(key)``, which the restricted unpickler accepts
    (ZoneInfo's own way goes through ``getattr``, which it must refuse): otherwise no
    document dated in the site's time zone was ever read back from the cache."""

    dispatch_table = {**copyreg.dispatch_table,
                      ZoneInfo: lambda zone: ((ZoneInfo, (zone.key,)) if zone.key
                                              else zone.__reduce__())}


def _encode(value: Any, *, compress: bool = False) -> bytes:
    """Checksum, a one-byte tag ("z": zlib, "p": plain) and the pickle. Cache entries are not
    compressed as a whole: their bulk (rendered HTML, plugin data) is already compressed on
    its own, and a warm build spent a fifth of its time inflating the rest."""
    buffer = io.BytesIO()
    _Pickler(buffer, protocol=pickle.HIGHEST_PROTOCOL).dump(value)
    data = buffer.getvalue()
    data = b"z" + zlib.compress(data, 1) if compress else b"p" + data
    return zlib.crc32(data).to_bytes(_CHECK, "big") + data


def _decode(blob: object) -> Any:
    if not isinstance(blob, bytes) or len(blob) <= _CHECK + 1:
        return _MISSING
    check, data = blob[:_CHECK], blob[_CHECK:]
    if zlib.crc32(data).to_bytes(_CHECK, "big") != check:
        return _MISSING  # a torn or edited entry: never reuse it
    try:
        payload = zlib.decompress(data[1:]) if data[:1] == b"z" else data[1:]
        return _SafeUnpickler(io.BytesIO(payload)).load()
    except Exception:  # noqa: BLE001 - any undecodable entry is just a cache miss
        return _MISSING


_PLAIN = {("builtins", n) for n in ("tuple", "list", "dict", "set", "frozenset", "str", "bytes",
                                     "int", "float", "bool", "complex", "NoneType")}
_PLAIN |= {("datetime", n) for n in ("datetime", "date", "time", "timedelta", "timezone")}
_PLAIN |= {("zoneinfo", "ZoneInfo"), ("pathlib", "PosixPath"), ("pathlib", "WindowsPath"),
           ("pathlib", "PurePosixPath"), ("collections", "OrderedDict"), ("builtins", "object")}


@dataclasses.dataclass(frozen=True, eq=False)
class LazyData(Mapping[str, Any]):
    """A document's plugin data (links, images, references: thousands of small objects), kept
    encoded until something reads it, one blob per key: a warm build reads none of it, a page
    reads its references and ``check`` its links, each without decoding the rest. Pickles as
    its blobs alone."""

    blobs: Mapping[str, bytes]

    @classmethod
    def wrap(cls, data: Mapping[str, Any]) -> LazyData:
        return cls({key: _encode(value, compress=True) for key, value in data.items()})

    def __getitem__(self, key: str) -> Any:
        # decoded on every use, never kept: readers are few (a page render, the reference
        # index, check) and holding every lecture's decoded data is what this class avoids
        value = _decode(self.blobs[key])
        if value is _MISSING:
            raise KeyError(key)
        return value

    def __iter__(self) -> Iterator[str]:
        return iter(self.blobs)

    def __len__(self) -> int:
        return len(self.blobs)

    def __contains__(self, key: object) -> bool:
        return key in self.blobs

    def __reduce__(self) -> tuple[Any, ...]:
        return (LazyData, (dict(self.blobs),))


class _SafeUnpickler(pickle.Unpickler):
    """Only plain data and llmcourse's dataclasses: an entry cannot call arbitrary code."""

    def find_class(self, module: str, name: str) -> Any:
        found = _ALLOWED.get((module, name))
        if found is not None:
            return found
        if (module, name) in _PLAIN:
            found = super().find_class(module, name)
        elif module == "llmcourse" or module.startswith("llmcourse."):
            found = super().find_class(module, name)
            if not (isinstance(found, type) and (dataclasses.is_dataclass(found)
                                                 or _is_named_tuple(found))):
                found = None
        if found is None:
            raise pickle.UnpicklingError(f"refusing {module}.{name} in a cache entry")
        _ALLOWED[(module, name)] = found  # a build looks up the same few thousands of times
        return found


_ALLOWED: dict[tuple[str, str], Any] = {}


def _is_named_tuple(cls: type) -> bool:
    return issubclass(cls, tuple) and hasattr(cls, "_fields")


def _remove_db(path: Path) -> None:
    for suffix in ("", "-journal", "-wal", "-shm"):
        try:
            Path(str(path) + suffix).unlink()
        except FileNotFoundError:
            pass
        except OSError:
            pass


# -- keys of the content stage --------------------------------------------------------------
@functools.lru_cache(maxsize=1)
def code_fingerprint() -> str:
    """llmcourse's own code and the libraries that shape its HTML, as installed.

    The version number alone is not enough in a checkout, where the code changes under the
    same version: each module's size and mtime are cheap to read and catch every edit. The
    libraries are stamped the same way, by their package's ``__init__.py`` and folder (an
    upgrade writes them anew), found without importing them; asking their distributions'
    versions (importlib.metadata) was a twentieth of a one-lecture build.
    """
    import importlib.util

    package = os.path.dirname(os.path.abspath(__file__))
    stamps = []
    for root, dirs, names in os.walk(package):
        dirs.sort()
        for name in sorted(names):
            if name.endswith(".py"):
                path = os.path.join(root, name)
                stat = os.stat(path)
                stamps.append((os.path.relpath(path, package), stat.st_size, stat.st_mtime_ns))
    libraries = []
    for name in ("markdown_it", "mdit_py_plugins", "linkify_it", "pygments", "liquid",
                 "latex2mathml"):
        spec = importlib.util.find_spec(name)
        found: list[object] = [name]
        for path in (spec.origin, *(spec.submodule_search_locations or ())) if spec else ():
            try:
                stat = os.stat(path)  # type: ignore[arg-type]
                found += [path, stat.st_size, stat.st_mtime_ns]
            except (OSError, TypeError):
                pass
        libraries.append(tuple(found))
    return cache_key(__version__, _FORMAT, stamps, libraries)


def urls_still_valid(deps: object, urls: Mapping[str, str], urls_key: str) -> bool:
    """Whether the URL lookups a rendering made still give the same answers."""
    if isinstance(deps, str):
        return deps == urls_key  # it depended on the whole map
    if not isinstance(deps, tuple):
        return False
    return all(urls.get(path) == url for path, url in deps)

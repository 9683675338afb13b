"""Full-text search: Pagefind indexes the written site into OUT/pagefind/.

Pagefind reads the built HTML (only what templates mark ``data-pagefind-body``: the text of
lectures and pages, not the sidebar) and the ``<html lang>`` of each page, so Chinese is
segmented by the extended binary. It runs after the write stage on the finished OUT. The index
is built beside OUT and then synced in file by file, so an unchanged index leaves OUT untouched
and files of an older index are removed; the write stage leaves ``pagefind/`` to this step.
"""

from __future__ import annotations

import os
import shutil
import time
from dataclasses import dataclass
from pathlib import Path

from .errors import LlmcourseError

FOLDER = "pagefind"
KEEP = (FOLDER + "/",)  # the write stage's ``keep``: this step owns these files
INSTALL_HINT = "pip install 'pagefind[extended]'"


class SearchIndexError(LlmcourseError):
    """Pagefind is missing or failed; the site itself was written."""


@dataclass(frozen=True)
class IndexStats:
    seconds: float
    written: tuple[str, ...]
    removed: tuple[str, ...]


def pagefind_binary() -> Path:
    """The binary of ``pagefind[extended]`` (or $PAGEFIND_BINARY_PATH); a clear error if none."""
    found: Path | None = None
    try:
        from pagefind.service import get_executable

        found = get_executable()
    except (ImportError, FileNotFoundError):
        found = None
    if found is None or not Path(found).is_file():
        raise SearchIndexError(f"search needs the Pagefind binary, which is not installed: "
                               f"{INSTALL_HINT} (or set 'search: false' in site.yaml)")
    return Path(found)


def build_index(out_dir: Path) -> IndexStats:
    """Index the HTML in ``out_dir`` into ``out_dir/pagefind``."""
    import subprocess  # (here: a build without search, or with nothing new, needs neither)
    import tempfile

    started = time.perf_counter()
    binary = pagefind_binary()
    out_dir = out_dir.resolve()
    with tempfile.TemporaryDirectory(prefix=".pagefind-", dir=out_dir.parent) as temp:
        staging = Path(temp) / FOLDER
        command = [str(binary), "--site", str(out_dir), "--output-path", str(staging), "--silent"]
        try:
            done = subprocess.run(command, capture_output=True, text=True, timeout=600, check=False)
        except OSError as exc:
            raise SearchIndexError(f"could not run Pagefind ({binary}): {exc}") from None
        if done.returncode != 0:
            lines = (done.stderr or done.stdout).strip().splitlines()
            reason = lines[-1] if lines else f"exit code {done.returncode}"
            raise SearchIndexError(f"Pagefind failed on {out_dir}: {reason}")
        written, removed = _sync(staging, out_dir / FOLDER)
    return IndexStats(time.perf_counter() - started, written, removed)


def update_index(out_dir: Path, enabled: bool, written: tuple[str, ...],
                 removed: tuple[str, ...]) -> IndexStats | None:
    """The build's last step: index OUT after the write stage (given what it wrote and
    removed); skipped when no HTML changed and an index is there (a dev-server save of a
    template-only asset, a warm rebuild)."""
    if not enabled:
        remove_index(out_dir)
        return None
    html_changed = any(rel.endswith(".html") for rel in written + removed)
    if not html_changed and (out_dir / FOLDER / "pagefind-entry.json").is_file():
        return None
    return build_index(out_dir)


def remove_index(out_dir: Path) -> bool:
    """``search: false``: no stale index stays behind."""
    folder = out_dir / FOLDER
    if folder.is_dir() and not folder.is_symlink():
        shutil.rmtree(folder)
        return True
    return False


def _sync(source: Path, target: Path) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Make ``target`` hold exactly ``source``'s files, rewriting only those that differ."""
    wanted = {p.relative_to(source).as_posix(): p for p in source.rglob("*") if p.is_file()}
    written = []
    for rel, path in sorted(wanted.items()):
        dest = target / rel
        data = path.read_bytes()
        if dest.is_file() and dest.stat().st_size == len(data) and dest.read_bytes() == data:
            continue
        dest.parent.mkdir(parents=True, exist_ok=True)
        temp = dest.with_name(f".{dest.name}.llmcourse-tmp")  # beside it: the rename is atomic
        temp.write_bytes(data)
        os.replace(temp, dest)
        written.append(f"{FOLDER}/{rel}")
    removed = []
    if target.is_dir():
        for path in sorted(target.rglob("*"), reverse=True):
            rel = path.relative_to(target).as_posix()
            if path.is_file() and rel not in wanted:
                path.unlink()
                removed.append(f"{FOLDER}/{rel}")
            elif path.is_dir() and not any(path.iterdir()):
                path.rmdir()
    return tuple(written), tuple(sorted(removed))

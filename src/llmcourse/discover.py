"""Walk the site folder: Markdown documents and other content files, and the theme's static
files (a site's own static/ overrides the theme's file by file)."""

from __future__ import annotations

import fnmatch
import os
from dataclasses import dataclass
from pathlib import Path

from .model import SourceFile

MARKDOWN_SUFFIXES = (".md", ".markdown")


def is_editor_temp(name: str) -> bool:
    """Swap, backup and lock files that editors leave beside the file being saved."""
    return (name.startswith((".#", "#", "~$")) or name.endswith(("~", ".swp", ".swx", ".swo",
            ".tmp", ".bak", ".crdownload")) or name == "4913" or name.startswith(".~"))


def is_ignored(name: str) -> bool:
    return name.startswith(".") or is_editor_temp(name)


@dataclass(frozen=True)
class Discovered:
    documents: tuple[SourceFile, ...]
    assets: tuple[SourceFile, ...]


def discover_content(site_dir: Path, exclude: tuple[str, ...] = ()) -> Discovered:
    content_dir = site_dir / "content"
    documents: list[SourceFile] = []
    assets: list[SourceFile] = []
    if not content_dir.is_dir():
        return Discovered((), ())
    top = str(content_dir)
    for root, dirs, files in os.walk(top):
        dirs[:] = sorted(d for d in dirs if not is_ignored(d))
        # relative paths by string, not pathlib: a thousand relative_to() calls were most of
        # the walk, which the dev server pays on every save
        prefix = root[len(top) + 1:].replace(os.sep, "/")
        prefix = prefix + "/" if prefix else ""
        root_path = Path(root)
        for name in sorted(files):
            if is_ignored(name):
                continue
            content_rel = prefix + name
            if exclude and _excluded(content_rel, exclude):
                continue
            source = SourceFile(root_path / name, f"content/{content_rel}", content_rel)
            (documents if name.lower().endswith(MARKDOWN_SUFFIXES) else assets).append(source)
    return Discovered(tuple(documents), tuple(assets))


def discover_static(dirs: list[Path]) -> dict[str, Path]:
    """Output path -> file, from static folders in increasing priority (theme, then site)."""
    found: dict[str, Path] = {}
    for static_dir in dirs:
        if not static_dir.is_dir():
            continue
        for root, subdirs, files in os.walk(static_dir):
            subdirs[:] = sorted(d for d in subdirs if not is_ignored(d))
            for name in sorted(files):
                if not is_ignored(name):
                    path = Path(root) / name
                    found[path.relative_to(static_dir).as_posix()] = path
    return dict(sorted(found.items()))


def _excluded(content_rel: str, patterns: tuple[str, ...]) -> bool:
    return any(fnmatch.fnmatch(content_rel, p) or content_rel.startswith(p.rstrip("/") + "/")
               for p in patterns)

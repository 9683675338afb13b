"""Where the default theme lives: package data in a wheel, the repository root in a checkout.
A site's own templates/ and static/ override the theme's file by file."""

from __future__ import annotations

import hashlib
import os
from functools import lru_cache
from pathlib import Path

_PACKAGE_THEME = Path(__file__).resolve().parent / "theme"
_CHECKOUT_ROOT = Path(__file__).resolve().parents[2]


@lru_cache(maxsize=1)
def theme_root() -> Path:
    if (_PACKAGE_THEME / "templates").is_dir():
        return _PACKAGE_THEME
    return _CHECKOUT_ROOT


def template_dirs(site_dir: Path) -> list[Path]:
    """Highest priority first."""
    dirs = [site_dir / "templates", theme_root() / "templates"]
    unique = []
    for folder in dirs:
        if folder.is_dir() and folder.resolve() not in [u.resolve() for u in unique]:
            unique.append(folder)
    return unique


def static_dirs(site_dir: Path) -> list[Path]:
    """Lowest priority first (later folders override earlier ones)."""
    dirs = [theme_root() / "static", site_dir / "static"]
    unique: list[Path] = []
    for folder in dirs:
        if folder.is_dir() and folder.resolve() not in [u.resolve() for u in unique]:
            unique.append(folder)
    return unique


def folder_fingerprint(folders: list[Path]) -> str:
    """Hash of every file's path and bytes: changes when any template changes."""
    digest = hashlib.sha256()
    for folder in folders:
        for root, dirs, files in os.walk(folder):
            dirs.sort()
            for name in sorted(files):
                path = Path(root) / name
                digest.update(path.relative_to(folder).as_posix().encode())
                digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def templates_show_time(folders: list[Path]) -> bool:
    """Whether any template reads ``site.time`` (then every page changes with the clock)."""
    for folder in folders:
        for path in folder.rglob("*"):
            if path.is_file() and b"site.time" in path.read_bytes():
                return True
    return False

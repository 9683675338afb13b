"""Where the default theme lives: package data in a wheel, the repository root in a checkout.
A site's own templates/ and static/ override the theme's file by file."""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
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


@dataclass(frozen=True)
class TemplateSnapshot:
    fingerprint: str  # changes when any template (or include) changes
    shows_time: bool  # some template reads ``site.time``: every page changes with the clock


def read_templates(folders: list[Path]) -> TemplateSnapshot:
    """Every template file read once per build: its path and bytes hashed."""
    digest = hashlib.sha256()
    shows_time = False
    for folder in folders:
        for root, dirs, files in os.walk(folder):
            dirs.sort()
            for name in sorted(files):
                path = Path(root) / name
                data = path.read_bytes()
                digest.update(path.relative_to(folder).as_posix().encode())
                digest.update(data)
                shows_time = shows_time or b"site.time" in data
    return TemplateSnapshot(digest.hexdigest()[:16], shows_time)

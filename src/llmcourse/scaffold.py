"""``llmcourse new``: copy the starter course (package data in ``llmcourse/starter``).

The starter is plain files, so what a new course gets is exactly what the repository shows.
Files whose names would be hidden or treated specially by packaging tools are stored with an
underscore (``_gitignore``, ``_github/``) and renamed on the way out. A few placeholders are
filled in: the title, and today's date for the sample lecture (so it is neither in the future,
which would hide it, nor stale).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date
from importlib.resources import files
from importlib.resources.abc import Traversable
from pathlib import Path

from .errors import LlmcourseError

# starter name -> name in the new site
_RENAMES = {"_gitignore": ".gitignore", "_github": ".github"}
_TEXT_SUFFIXES = (".md", ".yaml", ".yml", ".svg", ".txt", "")
SAMPLE_LECTURE = "content/lectures/welcome.md"


@dataclass(frozen=True)
class StarterOptions:
    title: str = "My Course"
    today: date | None = None  # the sample lecture's date; None = today (UTC)


def starter_root() -> Traversable:
    return files("llmcourse") / "starter"


def check_target(target: Path, force: bool) -> None:
    """A non-empty folder is refused unless ``force``: never mix a course into other files."""
    if target.exists() and not target.is_dir():
        raise LlmcourseError(f"{target} exists and is not a folder")
    if target.is_dir() and any(target.iterdir()) and not force:
        raise LlmcourseError(f"{target} is not empty; choose a new folder or pass --force "
                             "(starter files are overwritten, other files are kept)")


def starter_files() -> Iterator[tuple[str, Traversable]]:
    """(path relative to the starter, file) for every starter file, in a stable order."""
    def walk(folder: Traversable, prefix: str) -> Iterator[tuple[str, Traversable]]:
        for item in sorted(folder.iterdir(), key=lambda i: i.name):
            if item.name == "__pycache__":
                continue
            rel = f"{prefix}{item.name}"
            if item.is_dir():
                yield from walk(item, rel + "/")
            else:
                yield rel, item
    yield from walk(starter_root(), "")


def output_name(rel: str, lecture_stem: str) -> str:
    parts = [_RENAMES.get(part, part) for part in rel.split("/")]
    name = "/".join(parts)
    if name == SAMPLE_LECTURE:
        name = f"content/lectures/{lecture_stem}.md"
    return name


def fill(text: str, values: dict[str, str]) -> str:
    for key, value in values.items():
        text = text.replace(f"__{key}__", value)
    return text


def create_site(target: Path, *, force: bool = False,
                options: StarterOptions = StarterOptions()) -> list[str]:
    """Write the starter course into ``target``; returns the written paths (relative)."""
    check_target(target, force)
    today = options.today or _utc_today()
    lecture_stem = f"{today.isoformat()}-welcome"
    values = {"TITLE": _yaml_scalar(options.title), "DATE": today.isoformat(),
              "LECTURE": lecture_stem}
    written = []
    for rel, item in starter_files():
        out = target / output_name(rel, lecture_stem)
        out.parent.mkdir(parents=True, exist_ok=True)
        data = item.read_bytes()
        if Path(rel).suffix in _TEXT_SUFFIXES:
            data = fill(data.decode("utf-8"), values).encode("utf-8")
        out.write_bytes(data)
        written.append(out.relative_to(target).as_posix())
    return written


def _utc_today() -> date:
    # UTC, like the default site timezone: a local date ahead of UTC would be "in the future"
    from datetime import datetime

    return datetime.now(UTC).date()


def _yaml_scalar(text: str) -> str:
    """A title as a YAML value that stays a string (quotes only when needed)."""
    import json

    plain = text and text.strip() == text and not any(c in text for c in ":#'\"{}[],&*!|>%@`")
    return text if plain else json.dumps(text, ensure_ascii=False)

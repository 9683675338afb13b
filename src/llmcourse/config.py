"""site.yaml: the course's settings, validated in one pass.

``load_config`` returns the config and a list of warnings (unknown keys, with the nearest known
key); problems that make the config unusable are raised together as one ``BuildError``.
"""

from __future__ import annotations

import difflib
import functools
import hashlib
import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml

from .errors import BuildError, Diagnostic

CONFIG_FILE = "site.yaml"

DEFAULT_PERMALINKS = {"lecture": "/lectures/:title/", "page": "/:path/"}


@dataclass(frozen=True)
class NavItem:
    title: str
    url: str


@dataclass(frozen=True)
class SiteConfig:
    """Every setting of site.yaml, with its default. Field docs are the reference."""

    title: str = "My Course"
    tagline: str = ""
    description: str = ""
    lang: str = "en"
    url: str = ""  # e.g. https://user.github.io (no trailing slash)
    baseurl: str = ""  # e.g. /AI-course (GitHub Pages project site)
    author: str = ""
    nav: tuple[NavItem, ...] = ()
    timezone: str = "UTC"
    permalinks: tuple[tuple[str, str], ...] = tuple(DEFAULT_PERMALINKS.items())
    exclude: tuple[str, ...] = ()
    math: bool = False  # site-wide math for every lecture
    search: bool = True  # Pagefind full-text search
    slides: bool = True  # LECTURE_URL/slides/ for every lecture
    mermaid_url: str = ""  # where to load mermaid from; empty = diagrams shown as source
    feed_limit: int = 20
    extra: tuple[tuple[str, Any], ...] = field(default=(), compare=False)

    def permalink(self, kind: str) -> str:
        return dict(self.permalinks).get(kind, DEFAULT_PERMALINKS[kind])

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def as_liquid(self) -> dict[str, Any]:
        """The ``site`` object that content and templates see (Jekyll's names)."""
        data = dict(self.extra)
        data.update(
            title=self.title,
            tagline=self.tagline,
            description=self.description,
            lang=self.lang,
            url=self.url,
            baseurl=self.baseurl,
            author=self.author,
            timezone=self.timezone,
            nav=[{"title": n.title, "url": n.url} for n in self.nav],
        )
        return data

    def fingerprint(self) -> str:
        """Changes whenever any setting changes; part of every output's cache key."""
        return self._fingerprint

    @functools.cached_property
    def _fingerprint(self) -> str:  # once per config: a build asks for it per document
        raw = json.dumps(asdict(self), sort_keys=True, default=str, ensure_ascii=False)
        return hashlib.sha256(raw.encode()).hexdigest()[:16]


KNOWN_KEYS = {
    "title", "tagline", "description", "lang", "url", "baseurl", "author", "nav", "timezone",
    "permalink", "permalinks", "exclude", "math", "search", "slides", "mermaid_url", "feed_limit",
    "extra",
}


def load_config(site_dir: Path) -> tuple[SiteConfig, list[Diagnostic]]:
    path = site_dir / CONFIG_FILE
    if not path.exists():
        return SiteConfig(), []
    text = path.read_text(encoding="utf-8")
    return parse_config(text, CONFIG_FILE)


def parse_config(text: str, rel_path: str = CONFIG_FILE) -> tuple[SiteConfig, list[Diagnostic]]:
    """Pure: site.yaml text -> config and warnings; all errors raised together."""
    try:
        data = yaml.safe_load(text) or {}
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark else 0
        problem = getattr(exc, "problem", None) or str(exc)
        raise BuildError([Diagnostic(rel_path, line, f"invalid YAML: {problem}")]) from None
    if not isinstance(data, dict):
        raise BuildError([Diagnostic(rel_path, 1, "site.yaml must be a mapping of settings")])
    lines = _key_lines(text)
    errors: list[Diagnostic] = []
    warnings: list[Diagnostic] = []

    def err(key: str, message: str) -> None:
        errors.append(Diagnostic(rel_path, lines.get(key, 0), message))

    values: dict[str, Any] = {}
    for key in ("title", "tagline", "description", "lang", "url", "author", "timezone",
                "mermaid_url"):
        if key in data and data[key] is not None:
            value = data[key]
            if key == "author" and isinstance(value, dict):
                value = value.get("name", "")
            values[key] = str(value)
    if "url" in values:
        values["url"] = values["url"].rstrip("/")
    if data.get("baseurl"):
        values["baseurl"] = "/" + str(data["baseurl"]).strip("/")
    for key in ("math", "search", "slides"):
        if key in data:
            if not isinstance(data[key], bool):
                err(key, f"'{key}' must be true or false")
            else:
                values[key] = data[key]
    if "feed_limit" in data:
        if not isinstance(data["feed_limit"], int) or data["feed_limit"] < 1:
            err("feed_limit", "'feed_limit' must be a positive whole number")
        else:
            values["feed_limit"] = data["feed_limit"]
    if "timezone" in values:
        try:
            ZoneInfo(values["timezone"])
        except (ZoneInfoNotFoundError, ValueError):
            err("timezone", f"unknown timezone '{values['timezone']}' (use a name like Asia/Taipei)")
            del values["timezone"]
    values["nav"] = _parse_nav(data.get("nav"), lambda m: err("nav", m))
    permalinks = dict(DEFAULT_PERMALINKS)
    raw_permalinks = data.get("permalinks", data.get("permalink"))
    if isinstance(raw_permalinks, str):
        permalinks["lecture"] = raw_permalinks
    elif isinstance(raw_permalinks, dict):
        for kind, pattern in raw_permalinks.items():
            kind = {"post": "lecture", "posts": "lecture", "lectures": "lecture",
                    "pages": "page"}.get(kind, kind)
            if kind not in DEFAULT_PERMALINKS:
                err("permalinks", f"unknown permalink kind '{kind}' (use lecture or page)")
            elif not isinstance(pattern, str) or not pattern.startswith("/"):
                err("permalinks", f"permalink for {kind} must be a path starting with '/'")
            else:
                permalinks[kind] = pattern
    elif raw_permalinks is not None:
        err("permalinks", "'permalinks' must be a pattern or a mapping of kind -> pattern")
    values["permalinks"] = tuple(sorted(permalinks.items()))
    exclude = data.get("exclude", [])
    if isinstance(exclude, str):
        exclude = [exclude]
    if not isinstance(exclude, list):
        err("exclude", "'exclude' must be a list of file patterns")
        exclude = []
    values["exclude"] = tuple(str(e) for e in exclude)
    extra = data.get("extra") if isinstance(data.get("extra"), dict) else {}
    for key in sorted(set(data) - KNOWN_KEYS):
        nearest = difflib.get_close_matches(str(key), sorted(KNOWN_KEYS), n=1)
        hint = f"did you mean '{nearest[0]}'?" if nearest else "kept as site.extra"
        warnings.append(Diagnostic(rel_path, lines.get(str(key), 0),
                                   f"unknown setting '{key}'", "warning", hint))
        extra = {**extra, str(key): data[key]}
    values["extra"] = tuple(sorted(extra.items()))
    if errors:
        raise BuildError(errors + warnings)
    return SiteConfig(**values), warnings


def _parse_nav(raw: Any, err: Any) -> tuple[NavItem, ...]:
    if raw is None:
        return ()
    if not isinstance(raw, list):
        err("'nav' must be a list of {title, url} items")
        return ()
    items = []
    for entry in raw:
        if isinstance(entry, dict) and "title" in entry and "url" in entry:
            items.append(NavItem(str(entry["title"]), str(entry["url"])))
        elif isinstance(entry, dict) and len(entry) == 1:  # mkdocs style: - Title: url
            (title, url), = entry.items()
            items.append(NavItem(str(title), str(url)))
        else:
            err(f"nav item {entry!r} needs a title and a url")
    return tuple(items)


def _key_lines(text: str) -> dict[str, int]:
    """Line of each top-level key, so messages point at the right line."""
    lines: dict[str, int] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        if line and not line[0].isspace() and not line.startswith("#") and ":" in line:
            lines.setdefault(line.split(":", 1)[0].strip().strip("'\""), number)
    return lines

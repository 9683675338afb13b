"""Jekyll-style permalinks: placeholders -> URL, and URL -> output file."""

from __future__ import annotations

import posixpath
import re
import unicodedata
from datetime import datetime

_PLACEHOLDER = re.compile(r":(year|month|day|i_month|i_day|short_year|hour|minute|second|"
                          r"y_day|w_year|week|w_day|short_day|long_day|short_month|long_month|"
                          r"title|slug|categories|path|basename|output_ext)")


def slugify(text: str) -> str:
    """URL slug that keeps Unicode letters (Chinese titles stay readable), ASCII lower-cased."""
    text = unicodedata.normalize("NFKC", text).lower()
    out, dash = [], False
    for char in text:
        if char.isalnum():
            out.append(char)
            dash = False
        elif not dash and out:
            out.append("-")
            dash = True
    return "".join(out).strip("-")


def expand(pattern: str, *, date: datetime | None, title: str, categories: tuple[str, ...],
           path: str) -> str:
    """Fill a permalink pattern. ``path`` is the content path without its suffix."""
    values = {
        "title": title,
        "slug": slugify(title),
        "categories": "/".join(c.lower().replace(" ", "-") for c in categories),
        "path": path,
        "basename": posixpath.basename(path),
        "output_ext": ".html",
    }
    if date is not None:
        values.update(
            year=f"{date.year:04d}", month=f"{date.month:02d}", day=f"{date.day:02d}",
            i_month=str(date.month), i_day=str(date.day), short_year=f"{date.year % 100:02d}",
            hour=f"{date.hour:02d}", minute=f"{date.minute:02d}", second=f"{date.second:02d}",
            # Jekyll's ordinal and weekdate styles (``permalink: ordinal`` in _config.yml)
            y_day=date.strftime("%j"), w_year=str(date.isocalendar()[0]),
            week=f"{date.isocalendar()[1]:02d}", w_day=str(date.isoweekday()),
            short_day=date.strftime("%a"), long_day=date.strftime("%A"),
            short_month=date.strftime("%b"), long_month=date.strftime("%B"),
        )
    url = _PLACEHOLDER.sub(lambda m: values.get(m.group(1), ""), pattern)
    url = re.sub(r"/{2,}", "/", "/" + url)  # Jekyll drops the empty parts (no categories)
    return url


def url_to_output(url: str) -> str | None:
    """URL -> file under OUT, or None when the URL leaves OUT (``..``)."""
    parts = url.split("/")
    if any(part == ".." for part in parts):
        return None
    clean = posixpath.normpath(url)
    if url.endswith("/") or clean in ("/", "."):
        target = posixpath.join(clean, "index.html")
    elif posixpath.splitext(clean)[1]:
        target = clean
    else:
        target = clean + ".html"  # GitHub Pages serves /about from about.html
    return target.lstrip("/")

"""Link stage: course order, neighbours, taxonomies, and URL clashes between documents."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime

from .errors import Diagnostic
from .model import Document, Entry, Site, SourceFile
from .parse import is_future


def course_order_key(doc: Document) -> tuple[object, ...]:
    """``order``/``week`` first (when set), then date, then URL so ties are stable."""
    timestamp = doc.date.timestamp() if doc.date else 0.0
    return (doc.order is None, doc.order or 0.0, timestamp, doc.url)


def newest_first(entries: Iterable[Entry]) -> tuple[Entry, ...]:
    return tuple(sorted(entries, key=lambda e: (-(e.doc.date.timestamp() if e.doc.date else 0),
                                                e.doc.url)))


def find_url_clashes(docs: Iterable[Document], reserved: dict[str, str]) -> list[Diagnostic]:
    """Two sources writing the same output file is an error naming both.

    ``reserved`` maps output paths already taken (static files, generated pages) to their owner.
    """
    owners: dict[str, str] = dict(reserved)
    problems = []
    for doc in sorted(docs, key=lambda d: d.source.rel):
        owner = owners.get(doc.output)
        if owner is not None:
            problems.append(Diagnostic(doc.source.rel, doc.line_of("permalink"),
                                       f"output URL {doc.url} is also produced by {owner}"))
        else:
            owners[doc.output] = doc.source.rel
    return problems


def link_site(entries: Iterable[Entry], assets: tuple[SourceFile, ...]) -> Site:
    entries = list(entries)
    lectures = tuple(sorted((e for e in entries if e.doc.is_lecture),
                            key=lambda e: course_order_key(e.doc)))
    pages = tuple(sorted((e for e in entries if not e.doc.is_lecture), key=lambda e: e.doc.url))
    previous = {e.doc.url: (lectures[i - 1] if i > 0 else None) for i, e in enumerate(lectures)}
    following = {e.doc.url: (lectures[i + 1] if i + 1 < len(lectures) else None)
                 for i, e in enumerate(lectures)}
    categories: dict[str, list[Entry]] = defaultdict(list)
    tags: dict[str, list[Entry]] = defaultdict(list)
    years: dict[int, list[Entry]] = defaultdict(list)
    for entry in lectures:
        for term in dict.fromkeys(entry.doc.categories):
            categories[term].append(entry)
        for term in dict.fromkeys(entry.doc.tags):
            tags[term].append(entry)
        if entry.doc.date:
            years[entry.doc.date.year].append(entry)
    return Site(
        lectures=lectures,
        pages=pages,
        previous=previous,
        following=following,
        categories={k: tuple(categories[k]) for k in sorted(categories, key=str.lower)},
        tags={k: tuple(tags[k]) for k in sorted(tags, key=str.lower)},
        years={y: newest_first(years[y]) for y in sorted(years, reverse=True)},
        assets=assets,
    )


def visible(doc: Document, *, now: datetime, drafts: bool, future: bool) -> bool:
    if doc.draft and not drafts:
        return False
    if is_future(doc, now) and not future:
        return False
    return True

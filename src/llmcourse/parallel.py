"""Render Markdown bodies on every core: a process pool, since markdown-it is pure Python.

Each worker builds its own ``MarkdownIt`` once (the pool initializer) and receives only what
rendering needs: the document and its body after Liquid; the build-wide ``ContentContext``
reaches each worker once, as the initializer's argument. Results come back in input order, so
a parallel build is byte-identical to ``-j 1``. Small batches render in-process: starting
workers costs more than rendering a handful of lectures.

Workers come from a fork server (a bare interpreter that imports only what rendering needs),
not forked from the build: a worker forked from a build holding 1000 parsed lectures counts
all of the build's memory as its own too (a cold build's processes together took 490 MB
instead of 340 MB at 1000 lectures).
"""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from .cache import LazyData
from .content import ContentContext, render_body
from .model import Content, Document

if TYPE_CHECKING:  # (multiprocessing itself is imported when a pool starts)
    import multiprocessing.context

    from markdown_it import MarkdownIt

MIN_PARALLEL = 32  # fewer uncached documents than this render in-process

Rendered = tuple[Content, list[tuple[int, str]], tuple[tuple[str, str | None], ...] | None]
Job = tuple[Document, str]  # a document and its body after Liquid


def default_jobs() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


class RecordingUrls(Mapping[str, str]):
    """The build's URL map, remembering which paths a document looked up.

    A cached rendering stays valid while those lookups give the same answers, so adding a
    lecture does not re-render every other one (each output knows its inputs: Lektor's idea).
    Iterating the map makes the whole map a dependency (``looked_up`` returns None).
    """

    def __init__(self, urls: Mapping[str, str]) -> None:
        self._urls = urls
        self._seen: dict[str, str | None] = {}
        self._everything = False

    def __getitem__(self, key: str) -> str:
        self._seen[key] = self._urls.get(key)
        return self._urls[key]

    def get(self, key: str, default: Any = None) -> Any:  # type: ignore[override]
        value = self._urls.get(key)
        self._seen[key] = value
        return default if value is None else value

    def __contains__(self, key: object) -> bool:
        if isinstance(key, str):
            self._seen[key] = self._urls.get(key)
        return key in self._urls

    def __iter__(self) -> Any:
        self._everything = True
        return iter(self._urls)

    def __len__(self) -> int:
        self._everything = True
        return len(self._urls)

    def looked_up(self) -> tuple[tuple[str, str | None], ...] | None:
        return None if self._everything else tuple(sorted(self._seen.items()))


def render_one(doc: Document, body: str, md: MarkdownIt, ctx: ContentContext) -> Rendered:
    urls = RecordingUrls(ctx.urls_by_source)
    recording = ContentContext(ctx.baseurl, urls, ctx.site_math, ctx.mermaid_url)
    content, warnings = render_body(doc, body, md, recording)
    # Plugin data (thousands of small objects per lecture) and the HTML travel and stay
    # encoded: cheaper to send back from a worker, and a 1000-lecture build holds a fraction
    # of the memory.
    bulk = replace(content.bulk, data=LazyData.wrap(content.data))  # type: ignore[arg-type]
    content = replace(content, bulk=bulk).packed()
    return content, warnings, urls.looked_up()


# -- worker side: state set once per process by the pool initializer ------------------------
_worker: dict[str, Any] = {}


def _context() -> multiprocessing.context.BaseContext:
    import multiprocessing

    methods = multiprocessing.get_all_start_methods()
    return multiprocessing.get_context("forkserver" if "forkserver" in methods else "spawn")


@contextlib.contextmanager
def _main_module_hidden() -> Iterator[None]:
    """Workers started by a fork server or spawned run the caller's main script again
    (``multiprocessing``'s way of finding functions defined there), which breaks a script
    read from stdin and re-runs any script without an ``if __name__ == "__main__"`` guard.
    Theirs are all in this module: the main script stays out of it."""
    main = sys.modules.get("__main__")
    if main is None:
        yield
        return
    spec, path = getattr(main, "__spec__", None), main.__dict__.pop("__file__", None)
    main.__spec__ = None
    try:
        yield
    finally:
        main.__spec__ = spec
        if path is not None:
            main.__file__ = path


def _init_worker(ctx: ContentContext) -> None:
    from .markdown import create_markdown

    _worker["md"] = create_markdown()
    _worker["ctx"] = ctx


def _render_chunk(jobs: list[Job]) -> list[Rendered]:
    md, ctx = _worker["md"], _worker["ctx"]
    return [render_one(doc, body, md, ctx) for doc, body in jobs]


def render_all(jobs: Sequence[Job], ctx: ContentContext, *, workers: int,
               md: Callable[[], MarkdownIt], progress: Callable[[int], None] | None = None
               ) -> list[Rendered]:
    """Render ``jobs`` in order; on ``workers`` processes when there are enough of them.
    ``md`` gives this process's MarkdownIt, made on first use."""
    workers = min(workers, max(1, len(jobs) // (MIN_PARALLEL // 2)))
    if workers <= 1 or len(jobs) < MIN_PARALLEL:
        results = []
        for doc, body in jobs:
            results.append(render_one(doc, body, md(), ctx))
            if progress:
                progress(len(results))
        return results
    # Small chunks balance lectures of uneven length; a few per worker keep pickling cheap.
    size = max(1, min(16, len(jobs) // (workers * 8)))
    chunks = [list(jobs[i:i + size]) for i in range(0, len(jobs), size)]
    with _main_module_hidden():
        pool = _context().Pool(workers, _init_worker, (ctx,))
    results = []
    try:
        for part in pool.imap(_render_chunk, chunks):
            results.extend(part)
            if progress:
                progress(len(results))
    finally:
        pool.terminate()
        pool.join()
    return results

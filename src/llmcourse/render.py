"""Render stage: Jinja layouts -> {output path: bytes}.

Each output is planned with a key that fingerprints everything it shows (its document, its
neighbours, the course's navigation, the templates, the config). An output whose key is
unchanged since the last build is reused as it was, so a dev-server save or a warm build
renders only what really changed (Lektor's idea, without its database).
"""

from __future__ import annotations

import gc
import hashlib
import os
import pickle
import threading
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .config import SiteConfig
from .errors import Diagnostic
from .model import Entry, Site
from .seo import seo_global
from .views import PageView, SiteView, page_view, site_view, term_url, text_reads
from .write import Kept, Output, Staging, output_size

if TYPE_CHECKING:  # (imported by create_environment: a build imports Jinja while it waits
    # for the helper process's Markdown)
    import jinja2

ContextFactory = Callable[[], dict[str, Any]]


@dataclass(frozen=True)
class PlannedPage:
    output: str  # path under OUT
    url: str  # without baseurl
    template: str
    key: str  # fingerprint of everything the output shows
    context: ContextFactory = field(compare=False)
    source: str = ""  # the file it comes from, for messages
    line: int = 0
    # A page that lists others: its key when rendering it reads none of their texts (only
    # what ``summary_fingerprint`` covers). It is what the output is recorded with when its
    # rendering read no text (``views.text_reads``), and so reused while the summaries stay:
    # a render is a function of what it read, and it reads the same while that is the same.
    light_key: str = ""

    def recorded_as(self, key: str) -> bool:
        return key == self.key or (bool(self.light_key) and key == self.light_key)


@dataclass
class RenderState:
    """What one build gives the next: outputs by key, so unchanged pages are not re-rendered.

    ``outputs`` lives in memory (the dev server's long-lived builder). ``on_disk`` is what an
    earlier process wrote into ``out_dir`` (output -> key, size, mtime_ns), loaded from the
    cache folder: a page whose key is unchanged and whose file is still exactly what was
    written is read back instead of rendered (the Lektor idea, without its database).
    """

    outputs: dict[str, tuple[str, Output]] = field(default_factory=dict)  # output -> (key, it)
    on_disk: dict[str, tuple[str, int, int]] = field(default_factory=dict)
    out_dir: Path | None = None

    def _from_disk(self, page: PlannedPage, *, read: bool) -> Output | None:
        """The page as an earlier process left it in OUT, when its key is unchanged and the
        file is exactly what was written: its bytes (``read``), or just that it is there."""
        recorded = self.on_disk.get(page.output)
        if recorded is None or not page.recorded_as(recorded[0]) or self.out_dir is None:
            return None
        path = os.path.join(self.out_dir, page.output)  # (no Path: thousands per build)
        try:
            stat = os.stat(path)
            if (stat.st_size, stat.st_mtime_ns) != (recorded[1], recorded[2]):
                return None
            if read:
                with open(path, "rb") as fh:
                    return fh.read()
            return Kept(stat.st_size, stat.st_mtime_ns)
        except OSError:
            return None

    def manifest(self, out_dir: Path) -> dict[str, tuple[str, int, int]]:
        """What to remember for the next process, after the outputs are written."""
        recorded = {}
        for output, (key, data) in self.outputs.items():
            if isinstance(data, Kept) and data.mtime_ns >= 0:  # left as it was: no stat
                recorded[output] = (key, data.size, data.mtime_ns)
                continue
            try:
                stat = os.stat(os.path.join(out_dir, output))
            except OSError:
                continue
            if stat.st_size == output_size(data):
                recorded[output] = (key, stat.st_size, stat.st_mtime_ns)
        return recorded


def fingerprint(*parts: object) -> str:
    return hashlib.sha1(repr(parts).encode("utf-8", "surrogatepass")).hexdigest()


def create_environment(template_dirs: list[Path], config: SiteConfig,
                       cache_dir: Path | None = None) -> jinja2.Environment:
    """``cache_dir``: where compiled templates are kept for the next process (Jinja checks
    each against its template's source), which then renders a page without compiling."""
    import jinja2

    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader([str(d) for d in template_dirs]),
        bytecode_cache=(jinja2.FileSystemBytecodeCache(str(cache_dir))
                        if cache_dir is not None else None),
        autoescape=jinja2.select_autoescape(["html", "xml", "htm"], default_for_string=True),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    baseurl, url = config.baseurl, config.url

    def relative_url(path: str) -> str:
        path = str(path)
        if path.startswith(("http://", "https://", "//", "#", "mailto:")):
            return path
        if baseurl and (path == baseurl or path.startswith(baseurl + "/")):
            return path
        return baseurl + ("/" + path.lstrip("/") if path else "/")

    def absolute_url(path: str) -> str:
        rel = relative_url(path)
        return rel if rel.startswith(("http://", "https://")) else url + rel

    def date_format(value: datetime | None, fmt: str = "%B %-d, %Y") -> str:
        return value.strftime(fmt) if value else ""

    env.filters.update(relative_url=relative_url, absolute_url=absolute_url, date=date_format,
                       xmlschema=lambda d: d.isoformat() if d else "",
                       category_url=lambda term: term_url("categories", term),
                       tag_url=lambda term: term_url("tags", term))
    env.globals["seo_tags"] = seo_global(absolute_url)
    return env


def template_for(layout: str) -> str:
    return layout if layout.endswith((".html", ".xml", ".txt")) else f"{layout}.html"


def check_layouts(entries: Iterable[Entry], env: jinja2.Environment) -> list[Diagnostic]:
    known = set(env.list_templates())
    problems = []
    for entry in entries:
        name = template_for(entry.doc.layout)
        if name not in known or name.startswith("_"):
            choices = ", ".join(sorted(t[:-5] for t in known if t.endswith(".html")
                                       and "/" not in t and not t.startswith(("_", "base"))))
            problems.append(Diagnostic(entry.doc.source.rel, entry.doc.line_of("layout"),
                                       f"unknown layout '{entry.doc.layout}'",
                                       "error", f"choose one of: {choices}"))
    return problems


@dataclass(frozen=True)
class RenderInputs:
    site: Site
    config: SiteConfig
    time: datetime
    theme_key: str  # fingerprint of the template folders and config
    # what every page shows of the others (sidebar, lists); set once per build by plan_site
    nav_key: str = ""
    # each entry's ``summary_fingerprint`` part, by id: a lecture is in several lists
    summaries: dict[int, str] = field(default_factory=dict, compare=False, repr=False)


# Generators of extra pages (home, 404, taxonomies, feeds...): each returns planned pages.
PageGenerator = Callable[[RenderInputs, SiteView, Mapping[str, PageView]], list[PlannedPage]]


def plan_documents(inputs: RenderInputs, site_v: SiteView, views: Mapping[str, PageView],
                   nav_key: str, only: frozenset[str] | None = None) -> list[PlannedPage]:
    """The documents' own pages (all of them, or those whose source is in ``only``)."""
    site = inputs.site
    planned = []
    for entry in site.lectures + site.pages:
        doc = entry.doc
        if only is not None and doc.source.rel not in only:
            continue
        prev, nxt = site.previous.get(doc.url), site.following.get(doc.url)
        key = fingerprint(inputs.theme_key, nav_key, doc.source_hash, entry.content.digest,
                          doc.meta_digest, doc.layout, prev.doc.meta_digest if prev else None,
                          nxt.doc.meta_digest if nxt else None)

        def context(entry: Entry = entry, prev: Entry | None = prev,
                    nxt: Entry | None = nxt) -> dict[str, Any]:
            return {"site": site_v, "page": views[entry.doc.url], "content": views[entry.doc.url].content,
                    "previous": views[prev.doc.url] if prev else None,
                    "next": views[nxt.doc.url] if nxt else None}

        planned.append(PlannedPage(doc.output, doc.url, template_for(doc.layout), key, context,
                                   doc.source.rel, doc.line_of("layout")))
    return planned


def nav_fingerprint(site: Site) -> str:
    """What every page shows of the others (sidebar, lists): their metadata, not their text."""
    return fingerprint([e.doc.meta_digest for e in site.lectures],
                       [e.doc.meta_digest for e in site.pages])


def content_fingerprint(entries: Iterable[Entry]) -> str:
    """For pages that show other pages' text: feeds, and list pages whose rendering read it
    (``PlannedPage.light_key``)."""
    return fingerprint([(e.doc.source_hash, e.content.digest) for e in entries])


def summary_fingerprint(inputs: RenderInputs, entries: Iterable[Entry]) -> str:
    """Everything a ``PageView`` shows of a page except its text (HTML, table of contents,
    plugin data, word count): the ``light_key`` part of pages that list others."""
    known = inputs.summaries
    parts = []
    for entry in entries:
        part = known.get(id(entry))
        if part is None:
            content = entry.content
            known[id(entry)] = part = fingerprint(entry.doc.view_digest, content.excerpt,
                                                  content.reading_minutes)
        parts.append(part)
    return fingerprint(parts)


ViewMemo = dict[int, tuple[Entry, PageView]]


def page_views(entries: Iterable[Entry], site_math: bool, memo: ViewMemo | None = None
               ) -> dict[str, PageView]:
    """URL -> PageView. With a ``memo`` (a long-lived builder's), an entry whose document and
    content are the very objects of the last build keeps its view: a dev-server save then
    builds one view, not a thousand."""
    views: dict[str, PageView] = {}
    fresh: ViewMemo = {}
    for entry in entries:
        known = memo.get(id(entry.content)) if memo is not None else None
        if known is not None and known[0].doc is entry.doc and known[0].content is entry.content:
            view = known[1]
        else:
            view = page_view(entry, site_math)
        views[entry.doc.url] = view
        fresh[id(entry.content)] = (entry, view)
    if memo is not None:
        memo.clear()
        memo.update(fresh)
    return views


def plan_site(inputs: RenderInputs, generators: Iterable[PageGenerator], *,
              only: frozenset[str] | None = None, view_memo: ViewMemo | None = None
              ) -> tuple[list[PlannedPage], SiteView]:
    views = page_views(inputs.site.lectures + inputs.site.pages, inputs.config.math, view_memo)
    site_v = site_view(inputs.site, inputs.config, inputs.time, views)
    # once for every generator; the summaries' ids are of this build's entries
    inputs = replace(inputs, nav_key=nav_fingerprint(inputs.site), summaries={})
    planned = plan_documents(inputs, site_v, views, inputs.nav_key, only)
    for generate in generators:
        planned.extend(generate(inputs, site_v, views))
    return planned, site_v


def render_planned(planned: list[PlannedPage], env: jinja2.Environment, state: RenderState,
                   stage: Staging | None = None
                   ) -> tuple[dict[str, Output], list[Diagnostic], int]:
    """Render what changed; reuse the rest. Returns outputs, problems, and how many rendered.

    ``stage`` (a build's :class:`Staging`) takes each page as Jinja renders it, piece by
    piece, instead of memory (a 1000-lecture course's reference index is a 13 MB page); pages
    still in OUT from an earlier build are then not even read, and a long list of pages to
    render is shared with a second process (:func:`_render_in_two`)."""
    outputs, new_state, todo = _reuse(planned, state, read=stage is None)
    # (only with no other thread: a fork copies the locks other threads hold, not the threads)
    if (stage is not None and len(todo) >= PARALLEL_PAGES and hasattr(os, "fork")
            and threading.active_count() == 1):
        done = _render_in_two(todo, env, stage)
    else:
        done = _render_pages(todo, env, stage)
    outputs.update(done[0])
    new_state.update(done[1])
    state.outputs = new_state
    return outputs, done[2], done[3]


PARALLEL_PAGES = 400  # fewer pages render in one process: a fork costs more than it saves
_Rendered = tuple[dict[str, Output], dict[str, tuple[str, Output]], list[Diagnostic], int]


def _reuse(planned: list[PlannedPage], state: RenderState, *, read: bool
           ) -> tuple[dict[str, Output], dict[str, tuple[str, Output]], list[PlannedPage]]:
    """The pages whose key is unchanged (in memory, or in OUT as written), and the rest."""
    outputs: dict[str, Output] = {}
    new_state: dict[str, tuple[str, Output]] = {}
    todo = []
    for page in planned:
        cached = state.outputs.get(page.output)
        if cached is not None and page.recorded_as(cached[0]) and isinstance(cached[1], bytes):
            outputs[page.output] = cached[1]
            new_state[page.output] = cached
            continue
        on_disk = state._from_disk(page, read=read)
        if on_disk is not None:
            outputs[page.output] = on_disk
            new_state[page.output] = (state.on_disk[page.output][0], on_disk)
            continue
        todo.append(page)
    return outputs, new_state, todo


def _render_pages(planned: list[PlannedPage], env: jinja2.Environment, stage: Staging | None
                  ) -> _Rendered:
    import jinja2

    outputs: dict[str, Output] = {}
    problems: list[Diagnostic] = []
    new_state: dict[str, tuple[str, Output]] = {}
    for page in planned:
        reads = text_reads()
        try:
            chunks = env.get_template(page.template).generate(page.context())
            data: Output = ("".join(chunks).encode("utf-8") if stage is None
                            else stage.put(page.output, chunks))
        except jinja2.TemplateError as exc:
            where, line = _template_position(exc, page.template)
            problems.append(Diagnostic(_short(where), line, f"template error while rendering "
                                       f"{page.source or page.url}: {exc.message or exc}"))
            continue
        outputs[page.output] = data
        light = page.light_key and text_reads() == reads
        new_state[page.output] = (page.light_key if light else page.key, data)
    return outputs, new_state, problems, len(new_state)


def _render_in_two(planned: list[PlannedPage], env: jinja2.Environment, stage: Staging
                   ) -> _Rendered:
    """Pages are a third of a cold build and Jinja is pure Python: a forked process renders
    half of the documents' pages into the staging folder while this one renders the other
    half, then sends back what it staged; the home page, feeds and indexes come after it
    ended (the reference index is this process's biggest moment, and two processes that
    share the site's memory count it twice). If the other process fails, its pages are
    rendered here."""
    documents = [p for p in planned if p.source]
    # every other one: lecture pages cost more than slides pages, each process gets both
    theirs = {id(p) for p in documents[1::2]}
    mine = [p for p in documents if id(p) not in theirs]
    their_pages = [p for p in documents if id(p) in theirs]
    for template in sorted({p.template for p in their_pages}):
        env.get_template(template)  # compiled (and its bytecode cached) once, before the fork
    stage.prepare()
    read_end, write_end = os.pipe()
    gc.freeze()  # the child's collector then leaves the shared objects (and their pages) alone
    pid = os.fork()
    if pid == 0:  # the child: render, report, and leave without running any cleanup
        code = 1
        try:
            os.close(read_end)
            stage.name_prefix = "b"
            result = _render_pages(their_pages, env, stage)
            with os.fdopen(write_end, "wb") as pipe:
                pickle.dump(result, pipe, protocol=pickle.HIGHEST_PROTOCOL)
            code = 0
        finally:
            os._exit(code)
    gc.unfreeze()
    os.close(write_end)
    outputs, new_state, problems, rendered = _render_pages(mine, env, stage)
    with os.fdopen(read_end, "rb") as pipe:
        data = pipe.read()
    _, status = os.waitpid(pid, 0)
    try:
        theirs_result: _Rendered | None = pickle.loads(data) if status == 0 else None
    except Exception:  # noqa: BLE001 - a child that died mid-report: do its share here
        theirs_result = None
    if theirs_result is None:
        theirs_result = _render_pages(their_pages, env, stage)
    rest = _render_pages([p for p in planned if not p.source], env, stage)
    for part in (theirs_result, rest):
        outputs.update(part[0])
        new_state.update(part[1])
        problems += part[2]
        rendered += part[3]
    return outputs, new_state, problems, rendered


def _template_position(exc: jinja2.TemplateError, template: str) -> tuple[str, int]:
    """Where in which template an error happened. Syntax errors say so themselves; for errors
    while rendering (an undefined variable) Jinja puts template frames, with the template's
    own file and line, into the traceback: the innermost one is where it failed."""
    where, line = getattr(exc, "filename", None), getattr(exc, "lineno", None)
    if where and line:
        return where, line
    found = (where or template, 0)
    tb = exc.__traceback__
    while tb is not None:
        name = tb.tb_frame.f_code.co_filename
        if name.endswith((".html", ".htm", ".xml", ".txt")) and os.path.isfile(name):
            found = (name, tb.tb_lineno)
        tb = tb.tb_next
    return found


def _short(path: str) -> str:
    parts = Path(path).parts
    if "templates" in parts:
        return "/".join(parts[parts.index("templates"):])
    return path

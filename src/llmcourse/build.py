"""The build: discover -> parse -> render content -> link -> render pages -> write.

Nothing is written before every document is parsed and rendered; all problems of a build are
collected and raised together. A ``Builder`` keeps what it learnt between builds (parsed
documents, rendered content, rendered pages), so the dev server's rebuild after a save redoes
only the work that depends on what changed.
"""

from __future__ import annotations

import copy
import hashlib
import json
import os
import time as clock
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from . import __version__, search
from .cache import CACHE_DIR, BuildCache, cache_key, code_fingerprint
from .config import SiteConfig, load_config
from .content_stage import ContentStage
from .discover import Discovered, discover_content, discover_static
from .errors import BuildError, Diagnostic
from .helper import Helper
from .helper import wanted as helper_wanted
from .link import find_url_clashes, link_site, visible
from .minify import Minifier
from .model import Document, FileBody, Site, SourceFile
from .pages import GENERATORS
from .parse import parse_document, source_hash
from .render import (
    RenderInputs,
    RenderState,
    ViewMemo,
    check_layouts,
    create_environment,
    fingerprint,
    plan_site,
    render_planned,
)
from .sources import decode
from .theme import TemplateSnapshot, read_templates, static_dirs, template_dirs
from .write import Output, OutputFiles, Staging, WriteStats, check_output_dir, write_site

if TYPE_CHECKING:
    import jinja2


@dataclass(frozen=True)
class BuildOptions:
    site_dir: Path
    out_dir: Path
    drafts: bool = False
    future: bool = False
    strict: bool = False  # warnings fail the build too (build --strict)
    index_search: bool = True  # False: the caller runs search.update_index (the dev server
    # does, after the reload, so a save never waits for Pagefind)
    jobs: int = 0  # processes rendering Markdown: 0 = every core, 1 = in this process
    use_cache: bool = True  # read and write SITE/.llmcourse-cache (build --no-cache: False)
    remember_pages: bool = True  # keep OUT's page manifest for the next process (not for
    # the dev server's throwaway folder, whose builder keeps its pages in memory)


@dataclass(frozen=True)
class BuildResult:
    lectures: int
    pages: int
    files: int
    seconds: float
    rendered: int  # pages rendered (the rest reused unchanged)
    written: tuple[str, ...]
    removed: tuple[str, ...]
    warnings: tuple[Diagnostic, ...]
    outputs: Mapping[str, bytes] = field(repr=False, default_factory=dict)
    markdown_rendered: int = 0  # documents whose Markdown was rendered (not from a cache)

    def summary(self) -> str:
        return (f"{self.lectures} lectures, {self.pages} pages, {self.files} files "
                f"in {self.seconds:.2f} s ({len(self.written)} written, "
                f"{len(self.removed)} removed)")


def site_time() -> datetime:
    """``site.time``: SOURCE_DATE_EPOCH when set, so builds are reproducible."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch and epoch.strip().isdigit():
        return datetime.fromtimestamp(int(epoch), tz=timezone.utc)
    return datetime.now(tz=timezone.utc).replace(microsecond=0)


@dataclass
class _Parsed:
    stamp: tuple[int, int, str]  # (mtime_ns, size, config): re-read only when one changes
    document: Document | None
    diagnostics: list[Diagnostic]
    cache_key: str = ""  # its entry in the persistent cache, kept alive while it is used


class Builder:
    """Builds one site, again and again, reusing whatever did not change."""

    def __init__(self, options: BuildOptions, *, time: datetime | None = None,
                 progress: Callable[[str, int, int], None] | None = None,
                 helper: Helper | None = None) -> None:
        """``helper``: one the caller started (``llmcourse build`` does, as early as it can)
        for the first build; later builds start their own when it helps."""
        # One spelling of the site folder ("." or "/home/me/course"): cached documents carry
        # their files' paths, and must be found again whichever way the folder is named.
        options = replace(options, site_dir=options.site_dir.resolve())
        self.options = options
        self.time = time  # fixed for a long-lived builder (dev server); else per build
        self.progress = progress
        self._parsed: dict[str, _Parsed] = {}
        self._parsed_now: set[str] = set()  # of the last build: found in no cache
        self._cache: BuildCache | None = None
        self._contents = ContentStage(options.site_dir, self._store, jobs=options.jobs,
                                      progress=progress)
        self._render_state = RenderState()
        self._jinja: tuple[tuple[object, ...], jinja2.Environment] | None = None
        self._written: Mapping[str, Output] = {}
        self._minifier = Minifier()
        self._view_memo: ViewMemo = {}
        self._found: tuple[tuple[str, ...], Discovered, dict[str, SourceFile]] | None = None
        self.pages_rendered = 0
        # Site-relative paths of the only files changed since the last build, when the caller
        # knows them (the dev server's watcher); None: unknown, walk and stat everything.
        self.changed: frozenset[str] | None = None
        self._helper = helper

    # -- stages -------------------------------------------------------------------------
    def _discover(self, config: SiteConfig) -> Discovered:
        """The content folder's files; walked again unless the caller named every change
        (``changed``) and each one is a document the last walk found, still there."""
        key = config.exclude
        known = self._found
        if (known is not None and known[0] == key and self.changed is not None
                and all(rel in known[2] and known[2][rel].path.is_file()
                        for rel in self.changed)):
            return known[1]
        found = discover_content(self.options.site_dir, config.exclude)
        self._found = (key, found, {s.rel: s for s in found.documents})
        return found

    def _parse_all(self, sources: Iterable[SourceFile], config: SiteConfig
                   ) -> tuple[list[Document], list[Diagnostic]]:
        config_key = config.fingerprint()
        changed = self.changed
        reused: list[str] = []
        stamps: dict[str, tuple[int, int, str] | None] = {}  # None: stamped when read
        fresh = []
        for source in sources:
            cached = self._parsed.get(source.rel)
            if cached is None:  # (a new process: every file) read and stamped at once
                stamps[source.rel] = None
                fresh.append(source)
                continue
            if (changed is not None and source.rel not in changed
                    and cached.stamp[2] == config_key):
                stamp = cached.stamp  # the caller vouches it did not change: no stat
            else:
                stat = os.stat(source.path)
                stamp = (stat.st_mtime_ns, stat.st_size, config_key)
            stamps[source.rel] = stamp
            if cached.stamp != stamp:
                fresh.append(source)
            else:  # reused from memory (dev server): its cache entry must not be pruned
                reused.append(cached.cache_key)
        self._parsed_now.clear()
        parsed = self._parse_fresh(fresh, config)
        docs, problems, seen = [], [], {}
        for rel in stamps:
            seen[rel] = cached = parsed.get(rel) or self._parsed[rel]
            problems.extend(cached.diagnostics)
            if cached.document is not None:
                docs.append(cached.document)
        self._parsed = seen
        self._store().touch(reused)
        return docs, problems

    def _parse_fresh(self, sources: list[SourceFile], config: SiteConfig
                     ) -> dict[str, _Parsed]:
        """Files new to this builder: from the persistent cache when their bytes (hashed, not
        their mtime) were parsed before with these settings, else parsed now. The bytes are
        only hashed here, not kept: a document from the cache reads its body when it needs
        it (holding 1000 files' bytes, fresh memory for each, took a tenth of a one-lecture
        build), and a file parsed now is read again."""
        read = {}
        stamps = {}
        settings = (code_fingerprint(), config.fingerprint())
        for source in sources:
            stat, data = _read(source.path)
            stamps[source.rel] = (stat.st_mtime_ns, stat.st_size, settings[1])
            key = _parse_key(settings, source, source_hash(data))
            read[source.rel] = (source, key)
        hits = self._store().get_many(key for _, key in read.values())  # one query
        parsed = {}
        for rel, (source, key) in read.items():
            document = _cached_document(hits.get(key), source)
            if document is not False:  # decoding and YAML: 2 ms a lecture
                parsed[rel] = _Parsed(stamps[rel], document, list(hits[key][1]), key)
                continue
            self._parsed_now.add(rel)
            stat, data = _read(source.path)  # (as it is now, if it changed meanwhile)
            stamps[rel] = (stat.st_mtime_ns, stat.st_size, settings[1])
            digest = source_hash(data)
            key = _parse_key(settings, source, digest)
            text, notes = decode(data, source.rel)
            if text is None:
                parsed[rel] = _Parsed(stamps[rel], None, notes)
                continue
            document, problems = parse_document(source, text, config, digest)
            if document is not None:  # its body as UTF-8 until read: a third of the memory
                document = document.packed()
            stored, body_size = _for_cache(document, data)
            self._store().put(key, (stored, notes + problems, body_size))
            parsed[rel] = _Parsed(stamps[rel], document, notes + problems, key)
        return parsed

    @staticmethod
    def _theme_key(templates: TemplateSnapshot, config: SiteConfig, now: datetime) -> str:
        """Part of every page's key: templates, settings and code. ``site.time`` only counts
        when a template shows it; otherwise a rebuild a second later would re-render all."""
        shown_time = now.isoformat() if templates.shows_time else ""
        return fingerprint(templates.fingerprint, config.fingerprint(), shown_time,
                           __version__, code_fingerprint())

    def _manifest_path(self) -> Path | None:
        if not (self.options.use_cache and self.options.remember_pages):
            return None
        out = str(self.options.out_dir.resolve()).encode()
        return self.options.site_dir / CACHE_DIR / f"pages-{hashlib.sha1(out).hexdigest()[:12]}.json"

    def _load_page_manifest(self) -> None:
        """A fresh process learns which pages an earlier build left in OUT, and with what key."""
        state = self._render_state
        path = self._manifest_path()
        if state.outputs or path is None or state.out_dir is not None:
            return
        state.out_dir = self.options.out_dir
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            state.on_disk = {k: (str(v[0]), int(v[1]), int(v[2])) for k, v in data.items()}
        except (OSError, ValueError, TypeError, IndexError, AttributeError):
            state.on_disk = {}  # missing or corrupt: render everything, never trust it

    def _save_page_manifest(self) -> None:
        path = self._manifest_path()
        if path is None:
            return
        manifest = self._render_state.manifest(self.options.out_dir)
        self._render_state.on_disk = manifest
        path.parent.mkdir(parents=True, exist_ok=True)
        temp = path.with_suffix(".tmp")
        temp.write_text(json.dumps(manifest, sort_keys=True), encoding="utf-8")
        os.replace(temp, path)

    def _store(self) -> BuildCache:
        """The persistent cache, opened on first use; a no-op one with ``use_cache=False``."""
        if self._cache is None:
            folder = self.options.site_dir / CACHE_DIR if self.options.use_cache else None
            self._cache = BuildCache(folder)
        return self._cache

    def _start_helper(self) -> None:
        """A one-shot build that will find most of its work cached has a helper process ready
        Liquid and Markdown meanwhile (``helper``); not the dev server's builder, which is
        long-lived and keeps its own ready."""
        opts = self.options
        helper, self._helper = self._helper, None
        if helper is None and opts.remember_pages and helper_wanted(
                opts.site_dir, jobs=opts.jobs, use_cache=opts.use_cache):
            helper = Helper.start()
        self._contents.helper = helper

    def _stop_helper(self) -> None:
        helper, self._contents.helper = self._contents.helper, None
        if helper is not None:
            helper.close()

    # -- the whole build ----------------------------------------------------------------
    def _assemble(self, *, stop_at_errors: bool, staging: Staging | None = None) -> Collected:
        """Every stage up to rendered pages, in memory (or ``staging``). ``stop_at_errors``
        (the build) raises as soon as a stage found errors; without it (check) every stage
        runs regardless."""
        opts = self.options

        def checkpoint() -> None:
            if stop_at_errors:
                _raise_if_errors(problems, strict=opts.strict)

        config, problems = load_config(opts.site_dir)
        now = self.time or site_time()
        found = self._discover(config)
        parsed, parse_problems = self._parse_all(found.documents, config)
        problems += parse_problems
        docs = [d for d in parsed if visible(d, now=now, drafts=opts.drafts, future=opts.future)]
        minified, statics = self._minifier.split(discover_static(static_dirs(opts.site_dir)))
        copies = {**statics, **{a.content_rel: a.path for a in found.assets}}
        reserved = {rel: _owner(path, opts.site_dir) for rel, path in copies.items()}
        reserved.update((rel, "the theme's static/" + rel) for rel in minified)
        problems += find_url_clashes(docs, reserved)
        templates = read_templates(template_dirs(opts.site_dir))
        entries, content_problems = self._contents.render(
            docs, config, now, found.assets, templates.fingerprint,
            likely_changed=frozenset(self._parsed_now),
            # what comes next: Jinja, and writing the cache entries found and made so far
            while_waiting=lambda: (self._environment(config), self._store().commit()))
        self._stop_helper()  # it has done its part
        problems += content_problems
        env = self._environment(config)
        problems += check_layouts(entries, env)
        checkpoint()

        site = link_site(entries, found.assets)
        inputs = RenderInputs(site, config, now, self._theme_key(templates, config, now))
        if stop_at_errors:
            self._load_page_manifest()
            self._render_first(inputs, env)
        # The new entries (every parsed and rendered document of a cold build, tens of MB)
        # go to disk now rather than staying in memory while the pages are rendered; after
        # the saved page went out, for the dev server.
        self._store().commit()
        planned, _ = plan_site(inputs, GENERATORS, view_memo=self._view_memo)
        outputs, render_problems, self.pages_rendered = render_planned(
            planned, env, self._render_state, stage=staging)
        problems += render_problems + _generated_clashes(planned, reserved)
        checkpoint()
        outputs.update(minified)
        outputs[".nojekyll"] = b""
        return Collected(config, now, tuple(parsed), tuple(docs), site,
                         {p.url: p.output for p in planned}, outputs, copies, tuple(problems),
                         files=len(copies) + len(minified))

    def _environment(self, config: SiteConfig) -> jinja2.Environment:
        """One Jinja environment while the settings stay: it keeps its compiled templates
        (recompiling them was a fifth of a dev-server save) and reloads a template whose
        file changed, as Jinja checks each one's mtime when it is used."""
        dirs = template_dirs(self.options.site_dir)
        key = (tuple(dirs), config.fingerprint())
        if self._jinja is None or self._jinja[0] != key:
            templates_cache = None
            if self.options.use_cache:
                templates_cache = self.options.site_dir / CACHE_DIR / "templates"
                templates_cache.mkdir(parents=True, exist_ok=True)
            self._jinja = (key, create_environment(dirs, config, templates_cache))
        return self._jinja[1]

    # -- the dev server: the pages of the files just saved, before all the others -------
    first_sources: frozenset[str] = frozenset()  # site-relative paths ("content/x.md")
    on_first_pages: Callable[[dict[str, bytes]], None] | None = None

    def _render_first(self, inputs: RenderInputs, env: jinja2.Environment) -> None:
        """Render the pages of ``first_sources`` and hand them to ``on_first_pages`` (which
        writes and announces them) while the home page, term pages and feeds that also show
        the saved text are still to come; the full pass then reuses them by key. Only the
        documents' own pages are planned for this (the generators come after)."""
        if not self.first_sources or self.on_first_pages is None:
            return
        first, _ = plan_site(inputs, (), only=self.first_sources, view_memo=self._view_memo)
        if not first:
            return
        known = self._render_state.outputs
        state = RenderState(outputs={p.output: known[p.output] for p in first
                                     if p.output in known})
        outputs, problems, _ = render_planned(first, env, state)
        if not problems:
            known.update(state.outputs)
            self.on_first_pages(outputs)

    def build(self) -> BuildResult:
        started = clock.perf_counter()
        opts = self.options
        self._start_helper()
        try:
            check_output_dir(opts.site_dir, opts.out_dir)
        except BaseException:
            self._stop_helper()
            raise
        # A one-shot build stages its pages on disk; the dev server's long-lived builder keeps
        # them in memory, to reuse them by key at the next save.
        staging = Staging(opts.out_dir) if opts.remember_pages else None
        try:
            built = self._assemble(stop_at_errors=True, staging=staging)
        except BaseException:
            if staging is not None:
                staging.discard()
            raise
        finally:
            self._stop_helper()
            # after the saved page went out (dev server), and kept even when the build
            # then failed on another document
            self._store().commit()
        outputs = built.outputs
        stats: WriteStats = write_site(opts.out_dir, outputs, built.copies, previous=self._written,
                                       keep=search.KEEP if built.config.search else ())
        self._save_page_manifest()
        if staging is not None:  # staged pages were moved: the manifest says what OUT holds
            self._render_state.outputs = {}
        if opts.index_search:
            search.update_index(opts.out_dir, built.config.search, stats.written, stats.removed)
        self._written = outputs if staging is None else {}
        self._store().prune()
        return BuildResult(
            lectures=len(built.site.lectures), pages=len(built.site.pages),
            files=built.files, seconds=clock.perf_counter() - started,
            rendered=self.pages_rendered, written=stats.written, removed=stats.removed,
            warnings=tuple(p for p in built.diagnostics if p.level == "warning"),
            outputs=(outputs if staging is None  # type: ignore[arg-type]
                     else OutputFiles(opts.out_dir, outputs)),
            markdown_rendered=self._contents.markdown_rendered,
        )

    def close(self) -> None:
        """Close the persistent cache (opened again by the next build). A process that ends
        need not: SQLite finishes the write-ahead log when the cache is next opened."""
        if self._cache is not None:
            self._cache.close()
            self._cache = None

    def collect(self) -> Collected:
        """Every stage up to render, as ``build`` runs them, but never stopping at errors and
        never writing: what ``llmcourse check`` and ``build --strict`` inspect. It fills the
        same caches, so a ``build()`` right after it re-renders nothing."""
        try:
            return self._assemble(stop_at_errors=False)
        finally:
            self._store().commit()


@dataclass(frozen=True)
class Collected:
    """A site built in memory: what ``Builder.collect`` returns."""

    config: SiteConfig
    time: datetime
    parsed: tuple[Document, ...]  # every document that parsed, drafts and future ones too
    documents: tuple[Document, ...]  # the ones this build publishes
    site: Site
    pages: dict[str, str]  # URL (without baseurl) -> output path, for every planned page
    outputs: dict[str, Output] = field(repr=False)  # bytes, or staged in a build
    copies: dict[str, Path] = field(repr=False)  # output path -> file copied there
    diagnostics: tuple[Diagnostic, ...] = ()
    files: int = 0  # files that are not pages: copied, or minified from static/


def build_site(options: BuildOptions, **kwargs: object) -> BuildResult:
    return Builder(options, **kwargs).build()  # type: ignore[arg-type]


def _read(path: Path) -> tuple[os.stat_result, bytes]:
    """A file's bytes and its stat, from one open (no Path, no buffered reader: a build of
    1000 lectures reads them all, to hash them)."""
    fd = os.open(path, os.O_RDONLY)
    try:
        stat = os.fstat(fd)
        chunks = [os.read(fd, stat.st_size + 1)]
        while chunks[-1]:  # grown since the stat: read to the end
            chunks.append(os.read(fd, 1 << 16))
        return stat, b"".join(chunks) if len(chunks) > 2 else chunks[0]
    finally:
        os.close(fd)


def _parse_key(settings: tuple[str, str], source: SourceFile, digest: str) -> str:
    return cache_key("parse", settings, source.rel, source.content_rel, str(source.path),
                     digest)


def _for_cache(document: Document | None, data: bytes) -> tuple[Document | None, int]:
    """A parsed document as the cache keeps it, and how many of the file's last bytes are its
    body (-1: the body is kept). It leaves out what reading the file again gives back (the
    file is read anyway, to hash it): its ``SourceFile`` (part of the entry's key), and its
    body, the end of the file unless decoding changed it."""
    if document is None:
        return None, -1
    body = document.stored_body[document.body_offset:]
    assert isinstance(body, bytes)  # packed
    stored = copy.copy(document)  # (not replace(): its digests are of the whole document)
    object.__setattr__(stored, "source", None)
    if data.endswith(body):
        object.__setattr__(stored, "stored_body", b"")
        return stored, len(body)
    return stored, -1


def _cached_document(hit: object, source: SourceFile) -> Document | None | Literal[False]:
    """The document of a parse entry (made by ``_for_cache``), or False: not one."""
    if not (isinstance(hit, tuple) and len(hit) == 3 and isinstance(hit[2], int)):
        return False
    document, body_size = hit[0], hit[2]
    if document is None:
        return None
    if not isinstance(document, Document):
        return False
    # Just unpickled, held by nothing else yet: completed in place (a replace() per lecture
    # was a tenth of a one-lecture build), its body left in the file until it is needed
    object.__setattr__(document, "source", source)
    if body_size >= 0:
        object.__setattr__(document, "stored_body", FileBody(body_size))
    return document


def _raise_if_errors(problems: list[Diagnostic], *, strict: bool = False) -> None:
    if any(p.level == "error" or strict for p in problems):
        raise BuildError(problems)


def _owner(path: Path, site_dir: Path) -> str:
    try:
        return path.resolve().relative_to(site_dir.resolve()).as_posix()
    except ValueError:
        return "the theme's " + path.parent.name + "/" + path.name


def _generated_clashes(planned: list, reserved: dict[str, str]) -> list[Diagnostic]:
    problems = []
    for page in planned:
        if page.output in reserved and not page.source:
            problems.append(Diagnostic(reserved[page.output], 0,
                                       f"this file clashes with the generated page {page.url}"))
    return problems

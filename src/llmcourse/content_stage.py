"""The content stage: every document's body through Liquid (as Jekyll does), then Markdown.

Rendered Markdown is the costly part of a build, so it is reused whenever its inputs are the
same: from memory in a long-lived builder (the dev server), from the persistent cache
otherwise, and rendered on every core when many documents are new.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from .cache import BuildCache, cache_key, code_fingerprint, urls_still_valid
from .config import SiteConfig
from .content import (
    ContentContext,
    LiquidContext,
    LiquidOutput,
    after_liquid,
    page_variables,
    text_digest,
)
from .errors import Diagnostic
from .helper import Helper, HelperGone
from .model import Content, ContentBulk, DeferredBulk, Document, Entry, SourceFile
from .parallel import MIN_PARALLEL, Job, Rendered, default_jobs, render_all, render_one
from .theme import template_dirs

if TYPE_CHECKING:
    from markdown_it import MarkdownIt

    from .liquid import JekyllLiquid, SpanJob

Progress = Callable[[str, int, int], None]
Cached = tuple[Content, list[tuple[int, str]], object]  # content, warnings, URL lookups


class ContentStage:
    """Documents -> entries (document + rendered content), remembering what it rendered."""

    def __init__(self, site_dir: Path, store: Callable[[], BuildCache], *, jobs: int = 0,
                 progress: Progress | None = None) -> None:
        self.site_dir = site_dir
        self.store = store  # opened on first use, by the thread that builds
        self.jobs = jobs
        self.progress = progress
        self.markdown_rendered = 0  # in the last run: documents not found in any cache
        self._content: dict[str, Cached] = {}
        self._liquid_memo: dict[str, tuple[Document, str, LiquidOutput]] = {}
        self._key_memo: dict[str, tuple[Document, tuple[str, str], str]] = {}
        self._listing = _ListingMemo()
        self._liquid_env: tuple[str, JekyllLiquid] | None = None
        # a one-shot build's helper process (see ``helper``), while the build has one
        self.helper: Helper | None = None
        self._while_waiting: Callable[[], object] | None = None  # (see ``render``)
        self._speculated: list[str] | None = None  # their paths, while the answer is due

    @functools.cached_property
    def md(self) -> MarkdownIt:
        """Made when a document needs it: a warm build renders no Markdown (and so does not
        even import markdown-it and its plugins)."""
        from .markdown import create_markdown

        return create_markdown()

    def render(self, docs: list[Document], config: SiteConfig, now: datetime,
               assets: tuple[SourceFile, ...], templates_key: str, *,
               likely_changed: frozenset[str] = frozenset(),
               while_waiting: Callable[[], object] | None = None
               ) -> tuple[list[Entry], list[Diagnostic]]:
        """``templates_key`` fingerprints the template folders (Liquid includes live there).
        With a helper: ``likely_changed`` are the documents parsed anew, whose Markdown most
        likely renders (the helper starts on it with their Liquid), and ``while_waiting`` what
        the caller would do next, done while the helper works instead of waiting for it."""
        self._while_waiting = while_waiting
        try:
            return self._render(docs, config, now, assets, templates_key, likely_changed)
        finally:
            self._while_waiting = None

    def _render(self, docs: list[Document], config: SiteConfig, now: datetime,
                assets: tuple[SourceFile, ...], templates_key: str,
                likely_changed: frozenset[str]) -> tuple[list[Entry], list[Diagnostic]]:
        listing = self._listing.of(docs)
        urls_by_source = listing.urls_by_source
        ctx = ContentContext(config.baseurl, urls_by_source, config.math,
                             config.mermaid_url)
        liquid = LiquidContext(
            site={**config.as_liquid(), "time": now, "posts": listing.posts},
            baseurl=config.baseurl, url=config.url, urls_by_source=urls_by_source,
            post_urls=listing.post_urls,
            includes_dirs=tuple(d / "_includes" for d in template_dirs(self.site_dir)),
        )
        # What Liquid sees besides the document itself; a long-lived builder (the dev server)
        # re-renders a document's Liquid, and re-hashes its key, only when it or this changed.
        liquid_key = cache_key(config.fingerprint(), now.isoformat(), listing.key, templates_key)
        outputs, problems = self._liquid_outputs(docs, liquid, liquid_key, ctx, likely_changed)
        assets_key = cache_key([(a.rel, *_size_and_mtime(a.path)) for a in assets])
        # The key hashes every input of render_body except the URL map: a rendering records
        # which paths it looked up there, and stays valid while they resolve alike.
        base_key = cache_key("content", code_fingerprint(), config.fingerprint(), assets_key,
                             [(f, getattr(ctx, f)) for f in ctx.__dataclass_fields__
                              if f != "urls_by_source"])
        urls_key = listing.urls_key
        keys = {doc.source.rel: self._content_key(doc, base_key, liquid_key,
                                                  outputs[doc.source.rel])
                for doc in docs if doc.source.rel in outputs}
        known = {k: self._content[k] for k in keys.values() if k in self._content}
        self.store().touch(known)  # reused from memory: keep their entries from pruning
        stored = self.store().get_many(k for k in keys.values() if k not in known)
        results, todo = {}, []
        for doc in docs:
            key = keys.get(doc.source.rel)
            if key is None:
                continue  # its Liquid failed: reported above
            hit = known.get(key) or self._from_store(stored.get(key), key, doc,
                                                     outputs[doc.source.rel], ctx)
            if hit is not None and urls_still_valid(hit[2], urls_by_source, urls_key):
                results[key] = hit
            else:
                todo.append(doc)
        fresh = self._render_markdown([(doc, after_liquid(doc.body, outputs[doc.source.rel]))
                                       for doc in todo], ctx,
                                      self._progress(len(docs) - len(todo), len(docs)))
        for doc, (content, warnings, deps) in zip(todo, fresh):
            results[keys[doc.source.rel]] = hit = (content, warnings,
                                                  urls_key if deps is None else deps)
            summary = (content.excerpt, content.words, content.reading_minutes, content.digest,
                       dict(content.data_digests))
            self.store().put(keys[doc.source.rel], (summary, warnings, hit[2]),
                             bulk=content.bulk)
        self.markdown_rendered = len(todo)
        entries = []
        for doc in docs:
            if doc.source.rel in keys:
                content, warnings, _ = results[keys[doc.source.rel]]
                problems.extend(Diagnostic(doc.source.rel, line, message, "warning")
                                for line, message in warnings)
                entries.append(Entry(doc, content))
        self._content = results
        return entries, problems

    def _from_store(self, value: object, key: str, doc: Document, output: LiquidOutput,
                    ctx: ContentContext) -> Cached | None:
        """A cache entry as (content, warnings, URL lookups), its bulk (HTML, table of contents,
        plugin data) left in the cache until a page reads it; None when it is not one."""
        try:
            (excerpt, words, minutes, digest, data_digests), warnings, deps = value  # type: ignore[misc]
            content = Content(DeferredBulk(functools.partial(self._bulk, key, doc, output, ctx)),
                              excerpt, words, minutes, digest, data_digests)
        except (TypeError, ValueError):
            return None
        return content, warnings, deps

    def _bulk(self, key: str, doc: Document, output: LiquidOutput, ctx: ContentContext
              ) -> ContentBulk:
        """A cached rendering's bulk; rendered again if the cache lost it since (deleted, or
        damaged: never a crash, never stale)."""
        try:
            bulk = self.store().get_bulk(key)
            if isinstance(bulk, ContentBulk):
                return bulk
        except LookupError:
            pass
        content = render_one(doc, after_liquid(doc.body, output), self.md, ctx)[0]
        return content.bulk  # type: ignore[return-value]

    def _render_markdown(self, jobs: list[Job], ctx: ContentContext,
                         progress: Callable[[int], None] | None) -> list[Rendered]:
        """What the helper rendered ahead, if these are the same documents with the same
        text; a few others go to the helper when there is one (it has its Markdown ready),
        many to a process pool, the rest are rendered here."""
        ahead = self._rendered_ahead()
        if ahead:
            done: dict[int, Rendered] = {}
            for index, (doc, body) in enumerate(jobs):
                got = ahead.get(doc.source.rel)
                if got is not None and got[0] == text_digest(body):
                    done[index] = got[1]
            rest = self._render_markdown([j for i, j in enumerate(jobs) if i not in done], ctx,
                                         progress)
            return [done[i] if i in done else rest.pop(0) for i in range(len(jobs))]
        if self.helper is not None and 0 < len(jobs) < MIN_PARALLEL:
            try:
                self.helper.send("markdown", ctx, jobs)
                self._meanwhile()
                return self.helper.receive()  # type: ignore[no-any-return]
            except HelperGone:
                self.helper = None
        return render_all(jobs, ctx, workers=self.jobs or default_jobs(), md=lambda: self.md,
                          progress=progress)

    def _meanwhile(self) -> None:
        """``render``'s ``while_waiting``, once, as a head start: its errors are the caller's
        to meet again later, where they are reported."""
        task, self._while_waiting = self._while_waiting, None
        if task is not None:
            try:
                task()
            except Exception:  # noqa: S110 - done again, and reported, by the caller
                pass

    def _rendered_ahead(self) -> dict[str, tuple[str, Rendered]]:
        """The helper's answer to ``_render_spans``'s Markdown request: path -> (digest of the
        text it rendered, rendering)."""
        paths, self._speculated = self._speculated, None
        if not paths or self.helper is None:
            return {}
        try:
            answers = self.helper.receive()
        except HelperGone:
            self.helper = None
            return {}
        return {path: answer for path, answer in zip(paths, answers) if answer is not None}

    def _liquid_outputs(self, docs: list[Document], liquid: LiquidContext, liquid_key: str,
                        ctx: ContentContext, likely_changed: frozenset[str]
                        ) -> tuple[dict[str, LiquidOutput], list[Diagnostic]]:
        """Each document's Liquid: None when it has no tags, else the span of its tags and
        what they render to (cheap next to Markdown, and part of the Markdown key)."""
        outputs: dict[str, LiquidOutput] = {}
        memo: dict[str, tuple[Document, str, LiquidOutput]] = {}
        todo = []
        for doc in docs:
            known = self._liquid_memo.get(doc.source.rel)
            if known is not None and known[0] is doc and known[1] in (liquid_key, ""):
                memo[doc.source.rel] = known
                outputs[doc.source.rel] = known[2]
            elif doc.liquid is None:
                outputs[doc.source.rel] = None
                memo[doc.source.rel] = (doc, "", None)  # "": needs no Liquid context
            else:
                todo.append(doc)
        # one job per document, or per distinct text for spans that see only the site
        jobs: list[SpanJob] = []
        job_of: list[int] = []
        shared: dict[str, int] = {}
        for doc in todo:
            span = doc.liquid
            assert span is not None
            if span.site_only and span.source in shared:
                job_of.append(shared[span.source])
                continue
            if span.site_only:
                shared[span.source] = len(jobs)
            job_of.append(len(jobs))
            jobs.append((doc.source.rel, span, {} if span.site_only else page_variables(doc)))
        # documents whose Markdown likely renders, for the helper to start on: with the output
        # of their Liquid job, or with the output already known here
        ahead = []
        if self.helper is not None and 0 < len(likely_changed) < MIN_PARALLEL:
            job_index = {doc.source.rel: index for doc, index in zip(todo, job_of)}
            ahead = [(doc, job_index.get(doc.source.rel), outputs.get(doc.source.rel))
                     for doc in docs if doc.source.rel in likely_changed]
        results = self._render_spans(jobs, liquid, liquid_key, ctx, ahead)
        problems = []
        for doc, index in zip(todo, job_of):
            rendered, span = results[index], doc.liquid
            assert span is not None
            if isinstance(rendered, Diagnostic):  # told where it is in this document
                first = jobs[index][1]
                problems.append(replace(rendered, path=doc.source.rel, line=(
                    rendered.line - first.line + span.line if rendered.line else 0)))
                continue
            outputs[doc.source.rel] = output = (span.start, span.end, rendered)
            memo[doc.source.rel] = (doc, liquid_key, output)
        self._liquid_memo = memo
        return outputs, problems

    def _render_spans(self, jobs: list[SpanJob], liquid: LiquidContext, liquid_key: str,
                      ctx: ContentContext, ahead: list[tuple[Document, int | None, LiquidOutput]]
                      ) -> list[str | Diagnostic]:
        """By the helper when there is one, else here (python-liquid is imported then). The
        helper is also asked to go on with the Markdown of ``ahead`` (see ``_rendered_ahead``),
        while this process looks up its cache."""
        if self.helper is not None and (jobs or ahead):
            try:
                if jobs:
                    self.helper.send("liquid", liquid, liquid_key, jobs)
                if ahead:
                    self.helper.send("markdown_after_liquid", ctx, ahead)
                    self._speculated = [doc.source.rel for doc, *_ in ahead]
                self._meanwhile()
                return self.helper.receive() if jobs else []  # type: ignore[no-any-return]
            except HelperGone:
                self.helper = None
        if not jobs:
            return []
        from .liquid import create_liquid_environment, render_spans

        if self._liquid_env is None or self._liquid_env[0] != liquid_key:
            env = create_liquid_environment(replace(liquid,
                                                    markdownify=lambda text: self.md.render(text)))
            self._liquid_env = (liquid_key, env)
        return render_spans(self._liquid_env[1], jobs)

    def _content_key(self, doc: Document, base_key: str, liquid_key: str,
                     output: LiquidOutput) -> str:
        """The Markdown cache key. A document is a function of its file (path and hash) and
        the settings (in ``base_key``), and its body after Liquid one of that and the Liquid
        output: so the key hashes a few short strings, never the 30 kB body."""
        known = self._key_memo.get(doc.source.rel)
        if known is not None and known[0] is doc and known[1] == (base_key, liquid_key):
            return known[2]
        key = cache_key(base_key, doc.source, doc.source_hash, output)
        self._key_memo[doc.source.rel] = (doc, (base_key, liquid_key), key)
        return key

    def _progress(self, done: int, total: int) -> Callable[[int], None] | None:
        report = self.progress
        if report is None:
            return None
        return lambda count: report("render", done + count, total)



@dataclass(frozen=True)
class Listing:
    """What every document's Liquid and links see of the others: URLs and ``site.posts``."""

    urls_by_source: dict[str, str]
    posts: list[dict[str, object]]
    post_urls: dict[str, str]  # {% post_url name %}
    key: str  # hash of all of the above
    urls_key: str  # hash of urls_by_source alone


class _ListingMemo:
    """The listing of the last build, kept while no document changed what others see of it:
    after a save of one lecture's text it is the same, and rebuilding it (and hashing 1000
    posts) was a fifth of the dev server's save."""

    def __init__(self) -> None:
        self._docs: list[Document] = []
        self._listing: Listing | None = None

    def of(self, docs: list[Document]) -> Listing:
        if self._listing is None or not self._same_listing(docs):
            self._listing = _listing_of(docs)
        self._docs = list(docs)
        return self._listing

    def _same_listing(self, docs: list[Document]) -> bool:
        if len(docs) != len(self._docs):
            return False
        return all(new is old or _listed_as(new) == _listed_as(old)
                   for new, old in zip(docs, self._docs))


def _listed_as(doc: Document) -> tuple[object, ...]:
    """Everything of a document that the listing shows."""
    return (doc.source.rel, doc.source.content_rel, doc.kind, doc.meta_digest)


def _listing_of(docs: list[Document]) -> Listing:
    urls = urls_by_source_of(docs)
    posts = _liquid_posts(docs)
    post_urls = {d.source.content_rel.rsplit("/", 1)[-1].rsplit(".", 1)[0]: d.url
                 for d in docs if d.is_lecture}
    urls_key = cache_key(list(urls.items()))  # (sorted by urls_by_source_of)
    # site.posts and post_urls are made of the lectures' files and metadata, which their
    # ``meta_digest``s cover: hashing those is a tenth of hashing the posts themselves
    shown = [(d.source.rel, d.meta_digest) for d in docs if d.is_lecture]
    return Listing(urls, posts, post_urls, cache_key(shown, urls_key), urls_key)


def urls_by_source_of(docs: list[Document]) -> dict[str, str]:
    """Both content-relative and site-relative paths, so links and Liquid find documents."""
    urls = {}
    for doc in docs:
        urls[doc.source.content_rel] = doc.url
        urls[doc.source.rel] = doc.url
        if doc.is_lecture:  # Jekyll's own paths keep working in {% link _posts/x.md %}
            urls["_posts/" + doc.source.content_rel.rsplit("/", 1)[-1]] = doc.url
    return dict(sorted(urls.items()))


def _size_and_mtime(path: Path) -> tuple[int, int]:
    stat = path.stat()
    return stat.st_size, stat.st_mtime_ns


def _liquid_posts(docs: list[Document]) -> list[dict[str, object]]:
    posts = sorted((d for d in docs if d.is_lecture),
                   key=lambda d: (d.date.timestamp() if d.date else 0, d.url), reverse=True)
    return [{"title": d.title, "url": d.url, "date": d.date, "categories": list(d.categories),
             "tags": list(d.tags), "description": d.description} for d in posts]

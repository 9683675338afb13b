"""``llmcourse check``: build the site in memory and report what is wrong with it.

Nothing is written. The build's own diagnostics come first (front matter that does not parse,
Liquid errors, clashing output URLs; a mis-encoded file is an error here, not a warning); then
every link and image the Markdown plugins recorded is resolved against the built site, and
``check_pages`` looks at each page for what a reader would trip over. Every finding is a
``Diagnostic`` at its file line: the document's ``body_line`` plus the plugin's 0-based line.
"""

from __future__ import annotations

import difflib
import posixpath
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from html import unescape
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import unquote, urlsplit

from .build import Builder, BuildOptions, Collected
from .content_stage import urls_by_source_of
from .errors import BuildError, Diagnostic
from .markdown.plugins.links import resolve_url
from .model import Document, Entry
from .parse import content_dir_url
from .permalink import url_to_output

if TYPE_CHECKING:
    from .check_external import FetchOptions

_SCHEME = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:")
_ID_ATTR = re.compile(r"""<[^>]*?\s(?:id|name)\s*=\s*(["'])(.*?)\1""", re.IGNORECASE | re.DOTALL)
_MOJIBAKE = "text looks mis-encoded"
_ALWAYS_THERE = frozenset({"", "top"})  # browsers scroll to the top for "#" and "#top"


@dataclass
class SiteIndex:
    """What a link may point at on the built site (URLs without baseurl)."""

    baseurl: str
    files: set[str]  # every output path: rendered pages and copied files
    outputs: Mapping[str, bytes]
    unpublished: dict[str, str]  # output -> why it is not published
    urls_by_source: Mapping[str, str]
    _ids: dict[str, frozenset[str]] = field(default_factory=dict)

    def ids(self, output: str) -> frozenset[str] | None:
        """Every id (and <a name>) on a rendered page; None for files we did not render."""
        if output not in self.outputs:
            return None
        if output not in self._ids:
            html = self.outputs[output].decode("utf-8", "replace")
            self._ids[output] = frozenset(unescape(m.group(2)) for m in _ID_ATTR.finditer(html))
        return self._ids[output]

    def find(self, path: str) -> str | None:
        """A site path (``/lectures/x/``) -> the output that serves it, as GitHub Pages would."""
        output = url_to_output(path)
        if output is None:
            return None
        candidates = [output]
        if not path.endswith("/") and not posixpath.splitext(path)[1]:
            candidates.append(path.strip("/") + "/index.html")
        return next((c for c in candidates if c in self.files), None)


def check_site(site_dir: Path, *, external: bool = False,
               fetch: FetchOptions | None = None) -> list[Diagnostic]:
    """Build ``site_dir`` in memory and return every finding, sorted. Without ``external``
    nothing touches the network."""
    try:
        collected = Builder(BuildOptions(site_dir=site_dir, out_dir=site_dir / "_site")).collect()
    except BuildError as exc:  # site.yaml itself is unusable: nothing else can be checked
        return sort_findings(exc.diagnostics)
    findings = check_collected(collected)
    if external:
        from .check_external import FetchOptions, external_findings

        findings += external_findings(external_urls(collected), site_dir,
                                      fetch or FetchOptions())
    return sort_findings(findings)


def check_collected(collected: Collected) -> list[Diagnostic]:
    from .check_pages import check_documents, check_page

    index = site_index(collected)
    found = [_promote(d) for d in collected.diagnostics]
    own: list[Diagnostic] = []
    for entry in collected.site.lectures + collected.site.pages:
        own += check_links(entry, index)
        own += check_page(entry, https=collected.config.url.startswith("https://"))
    own += check_documents(collected)
    return sort_findings(found + [d for d in own if not _already_reported(d, found)])


def site_index(collected: Collected) -> SiteIndex:
    published = {d.output for d in collected.documents}
    unpublished = {}
    for doc in collected.parsed:
        if doc.output not in published:
            unpublished[doc.output] = "a draft" if doc.draft else "dated in the future"
    files = set(collected.outputs) | set(collected.copies) | published
    return SiteIndex(collected.config.baseurl, files, collected.outputs, unpublished,
                     urls_by_source_of(list(collected.documents)))


def check_links(entry: Entry, index: SiteIndex) -> list[Diagnostic]:
    """Internal links, anchors and local images of one page."""
    doc, data = entry.doc, entry.content.data
    problems = []
    for href, _text, line in data.get("links", ()):
        message = _link_problem(unquote(href), doc.output, content_dir_url(doc.source), index)
        if message:
            problems.append(Diagnostic(doc.source.rel, locate(doc, line, href), *message))
    for src, _alt, line in data.get("images", ()):
        if not src or src.startswith(("#", "//")) or _SCHEME.match(src):
            continue
        target = _resolve(src.partition("#")[0], content_dir_url(doc.source), index)
        if target is None or index.find(target) is None:
            problems.append(Diagnostic(doc.source.rel, locate(doc, line, src),
                                       f"image '{unquote(src)}' not found", "error"))
    return problems


def _link_problem(href: str, own_output: str, dir_url: str, index: SiteIndex
                  ) -> tuple[str, str, str | None] | None:
    """(message, level, hint) when ``href`` points at nothing on the built site."""
    if not href or href.startswith("//") or _SCHEME.match(href):
        return None  # external: only `check --external` looks at those
    path, _, fragment = href.partition("#")
    path = path.partition("?")[0]
    if not path:
        return _anchor_problem(href, fragment, own_output, "this page", index)
    target = _resolve(path, dir_url, index)
    if target is None:
        return f"link to '{href}' leads outside the site", "error", None
    output = index.find(target)
    if output is None:
        return _missing(href, path, target, index)
    return _anchor_problem(href, fragment, output, target, index)


def _resolve(path: str, dir_url: str, index: SiteIndex) -> str | None:
    """A link as written -> its site path without baseurl (None when it leaves the site)."""
    resolved = resolve_url(path, baseurl=index.baseurl, dir_url=dir_url,
                           urls_by_source=index.urls_by_source)
    if not resolved.startswith("/"):
        return None  # resolve_url leaves links that climb out of content/ as written
    base = index.baseurl
    if base and (resolved == base or resolved.startswith(base + "/")):
        resolved = resolved[len(base):] or "/"
    return unquote(resolved)


def _missing(href: str, path: str, target: str, index: SiteIndex) -> tuple[str, str, str | None]:
    output = url_to_output(target) or ""
    why = index.unpublished.get(output) or index.unpublished.get(target.strip("/") + "/index.html")
    if why:
        flag = "--drafts" if why == "a draft" else "--future"
        return (f"link to '{href}': that page is {why} and not published", "error",
                f"build with {flag} to publish it, or remove the link")
    if path.lower().endswith((".md", ".markdown")):
        return f"link to '{href}': no such document", "error", None
    what = "file" if posixpath.splitext(target.rstrip("/"))[1] not in ("", ".html") else "page"
    return f"link to '{href}': no such {what}", "error", None


def _anchor_problem(href: str, fragment: str, output: str, where: str, index: SiteIndex
                    ) -> tuple[str, str, str | None] | None:
    wanted = unquote(fragment)
    if wanted in _ALWAYS_THERE:
        return None
    ids = index.ids(output)
    if ids is None or wanted in ids:
        return None
    near = difflib.get_close_matches(wanted, sorted(ids), n=1, cutoff=0.6)
    return (f"link to '{href}': no heading or anchor '#{wanted}' on {where}", "error",
            f"did you mean '#{near[0]}'?" if near else None)


def locate(doc: Document, line: int, needle: str, *, window: int = 40) -> int:
    """The file line of ``needle`` at or after the plugin's 0-based body line.

    The plugins record the line where a paragraph or HTML block starts; a link in its fifth
    line is reported at that line instead, found in the source text."""
    lines = doc.body.split("\n")
    needles = [n for n in dict.fromkeys((needle, unquote(needle))) if n]
    for offset in range(line, min(line + window, len(lines))):
        if any(n in lines[offset] for n in needles):
            return doc.body_line + offset
    return doc.body_line + line


def _promote(diag: Diagnostic) -> Diagnostic:
    """Mis-encoded text is a warning in a build (the site still works) and an error here."""
    if diag.level == "warning" and diag.message.startswith(_MOJIBAKE):
        return replace(diag, level="error")
    return diag


def _already_reported(finding: Diagnostic, build: Iterable[Diagnostic]) -> bool:
    """A plugin may already warn about the same thing (a .tif image) at the same line."""
    names = [posixpath.basename(urlsplit(s).path) for s in re.findall(r"'([^']+)'",
                                                                       finding.message)]
    return any(d.path == finding.path and d.line == finding.line
               and any(n and n in d.message for n in names) for d in build)


def sort_findings(findings: Iterable[Diagnostic]) -> list[Diagnostic]:
    return sorted(set(findings), key=lambda d: (d.path, d.line, d.level, d.message))


def summary(findings: Iterable[Diagnostic]) -> str:
    findings = list(findings)
    errors = sum(d.level == "error" for d in findings)
    warnings = len(findings) - errors
    return (f"{errors} error{'s' if errors != 1 else ''}, "
            f"{warnings} warning{'s' if warnings != 1 else ''}")


def external_urls(collected: Collected) -> dict[str, list[tuple[str, int]]]:
    """Every outbound http(s) link and image -> where it stands (path, file line)."""
    found: dict[str, list[tuple[str, int]]] = {}
    for entry in collected.site.lectures + collected.site.pages:
        doc, data = entry.doc, entry.content.data
        for url, _text, line in [*data.get("links", ()), *data.get("images", ())]:
            if urlsplit(url).scheme in ("http", "https"):
                found.setdefault(url.partition("#")[0], []).append(
                    (doc.source.rel, locate(doc, line, url)))
    return found

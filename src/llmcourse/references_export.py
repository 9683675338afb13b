"""The course-wide reference index: /references/ (HTML), /references.json and /references.bib.

Built from what every document's ``references_plugin`` recorded (``page.data["references"]``),
lectures first in course order, then the other pages. Each output is keyed by the references
themselves, so a save that changes no link leaves the three files untouched.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping, Sequence

from .references import KINDS, PageReference, Reference, course_index
from .render import PlannedPage, RenderInputs, fingerprint
from .views import PageView, SiteView

RAW_TEMPLATE = "_raw.txt"  # outputs its ``body`` as it is
URL, JSON_OUT, BIB_OUT = "/references/", "references.json", "references.bib"


def _documents(inputs: RenderInputs) -> list[tuple[str, str, Sequence[PageReference]]]:
    return [(e.doc.url, e.doc.title, e.content.data.get("references", ()))
            for e in inputs.site.lectures + inputs.site.pages]


def references_json(index: Mapping[str, Sequence[Reference]], baseurl: str) -> Iterator[str]:
    """Every reference by kind, in the pages' order; ``cited_in`` links carry the baseurl.
    Made a reference at a time (one per line): a 1000-lecture course's file is 26 MB, and
    building it as one structure took 100 MB."""
    yield '{"kinds": ['
    for number, (kind, label) in enumerate(KINDS):
        head = json.dumps({"kind": kind, "label": label}, ensure_ascii=False)[:-1]
        yield ("," if number else "") + "\n " + head + ', "references": ['
        for count, ref in enumerate(index[kind]):
            yield ("," if count else "") + "\n  " + json.dumps(
                {"key": ref.key, "title": ref.title, "url": ref.url,
                 "cited_in": [{"page": baseurl + p.url, "title": p.page_title,
                               "section": p.section, "section_title": p.section_title,
                               "href": baseurl + p.href} for p in ref.places]},
                ensure_ascii=False)
        yield "]}"
    yield "\n]}\n"


_BIB_SPECIAL = re.compile(r"[\\{}&%$#_^~]")
_BIB_ESCAPES = {"\\": r"\textbackslash{}", "^": r"\^{}", "~": r"\~{}"}


def bibtex_escape(text: str) -> str:
    """Text safe inside a braced BibTeX field: specials escaped, braces balanced."""
    return _BIB_SPECIAL.sub(lambda m: _BIB_ESCAPES.get(m.group(0), "\\" + m.group(0)), text)


def bibtex_key(arxiv_id: str) -> str:
    """2303.18223 -> arxiv2303.18223; hep-th/9901001 -> arxivhep-th_9901001 (no '/' in keys)."""
    return "arxiv" + arxiv_id.replace("/", "_")


def references_bib(papers: Sequence[Reference]) -> str:
    entries = []
    for ref in papers:
        entries.append(
            f"@misc{{{bibtex_key(ref.key)},\n"
            f"  title = {{{bibtex_escape(ref.title)}}},\n"
            f"  eprint = {{{ref.key}}},\n"
            f"  archivePrefix = {{arXiv}},\n"
            f"  url = {{{ref.url}}}\n"
            "}\n")
    return "\n".join(entries)


def reference_pages(inputs: RenderInputs, site_v: SiteView, views: Mapping[str, PageView]
                    ) -> list[PlannedPage]:
    entries = inputs.site.lectures + inputs.site.pages
    # Each document's references are stood for by their digest: the key costs nothing to
    # compute, and the index is only built (its data decoded) when an output re-renders.
    refs_key = fingerprint(tuple((e.doc.url, e.doc.title, e.content.data_digests.get(
        "references", e.content.digest)) for e in entries))
    built: list[Mapping[str, Sequence[Reference]]] = []

    def index() -> Mapping[str, Sequence[Reference]]:
        if not built:
            built.append(course_index(_documents(inputs)))
        return built[0]

    def html_context() -> dict[str, object]:
        sections = [(kind, label, index()[kind]) for kind, label in KINDS if index()[kind]]
        return {"site": site_v, "page": None, "url": URL, "title": "References",
                "sections": sections, "count": sum(len(s[2]) for s in sections)}

    baseurl = inputs.config.baseurl
    planned = []
    if URL not in views:
        key = fingerprint("references", inputs.theme_key, refs_key, inputs.nav_key)
        planned.append(PlannedPage("references/index.html", URL, "references.html", key,
                                   html_context))
    json_key = fingerprint("references.json", refs_key, baseurl)
    planned.append(PlannedPage(JSON_OUT, "/" + JSON_OUT, RAW_TEMPLATE, json_key,
                               lambda: {"body": references_json(index(), baseurl)}))
    planned.append(PlannedPage(BIB_OUT, "/" + BIB_OUT, RAW_TEMPLATE, fingerprint("bib", refs_key),
                               lambda: {"body": references_bib(index()["paper"])}))
    return planned

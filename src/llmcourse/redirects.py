"""Redirect pages, compatible with jekyll-redirect-from.

``redirect_from:`` (a path or a list of paths) in a document's front matter writes a tiny page
at each old path that sends the browser, and search engines, to the document's URL.
``redirect_to:`` turns the document's own URL into such a page pointing elsewhere. The importer
(``jekyll_import``) adds ``redirect_from`` to every lecture whose URL changes, so old student
bookmarks keep working through this one mechanism.

Registered as a page generator in ``pages.GENERATORS``. Generators run after the documents are
planned, so a ``redirect_to`` page replaces the document's rendered page at the same output.
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Mapping
from urllib.parse import quote

from .config import SiteConfig
from .errors import BuildError, Diagnostic
from .model import Document, Site
from .permalink import url_to_output
from .render import PlannedPage, RenderInputs, fingerprint
from .views import PageView, SiteView

RAW_TEMPLATE = "_raw.txt"  # outputs ``body`` unescaped: we build the HTML here
# Characters a URL may keep as they are; everything else (spaces, CJK) is percent-encoded.
_URL_SAFE = "/:#?&=%~+@!$'()*,;[]-._"


def redirect_html(target: str, canonical: str, lang: str = "en") -> str:
    """The page at an old URL: refresh at once, canonical for search engines, a visible link
    for browsers that ignore the refresh, and noindex so the old URL leaves search results."""
    href = html.escape(target, quote=True)
    canon = html.escape(canonical, quote=True)
    return (
        "<!DOCTYPE html>\n"
        f'<html lang="{html.escape(lang, quote=True)}">\n'
        "<head>\n"
        '<meta charset="utf-8">\n'
        "<title>Redirecting&hellip;</title>\n"
        f'<link rel="canonical" href="{canon}">\n'
        f'<meta http-equiv="refresh" content="0; url={href}">\n'
        '<meta name="robots" content="noindex">\n'
        "</head>\n"
        "<body>\n"
        "<h1>Redirecting&hellip;</h1>\n"
        f'<p><a href="{href}">Click here if you are not redirected.</a></p>\n'
        f"<script>location.replace({_js_string(target)});</script>\n"
        "</body>\n"
        "</html>\n"
    )


def _js_string(text: str) -> str:
    # JSON-like quoting that also keeps "</script>" out of the inline script
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("<", "\\u003c")
    return f'"{escaped}"'


def public_url(url: str, config: SiteConfig) -> tuple[str, str]:
    """A site URL (or an external one) -> (href with baseurl, absolute URL for canonical)."""
    if url.startswith(("http://", "https://", "//")):
        return url, url
    path = url if url.startswith("/") else "/" + url
    if config.baseurl and not (path == config.baseurl or path.startswith(config.baseurl + "/")):
        path = config.baseurl + path
    path = quote(path, safe=_URL_SAFE)
    return path, (config.url + path if config.url else path)


def normalize_from(path: str) -> str:
    """``old/page.html`` and ``/old/page.html`` name the same old URL."""
    path = path.strip()
    return path if path.startswith("/") else "/" + path


def plan_redirects(site: Site, config: SiteConfig) -> tuple[list[tuple[str, str, str, Document]],
                                                            list[Diagnostic]]:
    """Every redirect as (output, old url, target url, document), and the clashes.

    An old path that a real document, a content file or another redirect already uses is an
    error at the ``redirect_from`` line, naming the other file.
    """
    docs = [e.doc for e in site.lectures + site.pages]
    owners: dict[str, str] = {d.output: d.source.rel for d in docs}
    owners.update({a.content_rel: a.rel for a in site.assets})
    planned: list[tuple[str, str, str, Document]] = []
    problems: list[Diagnostic] = []
    for doc in sorted(docs, key=lambda d: d.source.rel):
        for old in dict.fromkeys(normalize_from(p) for p in doc.redirect_from if p.strip()):
            output = url_to_output(old)
            if old == doc.url or output == doc.output:
                continue  # a redirect to itself would loop
            if output is None:
                problems.append(Diagnostic(doc.source.rel, doc.line_of("redirect_from"),
                                           f"redirect_from '{old}' leads outside the site"))
                continue
            owner = owners.get(output)
            if owner is not None:
                problems.append(Diagnostic(
                    doc.source.rel, doc.line_of("redirect_from"),
                    f"redirect_from '{old}' clashes with {owner}, which is published there"))
                continue
            owners[output] = doc.source.rel + " (redirect_from)"
            planned.append((output, old, doc.url, doc))
        if doc.redirect_to:
            planned.append((doc.output, doc.url, doc.redirect_to.strip(), doc))
    return planned, problems


def redirect_pages(inputs: RenderInputs, site_v: SiteView, views: Mapping[str, PageView]
                   ) -> list[PlannedPage]:
    """Page generator: one tiny page per old URL. Clashes stop the build (all reported)."""
    planned, problems = plan_redirects(inputs.site, inputs.config)
    if problems:
        raise BuildError(problems)
    return list(_pages(planned, inputs.config))


def _pages(planned: Iterable[tuple[str, str, str, Document]], config: SiteConfig
           ) -> Iterable[PlannedPage]:
    for output, old, target, doc in planned:
        href, canonical = public_url(target, config)
        body = redirect_html(href, canonical, config.lang)
        key = fingerprint("redirect", body)  # the page is exactly its body
        yield PlannedPage(output, old, RAW_TEMPLATE, key,
                          lambda body=body: {"body": body})

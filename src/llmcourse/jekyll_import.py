"""``llmcourse import-jekyll``: a Jekyll site -> an llmcourse site, every old URL kept.

Two phases, like the build: ``plan_import`` reads the Jekyll site and decides every output file
(pure apart from reading), ``write_import`` writes them. The Jekyll site is only ever read.

Old URLs: each post's URL under Jekyll's permalink style is computed with llmcourse's own parser
(the same code the build runs), so what the importer predicts is what the build produces. By
default the lecture moves to llmcourse's URL and gets ``redirect_from: [old URL]``
(jekyll-redirect-from's key, which ``redirects.py`` serves); with ``keep_urls`` the Jekyll
pattern becomes ``permalinks.lecture`` and pages get an explicit ``permalink``.
"""

from __future__ import annotations

import fnmatch
import posixpath
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from .config import DEFAULT_PERMALINKS, SiteConfig, parse_config
from .errors import ContentError, Diagnostic, LlmcourseError
from .frontmatter import parse_yaml_mapping, split_front_matter
from .model import SourceFile
from .parse import parse_document
from .scaffold import starter_files
from .theme import theme_root

# Jekyll's named permalink styles (Jekyll 4).
NAMED_STYLES = {
    "date": "/:categories/:year/:month/:day/:title:output_ext",
    "pretty": "/:categories/:year/:month/:day/:title/",
    "ordinal": "/:categories/:year/:y_day/:title:output_ext",
    "weekdate": "/:categories/:year/W:week/:short_day/:title:output_ext",
    "none": "/:categories/:title:output_ext",
}
SKIPPED = ("_site", ".jekyll-cache", ".sass-cache", ".jekyll-metadata", "Gemfile",
           "Gemfile.lock", "vendor", "node_modules", "_config.yml", ".git")
PAGE_SUFFIXES = (".md", ".markdown", ".html", ".htm")
PLUGINS = {
    "jekyll-seo-tag": "is built in",
    "jekyll-feed": "is built in (feed.xml)",
    "jekyll-sitemap": "is built in (sitemap.xml)",
    "jekyll-redirect-from": "is built in (redirect_from and redirect_to keep working)",
    "jekyll-relative-links": "is built in (links to .md files become page URLs)",
    "jekyll-archives": "is built in (category, tag and archive pages)",
    "jekyll-paginate": "is not needed (the home page lists every lecture)",
    "jekyll-paginate-v2": "is not needed (the home page lists every lecture)",
    "jekyll-optional-front-matter": "is not needed for lectures; pages need front matter",
    "jekyll-remote-theme": "is not needed (llmcourse has its own theme)",
    "jekyll-include-cache": "is not needed",
    "jekyll-github-metadata": "is not supported; site.github is empty",
}
# _config.yml keys that become site.yaml settings, or that mean nothing to llmcourse.
CONFIG_KEYS = ("title", "tagline", "description", "lang", "url", "baseurl", "author", "timezone")
JEKYLL_ONLY = {
    "permalink", "plugins", "gems", "exclude", "include", "header_pages", "markdown", "kramdown",
    "highlighter", "theme", "remote_theme", "collections", "defaults", "paginate",
    "paginate_path", "sass", "source", "destination", "future", "show_drafts", "encoding",
    "keep_files", "safe", "incremental", "livereload", "excerpt_separator", "whitelist",
    "markdown_ext", "liquid", "strict_front_matter", "feed", "jekyll-archives", "plugins_dir",
    "layouts_dir", "data_dir", "includes_dir", "collections_dir", "webrick", "quiet", "verbose",
}
_NOT_CARRIED = {
    "theme": "theme {value} replaced by llmcourse's default theme",
    "remote_theme": "theme {value} replaced by llmcourse's default theme",
    "collections": "collections are not carried over; only _posts become lectures",
    "defaults": "front matter defaults are not carried over; set keys in each file if needed",
    "paginate": "pagination is not needed (the home page lists every lecture)",
}


@dataclass(frozen=True)
class ImportOptions:
    keep_urls: bool = False
    force: bool = False


@dataclass(frozen=True)
class ImportPlan:
    files: dict[str, bytes | Path]  # output path (relative to SITE) -> bytes, or a file to copy
    notes: tuple[Diagnostic, ...]
    redirects: int  # old URLs served by redirect pages
    urls: dict[str, str] = field(default_factory=dict)  # Jekyll URL -> llmcourse URL


def note(path: str, line: int, message: str) -> Diagnostic:
    return Diagnostic(path, line, f"note: {message}", "warning")


# -- front matter as text: edits keep the author's comments and key order ---------------------
def set_key(text: str, key: str, value: Any) -> str:
    """``text`` with front-matter ``key`` set to ``value`` (replaced where it stands, else
    added before the closing ``---``)."""
    lines = text.split("\n")
    end = next(i for i in range(1, len(lines)) if re.match(r"^(---|\.\.\.)\s*$", lines[i]))
    dumped = yaml.safe_dump({key: value}, allow_unicode=True, default_flow_style=False,
                            sort_keys=False, width=1000).rstrip("\n").split("\n")
    for i in range(1, end):
        if re.match(rf"^{re.escape(key)}\s*:", lines[i]):
            stop = i + 1
            while stop < end and (lines[stop].startswith((" ", "\t", "-")) or not lines[stop]):
                stop += 1
            return "\n".join(lines[:i] + dumped + lines[stop:])
    return "\n".join(lines[:end] + dumped + lines[end:])


def html_to_markdown_body(text: str) -> str:
    """An .html page's body as Markdown that renders to the same HTML: without indentation no
    line becomes a code block (``<pre>`` keeps its text, so such bodies are left alone)."""
    if re.search(r"<(pre|textarea)\b", text, re.IGNORECASE):
        return text
    return "\n".join(line.strip() for line in text.split("\n"))


# -- _config.yml -------------------------------------------------------------------------------
def lecture_pattern(style: Any) -> str:
    style = str(style or "date").strip()
    return NAMED_STYLES.get(style, style if style.startswith("/") else "/" + style)


def _item_line(lines: list[str], key_line: int, item: str) -> int:
    """The line of ``- item`` under a top-level key (for one-line notes about list items)."""
    for number in range(key_line, min(len(lines), key_line + 200)):
        if re.match(rf"^\s*-\s*['\"]?{re.escape(item)}['\"]?\s*(#.*)?$", lines[number]):
            return number + 1
    return key_line


def config_notes(data: dict[str, Any], key_lines: dict[str, int], text: str) -> list[Diagnostic]:
    lines = text.split("\n")
    notes = []
    for key in ("plugins", "gems"):
        for plugin in data.get(key) or []:
            verdict = PLUGINS.get(str(plugin), "is not supported; what it adds is not carried over")
            notes.append(note("_config.yml", _item_line(lines, key_lines.get(key, 1), str(plugin)),
                              f"plugin {plugin} {verdict}"))
    for key, message in _NOT_CARRIED.items():
        if data.get(key):
            notes.append(note("_config.yml", key_lines.get(key, 1),
                              message.format(value=data[key])))
    return notes


def site_settings(data: dict[str, Any], nav: list[dict[str, str]], keep_urls: bool
                  ) -> dict[str, Any]:
    settings: dict[str, Any] = {}
    for key in CONFIG_KEYS:
        value = data.get(key)
        if isinstance(value, dict) and key == "author":
            value = value.get("name")
        if value not in (None, ""):
            settings[key] = str(value)
    if nav:
        settings["nav"] = nav
    if keep_urls:
        settings["permalinks"] = {"lecture": lecture_pattern(data.get("permalink")),
                                  "page": DEFAULT_PERMALINKS["page"]}
    extra = {k: v for k, v in data.items()
             if k not in JEKYLL_ONLY and k not in CONFIG_KEYS and _plain(v)}
    if isinstance(data.get("author"), dict):
        extra["author_details"] = data["author"]
    if extra:
        settings["extra"] = extra  # site.KEY keeps working in Liquid and templates
    return settings


def _plain(value: Any) -> bool:
    """Values YAML writes back as they were (no dates or other objects)."""
    if isinstance(value, dict):
        return all(isinstance(k, str) and _plain(v) for k, v in value.items())
    if isinstance(value, list):
        return all(_plain(v) for v in value)
    return value is None or isinstance(value, (str, int, float, bool))


def render_site_yaml(settings: dict[str, Any], source: Path) -> str:
    header = (f"# Imported from the Jekyll site {source.name}/ by `llmcourse import-jekyll`.\n"
              "# Every setting is described in the starter's site.yaml (`llmcourse new`).\n")
    return header + yaml.safe_dump(settings, allow_unicode=True, sort_keys=False, width=100)


def navigation(source: Path, data: dict[str, Any]) -> tuple[list[dict[str, str]], list[str]]:
    """(nav items, header_pages paths) from _data/navigation.yml or minima's header_pages."""
    for name in ("navigation.yml", "navigation.yaml"):
        path = source / "_data" / name
        if path.is_file():
            raw = yaml.safe_load(path.read_text(encoding="utf-8"))
            if isinstance(raw, dict):  # {main: [...]} or another single list
                raw = raw.get("main") or next((v for v in raw.values() if isinstance(v, list)), [])
            items = []
            for item in raw or []:
                if isinstance(item, dict):
                    title = item.get("title") or item.get("name") or item.get("text")
                    url = item.get("url") or item.get("link") or item.get("href")
                    if title and url:
                        items.append({"title": str(title), "url": str(url)})
            return items, []
    return [], [str(p) for p in data.get("header_pages") or []]


# -- the files ---------------------------------------------------------------------------------
def source_files(source: Path, exclude: list[str]) -> list[str]:
    """Every file Jekyll would look at, relative, POSIX, sorted; build output and tooling out."""
    found = []
    for path in sorted(source.rglob("*")):
        if not path.is_file() and not path.is_symlink():
            continue
        rel = path.relative_to(source).as_posix()
        parts = rel.split("/")
        if parts[0] in SKIPPED or any(p.startswith(".") for p in parts):
            continue
        if any(fnmatch.fnmatch(rel, p) or rel.startswith(p.rstrip("/") + "/") for p in exclude):
            continue
        found.append(rel)
    return found


def jekyll_page_url(rel: str, style_pattern: str) -> str:
    """The URL Jekyll gives a page without a ``permalink`` (Jekyll::Page#template)."""
    stem, _ = posixpath.splitext(rel)
    folder, base = posixpath.split(stem)
    if base == "index":
        return "/" + (folder + "/" if folder else "")
    url = "/" + (folder + "/" if folder else "") + base
    if style_pattern.endswith("/"):
        return url + "/"
    if style_pattern.endswith(":output_ext") or style_pattern in NAMED_STYLES.values():
        return url + ".html"
    return url


def theme_layouts() -> set[str]:
    folder = theme_root() / "templates"
    return {p.stem for p in folder.glob("*.html") if not p.name.startswith(("_", "base"))}


@dataclass(frozen=True)
class _Context:
    jekyll: SiteConfig  # llmcourse's config with Jekyll's post permalink: the old URLs
    ours: SiteConfig  # exactly what the build will read from the written site.yaml
    style: str
    keep_urls: bool
    layouts: frozenset[str]


@dataclass(frozen=True)
class _Converted:
    out: str  # path under content/
    text: str
    old_url: str
    new_url: str
    title: str
    redirected: bool
    notes: tuple[Diagnostic, ...]


def _url_of(rel: str, text: str, config: SiteConfig) -> tuple[str, str, list[Diagnostic]]:
    """(url, title, problems) of a content file as the build would parse it."""
    source = SourceFile(Path(rel), "content/" + rel, rel)
    doc, problems = parse_document(source, text, config, "")
    return (doc.url, doc.title, []) if doc else ("", "", problems)


def convert_document(src_rel: str, out: str, text: str, kind: str, ctx: _Context
                     ) -> _Converted:
    """One post or page: .html bodies made safe for Markdown, unknown layouts replaced, and the
    old URL kept (redirect_from, or permalink with ``keep_urls``)."""
    notes: list[Diagnostic] = []
    raw = split_front_matter(text, src_rel)
    if out.endswith((".html", ".htm")):
        front = "\n".join(text.split("\n")[:raw.body_line - 1])
        text = front + "\n" + html_to_markdown_body(raw.body)
        out = posixpath.splitext(out)[0] + ".md"
    layout = raw.data.get("layout")
    if layout is not None and str(layout) not in ctx.layouts:
        replacement = "post" if kind == "lecture" else "page"
        text = set_key(text, "layout", replacement)
    if kind == "page" and not raw.data.get("permalink"):
        old = jekyll_page_url(src_rel, ctx.style)
    else:
        old, _, _ = _url_of(out, text, ctx.jekyll)
    new, title, problems = _url_of(out, text, ctx.ours)
    redirected = False
    if old and new and old != new:
        if ctx.keep_urls:
            text = set_key(text, "permalink", old)
        else:
            current = raw.data.get("redirect_from") or []
            current = [current] if isinstance(current, str) else list(current)
            text = set_key(text, "redirect_from", current + [old])
            redirected = True
    new, title, problems = _url_of(out, text, ctx.ours)
    notes += [note(src_rel, p.line, "will not build as it is: " + p.message) for p in problems]
    return _Converted(out, text, old, new, title, redirected, tuple(notes))


def _has_front_matter(data: bytes) -> bool:
    return data.startswith((b"---\n", b"---\r\n", b"\xef\xbb\xbf---"))


def _page_skip(rel: str, text: str, raw_data: dict[str, Any], ctx: _Context
               ) -> tuple[str | None, str | None]:
    """(reason to skip, generated URL that replaces it) for pages llmcourse makes itself."""
    stem = posixpath.splitext(rel)[0]
    if stem == "404":
        return "llmcourse generates its own 404 page", None
    for taxonomy in ("categories", "tags"):
        if f"site.{taxonomy}" in text:
            return f"replaced by llmcourse's generated /{taxonomy}/ page", f"/{taxonomy}/"
    body = split_front_matter(text, rel).body
    if raw_data.get("layout") == "home" and not body.strip():
        return "llmcourse generates the home page (the list of lectures)", None
    return None, None


def plan_import(source: Path, options: ImportOptions = ImportOptions()) -> ImportPlan:
    """Read the Jekyll site; decide every output file. Raises ContentError for a bad
    _config.yml (with its line)."""
    config_path = source / "_config.yml"
    config_text = config_path.read_text(encoding="utf-8") if config_path.is_file() else ""
    try:
        data, key_lines = (parse_yaml_mapping(config_text, "_config.yml", 1) if config_text
                           else ({}, {}))
    except ContentError as exc:
        diag = exc.diagnostic
        raise ContentError(diag.path, diag.line, diag.message.replace("front matter", "YAML"),
                           diag.hint) from None
    notes = config_notes(data, key_lines, config_text)
    exclude = data.get("exclude") or []
    exclude = [str(e) for e in ([exclude] if isinstance(exclude, str) else exclude)]
    style = lecture_pattern(data.get("permalink"))
    nav, header_pages = navigation(source, data)
    settings = site_settings(data, nav, options.keep_urls)
    ours, _ = parse_config(render_site_yaml(settings, source))
    jekyll = SiteConfig(**{**{f: getattr(ours, f) for f in ours.__dataclass_fields__},
                           "permalinks": (("lecture", style), ("page", "/:path/"))})
    ctx = _Context(jekyll, ours, style, options.keep_urls, frozenset(theme_layouts()))

    files: dict[str, bytes | Path] = {}
    urls: dict[str, str] = {}
    pages: list[_Converted] = []
    redirects = 0
    noted_dirs: set[str] = set()

    def add_document(rel: str, out: str, kind: str) -> None:
        nonlocal redirects
        text = (source / rel).read_bytes().decode("utf-8", errors="replace")
        if kind == "page":
            raw = split_front_matter(text, rel)
            reason, replacement = _page_skip(rel, text, raw.data, ctx)
            if reason:
                notes.append(note(rel, 1, f"not carried over: {reason}"))
                old = raw.data.get("permalink") or jekyll_page_url(rel, style)
                if replacement and old != replacement:  # keep the old address working
                    stub = (f"---\ntitle: {raw.data.get('title') or replacement}\n"
                            f"permalink: {old}\nredirect_to: {replacement}\n---\n")
                    files[f"content/{posixpath.splitext(out)[0]}.md"] = stub.encode()
                    urls[str(old)] = replacement
                    redirects += 1
                return
        done = convert_document(rel, out, text, kind, ctx)
        notes.extend(done.notes)
        files["content/" + done.out] = done.text.encode("utf-8")
        urls[done.old_url] = done.new_url
        redirects += done.redirected
        if kind == "page":
            pages.append(done)

    for rel in source_files(source, exclude):
        top, _, rest = rel.partition("/")
        path = source / rel
        if top == "_posts" and rel.endswith(PAGE_SUFFIXES):
            add_document(rel, "lectures/" + rest, "lecture")
        elif top == "_includes":
            files["templates/_includes/" + rest] = path
        elif top == "_layouts":
            name = posixpath.splitext(rest)[0]
            if name in ctx.layouts:
                notes.append(note(rel, 0, f"replaced by llmcourse's '{name}' layout"))
            else:
                notes.append(note(rel, 0, "layout not carried over; lectures using it get "
                                          "'post', pages 'page'"))
        elif top == "_data" and rest.startswith("navigation."):
            continue
        elif top.startswith("_") and rest:
            if top not in noted_dirs:
                noted_dirs.add(top)
                what = {"_drafts": "drafts are not carried over (move them to _posts first)",
                        "_data": "data files are not carried over (site.data is empty)",
                        "_sass": "styles are not carried over (llmcourse's theme has its own)"}
                notes.append(note(top + "/", 0, what.get(top, "collection not carried over")))
        elif top.startswith("_"):
            continue
        elif _has_front_matter(path.read_bytes()[:8]):
            if rel.endswith(PAGE_SUFFIXES):
                add_document(rel, rel, "page")
            elif posixpath.basename(rel) in ("feed.xml", "sitemap.xml", "robots.txt"):
                notes.append(note(rel, 1, "not carried over: llmcourse generates it"))
            else:
                notes.append(note(rel, 1, "not carried over: files with front matter are "
                                          "Liquid templates for Jekyll"))
        elif rel.endswith((".md", ".markdown")):
            notes.append(note(rel, 1, "not carried over: no front matter (Jekyll copies it as "
                                      "a plain file; add front matter to make it a page)"))
        else:
            files["content/" + rel] = path  # assets/, images/...: same URL as before
    if not nav:
        nav = _nav_from_pages(pages, header_pages)
    if nav:
        settings["nav"] = [{"title": n["title"], "url": urls.get(n["url"], n["url"])} for n in nav]
    files["site.yaml"] = render_site_yaml(settings, source).encode("utf-8")
    for rel, item in starter_files():  # the publishing workflow and .gitignore
        if rel in ("_gitignore", "_github/workflows/pages.yml"):
            files.setdefault(rel.replace("_", ".", 1), item.read_bytes())
    return ImportPlan(files, tuple(notes), redirects, urls)


def _nav_from_pages(pages: list[_Converted], header_pages: list[str]) -> list[dict[str, str]]:
    """minima's header: ``header_pages`` in order, else every page that has a title."""
    by_source = {p.out: p for p in pages}
    if header_pages:
        chosen = [by_source.get(posixpath.splitext(h)[0] + ".md") for h in header_pages]
    else:
        chosen = [p for p in pages if p.new_url != "/" and p.title]
    return [{"title": p.title, "url": p.new_url} for p in chosen if p is not None]


def check_folders(source: Path, target: Path, force: bool) -> None:
    from .scaffold import check_target

    if not source.is_dir():
        raise LlmcourseError(f"{source} is not a folder")
    if not ((source / "_config.yml").is_file() or (source / "_posts").is_dir()):
        raise LlmcourseError(f"{source} is not a Jekyll site (no _config.yml and no _posts/)")
    src, dst = source.resolve(), target.resolve()
    if dst == src or dst.is_relative_to(src) or src.is_relative_to(dst):
        raise LlmcourseError(f"{target} must be outside {source} (the Jekyll site is never "
                             "changed)")
    check_target(target, force)


def write_import(target: Path, plan: ImportPlan) -> list[str]:
    written = []
    for rel, content in sorted(plan.files.items()):
        out = target / rel
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_bytes(content.read_bytes() if isinstance(content, Path) else content)
        written.append(rel)
    return written


def import_jekyll(source: Path, target: Path, options: ImportOptions = ImportOptions()
                  ) -> tuple[ImportPlan, list[str]]:
    check_folders(source, target, options.force)
    plan = plan_import(source, options)
    return plan, write_import(target, plan)

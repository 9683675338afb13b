"""Page-level checks for ``llmcourse check``: what a reader would trip over on one page.

Images without alt text, image formats browsers cannot show, GitHub ``blob`` pages used as
images, a ``<video>`` pointing at YouTube, http:// resources on an https site, Liquid left as
text; and per document: front-matter keys that look like typos, lectures dated in the future.

Tag-level questions (is this ``<source>`` inside a ``<video>``? does this ``<img>`` have an
alt attribute?) are answered from the document's own Markdown, parsed with the site's block
rules but without its plugins, which rewrite raw HTML (YouTube embeds) before we could see it.
"""

from __future__ import annotations

import difflib
import posixpath
import re
from collections.abc import Iterator
from html import unescape
from urllib.parse import urlsplit

from markdown_it import MarkdownIt
from markdown_it.token import Token

from .build import Collected
from .check import locate
from .errors import Diagnostic
from .markdown.plugins.kramdown import kramdown_plugin
from .model import Entry
from .parse import KNOWN_KEYS, is_future

_TAG = re.compile(r"<(/?)(img|video|source|iframe|script|audio|embed)\b[^>]*>", re.IGNORECASE)
_YOUTUBE = re.compile(r"^(?:https?:)?//(?:[\w-]+\.)?(?:youtube\.com|youtu\.be|"
                      r"youtube-nocookie\.com)/", re.IGNORECASE)
_BLOB = re.compile(r"^https?://github\.com/([^/]+)/([^/]+)/blob/([^?#]+)", re.IGNORECASE)
_ATTR = re.compile(r"""\s([^\s"'<>/=]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+)))?""")
_RAW = re.compile(r"[?&]raw=(?:true|1)\b")
_UNSHOWABLE = (".tif", ".tiff")
# Code is where Liquid-looking text is meant to be shown.
_CODE = re.compile(r"<(pre|code|script|style)\b.*?</\1\s*>", re.IGNORECASE | re.DOTALL)
_LIQUID = re.compile(r"\{\{.*?\}\}|\{%.*?%\}|\{\{|\{%", re.DOTALL)


def _plain_markdown() -> MarkdownIt:
    """The site's block structure (kramdown's HTML blocks), without the rewriting plugins."""
    return MarkdownIt("gfm-like", {"html": True, "linkify": False}).use(kramdown_plugin)


_MD = _plain_markdown()


def check_page(entry: Entry, *, https: bool) -> list[Diagnostic]:
    doc, data = entry.doc, entry.content.data
    rel = doc.source.rel
    found: list[Diagnostic] = []
    for src, _alt, line in data.get("images", ()):
        where = locate(doc, line, src)
        path = urlsplit(src).path.lower()
        if path.endswith(_UNSHOWABLE):
            found.append(Diagnostic(rel, where, f"image '{src}' is a {posixpath.splitext(path)[1]}"
                                    " file, which browsers cannot show", "warning",
                                    "convert it to PNG or JPEG"))
        blob = _BLOB.match(src)
        if blob and not _RAW.search(src):  # ?raw=true redirects to the file: images.py uses it
            owner, repo, rest = blob.groups()
            found.append(Diagnostic(rel, where, f"image '{src}' is a GitHub page, not the image",
                                    "warning", "use https://raw.githubusercontent.com/"
                                    f"{owner}/{repo}/{rest}"))
        if https and src.lower().startswith("http://"):
            found.append(Diagnostic(rel, where, f"'{src}' is loaded over http:// on an https "
                                    "site; browsers block it", "warning", "use https://"))
    found += _tag_findings(entry)
    found += _raw_liquid(entry)
    return found


def _tag_findings(entry: Entry) -> list[Diagnostic]:
    doc = entry.doc
    rel = doc.source.rel
    found: list[Diagnostic] = []
    missing_alt: list[int] = []
    in_video = False
    for kind, attrs, line in _elements(doc.body):
        where = doc.body_line + line
        if kind == "md-image":
            if not attrs.get("alt"):
                missing_alt.append(where)
        elif kind == "img":
            if "alt" not in attrs:
                missing_alt.append(where)
        elif kind == "video":
            in_video = True
        elif kind == "/video":
            in_video = False
        if kind == "video" or (kind == "source" and in_video):
            src = attrs.get("src") or ""
            if _YOUTUBE.match(src):
                found.append(Diagnostic(rel, where, f"<video> cannot play a YouTube page: '{src}'",
                                        "warning", "to embed the video, put its YouTube URL "
                                        "alone on a line or use an <iframe>"))
    if missing_alt:
        count = len(missing_alt)
        found.append(Diagnostic(rel, missing_alt[0],
                                f"{count} image{'s' if count != 1 else ''} without alt text",
                                "warning", "describe each image: ![what it shows](url)"))
    return found


def _elements(body: str) -> Iterator[tuple[str, dict[str, str | None], int]]:
    """Markdown images and the media tags of raw HTML, in order, with 0-based body lines."""
    for token in _MD.parse(body):
        if token.map is None:
            continue
        if token.type == "html_block":
            yield from _html_tags(token.content, token.map[0])
        elif token.type == "inline":
            html, cursor = False, 0
            for child in token.children or []:
                if child.type == "image":
                    cursor = _image_line(token, child, cursor)
                    yield "md-image", {"alt": child.content}, (token.map[0] + cursor)
                elif child.type == "html_inline":
                    html = True
            if html:
                yield from _html_tags(_without_code_spans(token.content), token.map[0])


def _image_line(block: Token, image: Token, start: int) -> int:
    """Inline children carry no line: find the image's source on the paragraph's lines, at or
    after the previous image's line (two images of the same file may sit on two lines)."""
    src = str(image.attrGet("src") or "")
    lines = block.content.split("\n")
    for marker in (f"![{image.content}]({src}", f"]({src}"):
        for offset in range(start, len(lines)):
            if marker in lines[offset]:
                return offset
    return start


def _html_tags(html: str, first_line: int) -> Iterator[tuple[str, dict[str, str | None], int]]:
    for match in _TAG.finditer(html):
        closing, name = match.group(1), match.group(2).lower()
        line = first_line + html.count("\n", 0, match.start())
        if closing:
            yield "/" + name, {}, line
        else:
            yield name, _attributes(match.group(0)), line


def _attributes(tag: str) -> dict[str, str | None]:
    """``<img src="a" alt>`` -> {"src": "a", "alt": ""}; the first of a repeated name wins."""
    attrs: dict[str, str | None] = {}
    for m in _ATTR.finditer(tag[:-1]):
        value = next((v for v in m.group(2, 3, 4) if v is not None), "")
        attrs.setdefault(m.group(1).lower(), unescape(value))
    return attrs


def _without_code_spans(text: str) -> str:
    return re.sub(r"(`+)(?!`).*?(?<!`)\1(?!`)", lambda m: re.sub(r"[^\n]", " ", m.group(0)),
                  text, flags=re.DOTALL)


def _raw_liquid(entry: Entry) -> list[Diagnostic]:
    """``{{``/``{%`` in the page's text (a ``{% raw %}`` block) is probably not meant to show."""
    doc = entry.doc
    text = _CODE.sub("", entry.content.html)
    found = []
    lines = doc.body.split("\n")
    for match in _LIQUID.finditer(text):
        snippet = re.sub(r"\s+", " ", match.group(0))[:60]
        line = next((i for i, source in enumerate(lines) if match.group(0) in source),
                    next((i for i, s in enumerate(lines) if "{% raw %}" in s or "{%raw%}" in s), 0))
        found.append(Diagnostic(doc.source.rel, doc.body_line + line,
                                f"Liquid shown as text: '{snippet}'", "warning",
                                "if it is meant to be shown, put it in `code`; "
                                "otherwise remove the {% raw %} around it"))
    return found


def check_documents(collected: Collected) -> list[Diagnostic]:
    """Front-matter typos and future dates, for every document that parsed."""
    found = []
    published = {d.source.rel for d in collected.documents}
    for doc in collected.parsed:
        for key in doc.front_matter:
            if key in KNOWN_KEYS:
                continue
            near = difflib.get_close_matches(str(key), sorted(KNOWN_KEYS), n=1, cutoff=0.75)
            if near:  # other unknown keys are the course's own data (page.KEY in templates)
                found.append(Diagnostic(doc.source.rel, doc.line_of(key),
                                        f"unknown front-matter key '{key}'", "warning",
                                        f"did you mean '{near[0]}'?"))
        if doc.is_lecture and is_future(doc, collected.time) and doc.source.rel not in published:
            found.append(Diagnostic(doc.source.rel, doc.line_of("date"),
                                    f"dated {doc.date:%Y-%m-%d}, in the future: not published "
                                    "until then", "warning", "build with --future to include it"))
    return found

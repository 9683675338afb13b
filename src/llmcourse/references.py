"""What a lecture cites: arXiv papers, GitHub code, Hugging Face models/datasets/spaces, Kaggle
and Colab notebooks, YouTube videos.

Pure: ``classify`` turns one URL into a reference key (the same paper linked as abs, pdf, html
or a versioned URL is one key); ``references_plugin`` gathers a document's references from the
links and images that ``links_plugin`` recorded, each with the section (nearest preceding
heading) it appears in, into ``env["references"]`` -> ``page.data["references"]``; and
``course_index`` merges every document's into the course-wide index.
"""

from __future__ import annotations

import bisect
import functools
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, NamedTuple
from urllib.parse import parse_qs, unquote, urlsplit

if TYPE_CHECKING:
    from markdown_it import MarkdownIt
    from markdown_it.rules_core import StateCore

# kind -> heading on the pages, in the order the pages show them
KINDS: tuple[tuple[str, str], ...] = (
    ("paper", "Papers"), ("code", "Code"), ("model", "Models"), ("dataset", "Datasets"),
    ("space", "Spaces"), ("notebook", "Notebooks"), ("video", "Videos"),
)
KIND_ORDER = {kind: index for index, (kind, _) in enumerate(KINDS)}
KIND_LABELS = dict(KINDS)

_NEW_ARXIV = r"\d{4}\.\d{4,5}"
_OLD_ARXIV = r"[a-z][a-z-]*(?:\.[A-Z]{2})?/\d{7}"
_ARXIV_ID = re.compile(rf"^({_NEW_ARXIV}|{_OLD_ARXIV})(?:v\d+)?(?:\.pdf)?/?$")
_YOUTUBE_ID = re.compile(r"^[A-Za-z0-9_-]{11}$")
# Paths on these hosts that are the site's own pages, not a repository / model / notebook.
_GITHUB_RESERVED = frozenset([
    "about", "apps", "collections", "contact", "customer-stories", "enterprise", "events",
    "explore", "features", "join", "login", "marketplace", "new", "notifications", "orgs",
    "organizations", "pricing", "pulls", "issues", "readme", "search", "security",
    "settings", "site", "sponsors", "team", "topics", "trending", "codespaces",
])
_HF_RESERVED = frozenset([
    "api", "blog", "chat", "collections", "docs", "enterprise", "join", "learn", "login",
    "models", "organizations", "posts", "pricing", "settings", "tasks", "papers", "spaces",
    "datasets",
])
_KAGGLE_RESERVED = frozenset([
    "account", "c", "code", "competitions", "datasets", "discussions", "docs", "kernels",
    "learn", "models", "organizations", "search", "settings",
])
_GENERIC_TITLES = frozenset({"youtube video player", "youtube", "video", "link", "here", "paper",
                             "code", "github", "arxiv", "colab", "kaggle", "open in colab"})


class RefKey(NamedTuple):
    kind: str
    key: str  # e.g. "2303.18223", "ollama/ollama", "datasets/squad" — unique within a kind
    url: str  # canonical URL


class Citation(NamedTuple):
    """One place in a document: the heading it appears under."""

    line: int  # 0-based Markdown body line of the first link there
    section: str  # heading id ("" before the first heading)
    section_title: str


class PageReference(NamedTuple):
    """What one document cites, with every section that cites it. (Named tuples, these three:
    a lecture's references are decoded for each page that shows them, and a hundred of them
    load in 0.37 ms as named tuples, 0.65 ms as dataclasses.)"""

    ref: RefKey
    titles: tuple[str, ...]  # link texts seen (not URLs), sorted
    citations: tuple[Citation, ...]

    @property
    def title(self) -> str:
        return best_title(self.titles, self.ref)

    @property
    def kind(self) -> str:
        return self.ref.kind

    @property
    def label(self) -> str:  # the kind's heading: templates group with loop.changed(label)
        return KIND_LABELS[self.ref.kind]

    @property
    def url(self) -> str:
        return self.ref.url


@dataclass(frozen=True)
class Place:
    url: str  # the document's URL (without baseurl)
    page_title: str
    section: str
    section_title: str

    @property
    def href(self) -> str:
        return self.url + ("#" + self.section if self.section else "")


@dataclass(frozen=True)
class Reference:
    """One entry of the course-wide index."""

    ref: RefKey
    title: str
    places: tuple[Place, ...]  # course order

    @property
    def kind(self) -> str:
        return self.ref.kind

    @property
    def key(self) -> str:
        return self.ref.key

    @property
    def url(self) -> str:
        return self.ref.url


def classify(href: str) -> RefKey | None:
    """A URL -> the paper / repository / model / notebook / video it points at, or None."""
    href = href.strip()
    if href.startswith("//"):
        href = "https:" + href
    try:
        parts = urlsplit(href)
    except ValueError:
        return None
    if parts.scheme not in ("http", "https"):
        return None
    host = (parts.hostname or "").lower().removeprefix("www.").removeprefix("m.")
    path = [unquote(p) for p in parts.path.split("/") if p]
    query = parse_qs(parts.query)
    for matches, handler in _HOSTS:
        if matches(host):
            return handler(path, query)
    return None


def _arxiv(path: list[str], query: dict[str, list[str]]) -> RefKey | None:
    if len(path) < 2 or path[0] not in ("abs", "pdf", "html", "ps", "format"):
        return None
    match = _ARXIV_ID.match("/".join(path[1:]))
    return _paper(match.group(1)) if match else None


def _paper(arxiv_id: str) -> RefKey:
    return RefKey("paper", arxiv_id, f"https://arxiv.org/abs/{arxiv_id}")


def _github(path: list[str], query: dict[str, list[str]]) -> RefKey | None:
    if len(path) < 2 or path[0].lower() in _GITHUB_RESERVED:
        return None
    owner, name = path[0], path[1].removesuffix(".git")
    return RefKey("code", f"{owner}/{name}".lower(), f"https://github.com/{owner}/{name}")


def _raw_github(path: list[str], query: dict[str, list[str]]) -> RefKey | None:
    return _github(path[:2], query) if len(path) >= 3 else None


def _huggingface(path: list[str], query: dict[str, list[str]]) -> RefKey | None:
    if len(path) >= 2 and path[0] == "papers":
        match = _ARXIV_ID.match(path[1])
        return _paper(match.group(1)) if match else None
    if len(path) >= 3 and path[0] in ("datasets", "spaces"):
        kind = "dataset" if path[0] == "datasets" else "space"
        name = f"{path[1]}/{path[2]}"
        return RefKey(kind, name.lower(), f"https://huggingface.co/{path[0]}/{name}")
    if len(path) == 2 and path[0] == "datasets":  # canonical datasets: /datasets/squad
        return RefKey("dataset", path[1].lower(), f"https://huggingface.co/datasets/{path[1]}")
    if len(path) >= 2 and path[0] not in _HF_RESERVED:
        name = f"{path[0]}/{path[1]}"
        return RefKey("model", name.lower(), f"https://huggingface.co/{name}")
    return None


def _kaggle(path: list[str], query: dict[str, list[str]]) -> RefKey | None:
    if len(path) >= 3 and path[0] == "code":
        path = path[1:]
    elif len(path) >= 3 and path[0] == "datasets":
        name = f"{path[1]}/{path[2]}"
        return RefKey("dataset", "kaggle:" + name.lower(),
                      f"https://www.kaggle.com/datasets/{name}")
    elif len(path) < 2 or path[0] in _KAGGLE_RESERVED:
        return None
    name = f"{path[0]}/{path[1]}"  # kaggle.com/USER/NOTEBOOK is the old notebook URL
    return RefKey("notebook", "kaggle:" + name.lower(), f"https://www.kaggle.com/code/{name}")


def _colab(path: list[str], query: dict[str, list[str]]) -> RefKey | None:
    if len(path) < 2 or path[0] not in ("drive", "github", "gist", "notebooks"):
        return None
    rest = "/".join(path)
    return RefKey("notebook", "colab:" + rest, f"https://colab.research.google.com/{rest}")


def _youtube(path: list[str], query: dict[str, list[str]]) -> RefKey | None:
    video = None
    if path[:1] == ["watch"]:
        video = (query.get("v") or [""])[0]
    elif len(path) >= 2 and path[0] in ("embed", "shorts", "live", "v"):
        video = path[1]
    if video and _YOUTUBE_ID.match(video):
        return _video(video)
    playlist = (query.get("list") or [""])[0]
    if playlist and (path[:1] == ["playlist"] or path[1:2] == ["videoseries"]):
        return RefKey("video", "list:" + playlist,
                      f"https://www.youtube.com/playlist?list={playlist}")
    return None


def _youtu_be(path: list[str], query: dict[str, list[str]]) -> RefKey | None:
    return _video(path[0]) if path and _YOUTUBE_ID.match(path[0]) else None


def _video(video_id: str) -> RefKey:
    return RefKey("video", video_id, f"https://www.youtube.com/watch?v={video_id}")


def _is(*names: str) -> Any:
    return lambda host: host in names


_HOSTS = (
    (lambda host: host == "arxiv.org" or host.endswith(".arxiv.org"), _arxiv),
    (_is("github.com"), _github),
    (_is("raw.githubusercontent.com"), _raw_github),
    (_is("huggingface.co", "hf.co"), _huggingface),
    (_is("kaggle.com"), _kaggle),
    (_is("colab.research.google.com"), _colab),
    (_is("youtube.com", "youtube-nocookie.com", "music.youtube.com"), _youtube),
    (_is("youtu.be"), _youtu_be),
)


_URL_TEXT = re.compile(r"^(https?://|www\.)\S+$")


def is_title(text: str, href: str) -> bool:
    """Link text worth showing: not the URL itself, not a generic word."""
    text = text.strip()
    if not text or text.casefold() in _GENERIC_TITLES:
        return False
    return not (text == href or _URL_TEXT.match(text))


def best_title(titles: Iterable[str], ref: RefKey) -> str:
    """The longest title seen (ties: the first in sorted order), else a readable key."""
    ranked = sorted(set(titles), key=lambda t: (-len(t), t))
    if ranked:
        return ranked[0]
    if ref.kind == "paper":
        return f"arXiv:{ref.key}"
    if ref.key.startswith("list:"):
        return f"YouTube playlist {ref.key[5:]}"
    if ref.kind == "video":
        return f"YouTube video {ref.key}"
    return ref.url.split("://", 1)[-1].removeprefix("www.")


def section_at(headings: Sequence[Any], line: int) -> tuple[str, str]:
    """(id, text) of the nearest heading at or before ``line``; ("", "") before the first."""
    found = ("", "")
    for heading in headings:
        if heading.line > line:
            break
        found = (heading.id, heading.text)
    return found


_IFRAME = re.compile(r"<iframe\b[^>]*>", re.IGNORECASE)
_ATTR = re.compile(r"""\b(src|title|data-src)\s*=\s*(["'])(.*?)\2""", re.IGNORECASE | re.DOTALL)


def embedded_titles(html: str) -> list[tuple[str, str]]:
    """(src, title) of each <iframe> in raw HTML: the embed's title names the video."""
    found = []
    for tag in _IFRAME.findall(html):
        attrs = {name.lower(): value for name, _, value in _ATTR.findall(tag)}
        src = attrs.get("src") or attrs.get("data-src") or ""
        if src:
            found.append((src, attrs.get("title", "")))
    return found


def page_references(links: Iterable[tuple[str, str, int]], headings: Sequence[Any], *,
                    classify_url: Callable[[str], RefKey | None] = classify
                    ) -> tuple[PageReference, ...]:
    """(href, text, body line) of every link of a document -> what it cites, sorted by kind
    then key; each reference with every section it appears in (in document order).
    ``classify_url``: ``classify`` or an equivalent (cached) function."""
    headings = sorted(headings, key=lambda h: h.line)
    heading_lines = [heading.line for heading in headings]
    titles: dict[RefKey, set[str]] = {}
    places: dict[RefKey, dict[str, Citation]] = {}
    for href, text, line in sorted(links, key=lambda link: link[2]):
        ref = classify_url(href)
        if ref is None:
            continue
        # section_at(headings, line): the last heading at or before the line
        at = bisect.bisect_right(heading_lines, line)
        section, section_title = (headings[at - 1].id, headings[at - 1].text) if at else ("", "")
        found = titles.setdefault(ref, set())
        if is_title(text, href):
            found.add(" ".join(text.split()))
        places.setdefault(ref, {}).setdefault(section, Citation(line, section, section_title))
    return tuple(PageReference(ref, tuple(sorted(titles[ref])), tuple(places[ref].values()))
                 for ref in sorted(titles, key=lambda r: (KIND_ORDER[r.kind], r.key)))


# Every host ``classify`` knows contains one of these (lower-cased); a URL without any of them
# (and without the tab/newline characters urlsplit deletes) cannot be a reference.
_HOST_HINTS = ("arxiv.org", "github", "huggingface.co", "hf.co", "kaggle.com",
               "colab.research.google.com", "youtu")


def _may_cite(href: str) -> bool:
    lower = href.lower()
    return (any(hint in lower for hint in _HOST_HINTS)
            or "\t" in href or "\n" in href or "\r" in href)


def references_plugin(md: MarkdownIt) -> None:
    """Store ``env["references"]`` from ``env["links"]``, ``env["images"]`` (embeds) and the
    table of contents. Register after the links and headings plugins."""

    # Pure function of the URL; lectures (and every re-render in ``serve``) repeat their
    # links. One cache per MarkdownIt, like normalizeLink's.
    @functools.lru_cache(maxsize=4096)
    def classify_url(href: str) -> RefKey | None:
        return classify(href) if _may_cite(href) else None

    def collect(state: StateCore) -> None:
        env = state.env
        links = list(env.get("links", ()))
        # Embeds are recorded as images; only a video counts as a citation there (an image
        # hosted on GitHub is not a citation of the repository).
        links += [(src, alt, line) for src, alt, line in env.get("images", ())
                  if (ref := classify_url(src)) is not None and ref.kind == "video"]
        for token in state.tokens:
            if token.type == "html_block" and "<iframe" in token.content.lower():
                line = token.map[0] if token.map else 0
                links += [(src, title, line) for src, title in embedded_titles(token.content)]
        env["references"] = page_references(links, env.get("toc", ()), classify_url=classify_url)

    md.core.ruler.push("references", collect)


def course_index(documents: Iterable[tuple[str, str, Sequence[PageReference]]]
                 ) -> dict[str, tuple[Reference, ...]]:
    """(url, title, page references) of each document in course order -> kind -> references
    sorted by key (every kind present, possibly empty)."""
    titles: dict[RefKey, set[str]] = {}
    places: dict[RefKey, list[Place]] = {}
    for url, page_title, refs in documents:
        for page_ref in refs:
            titles.setdefault(page_ref.ref, set()).update(page_ref.titles)
            places.setdefault(page_ref.ref, []).extend(
                Place(url, page_title, c.section, c.section_title) for c in page_ref.citations)
    index: dict[str, list[Reference]] = {kind: [] for kind, _ in KINDS}
    for ref in sorted(titles, key=lambda r: (KIND_ORDER[r.kind], r.key)):
        index[ref.kind].append(Reference(ref, best_title(titles[ref], ref), tuple(places[ref])))
    return {kind: tuple(refs) for kind, refs in index.items()}

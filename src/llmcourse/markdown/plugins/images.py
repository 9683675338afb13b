"""Content images that load fast and do not shift the page.

* Every image (Markdown or raw ``<img>``) gets ``loading="lazy"`` and ``decoding="async"``;
  width and height written by the author are kept.
* A local image (relative path) gets its real pixel size, read from the file next to the
  lecture (``env["source_dir"]``), so the browser reserves its box before it loads.
* ``github.com/OWNER/REPO/blob/REF/PATH?raw=true`` (or ``/raw/REF/PATH``) becomes
  ``raw.githubusercontent.com/OWNER/REPO/REF/PATH``: the same file without a redirect.
* TIFF, which browsers cannot show, becomes a link to the file and a build warning.

Sizes and TIFF run before ``resolve_links`` (they need the path as written); the rest after,
so the link index records URLs as the author wrote them.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import unquote

from markdown_it import MarkdownIt
from markdown_it.rules_core import StateCore
from markdown_it.token import Token

from .htmltags import parse_tag, render_tag

_IMG = re.compile(r"<img\b(?:[^>\"']|\"[^\"]*\"|'[^']*')*>", re.IGNORECASE)
# blob/REF/PATH?raw=true and raw/REF/PATH (both redirect); a bare blob/ URL is a web page.
_GITHUB_BLOB = re.compile(
    r"^https?://github\.com/([^/]+)/([^/]+)/(?:blob/(.+?)\?raw=(?:true|1)|raw/([^?#]+)"
    r"(?:\?raw=(?:true|1))?)$")
_SCHEME = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:")
UNVIEWABLE = (".tif", ".tiff")


def raw_github_url(url: str) -> str:
    """The raw.githubusercontent.com form of a ``blob/...?raw=true`` URL; others unchanged."""
    match = _GITHUB_BLOB.match(url)
    if not match:
        return url
    owner, repo, blob, raw = match.groups()
    rest = blob or raw
    return f"https://raw.githubusercontent.com/{owner}/{repo}/{rest}"


def is_unviewable(url: str) -> bool:
    path = url.split("#", 1)[0].split("?", 1)[0].lower()
    return path.endswith(UNVIEWABLE)


def local_image_size(src: str, source_dir: str) -> tuple[int, int] | None:
    """Pixel size of a relative image next to the lecture; None when unknown or remote."""
    if not source_dir or not src or src.startswith(("/", "#", "//")) or _SCHEME.match(src):
        return None
    path = posixpath.normpath(unquote(src.split("#", 1)[0].split("?", 1)[0]))
    import imagesize  # imported by the first local image

    try:
        width, height = imagesize.get(Path(source_dir) / path)
    except (OSError, ValueError):
        return None
    return (width, height) if width > 0 and height > 0 else None


def _file_name(url: str) -> str:
    return unquote(url.split("?", 1)[0].split("#", 1)[0].rstrip("/").rsplit("/", 1)[-1]) or url


def _fix_html_img(tag: str, before: bool, env: dict[str, Any], warn: Callable[[str], None]
                  ) -> str:
    name, attrs = parse_tag(tag)
    src = attrs.get("src") or ""
    if before:
        if is_unviewable(src):
            warn(f"browsers cannot show the image format of '{_file_name(src)}': "
                 "shown as a link (convert it to PNG or JPEG)")
            label = attrs.get("alt") or _file_name(src)
            return render_tag("a", {"href": src}) + _escape(label) + "</a>"
        if not (attrs.get("width") or attrs.get("height")):
            size = local_image_size(src, env.get("source_dir", ""))
            if size:
                attrs["width"], attrs["height"] = str(size[0]), str(size[1])
    else:
        attrs["src"] = raw_github_url(src)
        attrs.setdefault("loading", "lazy")
        attrs.setdefault("decoding", "async")
    return render_tag(name, attrs)


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _tiff_link(token: Token) -> list[Token]:
    """``![alt](x.tif)`` -> ``[alt or x.tif](x.tif)`` as tokens."""
    src = str(token.attrGet("src") or "")
    link_open = Token("link_open", "a", 1, attrs={"href": src})
    text = Token("text", "", 0, content=token.content or _file_name(src))
    return [link_open, text, Token("link_close", "a", -1)]


def _fix_html(html: str, before: bool, env: dict[str, Any],
              warnings: list[tuple[int, str]], line: int) -> str:
    """Every ``<img>`` of raw HTML fixed; warnings at ``line``."""
    def warn(message: str) -> None:
        warnings.append((line, message))
    return _IMG.sub(lambda match: _fix_html_img(match.group(0), before, env, warn), html)


def _image_rules(before: bool) -> Callable[[StateCore], None]:
    def rule(state: StateCore) -> None:
        env = state.env
        warnings: list[tuple[int, str]] = env.setdefault("warnings", [])
        for block in state.tokens:
            kind = block.type
            if kind == "html_block":
                content = block.content
                if "<img" in content or "<IMG" in content:
                    line = block.map[0] if block.map else 0
                    block.content = _fix_html(content, before, env, warnings, line)
                continue
            if kind != "inline" or not block.children:
                continue
            children = block.children
            replaced: list[Token] | None = None  # a new list only when a TIFF is replaced
            for index, token in enumerate(children):
                kind = token.type
                if kind == "image":
                    if before and is_unviewable(str(token.attrGet("src") or "")):
                        line = block.map[0] if block.map else 0
                        name = _file_name(str(token.attrGet("src")))
                        message = (f"browsers cannot show the image format of '{name}': "
                                   "shown as a link (convert it to PNG or JPEG)")
                        warnings.append((line, message))
                        if replaced is None:
                            replaced = children[:index]
                        replaced.extend(_tiff_link(token))
                        continue
                    _fix_image_token(token, before, env)
                elif kind == "html_inline" and token.content[:4].lower() == "<img":
                    line = block.map[0] if block.map else 0
                    token.content = _fix_html(token.content, before, env, warnings, line)
                if replaced is not None:
                    replaced.append(token)
            if replaced is not None:
                block.children = replaced
    return rule


def _fix_image_token(token: Token, before: bool, env: dict[str, Any]) -> None:
    src = str(token.attrGet("src") or "")
    if before:
        if token.attrGet("width") is None and token.attrGet("height") is None:
            size = local_image_size(src, env.get("source_dir", ""))
            if size:
                token.attrSet("width", str(size[0]))
                token.attrSet("height", str(size[1]))
        return
    token.attrSet("src", raw_github_url(src))
    if token.attrGet("loading") is None:
        token.attrSet("loading", "lazy")
    if token.attrGet("decoding") is None:
        token.attrSet("decoding", "async")


def images_plugin(md: MarkdownIt) -> None:
    md.core.ruler.before("resolve_links", "media_image_sizes", _image_rules(before=True))
    md.core.ruler.push("media_images", _image_rules(before=False))

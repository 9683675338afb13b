"""Video and iframe embeds: YouTube becomes a light embed, other iframes load lazily.

* ``<iframe src="https://www.youtube.com/embed/ID?...">`` (or youtube-nocookie), a bare
  YouTube URL alone in a paragraph, and ``<video><source src="https://youtu.be/ID">`` (which no
  browser can play) become the light embed of ``youtube.py``; title, start and playlist kept.
* Any other ``<iframe>`` (Colab, Kaggle, slides, maps) gets ``loading="lazy"``; one without its
  own width and height sits in a responsive 16:9 box.
* Other ``<video>`` elements are left as written.

Raw HTML is rewritten wherever it is: HTML blocks (lectures put iframes in ``<table><td>``)
and inline HTML, where markdown-it splits ``<iframe>`` and ``</iframe>`` into two tokens.
"""

from __future__ import annotations

import re

from markdown_it import MarkdownIt
from markdown_it.rules_core import StateCore
from markdown_it.token import Token

from .htmltags import parse_tag, render_tag
from .youtube import YouTubeVideo, light_embed, parse_youtube

_IFRAME = re.compile(r"<iframe\b[^>]*>(?:.*?</iframe\s*>)?", re.IGNORECASE | re.DOTALL)
_VIDEO = re.compile(r"<video\b[^>]*>.*?</video\s*>", re.IGNORECASE | re.DOTALL)
_SRC = re.compile(r"""\ssrc\s*=\s*["']?([^"'\s>]+)""", re.IGNORECASE)
_OPEN = {"<iframe": "</iframe", "<video": "</video"}


def _iframe(match: re.Match[str]) -> str:
    whole = match.group(0)
    name, attrs = parse_tag(whole[:whole.index(">") + 1])
    video = parse_youtube(attrs.get("src") or "")
    if video is not None:
        return light_embed(video, attrs.get("title") or "")
    close = whole[whole.index(">") + 1:] or "</iframe>"
    if "loading" not in attrs:
        attrs["loading"] = "lazy"
    tag = render_tag(name, attrs) + close
    if attrs.get("width") and attrs.get("height"):
        return tag  # the author chose a size: keep it
    return f'<span class="embed-box">{tag}</span>'


def _video(match: re.Match[str]) -> str:
    whole = match.group(0)
    video: YouTubeVideo | None = None
    for src in _SRC.findall(whole):
        video = parse_youtube(src)
        if video is not None:
            break
    if video is None:
        return whole
    _, attrs = parse_tag(whole[:whole.index(">") + 1])
    return light_embed(video, attrs.get("title") or "")


def rewrite_embeds(html: str) -> str:
    """Pure: raw HTML with iframes/videos -> the same HTML with embeds rewritten."""
    lower = html.lower()
    if "<iframe" in lower:
        html = _IFRAME.sub(_iframe, html)
    if "<video" in lower and "youtu" in html:
        html = _VIDEO.sub(_video, html)
    return html


def _needs_rewrite(html: str) -> bool:
    lower = html.lower()
    return "<iframe" in lower or ("<video" in lower and "youtu" in lower)


def _rewrite_inline(children: list[Token]) -> list[Token]:
    """Join each ``<iframe ...>``...``</iframe>`` (or video) run of inline tokens into one."""
    out: list[Token] = []
    index = 0
    while index < len(children):
        token = children[index]
        opener = token.content[:7].lower() if token.type == "html_inline" else ""
        closer = _OPEN.get(opener) or _OPEN.get(opener[:6])
        if closer is None:
            out.append(token)
            index += 1
            continue
        end = index
        while end < len(children) - 1 and not (
                children[end].type == "html_inline" and children[end].content.lower()
                .startswith(closer)):
            end += 1
        if not (children[end].type == "html_inline"
                and children[end].content.lower().startswith(closer)):
            end = index  # never closed: rewrite the opening tag alone
        raw = "".join("\n" if t.type == "softbreak" else t.content for t in children[index:end + 1])
        token.content = rewrite_embeds(raw)
        out.append(token)
        index = end + 1
    return out


def _bare_video(tokens: list[Token], index: int) -> YouTubeVideo | None:
    """A paragraph holding nothing but one YouTube URL (autolinked) -> that video."""
    if index + 2 >= len(tokens) or tokens[index + 1].type != "inline":
        return None
    children = tokens[index + 1].children or []
    if (len(children) != 3 or children[0].type != "link_open"
            or children[0].markup not in ("linkify", "autolink")):
        return None
    return parse_youtube(str(children[0].attrGet("href") or ""))


def embeds_plugin(md: MarkdownIt) -> None:
    def rule(state: StateCore) -> None:
        tokens = state.tokens
        out: list[Token] | None = None  # a new token list only once a paragraph is replaced
        index, end = 0, len(tokens)
        while index < end:
            token = tokens[index]
            kind = token.type
            if kind == "html_block":
                if _needs_rewrite(token.content):
                    token.content = rewrite_embeds(token.content)
            elif kind == "inline":
                if token.children and "<" in token.content and _needs_rewrite(token.content):
                    token.children = _rewrite_inline(token.children)
            elif kind == "paragraph_open" and "youtu" in tokens[index + 1].content:
                video = _bare_video(tokens, index)
                if video is not None:
                    block = Token("html_block", "", 0, map=token.map, block=True)
                    block.content = f'<p class="yt-block">{light_embed(video)}</p>\n'
                    if out is None:
                        out = tokens[:index]
                    out.append(block)
                    index += 3
                    continue
            if out is not None:
                out.append(token)
            index += 1
        if out is not None:
            state.tokens = out

    md.core.ruler.push("media_embeds", rule)

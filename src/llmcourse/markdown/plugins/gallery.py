"""Image galleries and figures.

Lectures show several screenshots in a row in three ways; all become one responsive grid
(``<div class="gallery">``) whose images open in the lightbox of ``media.js``:

* two or more images in a row: image-only lines of one paragraph, or image-only paragraphs
  one after another;
* an HTML ``<table>`` whose cells hold only images;
* an explicit ``::: gallery`` block.

A single image with a title, ``![alt](src "title")``, alone in its paragraph becomes a
``<figure>`` with the title as its caption. Each gallery image is wrapped in a link to the
full-size file, so without JavaScript a click still shows the picture.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from html import escape
from typing import Any

from markdown_it import MarkdownIt
from markdown_it.rules_core import StateCore
from markdown_it.token import Token
from mdit_py_plugins.container import container_plugin

from .htmltags import parse_tag

_CELL = re.compile(r"<t([dh])\b[^>]*>(.*?)</t\1\s*>", re.IGNORECASE | re.DOTALL)
_IMG = re.compile(r"<img\b(?:[^>\"']|\"[^\"]*\"|'[^']*')*>", re.IGNORECASE)
_FILLER = re.compile(r"<br\s*/?>|</?p>|</?center>", re.IGNORECASE)
_BETWEEN_TAGS = re.compile(r">\s+<")
_LINKED_IMG = re.compile(r"^<a\b[^>]*>(<img\b[^>]*>)</a>$", re.IGNORECASE | re.DOTALL)


def _image_only(inline: Token) -> list[Token] | None:
    """The image tokens of an inline token made of images and line breaks only."""
    images = []
    for child in inline.children or ():
        if child.type == "image":
            images.append(child)
        elif child.type in ("softbreak", "hardbreak") or (
                child.type == "text" and not child.content.strip()):
            continue
        else:
            return None
    return images or None


def _item(img_html: str, src: str, caption: str, href: str | None = None) -> str:
    # An author's own link around the image is kept (and not hijacked by the lightbox).
    lightbox = href is None
    link = escape(src if href is None else href)
    attrs = ' data-lightbox=""' if lightbox else ""
    cap = f"<figcaption>{escape(caption)}</figcaption>" if caption else ""
    return (f'<figure class="gallery-item"><a class="gallery-link" href="{link}"{attrs}>'
            f"{img_html}</a>{cap}</figure>\n")


def _gallery(items: Sequence[str], line: list[int] | None) -> Token:
    token = Token("html_block", "", 0, map=line, block=True)
    token.content = '<div class="gallery">\n' + "".join(items) + "</div>\n"
    return token


def table_gallery(html: str) -> str | None:
    """An HTML table whose cells hold only images -> gallery HTML; anything else -> None."""
    stripped = html.strip()
    if stripped[:6].lower() != "<table" or not stripped.lower().endswith("</table>"):
        return None
    items = []
    for _, cell in _CELL.findall(stripped):
        body = _BETWEEN_TAGS.sub("><", _FILLER.sub("", cell)).strip()
        if not body:
            continue
        linked = _LINKED_IMG.match(body)
        tags = [linked.group(1)] if linked else _IMG.findall(body)
        if not tags or (not linked and "".join(tags) != body):
            return None
        for tag in tags:
            _, attrs = parse_tag(tag)
            href = parse_tag(body)[1].get("href") if linked else None
            items.append(_item(tag, attrs.get("src") or "", attrs.get("title") or "", href))
    if len(items) < 2:
        return None
    return '<div class="gallery">\n' + "".join(items) + "</div>\n"


def gallery_plugin(md: MarkdownIt) -> None:
    container_plugin(md, "gallery", render=_render_container)

    def render_image(image: Token, env: Any) -> str:
        return md.renderer.renderInline([image], md.options, env)

    def item(image: Token, env: Any) -> str:
        title = str(image.attrGet("title") or "")
        return _item(render_image(image, env), str(image.attrGet("src") or ""), title)

    def rule(state: StateCore) -> None:
        tokens, env = state.tokens, state.env
        out: list[Token] | None = None  # a new token list only once something is replaced
        index = 0
        while index < len(tokens):
            token = tokens[index]
            kind = token.type
            replacement: Token | None = None
            if kind == "html_block":
                if "<table" in token.content[:20].lower():
                    gallery = table_gallery(token.content)
                    if gallery is not None:
                        token.content = gallery
            elif kind == "container_gallery_open":
                end = _matching_close(tokens, index)
                inner = tokens[index + 1:end]
                images = _container_images(inner)
                if images is not None:
                    replacement = _gallery([item(i, env) for i in images], token.map)
                    next_index = end + 1
            elif kind == "paragraph_open" and not token.hidden:
                run, end = _image_run(tokens, index)
                if len(run) >= 2:
                    replacement = _gallery([item(i, env) for i in run], token.map)
                    next_index = end
                elif len(run) == 1 and run[0].attrGet("title"):
                    replacement = _figure(render_image(run[0], env),
                                          str(run[0].attrGet("title")), token.map)
                    next_index = end
            if replacement is not None:
                if out is None:
                    out = tokens[:index]
                out.append(replacement)
                index = next_index
                continue
            if out is not None:
                out.append(token)
            index += 1
        if out is not None:
            state.tokens = out

    md.core.ruler.push("media_gallery", rule)


def _image_run(tokens: list[Token], index: int) -> tuple[list[Token], int]:
    """Images of the image-only paragraphs starting at ``index``; and the index after them."""
    run: list[Token] = []
    level = tokens[index].level
    while (index + 2 < len(tokens) and tokens[index].type == "paragraph_open"
           and tokens[index].level == level and not tokens[index].hidden):
        images = _image_only(tokens[index + 1])
        if images is None:
            break
        run.extend(images)
        index += 3
    return run, index


def _figure(img_html: str, caption: str, line: list[int] | None) -> Token:
    token = Token("html_block", "", 0, map=line, block=True)
    token.content = f"<figure>{img_html}<figcaption>{escape(caption)}</figcaption></figure>\n"
    return token


def _matching_close(tokens: list[Token], index: int) -> int:
    depth = 0
    for end in range(index, len(tokens)):
        if tokens[end].type == "container_gallery_open":
            depth += 1
        elif tokens[end].type == "container_gallery_close":
            depth -= 1
            if depth == 0:
                return end
    return len(tokens) - 1


def _container_images(inner: list[Token]) -> list[Token] | None:
    """All images of a ``::: gallery`` block, or None when it holds anything else."""
    images: list[Token] = []
    for token in inner:
        if token.type in ("paragraph_open", "paragraph_close"):
            continue
        found = _image_only(token) if token.type == "inline" else None
        if found is None:
            return None
        images.extend(found)
    return images or None


def _render_container(self: Any, tokens: Sequence[Token], idx: int, options: Any, env: Any
                      ) -> str:
    # Only reached when the block holds more than images: keep its content, still a grid.
    return '<div class="gallery gallery-mixed">\n' if tokens[idx].nesting == 1 else "</div>\n"

"""Lecture media: one entry point for the plugins that make videos, images, galleries, math,
diagrams and callouts render well and load fast (issue 4).

Order matters and is set here: image sizes are read before links are resolved (they need the
path as written); embeds, image attributes and galleries run after, on the final URLs.
"""

from __future__ import annotations

from markdown_it import MarkdownIt

from .callouts import callouts_plugin
from .embeds import embeds_plugin
from .gallery import gallery_plugin
from .images import images_plugin
from .math import math_plugin
from .mermaid import mermaid_plugin


def media_plugin(md: MarkdownIt) -> None:
    math_plugin(md)
    callouts_plugin(md)
    mermaid_plugin(md)
    embeds_plugin(md)
    images_plugin(md)
    gallery_plugin(md)  # after images: gallery items reuse the finished <img>

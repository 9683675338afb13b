"""```mermaid fences: diagrams drawn in the browser, only when the instructor chose a Mermaid.

The published site loads no third-party script by default, so diagrams stay readable source
(a code block labelled "mermaid") unless site.yaml sets ``mermaid_url`` (``env["mermaid_url"]``).
Then the fence becomes ``<pre class="mermaid">`` and the first diagram of the page carries the
module script that loads that URL, so pages without diagrams load nothing.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from html import escape
from typing import Any

from markdown_it import MarkdownIt
from markdown_it.token import Token

# Draw in the theme's colour mode; a diagram that fails to parse keeps its source visible.
_LOADER = ('<script type="module">import mermaid from {url};'
           'const t=document.documentElement.dataset.theme;'
           'const dark=t?t==="dark":matchMedia("(prefers-color-scheme: dark)").matches;'
           'mermaid.initialize({{startOnLoad:false,theme:dark?"dark":"default"}});'
           'mermaid.run({{querySelector:"pre.mermaid",suppressErrors:true}});</script>\n')


def mermaid_script_url(url: str, baseurl: str) -> str:
    """A site-absolute ``mermaid_url`` (``/assets/mermaid.mjs``) is published under baseurl."""
    if url.startswith("/") and not url.startswith("//") and baseurl and not url.startswith(
            baseurl + "/"):
        return baseurl + url
    return url


def mermaid_plugin(md: MarkdownIt) -> None:
    fence = md.renderer.rules["fence"]

    def render(self: Any, tokens: Sequence[Token], idx: int, options: Any, env: Any) -> str:
        token = tokens[idx]
        url = env.get("mermaid_url", "") if isinstance(env, dict) else ""
        if not url or token.info.strip().split(" ")[0].lower() != "mermaid":
            return fence(tokens, idx, options, env)
        html = f'<pre class="mermaid">{escape(token.content)}</pre>\n'
        if not env.get("mermaid_loaded"):
            env["mermaid_loaded"] = True
            src = mermaid_script_url(url, env.get("baseurl", ""))
            html += _LOADER.format(url=json.dumps(src).replace("<", "\\u003c"))
        return html

    md.add_render_rule("fence", render)

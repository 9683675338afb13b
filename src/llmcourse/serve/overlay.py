"""What the dev server adds to each HTML response: the live-reload script and, while the last
build failed, the error overlay. Only responses get it; the built files never do."""

from __future__ import annotations

import html
import json
import re
from functools import lru_cache
from pathlib import Path

from .livereload import EVENTS_PATH

_BODY_END = re.compile(rb"</body\s*>", re.IGNORECASE)
OVERLAY_ID = "llmcourse-error-overlay"


@lru_cache(maxsize=1)
def client_script() -> str:
    return (Path(__file__).with_name("client.js")).read_text(encoding="utf-8")


def snippet(*, instance: str, build: int, errors: tuple[str, ...] = ()) -> bytes:
    """The tags injected before ``</body>``. ``errors`` are ``path:line: message`` lines."""
    config = json.dumps({"events": EVENTS_PATH, "instance": instance, "build": build})
    config = config.replace("</", "<\\/")  # "</" would end the <script> early
    parts = [f"<script>window.__llmcourse={config};</script>",
             f"<script>{client_script()}</script>"]
    if errors:
        parts.insert(0, overlay_html(errors))
    return "\n".join(parts).encode("utf-8")


def overlay_html(errors: tuple[str, ...]) -> str:
    """The overlay as the server sends it (the script builds the same one from an event)."""
    lines = html.escape("\n".join(errors))
    return (
        f'<div id="{OVERLAY_ID}" role="alert" style="position:fixed;inset:0;'
        'z-index:2147483647;overflow:auto;background:rgba(20,20,24,.92);color:#fff;'
        'font:14px/1.5 ui-monospace,monospace;padding:2em">'
        '<h2 style="color:#ff8a80;font:bold 18px system-ui,sans-serif;margin:0 0 1em">'
        "Build failed: showing the last good version of the site</h2>"
        f'<pre style="white-space:pre-wrap;margin:0">{lines}</pre>'
        '<p style="color:#bbb;font-family:system-ui,sans-serif">'
        "Fix the file and save: this page updates by itself.</p></div>"
    )


def inject(document: bytes, extra: bytes) -> bytes:
    """Put ``extra`` before the last ``</body>`` (or at the end when there is none)."""
    last = None
    for last in _BODY_END.finditer(document):
        pass
    if last is None:
        return document + extra
    return document[:last.start()] + extra + document[last.start():]

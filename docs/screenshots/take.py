"""Screenshots of the example course for docs/screenshots/ (desktop 1280x800, phone 375x812,
light and dark). Run from the repository root after `llmcourse build -o /tmp/course`:

    python docs/screenshots/take.py /tmp/course

Only 127.0.0.1 is reached: the seed lectures' external images are blocked and show as gaps.
"""

from __future__ import annotations

import functools
import http.server
import sys
import tempfile
import threading
from pathlib import Path

from playwright.sync_api import sync_playwright

HERE = Path(__file__).resolve().parent
SHOTS = [  # (name, path under the baseurl, viewport, scheme, open the phone menu)
    ("home-desktop-light", "", (1280, 800), "light", False),
    ("home-desktop-dark", "", (1280, 800), "dark", False),
    ("lecture-desktop-light", "lectures/LLM-Overview/", (1280, 800), "light", False),
    ("lecture-desktop-dark", "lectures/LLM-Overview/", (1280, 800), "dark", False),
    ("home-phone-light", "", (375, 812), "light", False),
    ("lecture-phone-dark", "lectures/LLM/", (375, 812), "dark", False),
    ("lecture-phone-light", "lectures/LLM/", (375, 812), "light", False),
    ("menu-phone-dark", "lectures/LLM/", (375, 812), "dark", True),
]


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


def main(site: Path, baseurl: str = "/AI-course") -> None:
    mount = Path(tempfile.mkdtemp())
    (mount / baseurl.strip("/")).symlink_to(site.resolve(), target_is_directory=True)
    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(_Quiet, directory=str(mount)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}{baseurl}/"
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox"])
        for name, path, (width, height), scheme, menu in SHOTS:
            context = browser.new_context(viewport={"width": width, "height": height},
                                          color_scheme=scheme)
            context.route("**/*", lambda r: r.continue_() if r.request.url.startswith(base)
                          else r.abort())
            page = context.new_page()
            page.goto(base + path)
            if menu:
                page.locator(".sidebar-toggle").click()
            page.wait_for_timeout(200)
            page.screenshot(path=str(HERE / f"{name}.png"))
            context.close()
        browser.close()
    server.shutdown()


if __name__ == "__main__":
    main(Path(sys.argv[1]))

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
# the project's read-only seed documents, beside the checkout (or where this machine keeps them)
SEEDS = next((p for p in (REPO.parent / "shared" / "seeds", Path("/work/shared/seeds"))
              if p.is_dir()), REPO.parent / "shared" / "seeds")


def write(path: Path, text: str | bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def site(tmp_path: Path) -> Path:
    """An empty site folder with a minimal site.yaml."""
    root = tmp_path / "site"
    write(root / "site.yaml", "title: Test Course\n")
    (root / "content").mkdir()
    return root


@pytest.fixture
def example_site(tmp_path: Path) -> Path:
    """A copy of the repository's example course (content/ and site.yaml)."""
    root = tmp_path / "example"
    root.mkdir()
    shutil.copytree(REPO / "content", root / "content")
    shutil.copy(REPO / "site.yaml", root / "site.yaml")
    return root


# -- shared fixtures for browser tests -------------------------------------------------------
import functools  # noqa: E402
import http.server  # noqa: E402
import threading  # noqa: E402
from collections.abc import Iterator  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]


@pytest.fixture(scope="session")
def browser():
    """Debian's chromium driven by Playwright. A missing browser fails (CI installs it)."""
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: apt-get install chromium (.ci/run does this)")
    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass


@pytest.fixture
def static_server() -> Iterator[object]:
    """Serve a folder over real sockets on 127.0.0.1 under an optional prefix (the baseurl),
    the way GitHub Pages does. Call ``static_server(folder, prefix="/AI-course")`` -> base URL."""
    servers: list[http.server.ThreadingHTTPServer] = []

    def start(folder: Path, prefix: str = "") -> str:
        root = folder
        if prefix:  # mount the site under the prefix, like a GitHub Pages project site
            mount = folder.parent / f"{folder.name}-mount"
            target = mount / prefix.strip("/")
            target.parent.mkdir(parents=True, exist_ok=True)
            if not target.exists():
                target.symlink_to(folder.resolve(), target_is_directory=True)
            root = mount
        handler = functools.partial(_QuietHandler, directory=str(root))
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return f"http://127.0.0.1:{server.server_address[1]}{prefix.rstrip('/')}/"

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()

"""Live reload in a real browser (Debian's chromium through Playwright)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from serve_helpers import LECTURE, make_site, serving, write

from llmcourse.serve import DevServer
from llmcourse.theme import theme_root

pytestmark = pytest.mark.browser

FIRST = "content/lectures/2024-01-01-first.md"
LONG = "\n\n".join(f"Paragraph {i} of a long lecture." for i in range(300))


@pytest.fixture
def dev(tmp_path: Path) -> Iterator[DevServer]:
    root = make_site(tmp_path / "site")
    write(root / FIRST, LECTURE.format(title="First", day=1, body="Version one.\n\n" + LONG))
    with serving(DevServer(root, port=0)) as server:
        yield server


@pytest.fixture
def tab(browser, dev: DevServer):  # type: ignore[no-untyped-def]
    context = browser.new_context()
    page = context.new_page()
    page.set_default_timeout(20_000)
    yield page
    context.close()


def save(dev: DevServer, body: str) -> None:
    write(dev.site_dir / FIRST, LECTURE.format(title="First", day=1, body=body + "\n\n" + LONG))


def test_edit_shows_in_the_open_page_and_keeps_its_scroll(dev: DevServer, tab) -> None:  # type: ignore[no-untyped-def]
    tab.goto(dev.url + "lectures/first/")
    tab.wait_for_function("window.__llmcourse && document.readyState === 'complete'")
    tab.evaluate("window.scrollTo(0, 1500)")
    tab.wait_for_function("window.scrollY > 1000")
    before = tab.evaluate("window.scrollY")
    save(dev, "Version two, saved in the editor.")
    # (body is null for a moment while the page reloads)
    tab.wait_for_function(
        "document.body && document.body.innerText.includes('Version two, saved')")
    tab.wait_for_function(f"Math.abs(window.scrollY - {before}) < 50")


def test_other_pages_do_not_reload(dev: DevServer, tab) -> None:  # type: ignore[no-untyped-def]
    tab.goto(dev.url + "lectures/second/")
    tab.wait_for_function("window.__llmcourse !== undefined")  # connected: its hello is in
    tab.evaluate("window.untouched = true")
    build = dev.site.build
    save(dev, "Only the first lecture changes.")
    tab.wait_for_function(f"window.__llmcourse.build > {build}")  # the news arrived...
    assert tab.evaluate("window.untouched === true")  # ...and this page stayed as it was


def test_broken_front_matter_shows_overlay_until_fixed(dev: DevServer, tab) -> None:  # type: ignore[no-untyped-def]
    tab.goto(dev.url + "lectures/first/")
    tab.wait_for_function("window.__llmcourse !== undefined")
    write(dev.site_dir / FIRST, "---\ntitle: [unclosed\n---\n\nBroken.\n")
    overlay = tab.locator("#llmcourse-error-overlay")
    overlay.wait_for(state="visible")
    assert f"{FIRST}:2:" in overlay.inner_text()
    tab.reload()  # a fresh load while the error lasts shows it too
    overlay.wait_for(state="visible")
    assert tab.locator("text=Version one.").count() == 1  # the last good page underneath
    save(dev, "Version three, fixed.")
    tab.wait_for_function(
        "document.body && document.body.innerText.includes('Version three, fixed.')")
    overlay.wait_for(state="detached")


def test_deleted_lecture_turns_into_404(dev: DevServer, tab) -> None:  # type: ignore[no-untyped-def]
    tab.goto(dev.url + "lectures/second/")
    tab.wait_for_function("window.__llmcourse !== undefined")
    (dev.site_dir / "content/lectures/2024-01-02-second.md").unlink()
    tab.wait_for_function(
        "document.body && !document.body.innerText.includes('The second lecture.')")
    response = tab.goto(dev.url + "lectures/second/")
    assert response is not None and response.status == 404


def test_stylesheet_applies_without_reload(dev: DevServer, tab) -> None:  # type: ignore[no-untyped-def]
    tab.goto(dev.url + "lectures/first/")
    tab.wait_for_function("window.__llmcourse !== undefined")
    tab.evaluate("window.untouched = true")
    css = (theme_root() / "static/assets/css/site.css").read_text(encoding="utf-8")
    write(dev.site_dir / "static/assets/css/site.css", css + "\nbody { outline: 7px solid rgb(1, 2, 3); }\n")
    tab.wait_for_function("getComputedStyle(document.body).outlineWidth === '7px'")
    assert tab.evaluate("window.untouched === true")

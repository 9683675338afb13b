"""The default theme in a real browser (Debian's chromium through Playwright), on the example
course built with baseurl /AI-course and served under /AI-course/ over real sockets."""

from __future__ import annotations

import re
import shutil
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from conftest import REPO

from llmcourse.build import Builder, BuildOptions

pytestmark = pytest.mark.browser
PREFIX = "/AI-course"
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 375, "height": 812}


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("theme-browser") / "example"
    root.mkdir()
    shutil.copytree(REPO / "content", root / "content")
    shutil.copy(REPO / "site.yaml", root / "site.yaml")
    out = root / "_site"
    Builder(BuildOptions(root, out), time=datetime(2025, 10, 1, tzinfo=UTC)).build()
    return out


@pytest.fixture(scope="module")
def small(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A course without external images or videos: a page of it may request nothing outside."""
    root = tmp_path_factory.mktemp("theme-small") / "site"
    (root / "content/lectures").mkdir(parents=True)
    (root / "site.yaml").write_text("title: Small\nbaseurl: /AI-course\nlang: zh-Hant\n")
    (root / "content/lectures/2025-01-01-code.md").write_text(
        "---\ntitle: 程式碼 Code\ntags: [Python]\n---\n## 第一節 Start\n\n"
        "```python\ndef hello(name: str) -> str:\n    return f'hi {name}'  # greet\n```\n\n"
        + "| a | b |\n|---|---|\n| " + "很長的表格內容" * 30 + " | " + "x" * 300 + " |\n\n"
        + "`" + "averyveryverylongidentifier" * 8 + "`\n", encoding="utf-8")
    out = root / "_site"
    Builder(BuildOptions(root, out), time=datetime(2025, 10, 1, tzinfo=UTC)).build()
    return out


@pytest.fixture
def base(built: Path, static_server) -> str:
    return static_server(built, PREFIX)


@pytest.fixture
def small_base(small: Path, static_server) -> str:
    return static_server(small, PREFIX)


class Visit:
    """A browser context that keeps every request on 127.0.0.1 (others are blocked and
    recorded) and collects console errors."""

    def __init__(self, browser, base: str, **options: object) -> None:
        self.base = base
        self.context = browser.new_context(**options)
        self.external: list[tuple[str, str]] = []  # (resource type, URL)
        self.errors: list[str] = []
        self.context.route("**/*", self._route)
        self.page = self.context.new_page()
        self.page.on("console", self._console)
        self.page.on("pageerror", lambda exc: self.errors.append(f"page error: {exc}"))

    def _route(self, route) -> None:
        request = route.request
        if urllib.parse.urlsplit(request.url).hostname == "127.0.0.1":
            route.continue_()
        else:
            self.external.append((request.resource_type, request.url))
            route.abort()

    def _console(self, message) -> None:
        if message.type != "error":
            return
        location = (message.location or {}).get("url", "")
        if location and urllib.parse.urlsplit(location).hostname != "127.0.0.1":
            return  # an external image the test blocked, not a fault of the page
        self.errors.append(message.text)

    def open(self, path: str = "") -> object:
        self.page.goto(self.base + path)
        return self.page


@pytest.fixture
def visit(browser, base: str) -> Iterator[object]:
    visits: list[Visit] = []

    def start(root: str = base, **options: object) -> Visit:
        options.setdefault("viewport", DESKTOP)
        v = Visit(browser, root, **options)
        visits.append(v)
        return v

    yield start
    for v in visits:
        v.context.close()


def sidebar_visible(page) -> bool:
    return page.locator("#sidebar").is_visible()


def test_sidebar_toggle_is_remembered_across_pages(visit) -> None:
    v = visit()
    page = v.open("lectures/LLM/")
    button = page.locator(".sidebar-toggle")
    assert sidebar_visible(page) and button.get_attribute("aria-expanded") == "true"
    button.click()
    assert not sidebar_visible(page) and button.get_attribute("aria-expanded") == "false"
    page.locator(".topbar-title").click()  # the title shows in the bar while the sidebar is away
    page.wait_for_url(v.base)
    assert not sidebar_visible(page)
    assert page.locator(".sidebar-toggle").get_attribute("aria-expanded") == "false"
    page.locator(".sidebar-toggle").click()
    page.reload()
    assert sidebar_visible(page)
    assert v.errors == []


def test_on_phones_the_sidebar_is_a_menu_that_keyboard_users_can_open_and_close(visit) -> None:
    v = visit(viewport=PHONE)
    page = v.open("lectures/LLM/")
    assert not sidebar_visible(page)
    page.keyboard.press("Tab")  # the skip link comes first
    assert page.evaluate("document.activeElement.className") == "skip-link"
    page.keyboard.press("Tab")
    assert "sidebar-toggle" in page.evaluate("document.activeElement.className")
    page.keyboard.press("Enter")
    assert sidebar_visible(page)
    assert page.locator(".sidebar-toggle").get_attribute("aria-expanded") == "true"
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline == "solid"  # visible focus
    page.locator("#sidebar a", has_text="LLM").first.focus()
    page.keyboard.press("Escape")
    assert not sidebar_visible(page)
    assert "sidebar-toggle" in page.evaluate("document.activeElement.className")


def test_skip_link_moves_focus_to_the_main_content(visit) -> None:
    page = visit().open("lectures/LLM/")
    page.keyboard.press("Tab")
    assert page.locator(".skip-link").is_visible()
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"


def _colours(page) -> tuple[str, str]:
    return page.evaluate("""() => [getComputedStyle(document.body).backgroundColor,
        getComputedStyle(document.querySelector('.highlight .k')).color]""")


def test_dark_mode_toggle_persists_across_reload_and_recolours_code(visit, small_base: str
                                                                    ) -> None:
    v = visit(small_base, color_scheme="light")
    page = v.open("lectures/code/")
    light_bg, light_code = _colours(page)
    assert light_bg == "rgb(255, 255, 255)"
    toggle = page.locator(".theme-toggle")
    assert toggle.get_attribute("aria-pressed") == "false"
    toggle.click()
    dark_bg, dark_code = _colours(page)
    assert dark_bg == "rgb(13, 17, 23)" and dark_code != light_code
    page.reload()
    assert tuple(_colours(page)) == (dark_bg, dark_code)
    assert page.locator(".theme-toggle").get_attribute("aria-pressed") == "true"
    page.locator(".theme-toggle").click()
    page.reload()
    assert tuple(_colours(page)) == (light_bg, light_code)
    assert v.errors == []


def test_dark_mode_follows_the_system_until_the_reader_chooses(visit, small_base: str) -> None:
    page = visit(small_base, color_scheme="dark").open("lectures/code/")
    dark = _colours(page)
    assert dark[0] == "rgb(13, 17, 23)"
    assert page.locator(".theme-toggle").get_attribute("aria-pressed") == "true"
    page.locator(".theme-toggle").click()
    light = _colours(page)
    assert light[0] == "rgb(255, 255, 255)" and light[1] != dark[1]


def test_remembered_choices_apply_before_any_deferred_script_runs(visit, small_base: str
                                                                  ) -> None:
    """The inline <head> script applies the stored theme and sidebar state before the first
    paint: with theme.js blocked, a reload still shows them (no flash of the wrong theme)."""
    v = visit(small_base, color_scheme="light")
    page = v.open("lectures/code/")
    page.locator(".theme-toggle").click()
    page.locator(".sidebar-toggle").click()
    page.route("**/assets/js/theme.js", lambda route: route.abort())
    page.reload()
    assert page.evaluate("[...document.scripts].some(s => s.src.endsWith('theme.js'))")
    assert _colours(page)[0] == "rgb(13, 17, 23)"
    assert not sidebar_visible(page)


def test_a_course_page_requests_nothing_outside_localhost(visit, small: Path, small_base: str
                                                         ) -> None:
    v = visit(small_base)
    for path in _html_pages(small):
        v.open(path)
        v.page.wait_for_load_state("load")
    assert v.external == [] and v.errors == []
    requested = v.page.evaluate("performance.getEntriesByType('resource').map(e => e.name)")
    assert any(u.endswith("/AI-course/assets/js/theme.js") for u in requested)


def test_long_cjk_text_tables_and_code_stay_inside_a_phone_screen(visit, small_base: str
                                                                  ) -> None:
    page = visit(small_base, viewport=PHONE).open("lectures/code/")
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    table = page.locator(".content table")
    assert table.evaluate("t => t.scrollWidth > t.clientWidth")  # it scrolls in its own box
    assert table.evaluate("t => t.getBoundingClientRect().right") <= 375


def test_toc_links_scroll_to_their_headings_including_chinese_ones(visit) -> None:
    page = visit().open("lectures/LLM/")
    assert page.locator("#toc-details").evaluate("d => d.open")  # beside the text when wide
    link = page.locator(".toc a", has_text="計算記憶體的成長")
    target = link.get_attribute("href")
    link.click()
    page.wait_for_function("h => decodeURIComponent(location.hash) === h", arg=target)
    page.wait_for_function("""id => { const r = document.getElementById(id)
        .getBoundingClientRect(); return r.top >= 0 && r.top < 120; }""", arg=target[1:])
    assert page.locator(".toc").is_visible()  # sticky: still there after scrolling
    assert page.locator(".toc").evaluate("e => e.getBoundingClientRect().top") < 200


def test_toc_is_collapsed_on_phones(visit) -> None:
    page = visit(viewport=PHONE).open("lectures/LLM/")
    details = page.locator("#toc-details")
    assert not details.evaluate("d => d.open")
    page.locator(".toc summary").click()
    assert details.evaluate("d => d.open")
    link = page.locator(".toc a", has_text="Scaling Law").first
    link.click()
    page.wait_for_function("() => location.hash === '#scaling-law'")


def _html_pages(built: Path) -> list[str]:
    return sorted(p.relative_to(built).as_posix().removesuffix("index.html")
                  for p in built.rglob("*.html") if "slides" not in p.parts)


def test_pages_load_nothing_executable_from_other_hosts_and_log_no_errors(visit, built: Path
                                                                         ) -> None:
    v = visit()
    for path in _html_pages(built):
        v.open(path)
        v.page.wait_for_load_state("load")
    assert [(kind, url) for kind, url in v.external
            if kind in ("script", "stylesheet", "font", "xhr", "fetch")] == []
    # the seed notes link images that are not in the repository: `llmcourse check` reports
    # those; here only script errors and other console errors count
    assert [e for e in v.errors if not e.startswith("Failed to load resource")] == []


def test_no_page_scrolls_sideways_on_a_phone(visit, built: Path) -> None:
    v = visit(viewport=PHONE)
    wide = []
    for path in _html_pages(built):
        page = v.open(path)
        width = page.evaluate("[document.documentElement.scrollWidth, innerWidth]")
        if width[0] > width[1]:
            wide.append((path, width))
    assert wide == []


def test_print_gives_a_clean_handout(visit) -> None:
    page = visit().open("lectures/LLM/")
    page.emulate_media(media="print")
    for selector in (".sidebar", ".topbar", ".toc", ".pager", ".site-footer"):
        assert page.locator(selector).first.evaluate("e => getComputedStyle(e).display") == "none"
    after = page.locator(".content a[href^='http']").first.evaluate(
        "a => getComputedStyle(a, '::after').content")
    href = page.locator(".content a[href^='http']").first.get_attribute("href")
    assert href in after
    overflow = page.evaluate("""() => [...document.querySelectorAll('.content img')]
        .filter(i => i.getBoundingClientRect().width > document.body.clientWidth + 1).length""")
    assert overflow == 0


def theme_and_content_urls(built: Path) -> tuple[dict[str, str], dict[str, str]]:
    """Root-relative and site-absolute URLs of the built site, split into those the theme
    writes (everything outside the rendered lecture text) and those the authors wrote."""
    import xml.etree.ElementTree as ET

    import html5lib

    public = "https://example.github.io"  # site.yaml's url: absolute links point here
    theme: dict[str, str] = {}
    content: dict[str, str] = {}

    def add(found: dict[str, str], url: str | None, source: str) -> None:
        url = (url or "").split("#")[0].split("?")[0]
        url = url.removeprefix(public)
        if url.startswith("/") and not url.startswith("//"):
            found.setdefault(url, source)

    def attributes(element) -> list[str]:
        return [element.get(a) for a in ("href", "src", "poster") if element.get(a)]

    for path in sorted(built.rglob("*.html")):
        source = path.relative_to(built).as_posix()
        tree = html5lib.parse(path.read_bytes(), namespaceHTMLElements=False)
        for parent in tree.iter():
            for child in list(parent):
                if "content" in (child.get("class") or "").split():
                    for element in child.iter():
                        for url in attributes(element):
                            add(content, url, source)
                    parent.remove(child)
        for element in tree.iter():
            for url in attributes(element):
                add(theme, url, source)
    atom = "{http://www.w3.org/2005/Atom}"
    feed = ET.parse(built / "feed.xml").getroot()
    for element in feed.iter():
        if element.tag == f"{atom}link":
            add(theme, element.get("href"), "feed.xml")
        elif element.tag == f"{atom}id":
            add(theme, element.text, "feed.xml")
        elif element.tag == f"{atom}content":
            for url in re.findall(r"""(?:href|src)=["']([^"']+)""", element.text or ""):
                add(content, url, "feed.xml")
    for loc in re.findall(r"<loc>([^<]+)</loc>", (built / "sitemap.xml").read_text()):
        add(theme, loc, "sitemap.xml")
    add(theme, (built / "robots.txt").read_text().split("Sitemap: ")[1].strip(), "robots.txt")
    return theme, content


def test_every_url_the_theme_writes_resolves_under_the_baseurl(built: Path, base: str) -> None:
    origin = base.split(PREFIX)[0]
    theme, content = theme_and_content_urls(built)
    assert len(theme) > 25
    assert {"/AI-course/assets/css/site.css", "/AI-course/assets/css/syntax.css",
            "/AI-course/assets/js/theme.js", "/AI-course/feed.xml", "/AI-course/sitemap.xml",
            "/AI-course/tags/genai/", "/AI-course/categories/lecture/",
            "/AI-course/archive/"} <= set(theme)
    # the authors' own links get the baseurl too (whether their targets exist is
    # `llmcourse check`'s business: some seed images are not in the repository)
    assert {u: s for u, s in (theme | content).items() if not u.startswith(PREFIX + "/")} == {}
    broken = {}
    for url, source in sorted(theme.items()):
        try:
            with urllib.request.urlopen(origin + urllib.parse.quote(url, safe="/%")) as reply:
                assert reply.status == 200
        except urllib.error.HTTPError as exc:
            broken[url] = (exc.code, source)
    assert broken == {}

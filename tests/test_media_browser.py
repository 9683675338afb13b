"""Lecture media in a real browser (Chromium via Playwright), served over real sockets.

Nothing leaves the machine: every request to a host other than 127.0.0.1 is recorded and
aborted, so the tests can assert what a student's browser would have asked for.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

from conftest import write
from test_media import png

from llmcourse.build import Builder, BuildOptions


def _page(browser, **context):  # type: ignore[no-untyped-def]
    ctx = browser.new_context(**context)
    page = ctx.new_page()
    external: list[str] = []

    def route(r):  # type: ignore[no-untyped-def]
        if urlsplit(r.request.url).hostname == "127.0.0.1":
            r.continue_()
        else:
            external.append(r.request.url)
            r.abort()
    page.route("**/*", route)
    return ctx, page, external


def test_youtube_loads_nothing_until_clicked(browser, example_site: Path, static_server) -> None:
    out = example_site / "_site"
    Builder(BuildOptions(example_site, out)).build()
    base = static_server(out, "/AI-course")
    ctx, page, external = _page(browser)
    try:
        page.goto(base + "lectures/LLM/", wait_until="load")
        assert page.locator(".yt-embed").count() == 8
        for index in range(8):  # bring every embed into view: lazy thumbnails load
            page.locator(".yt-embed").nth(index).scroll_into_view_if_needed()
        page.wait_for_function("[...document.querySelectorAll('.yt-embed-thumb')]"
                               ".every(i => i.complete)")
        assert page.locator("iframe").count() == 0
        assert not [u for u in external if "youtube" in urlsplit(u).hostname]
        assert len({u for u in external if u.startswith("https://i.ytimg.com/vi/")}) == 8
        first = page.locator("a.yt-embed-link").first
        first.scroll_into_view_if_needed()
        first.click()
        frame = page.locator(".yt-embed iframe")
        frame.wait_for()
        src = frame.get_attribute("src") or ""
        assert src == ("https://www.youtube-nocookie.com/embed/uhNsUCb2fJI?autoplay=1"
                       "&list=PLJV_el3uVTsPz6CTopeRp2L2t4aL_KgiI")
        assert "autoplay" in (frame.get_attribute("allow") or "")
        page.wait_for_timeout(200)
        assert [u for u in external if "youtube-nocookie.com" in u]
        assert not [u for u in external if urlsplit(u).hostname.endswith("youtube.com")]
    finally:
        ctx.close()


def _media_site(site: Path) -> Path:
    write(site / "site.yaml", "title: Media\nbaseurl: /course\n")
    folder = site / "content" / "lectures"
    for name, size in (("a", (40, 30)), ("b", (60, 30)), ("c", (30, 60)), ("plot", (640, 240))):
        write(folder / "img" / f"{name}.png", png(*size))
    write(folder / "2024-01-01-media.md", """---
title: Media
---
Intro paragraph.

![plot](img/plot.png)

<p id="after">After the plot.</p>

::: gallery
![first](img/a.png "First")

![second](img/b.png "Second")

![third](img/c.png "Third")
:::

```python
print("hello")
```
""")
    out = site / "_site"
    Builder(BuildOptions(site, out)).build()
    return out


def test_gallery_lightbox_keyboard(browser, site: Path, static_server) -> None:
    base = static_server(_media_site(site), "/course")
    ctx, page, external = _page(browser)
    try:
        page.goto(base + "lectures/media/")
        links = page.locator(".gallery a.gallery-link")
        assert links.count() == 3
        links.nth(1).focus()
        page.keyboard.press("Enter")
        dialog = page.locator("dialog.lightbox")
        dialog.wait_for(state="visible")
        image = dialog.locator(".lightbox-image")
        assert image.get_attribute("src", timeout=2000).endswith("/img/b.png")
        assert dialog.locator(".lightbox-caption").text_content() == "Second"
        page.keyboard.press("ArrowRight")
        assert image.get_attribute("src").endswith("/img/c.png")
        assert dialog.locator(".lightbox-counter").text_content() == "3 / 3"
        page.keyboard.press("ArrowRight")  # wraps around
        assert image.get_attribute("src").endswith("/img/a.png")
        page.keyboard.press("ArrowLeft")
        page.keyboard.press("ArrowLeft")
        assert image.get_attribute("src").endswith("/img/b.png")
        page.keyboard.press("Escape")
        dialog.wait_for(state="hidden")
        assert page.evaluate("document.activeElement.getAttribute('href')").endswith("/img/b.png")
        # swipe left with a pointer -> next image
        links.nth(0).click()
        dialog.wait_for(state="visible")
        box = image.bounding_box()
        assert box is not None
        y = box["y"] + box["height"] / 2
        page.mouse.move(box["x"] + box["width"] / 2, y)
        page.mouse.down()
        page.mouse.move(box["x"] + box["width"] / 2 - 200, y, steps=5)
        page.mouse.up()
        assert image.get_attribute("src").endswith("/img/b.png")
        assert dialog.is_visible()  # the swipe's end did not count as a backdrop click
        assert external == []
    finally:
        ctx.close()


def test_local_image_reserves_its_box_before_loading(browser, site: Path, static_server) -> None:
    base = static_server(_media_site(site), "/course")
    ctx, page, _ = _page(browser, viewport={"width": 800, "height": 900})
    held = []
    try:
        page.route("**/img/plot.png", lambda r: held.append(r))  # not answered yet
        page.goto(base + "lectures/media/", wait_until="domcontentloaded")
        img = page.locator("img[alt=plot]")
        assert img.get_attribute("width") == "640" and img.get_attribute("height") == "240"
        assert page.evaluate("document.querySelector('img[alt=plot]').complete") is False
        before = page.locator("#after").bounding_box()
        box = img.bounding_box()
        assert box is not None and abs(box["height"] - box["width"] * 240 / 640) < 1.5
        held[0].fulfill(path=str(site / "content" / "lectures" / "img" / "plot.png"))
        page.wait_for_function("document.querySelector('img[alt=plot]').naturalWidth === 640")
        assert page.locator("#after").bounding_box() == before  # nothing moved
    finally:
        ctx.close()


def test_copy_button(browser, site: Path, static_server) -> None:
    base = static_server(_media_site(site), "/course")
    origin = base.split("/course")[0]
    ctx, page, _ = _page(browser, permissions=["clipboard-read", "clipboard-write"])
    ctx.grant_permissions(["clipboard-read", "clipboard-write"], origin=origin)
    try:
        page.goto(base + "lectures/media/")
        button = page.locator(".code-block button.copy-code")
        assert button.count() == 1
        assert page.locator(".code-block").get_attribute("data-lang") == "python"
        button.focus()
        page.keyboard.press("Enter")
        page.wait_for_function("document.querySelector('.copy-code').textContent === 'Copied'")
        assert page.evaluate("navigator.clipboard.readText()") == 'print("hello")'
    finally:
        ctx.close()

"""Slides: the lecture's HTML cut at top-level ``---``, driven in a real browser (keys, hash,
overview, fitting, print, speaker window kept in sync through BroadcastChannel)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from conftest import write

from llmcourse.build import BuildOptions, build_site
from llmcourse.markdown import create_markdown, render_markdown
from llmcourse.slides import slides_url, split_slides

LECTURE = """---
title: Attention
date: 2024-09-08
authors: [Ada Lovelace]
description: Transformers, slide by slide
---
## First

Hello slides.

Note: remember to greet the class

---

## Second
> quoted
>
> ---
>
> still the second slide

---

## Long
""" + "\n".join(f"- item {i}" for i in range(60)) + """

---

## Last
Bye.
"""


def test_split_at_top_level_breaks_only_and_notes_leave_the_slide() -> None:
    html = render_markdown(create_markdown(), LECTURE.split("---\n", 2)[2]).html
    slides = split_slides(html)
    assert len(slides) == 4
    assert "still the second slide" in slides[1].html and "<hr />" in slides[1].html
    assert "remember to greet" not in slides[0].html
    assert str(slides[0].notes) == "<p>remember to greet the class</p>"
    assert slides[1].notes == ""


def test_slides_url() -> None:
    assert slides_url("/lectures/LLM/") == "/lectures/LLM/slides/"
    assert slides_url("/lectures/llm.html") == "/lectures/llm/slides/"


def _course(site: Path, extra: str = "", front: str = "") -> Path:
    write(site / "site.yaml", "title: Test Course\nsearch: false\nbaseurl: /AI-course\n" + extra)
    write(site / "content" / "lectures" / "2024-09-08-attention.md",
          LECTURE.replace("title: Attention\n", "title: Attention\n" + front))
    write(site / "content" / "lectures" / "2024-09-09-other.md",
          "---\ntitle: Other\ndate: 2024-09-09\nslides: false\n---\nText.\n\n---\n\nMore.\n")
    return site


def test_build_writes_slides_and_links_them_unless_turned_off(site: Path) -> None:
    out = site / "_site"
    build_site(BuildOptions(_course(site), out))
    deck = (out / "lectures" / "attention" / "slides" / "index.html").read_text("utf-8")
    assert deck.count('<section class="slide') == 5  # title slide + 4
    assert "Ada Lovelace" in deck and "Transformers, slide by slide" in deck
    assert '<aside class="notes" hidden><p>remember to greet the class</p></aside>' in deck
    lecture = (out / "lectures" / "attention" / "index.html").read_text("utf-8")
    assert 'href="/AI-course/lectures/attention/slides/"' in lecture
    assert not (out / "lectures" / "other" / "slides").exists()  # front matter slides: false
    assert "slides/" not in (out / "lectures" / "other" / "index.html").read_text("utf-8")
    build_site(BuildOptions(_course(site, extra="slides: false\n"), out))
    assert not (out / "lectures" / "attention" / "slides").exists()


# -- in the browser ----------------------------------------------------------------------------
@pytest.fixture
def deck_url(site: Path, static_server) -> str:
    out = site / "_site"
    build_site(BuildOptions(_course(site), out))
    return static_server(out, prefix="/AI-course") + "lectures/attention/slides/"


def current(page) -> int:
    return page.evaluate("[...document.querySelectorAll('section.slide')]"
                         ".findIndex(s => s.classList.contains('current')) + 1")


@pytest.mark.browser
def test_keys_hash_overview_and_fitting(browser, deck_url: str) -> None:
    context = browser.new_context(viewport={"width": 1024, "height": 600})
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(deck_url + "#3")
    assert current(page) == 3 and page.locator("section.slide.current h2").inner_text() == "Second"
    for key, expected in (("ArrowRight", 4), (" ", 5), ("PageUp", 4), ("ArrowLeft", 3),
                          ("PageDown", 4), ("Home", 1), ("End", 5), ("ArrowDown", 5),
                          ("ArrowUp", 4)):
        page.keyboard.press(key)
        assert current(page) == expected, key
        assert page.evaluate("location.hash") == f"#{expected}"
    page.reload()
    assert current(page) == 4  # the hash survives a reload
    # notes never show on the slide
    assert not page.locator("section.slide").nth(1).locator("aside.notes").is_visible()
    # the long slide is scaled down to fit its 720px canvas; short ones are not
    scale = float(page.locator("section.slide").nth(3).get_attribute("data-scale"))
    assert 0.2 < scale < 1
    assert float(page.locator("section.slide").nth(4).get_attribute("data-scale")) == 1
    body = page.locator("section.slide").nth(3).locator(".slide-body").bounding_box()
    inner = page.locator("section.slide").nth(3).locator(".slide-inner").bounding_box()
    assert body["y"] + body["height"] <= inner["y"] + inner["height"] + 1
    # overview: every slide as a thumbnail; a click goes there
    page.keyboard.press("o")
    assert "deck-overview" in page.evaluate("document.documentElement.className")
    assert page.locator("section.slide").nth(1).is_visible()
    page.locator("section.slide").nth(1).click()
    assert "deck-overview" not in page.evaluate("document.documentElement.className")
    assert current(page) == 2 and page.evaluate("location.hash") == "#2"
    # ... and Enter on the focused thumbnail too
    page.keyboard.press("o")
    page.locator("section.slide").nth(2).focus()
    page.keyboard.press("Enter")
    assert current(page) == 3 and "deck-overview" not in page.evaluate(
        "document.documentElement.className")
    # swipe left = next
    page.evaluate("""() => {
      const t = (x) => new Touch({identifier: 1, target: document.body, clientX: x, clientY: 100});
      document.dispatchEvent(new TouchEvent('touchstart', {touches: [t(600)], changedTouches: [t(600)]}));
      document.dispatchEvent(new TouchEvent('touchend', {touches: [], changedTouches: [t(400)]}));
    }""")
    assert current(page) == 4
    assert errors == []
    context.close()


@pytest.mark.browser
def test_print_gives_one_slide_per_landscape_page(browser, deck_url: str) -> None:
    context = browser.new_context()
    page = context.new_page()
    page.goto(deck_url)
    pdf = page.pdf(prefer_css_page_size=True, print_background=True)
    sizes = re.findall(rb"/MediaBox\s*\[\s*0 0 ([\d.]+) ([\d.]+)\s*\]", pdf)
    assert len(sizes) == 5  # title slide + 4 sections
    assert all(float(w) > float(h) for w, h in sizes)
    context.close()


@pytest.mark.browser
def test_speaker_window_follows_and_drives_the_deck(browser, deck_url: str) -> None:
    context = browser.new_context()
    main = context.new_page()
    main.goto(deck_url + "#2")
    with context.expect_page() as opened:
        main.keyboard.press("s")
    speaker = opened.value
    speaker.wait_for_load_state()
    assert "?speaker" in speaker.url
    speaker.wait_for_function("document.querySelector('.sv-count')?.textContent === '2 / 5'")
    assert "remember to greet the class" in speaker.locator(".sv-notes").inner_text()
    assert speaker.locator(".sv-current h2").inner_text() == "First"
    assert speaker.locator(".sv-next h2").inner_text() == "Second"
    assert re.fullmatch(r"\d\d:\d\d", speaker.locator(".sv-elapsed").inner_text())
    main.keyboard.press("ArrowRight")  # the main window drives the speaker view
    speaker.wait_for_function("document.querySelector('.sv-count').textContent === '3 / 5'")
    assert speaker.locator(".sv-current h2").inner_text() == "Second"
    assert "No notes" in speaker.locator(".sv-notes").inner_text()
    speaker.bring_to_front()
    speaker.keyboard.press("End")  # ... and the speaker view drives the main window
    main.wait_for_function("location.hash === '#5'")
    assert current(main) == 5
    assert "End of the slides" in speaker.locator(".sv-next").inner_text()
    context.close()

"""feed.xml (Atom), sitemap.xml and robots.txt on real builds: valid XML, absolute URLs under
url + baseurl, the newest lectures with their full content, and no dependence on the clock."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import UTC, datetime
from pathlib import Path

import pytest
from conftest import write

from llmcourse.build import Builder, BuildOptions
from llmcourse.config import SiteConfig
from llmcourse.feeds import absolute, absolutize_html

A = "{http://www.w3.org/2005/Atom}"
S = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
SITE = "https://example.org/AI-course"


def build(site: Path, time: datetime | None = None, out: str = "_site"):
    moment = time or datetime(2025, 10, 1, tzinfo=UTC)
    return Builder(BuildOptions(site, site / out), time=moment).build()


@pytest.fixture
def course(site: Path) -> Path:
    write(site / "site.yaml", "title: Feed Course\ndescription: Lectures & notes\n"
          "url: https://example.org/\nbaseurl: AI-course\nauthor: Ada\nfeed_limit: 2\n")
    for day, name in ((1, "one"), (3, "three"), (2, "two")):
        write(site / f"content/lectures/2025-03-0{day}-{name}.md",
              f"---\ntitle: Lecture {name}\ntags: [GenAI]\ncategories: [Lecture]\n---\n"
              f"Body of {name} with [a link](/about/) and ![pic](img/p.png).\n\n## 第二節\n\nMore.\n")
    write(site / "content/lectures/img/p.png", b"\x89PNG\r\n\x1a\n")
    write(site / "content/about.md", "---\ntitle: About\n---\nAbout.\n")
    write(site / "content/hidden.md", "---\ntitle: Hidden\nsitemap: false\n---\nNot listed.\n")
    return site


def test_atom_feed_has_the_newest_lectures_with_full_content_and_absolute_urls(course: Path
                                                                               ) -> None:
    build(course)
    root = ET.parse(course / "_site/feed.xml").getroot()
    assert root.tag == f"{A}feed"
    for required in ("id", "title", "updated", "author"):
        assert root.find(f"{A}{required}") is not None, required
    assert root.find(f"{A}id").text == f"{SITE}/feed.xml"
    self_link = root.find(f"{A}link[@rel='self']")
    assert self_link.get("href") == f"{SITE}/feed.xml"
    assert root.find(f"{A}link[@rel='alternate']").get("href") == f"{SITE}/"
    entries = root.findall(f"{A}entry")
    assert [e.find(f"{A}title").text for e in entries] == ["Lecture three", "Lecture two"]
    assert root.find(f"{A}updated").text == entries[0].find(f"{A}updated").text
    assert entries[0].find(f"{A}updated").text.startswith("2025-03-03T00:00:00")
    first = entries[0]
    assert first.find(f"{A}id").text == f"{SITE}/lectures/three/"
    assert first.find(f"{A}link").get("href") == f"{SITE}/lectures/three/"
    content = first.find(f"{A}content").text
    assert "Body of three" in content and "第二節" in content  # the full text, not a summary
    assert f'href="{SITE}/about/"' in content
    assert f'src="{SITE}/lectures/img/p.png"' in content
    assert sorted(c.get("term") for c in first.findall(f"{A}category")) == ["GenAI", "Lecture"]


def test_feed_and_sitemap_do_not_depend_on_the_build_time(course: Path) -> None:
    build(course, datetime(2025, 10, 1, tzinfo=UTC), "_a")
    build(course, datetime(2030, 1, 1, tzinfo=UTC), "_b")
    for name in ("feed.xml", "sitemap.xml", "robots.txt"):
        assert (course / "_a" / name).read_bytes() == (course / "_b" / name).read_bytes(), name


def test_control_characters_in_a_lecture_do_not_break_the_feed(course: Path) -> None:
    write(course / "content/lectures/2025-03-09-ctrl.md",
          "---\ntitle: Control\n---\nText with a \x0c form feed, a \x0b tab and \x01 SOH.\n")
    build(course)
    root = ET.parse(course / "_site/feed.xml").getroot()  # raises if the XML were invalid
    entry = root.find(f"{A}entry")
    assert entry.find(f"{A}title").text == "Control"
    assert "form feed" in entry.find(f"{A}content").text
    assert "\x01" not in entry.find(f"{A}content").text


def test_sitemap_lists_every_public_page_with_absolute_urls(course: Path) -> None:
    build(course)
    root = ET.parse(course / "_site/sitemap.xml").getroot()
    rows = {u.find(f"{S}loc").text: getattr(u.find(f"{S}lastmod"), "text", "")
            for u in root.findall(f"{S}url")}
    for path in ("/", "/lectures/one/", "/lectures/two/", "/lectures/three/", "/about/",
                 "/tags/", "/tags/genai/", "/categories/", "/categories/lecture/", "/archive/"):
        assert SITE + path in rows, path
    assert rows[f"{SITE}/lectures/one/"].startswith("2025-03-01")
    assert f"{SITE}/hidden/" not in rows  # sitemap: false
    assert not any(loc.endswith("404.html") for loc in rows)
    assert all(loc.startswith(SITE + "/") for loc in rows)


def test_robots_txt_points_at_the_sitemap(course: Path) -> None:
    build(course)
    robots = (course / "_site/robots.txt").read_text()
    assert robots.splitlines()[0] == "User-agent: *"
    assert f"Sitemap: {SITE}/sitemap.xml" in robots.splitlines()


def test_without_url_the_feed_keeps_root_relative_links(site: Path) -> None:
    write(site / "site.yaml", "title: T\nbaseurl: /c\n")
    write(site / "content/lectures/2025-01-01-a.md", "---\ntitle: A\n---\n[x](/y/)\n")
    build(site)
    root = ET.parse(site / "_site/feed.xml").getroot()
    assert root.find(f"{A}entry/{A}id").text == "/c/lectures/a/"
    assert 'href="/c/y/"' in root.find(f"{A}entry/{A}content").text


def test_empty_course_still_gets_a_valid_feed(site: Path) -> None:
    build(site)
    root = ET.parse(site / "_site/feed.xml").getroot()
    assert root.findall(f"{A}entry") == []
    assert root.find(f"{A}updated").text == "1970-01-01T00:00:00+00:00"


def test_absolute_urls_add_baseurl_once() -> None:
    config = SiteConfig(url="https://x.org", baseurl="/AI-course")
    assert absolute(config, "/a/") == "https://x.org/AI-course/a/"
    assert absolute(config, "/AI-course/a/") == "https://x.org/AI-course/a/"
    assert absolute(config, "https://other.org/") == "https://other.org/"
    html = '<a href="/AI-course/a/">a</a><a href="//cdn.x/y">b</a><img src=\'/AI-course/i.png\'>'
    assert absolutize_html(html, config) == (
        '<a href="https://x.org/AI-course/a/">a</a><a href="//cdn.x/y">b</a>'
        "<img src='https://x.org/AI-course/i.png'>")

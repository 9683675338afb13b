from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

from llmcourse.link import course_order_key, link_site
from llmcourse.model import Content, ContentBulk, Document, Entry, SourceFile


def entry(name: str, *, order: float | None = None, day: int = 1, tags: tuple[str, ...] = (),
          kind: str = "lecture") -> Entry:
    source = SourceFile(Path(f"/c/{name}.md"), f"content/{name}.md", f"{name}.md")
    doc = Document(source=source, kind=kind, title=name, url=f"/{name}/",
                   output=f"{name}/index.html", layout="post", stored_body="", body_line=1,
                   source_hash=name, date=datetime(2025, 1, day, tzinfo=timezone.utc),
                   order=order, tags=tags, categories=("Lecture",))
    return Entry(doc, Content(ContentBulk("", ()), "", 0, 1))


def test_course_order_uses_week_then_date() -> None:
    lectures = [entry("late", day=20), entry("week2", order=2, day=1), entry("early", day=2),
                entry("week1", order=1, day=30)]
    site = link_site(lectures, ())
    assert [e.doc.title for e in site.lectures] == ["week1", "week2", "early", "late"]
    assert site.previous["/week1/"] is None
    assert site.following["/week1/"].doc.title == "week2"
    assert site.previous["/late/"].doc.title == "early"
    assert site.following["/late/"] is None


def test_taxonomies_and_years() -> None:
    site = link_site([entry("a", tags=("GenAI", "ai")), entry("b", tags=("ai",), day=5),
                      entry("about", kind="page")], ())
    assert list(site.tags) == ["ai", "GenAI"]
    assert [e.doc.title for e in site.tags["ai"]] == ["a", "b"]
    assert [e.doc.title for e in site.years[2025]] == ["b", "a"]
    assert [e.doc.title for e in site.pages] == ["about"]
    assert course_order_key(site.lectures[0].doc) < course_order_key(site.lectures[1].doc)

"""The persistent cache: reuse exactly what is unchanged, never anything stale, never crash."""

from __future__ import annotations

import contextlib
import os
import pickle
import sqlite3
from collections.abc import Iterator
from datetime import datetime, timezone
from pathlib import Path

import pytest
from click.testing import CliRunner

from llmcourse.build import BuildOptions, Builder, BuildResult
from llmcourse.cache import _KEEP_GENERATIONS, CACHE_DIR, BuildCache, _encode
from llmcourse.cli import cli
from llmcourse.errors import ContentError
from llmcourse.model import ContentBulk

from conftest import write

NOW = datetime(2025, 10, 1, tzinfo=timezone.utc)
DB = Path(CACHE_DIR) / "cache.sqlite"


@contextlib.contextmanager
def opened(db: Path) -> Iterator[sqlite3.Connection]:
    """A connection that commits and closes, as a process would (the cache is then one file
    again: SQLite moves its write-ahead log into it)."""
    conn = sqlite3.connect(db)
    try:
        with conn:
            yield conn
    finally:
        conn.close()


def lecture(site: Path, day: int, body: str) -> Path:
    return write(site / "content" / "lectures" / f"2025-09-{day:02d}-l{day}.md",
                 f"---\ntitle: Lecture {day}\ncategories: [Lecture]\n---\n{body}\n")


def make_site(site: Path) -> Path:
    lecture(site, 1, "## One\n\nSee [two](2025-09-02-l2.md) and $x$.\n\n```python\nx = 1\n```")
    lecture(site, 2, "## Two\n\nBuilt {{ site.time | date: '%Y' }}. <https://example.org>")
    lecture(site, 3, "## Three\n\n| a | b |\n|---|---|\n| 1 | 2 |\n")
    return site


def build(site: Path, out: str = "_site", **options: object) -> BuildResult:
    """A fresh Builder each time, like a new `llmcourse build` process."""
    opts = BuildOptions(site_dir=site, out_dir=site / out, jobs=1, **options)  # type: ignore
    builder = Builder(opts, time=NOW)
    try:
        return builder.build()
    finally:
        builder.close()


def tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def test_second_build_renders_no_markdown(site: Path) -> None:
    make_site(site)
    first = build(site)
    assert first.markdown_rendered == 3
    assert (site / DB).is_file()
    second = build(site, out="_again")
    assert second.markdown_rendered == 0
    assert tree(site / "_site") == tree(site / "_again")


def test_source_edit_rerenders_exactly_that_document(site: Path) -> None:
    make_site(site)
    build(site)
    lecture(site, 3, "## Three, edited\n\nNew text.")
    result = build(site)
    assert result.markdown_rendered == 1
    pages = [p.read_text() for p in (site / "_site").rglob("index.html")]
    assert any("New text." in html for html in pages)


def test_template_change_rerenders_pages_not_markdown(site: Path) -> None:
    make_site(site)
    build(site)
    theme = Path(__file__).resolve().parents[1] / "templates" / "post.html"
    write(site / "templates" / "post.html",
          theme.read_text(encoding="utf-8").replace("<article", "<!-- site override --><article"))
    result = build(site)
    assert result.markdown_rendered == 0
    assert result.rendered >= 3
    html = [p.read_text() for p in (site / "_site").rglob("index.html")
            if "Lecture 1" in p.read_text()]
    assert any("site override" in h for h in html)


def test_link_target_moving_rerenders_the_linking_document(site: Path) -> None:
    make_site(site)
    build(site)
    write(site / "content" / "lectures" / "2025-09-02-l2.md",
          "---\ntitle: Lecture 2\npermalink: /moved/\n---\nMoved.\n")
    result = build(site)
    # l2 itself (edited) and l1, whose link to l2 now resolves elsewhere; l3 is reused.
    assert result.markdown_rendered == 2
    html = "".join(p.read_text() for p in (site / "_site").rglob("index.html"))
    assert 'href="/moved/"' in html


def _corrupt_and_check(site: Path, damage) -> None:
    make_site(site)
    build(site, out="_fresh", use_cache=False)
    build(site)
    assert not (site / DB).with_name(DB.name + "-wal").exists()  # all in the file: closed
    damage(site / DB)
    result = build(site, out="_after")
    assert result.markdown_rendered == 3
    assert tree(site / "_after") == tree(site / "_fresh")
    assert build(site, out="_again").markdown_rendered == 0  # rebuilt and usable again


def test_truncated_cache_is_rebuilt(site: Path) -> None:
    def truncate(db: Path) -> None:
        data = db.read_bytes()
        db.write_bytes(data[: len(data) // 3])
    _corrupt_and_check(site, truncate)


def test_garbage_cache_file_is_rebuilt(site: Path) -> None:
    _corrupt_and_check(site, lambda db: db.write_bytes(os.urandom(20000)))


def test_garbage_entries_are_misses(site: Path) -> None:
    def scramble(db: Path) -> None:
        with opened(db) as conn:
            rows = conn.execute("SELECT key, value, bulk FROM entries").fetchall()
            for key, value, bulk in rows:  # flip bytes in every value: checksums no longer match
                broken = [bytes(b ^ 0x55 for b in v[:40]) + v[40:] if v else v
                          for v in (value, bulk)]
                conn.execute("UPDATE entries SET value = ?, bulk = ? WHERE key = ?",
                             (*broken, key))
    _corrupt_and_check(site, scramble)


@pytest.mark.parametrize("damage", ["garbage", "missing"])
def test_a_damaged_bulk_is_rendered_again(site: Path, damage: str) -> None:
    """A lecture's HTML is read from the cache only when a page shows it, long after its
    entry was found good: if it is damaged or gone by then, the lecture is rendered again."""
    make_site(site)
    build(site, out="_fresh", use_cache=False)
    build(site)
    with opened(site / DB) as conn:
        bulks = conn.execute("SELECT key, bulk FROM entries WHERE bulk IS NOT NULL").fetchall()
        assert len(bulks) == 3  # one per lecture
        for key, bulk in bulks:
            broken = bulk[:-20] + os.urandom(20) if damage == "garbage" else None
            conn.execute("UPDATE entries SET bulk = ? WHERE key = ?", (broken, key))
    result = build(site, out="_after")
    assert result.markdown_rendered == 0  # the entries themselves were good
    assert tree(site / "_after") == tree(site / "_fresh")


def test_cache_of_another_version_is_dropped(site: Path) -> None:
    def other_version(db: Path) -> None:
        with opened(db) as conn:
            conn.execute("UPDATE meta SET value = '1/0.0.0-other' WHERE name = 'version'")
    _corrupt_and_check(site, other_version)


def _poison(db: Path) -> None:
    """Replace every cached rendering by a well-formed one that says POISON."""
    with opened(db) as conn:
        for key, value in conn.execute("SELECT key, value FROM entries").fetchall():
            conn.execute("UPDATE entries SET value = ?, bulk = ? WHERE key = ?", (
                _encode((("POISON", 1, 1, "x", {}), [], ())),
                _encode(ContentBulk("<p>POISON</p>", ())), key))


def test_no_cache_neither_reads_nor_writes(site: Path) -> None:
    make_site(site)
    build(site)
    _poison(site / DB)
    before = (site / DB).read_bytes()
    result = build(site, out="_nocache", use_cache=False)
    assert result.markdown_rendered == 3
    assert b"POISON" not in b"".join(tree(site / "_nocache").values())
    assert (site / DB).read_bytes() == before
    # ...whereas a cached build trusts well-formed entries: the poison shows it was read.
    assert build(site, out="_cached").markdown_rendered == 0
    assert b"POISON" in b"".join(tree(site / "_cached").values())


def test_no_cache_flag_creates_no_cache(site: Path) -> None:
    make_site(site)
    result = CliRunner().invoke(cli, ["build", str(site), "--no-cache", "-j", "1"])
    assert result.exit_code == 0, result.output
    assert not (site / CACHE_DIR).exists()
    assert (site / "_site" / "index.html").is_file()


def test_unpickler_refuses_code(tmp_path: Path) -> None:
    cache = BuildCache(tmp_path)
    cache.put("k", ("fine",))
    cache.commit()
    from llmcourse.cache import _decode, _encode

    blob = _encode(os.getcwd)  # a well-formed entry holding a callable outside llmcourse
    assert pickle.loads(pickle.dumps(os.getcwd)) is os.getcwd  # plain pickle would take it
    assert _decode(_encode(("fine",))) == ("fine",)
    with opened(tmp_path / "cache.sqlite") as conn:
        conn.execute("UPDATE entries SET value = ? WHERE key = 'k'", (blob,))
    cache.close()
    assert BuildCache(tmp_path).get("k") is None


def test_unused_entries_are_pruned(site: Path) -> None:
    make_site(site)
    build(site)
    count = lambda: sqlite3.connect(site / DB).execute("SELECT count(*) FROM entries").fetchone()[0]
    full = count()
    (site / "content" / "lectures" / "2025-09-03-l3.md").unlink()
    for _ in range(_KEEP_GENERATIONS + 1):
        build(site)
    assert count() == full - 2  # l3's parse and content entries are gone


def test_unchanged_second_build_touches_no_file(site: Path) -> None:
    make_site(site)
    build(site)
    stamps = {p: p.stat().st_mtime_ns for p in (site / "_site").rglob("*") if p.is_file()}
    result = build(site)
    assert result.written == ()
    assert {p: p.stat().st_mtime_ns for p in (site / "_site").rglob("*") if p.is_file()} == stamps


def test_clean_removes_cache_and_marked_output(site: Path) -> None:
    make_site(site)
    build(site)
    result = CliRunner().invoke(cli, ["clean", str(site)])
    assert result.exit_code == 0, result.output
    assert not (site / CACHE_DIR).exists()
    assert not (site / "_site").exists()


def test_clean_keeps_an_unmarked_output_folder(site: Path) -> None:
    make_site(site)
    build(site, use_cache=True)
    precious = write(site / "public" / "notes.txt", "mine")
    result = CliRunner().invoke(cli, ["clean", str(site), "-o", str(site / "public")])
    assert result.exit_code == 2
    assert "marker" in result.output
    assert precious.read_text() == "mine"
    assert not (site / CACHE_DIR).exists()  # the cache itself is still dropped


def test_a_long_lived_builder_keeps_the_entries_it_reuses_from_memory(site: Path) -> None:
    """The dev server reuses documents from memory; the cache must not prune them meanwhile,
    or the next `llmcourse build` would start cold."""
    make_site(site)
    server = Builder(BuildOptions(site, site / "_preview"), time=NOW)
    edited = lecture(site, 1, "first version")
    for save in range(_KEEP_GENERATIONS + 2):  # more saves than unused entries are kept
        edited.write_text(f"---\ntitle: L1\n---\nversion {save}\n", encoding="utf-8")
        server.build()
    fresh = Builder(BuildOptions(site, site / "_site"), time=NOW).build()
    assert fresh.markdown_rendered == 0


def test_cache_is_found_however_the_site_folder_is_named(site: Path,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    """`llmcourse build .` and `llmcourse build /abs/course` share one cache."""
    make_site(site)
    assert build(site).markdown_rendered == 3
    monkeypatch.chdir(site.parent)
    relative = Builder(BuildOptions(Path(site.name), Path(site.name) / "_site", jobs=1), time=NOW)
    result = relative.build()
    assert result.markdown_rendered == 0 and result.rendered == 0


def _rendering_recorded(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The output paths of the pages rendered from now on (not reused)."""
    import llmcourse.render as render

    seen: list[str] = []
    original = render._render_pages

    def recording(planned, env, stage):  # type: ignore[no-untyped-def]
        result = original(planned, env, stage)
        seen.extend(result[1])
        return result

    monkeypatch.setattr(render, "_render_pages", recording)
    return seen


def test_a_text_edit_leaves_the_lists_it_is_in_unrendered(site: Path,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    """The home and category pages show a lecture's summary, not its text: a later paragraph
    added (same excerpt, same reading time) re-renders the lecture's own pages and the feed."""
    make_site(site)
    build(site)
    rendered = _rendering_recorded(monkeypatch)
    lecture(site, 1, "## One\n\nSee [two](2025-09-02-l2.md) and $x$.\n\nOne more paragraph.")
    build(site)
    assert sorted(rendered) == ["feed.xml", "lectures/l1/index.html",
                                "lectures/l1/slides/index.html"]
    lecture(site, 1, "## One\n\nSee [two](2025-09-02-l2.md) and $x$.\n\n" + "More. " * 2000)
    rendered.clear()
    build(site)  # a longer read now: the lists show it
    assert {"index.html", "categories/lecture/index.html"} <= set(rendered)
    assert "9 min read" in (site / "_site" / "index.html").read_text()


@pytest.mark.parametrize("shown", ["l.content", "l.words", "l.toc | length", "l.rendered.html",
                                   "l.data | length"])
def test_a_list_that_shows_texts_is_rendered_again_for_a_text_edit(
        site: Path, monkeypatch: pytest.MonkeyPatch, shown: str) -> None:
    """A site's own home page that shows each lecture's HTML (or anything made from its text)
    depends on the text: its last rendering read it, so the page is keyed by it."""
    make_site(site)
    write(site / "templates" / "home.html", "{% for l in site.lectures %}{{ " + shown + " }}"
          "{% endfor %}\n")
    build(site)
    rendered = _rendering_recorded(monkeypatch)
    lecture(site, 1, "## One\n\nSee [two](2025-09-02-l2.md) and $x$.\n\nOne more paragraph.")
    build(site)
    assert "index.html" in rendered
    if shown == "l.content":
        assert "One more paragraph." in (site / "_site" / "index.html").read_text()


def test_a_file_changed_while_the_build_reads_it_is_an_error_not_a_mix(
        site: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A document from the cache reads its body only when it needs it (here: the year its
    Liquid shows changed), checking the file still has the bytes it was parsed from."""
    make_site(site)
    build(site)
    before = tree(site / "_site")
    real_parse_all = Builder._parse_all

    def parse_then_edit(self: Builder, *args: object) -> object:
        parsed = real_parse_all(self, *args)  # type: ignore[arg-type]
        lecture(site, 2, "Edited meanwhile.")
        return parsed

    monkeypatch.setattr(Builder, "_parse_all", parse_then_edit)
    later = Builder(BuildOptions(site, site / "_site", jobs=1),
                    time=datetime(2026, 10, 1, tzinfo=timezone.utc))
    with pytest.raises(ContentError) as failed:
        later.build()
    later.close()
    assert str(failed.value) == ("content/lectures/2025-09-02-l2.md: the file changed while "
                                 "the site was being built: build again")
    assert tree(site / "_site") == before


def test_second_build_parses_nothing(site: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Documents come back from the cache, also those dated in the site's time zone (their
    dates hold a ZoneInfo, which must pickle into something the cache may read back)."""
    import llmcourse.build as build_module

    make_site(site)  # lectures dated by their file names: in the site's time zone
    write(site / "site.yaml", "title: Test Course\ntimezone: Asia/Taipei\n")
    write(site / "content" / "about.md", "---\ntitle: About\ndate: 2025-09-01\n---\nHi.\n")
    build(site)
    parsed: list[str] = []
    real = build_module.parse_document

    def counting(source, *args):  # type: ignore[no-untyped-def]
        parsed.append(source.rel)
        return real(source, *args)

    monkeypatch.setattr(build_module, "parse_document", counting)
    assert build(site, out="_again").markdown_rendered == 0
    assert parsed == []
    assert tree(site / "_again") == tree(site / "_site")


def test_liquid_listing_other_lectures_follows_their_titles(site: Path) -> None:
    """A long-lived builder (the dev server's) renders a body's Liquid again when what it
    sees of the other lectures changed: site.posts after a title change."""
    lecture(site, 1, "First.")
    lecture(site, 2, "{% for p in site.posts %}[{{ p.title }}]{% endfor %}")
    server = Builder(BuildOptions(site, site / "_preview", remember_pages=False), time=NOW)
    server.build()
    write(site / "content" / "lectures" / "2025-09-01-l1.md",
          "---\ntitle: Renamed\ncategories: [Lecture]\n---\nFirst.\n")
    result = server.build()
    page = result.outputs["lectures/l2/index.html"].decode()
    assert "[Lecture 2][Renamed]" in page


def test_warm_builds_keep_every_entry_but_rewrite_generations_seldom(site: Path) -> None:
    """An entry's generation (what pruning goes by) is written again only once it is a few
    builds old: a warm build mostly writes nothing, and still no entry in use is pruned."""
    make_site(site)
    build(site)
    seen = []
    for _ in range(_KEEP_GENERATIONS * 2):
        assert build(site).markdown_rendered == 0
        with opened(site / DB) as conn:
            seen.append(dict(conn.execute("SELECT key, generation FROM used").fetchall()))
    assert set(seen[-1]) == set(seen[0])  # nothing in use was pruned
    left_alone = sum(before == after for before, after in zip(seen, seen[1:]))
    assert left_alone >= len(seen) // 2

"""Parallel rendering: the same bytes as one process, whatever the number of workers."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

from llmcourse.build import BuildOptions, Builder
from llmcourse.content import ContentContext
from llmcourse.markdown import create_markdown
from llmcourse.parallel import MIN_PARALLEL, RecordingUrls, render_all, render_one

from conftest import write

NOW = datetime(2025, 10, 1, tzinfo=timezone.utc)
N = MIN_PARALLEL + 8  # enough uncached documents for the pool to start


def make_site(site: Path) -> Path:
    for i in range(1, N + 1):
        day = f"2025-{1 + i // 28:02d}-{1 + i % 28:02d}"
        links = f"[next](2025-{1 + (i + 1) // 28:02d}-{1 + (i + 1) % 28:02d}-l{i + 1}.md)"
        body = (f"## Part {i}\n\n{links}, {{{{ page.title }}}} in {{{{ site.time | date: '%Y' }}}}."
                f"\n\n### Same\n\n### Same\n\n- item *{i}*\n\n```python\nprint({i})\n```\n"
                f"\n| k | v |\n|---|---|\n| {i} | {i * i} |\n\n![x](img{i}.png) <https://a.org/{i}>\n")
        write(site / "content" / "lectures" / f"{day}-l{i}.md",
              f"---\ntitle: Lecture {i}\ncategories: [C{i % 3}]\ntags: [t{i % 4}]\n---\n{body}")
    return site


def tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def build(site: Path, out: str, jobs: int, use_cache: bool):
    options = BuildOptions(site_dir=site, out_dir=site / out, jobs=jobs, use_cache=use_cache)
    return Builder(options, time=NOW).build()


def test_parallel_cached_and_serial_builds_are_byte_identical(site: Path) -> None:
    make_site(site)
    serial = build(site, "_j1", jobs=1, use_cache=False)
    parallel = build(site, "_j2", jobs=2, use_cache=True)
    cached = build(site, "_cached", jobs=2, use_cache=True)
    assert (serial.markdown_rendered, parallel.markdown_rendered, cached.markdown_rendered) == (
        N, N, 0)
    one, two, three = tree(site / "_j1"), tree(site / "_j2"), tree(site / "_cached")
    assert len(one) > N
    assert one.keys() == two.keys() == three.keys()
    for name in one:
        assert one[name] == two[name] == three[name], name
    assert serial.warnings == parallel.warnings == cached.warnings


def test_render_all_keeps_order_across_workers(site: Path) -> None:
    from llmcourse.build import Builder as _B  # noqa: F401 - same import path as the build

    make_site(site)
    builder = Builder(BuildOptions(site_dir=site, out_dir=site / "_x", jobs=1, use_cache=False))
    from llmcourse.config import load_config
    from llmcourse.discover import discover_content

    config, _ = load_config(site)
    docs, _ = builder._parse_all(discover_content(site, config.exclude).documents, config)
    ctx = ContentContext("/base", {d.source.content_rel: d.url for d in docs}, False)
    jobs = [(d, d.body) for d in docs]
    md = create_markdown()
    in_process = render_all(jobs, ctx, workers=1, md=lambda: md)
    pooled = render_all(jobs, ctx, workers=2, md=lambda: md)
    assert [r[0].html for r in pooled] == [r[0].html for r in in_process]
    assert [r[2] for r in pooled] == [r[2] for r in in_process]
    assert len({r[0].html for r in pooled}) == len(docs)


def test_recording_urls_remembers_lookups() -> None:
    urls = RecordingUrls({"a.md": "/a/", "b.md": "/b/"})
    assert urls.get("a.md") == "/a/"
    assert urls.get("missing.md") is None
    assert urls.looked_up() == (("a.md", "/a/"), ("missing.md", None))
    list(urls)
    assert urls.looked_up() is None  # iterated: the whole map is a dependency


def test_render_one_records_the_links_of_a_document(tmp_path: Path) -> None:
    from llmcourse.model import Document, SourceFile

    source = SourceFile(tmp_path / "content" / "x.md", "content/x.md", "x.md")
    doc = Document(source, "page", "X", "/x/", "x/index.html", "page",
                   "[y](y.md) [z](z.md)", 5, "hash")
    content, warnings, deps = render_one(doc, doc.body, create_markdown(),
                                         ContentContext("", {"y.md": "/why/"}, False))
    assert 'href="/why/"' in content.html
    assert deps is not None and ("y.md", "/why/") in deps and ("z.md", None) in deps

"""The course-wide reference index: URL classification, sections, the example course's index
checked against an independent scan of its Markdown, and the JSON / BibTeX exports."""

from __future__ import annotations

import json
import re
from pathlib import Path

import bibtexparser
import pytest
from conftest import REPO, write

from llmcourse.build import BuildOptions, build_site
from llmcourse.markdown import create_markdown, render_markdown
from llmcourse.references import classify, course_index
from llmcourse.references_export import bibtex_escape, references_bib


@pytest.mark.parametrize("url, kind, key", [
    ("https://arxiv.org/abs/2303.18223", "paper", "2303.18223"),
    ("https://arxiv.org/abs/2303.18223v3", "paper", "2303.18223"),
    ("https://arxiv.org/pdf/2303.08774.pdf", "paper", "2303.08774"),
    ("https://arxiv.org/pdf/2303.08774v2", "paper", "2303.08774"),
    ("https://arxiv.org/html/2403.14123v1", "paper", "2403.14123"),
    ("http://export.arxiv.org/abs/hep-th/9901001v2", "paper", "hep-th/9901001"),
    ("https://huggingface.co/papers/2303.18223", "paper", "2303.18223"),
    ("https://github.com/ollama/ollama/blob/main/docs/api.md", "code", "ollama/ollama"),
    ("https://github.com/ggerganov/llama.cpp.git", "code", "ggerganov/llama.cpp"),
    ("https://huggingface.co/microsoft/phi-2", "model", "microsoft/phi-2"),
    ("https://huggingface.co/datasets/tatsu-lab/alpaca/viewer", "dataset", "tatsu-lab/alpaca"),
    ("https://huggingface.co/spaces/lmsys/chatbot-arena", "space", "lmsys/chatbot-arena"),
    ("https://www.kaggle.com/code/rkuo2000/llm-llama", "notebook", "kaggle:rkuo2000/llm-llama"),
    ("https://kaggle.com/rkuo2000/llm-llama", "notebook", "kaggle:rkuo2000/llm-llama"),
    ("https://colab.research.google.com/drive/1AbC?usp=sharing", "notebook", "colab:drive/1AbC"),
    ("https://www.youtube.com/watch?v=kCc8FmEb1nY&t=30", "video", "kCc8FmEb1nY"),
    ("https://youtu.be/zjkBMFhNj_g?si=x", "video", "zjkBMFhNj_g"),
    ("https://www.youtube.com/embed/v12IKvF6Cj8?list=PLJV", "video", "v12IKvF6Cj8"),
    ("https://www.youtube.com/playlist?list=PLJV_el3uVTs", "video", "list:PLJV_el3uVTs"),
])
def test_classify_keys_one_work_whatever_the_url_form(url: str, kind: str, key: str) -> None:
    ref = classify(url)
    assert ref is not None and (ref.kind, ref.key) == (kind, key)


@pytest.mark.parametrize("url", [
    "https://github.com/features/copilot", "https://github.com/rkuo2000",
    "https://huggingface.co/docs/transformers/index", "https://huggingface.co/spaces",
    "https://www.kaggle.com/code/rkuo2000", "https://colab.research.google.com/assets/badge.svg",
    "https://arxiv.org/list/cs.CL/recent", "https://www.youtube.com/@channel",
    "mailto:a@b.c", "/lectures/LLM/", "#intro",
])
def test_classify_skips_pages_that_are_not_a_work(url: str) -> None:
    assert classify(url) is None


def test_each_reference_keeps_its_sections_and_best_title() -> None:
    md = create_markdown()
    text = ("## Intro\n[arxiv](https://arxiv.org/abs/2303.18223) and "
            "https://arxiv.org/pdf/2303.18223v2\n\n---\n\n## Scaling\n"
            "**Paper**: [A Survey of Large Language Models](https://arxiv.org/html/2303.18223v5)\n\n"
            '<iframe src="https://www.youtube.com/embed/n9TlOhRjYoc" title="Attention explained">'
            "</iframe>\n")
    refs = render_markdown(md, text).data["references"]
    paper, video = refs
    assert paper.ref.key == "2303.18223" and paper.title == "A Survey of Large Language Models"
    assert [c.section for c in paper.citations] == ["intro", "scaling"]
    assert video.ref.key == "n9TlOhRjYoc" and video.title == "Attention explained"
    assert [c.section for c in video.citations] == ["scaling"]
    index = course_index([("/a/", "A", refs), ("/b/", "B", refs)])
    assert [p.href for p in index["paper"][0].places] == ["/a/#intro", "/a/#scaling",
                                                          "/b/#intro", "/b/#scaling"]


def test_bibtex_escapes_specials_and_parses() -> None:
    assert bibtex_escape("50% of {x} & y_1 \\ #2 ~ ^") == (
        r"50\% of \{x\} \& y\_1 \textbackslash{} \#2 \~{} \^{}")
    index = course_index([("/a/", "A", render_markdown(create_markdown(), (
        "[Cost {of} 100% & more_x](https://arxiv.org/abs/2001.08361)\n"
        "[old](https://arxiv.org/abs/hep-th/9901001)\n")).data["references"])])
    library = bibtexparser.parse_string(references_bib(index["paper"]))
    assert not library.failed_blocks
    fields = {e.key: {f.key: f.value for f in e.fields} for e in library.entries}
    assert set(fields) == {"arxiv2001.08361", "arxivhep-th_9901001"}
    assert fields["arxiv2001.08361"]["eprint"] == "2001.08361"
    assert fields["arxiv2001.08361"]["archivePrefix"] == "arXiv"
    assert fields["arxivhep-th_9901001"]["url"] == "https://arxiv.org/abs/hep-th/9901001"


# -- the example course ------------------------------------------------------------------------
ARXIV_IN_MARKDOWN = re.compile(
    r"(?:arxiv\.org/(?:abs|pdf|html)/|huggingface\.co/papers/)(\d{4}\.\d{4,5})")


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    import shutil


    root = tmp_path_factory.mktemp("refs") / "example"
    shutil.copytree(REPO / "content", root / "content")
    text = (REPO / "site.yaml").read_text(encoding="utf-8")
    write(root / "site.yaml", text + "\nsearch: false\n")  # the index is not under test here
    build_site(BuildOptions(root, root / "_site"))
    return root


def test_example_index_has_every_arxiv_id_of_the_markdown_exactly_once(built: Path) -> None:
    expected = set()
    for path in (built / "content").rglob("*.md"):
        expected |= set(ARXIV_IN_MARKDOWN.findall(path.read_text(encoding="utf-8")))
    data = json.loads((built / "_site" / "references.json").read_text(encoding="utf-8"))
    papers = next(k for k in data["kinds"] if k["kind"] == "paper")["references"]
    keys = [p["key"] for p in papers]
    assert len(expected) > 30
    assert sorted(keys) == sorted(expected)  # each once: no version or pdf/html duplicates
    html = (built / "_site" / "references" / "index.html").read_text(encoding="utf-8")
    for key in expected:
        assert html.count(f'data-key="{key}"') == 1, key


def test_example_back_links_point_at_existing_headings(built: Path) -> None:
    out = built / "_site"
    data = json.loads((out / "references.json").read_text(encoding="utf-8"))
    checked = 0
    for kind in data["kinds"]:
        for ref in kind["references"]:
            assert ref["cited_in"], ref
            for place in ref["cited_in"]:
                page = place["page"].removeprefix("/AI-course")
                html = (out / page.lstrip("/") / "index.html").read_text(encoding="utf-8")
                if place["section"]:
                    assert f'id="{place["section"]}"' in html, place
                    assert place["href"] == place["page"] + "#" + place["section"]
                    checked += 1
    assert checked > 100
    index = (out / "references" / "index.html").read_text(encoding="utf-8")
    assert 'href="/AI-course/lectures/LLM/#history-of-llms"' in index
    assert "A Survey of Large Language Models" in index


def test_example_kinds_and_lecture_pages_list_their_own_references(built: Path) -> None:
    out = built / "_site"
    data = json.loads((out / "references.json").read_text(encoding="utf-8"))
    counts = {k["kind"]: len(k["references"]) for k in data["kinds"]}
    assert all(counts[k] > 0 for k in ("paper", "code", "model", "notebook", "video")), counts
    videos = {r["key"]: r for r in next(k for k in data["kinds"] if k["kind"] == "video")[
        "references"]}
    # an <iframe> the media plugin turned into a light embed is still cited, with its title
    assert videos["e0aKI2GGZNg"]["title"] == "Chat GPT (可能)是怎麼煉成的 - GPT 社會化的過程"
    lecture = (out / "lectures" / "LLM" / "index.html").read_text(encoding="utf-8")
    extras = lecture[lecture.index('class="lecture-extras"'):]
    assert 'href="https://arxiv.org/abs/2303.18223"' in extras
    assert 'href="#history-of-llms"' in extras
    assert 'href="/AI-course/lectures/LLM/slides/"' in extras
    other = (out / "lectures" / "Introduction-to-LLMs" / "index.html").read_text("utf-8")
    assert "2303.18223" not in other[other.index('class="lecture-extras"'):]


def test_example_bib_has_one_entry_per_arxiv_id(built: Path) -> None:
    out = built / "_site"
    data = json.loads((out / "references.json").read_text(encoding="utf-8"))
    keys = {p["key"] for p in next(k for k in data["kinds"] if k["kind"] == "paper")["references"]}
    library = bibtexparser.parse_string((out / "references.bib").read_text(encoding="utf-8"))
    assert not library.failed_blocks
    assert sorted(e.key for e in library.entries) == sorted("arxiv" + k for k in keys)
    assert len({e.key for e in library.entries}) == len(library.entries)


def test_exports_are_byte_identical_across_builds(built: Path, tmp_path: Path) -> None:
    again = tmp_path / "again"
    build_site(BuildOptions(built, again))
    for name in ("references.json", "references.bib", "references/index.html"):
        assert (again / name).read_bytes() == (built / "_site" / name).read_bytes(), name

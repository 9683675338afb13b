"""``llmcourse import-jekyll``: a Jekyll site made of the seed lectures, built by the real
``jekyll``, imported and built by llmcourse; every URL Jekyll produced must exist in ours."""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from conftest import SEEDS, write

from llmcourse.build import BuildOptions, build_site
from llmcourse.jekyll_import import jekyll_page_url, lecture_pattern, set_key

JEKYLL = shutil.which("jekyll")
SEED_POSTS = {"000": "2025-09-14-LLM.md", "001": "2024-09-08-LLM-Overview.md",
              "002": "2023-09-10-Introduction-to-LLMs.md"}
CONFIG = """\
title: AI Course
tagline: Large Language Models, lecture by lecture
description: Lecture notes on large language models
baseurl: /AI-course
url: https://rkuo2000.github.io
author:
  name: Richard Kuo
  email: rk@example.com
timezone: Asia/Taipei
lang: zh-Hant
github_username: rkuo2000
plugins:
  - jekyll-feed
  - jemoji
exclude:
  - private.txt
"""
FILES = {
    "_data/navigation.yml": "main:\n  - title: About\n    url: /about.html\n"
                            "  - title: Categories\n    url: /categories/\n",
    "about.markdown": "---\nlayout: page\ntitle: About\n---\nThe course {{ site.title }}.\n\n"
                      "![logo](/assets/img/logo.svg) ![plot](images/plot.svg)\n",
    "categories/index.html": "---\nlayout: page\ntitle: Categories\npermalink: /categories/\n---\n"
                             "{% for c in site.categories %}<h2>{{ c[0] }}</h2>{% endfor %}\n",
    "tags.md": "---\nlayout: page\ntitle: Tags\n---\n{% for t in site.tags %}{{ t[0] }}"
               "{% endfor %}\n",
    "resources.html": "---\nlayout: custom\ntitle: Resources\n---\n<div class=\"r\">\n"
                      "    <p>Read {% include note.html %} first</p>\n\n    <ul>\n"
                      "      <li>one</li>\n    </ul>\n</div>\n",
    "_layouts/default.html": "<!DOCTYPE html><html><body>{{ content }}</body></html>\n",
    "_layouts/post.html": "---\nlayout: default\n---\n<h1>{{ page.title }}</h1>{{ content }}\n",
    "_layouts/page.html": "---\nlayout: default\n---\n{{ content }}\n",
    "_layouts/custom.html": "---\nlayout: default\n---\n<div class=c>{{ content }}</div>\n",
    "_includes/note.html": "<em>the include</em>",
    "assets/img/logo.svg": '<svg xmlns="http://www.w3.org/2000/svg" width="8" height="8"/>\n',
    "images/plot.svg": '<svg xmlns="http://www.w3.org/2000/svg" width="9" height="9"/>\n',
    "private.txt": "excluded\n",
    "README.md": "# The repository\n",
    "Gemfile": "source 'https://rubygems.org'\ngem 'jekyll'\n",
}


def make_jekyll_site(root: Path, permalink: str | None) -> Path:
    for number, name in SEED_POSTS.items():
        (seed,) = SEEDS.glob(f"{number}_*.txt")
        write(root / "_posts" / name, seed.read_bytes())
    write(root / "_config.yml", CONFIG + (f"permalink: {permalink}\n" if permalink else ""))
    for rel, text in FILES.items():
        write(root / rel, text)
    return root


def jekyll_build(root: Path) -> list[str]:
    """Run the real jekyll; return the URL of every .html file it wrote (baseurl excluded)."""
    env = {**os.environ, "JEKYLL_NO_BUNDLER_REQUIRE": "true"}  # the Gemfile is only a sample
    run = subprocess.run([JEKYLL, "build", "--safe", "--quiet"], cwd=root, env=env, check=False,
                         capture_output=True, text=True, timeout=180)
    assert run.returncode == 0, run.stderr
    urls = []
    for path in sorted((root / "_site").rglob("*.html")):
        rel = path.relative_to(root / "_site").as_posix()
        urls.append("/" + (rel.removesuffix("index.html")))
    return urls


def tree_hash(root: Path) -> dict[str, str]:
    return {p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file()}


def llmcourse(*args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "llmcourse.cli", *map(str, args)],
                          check=False, capture_output=True, text=True, timeout=180)


def output_for(url: str) -> str:
    rel = url.lstrip("/")
    return rel + "index.html" if url.endswith("/") else rel


class Imported:
    def __init__(self, jekyll_site: Path, jekyll_urls: list[str], site: Path,
                 run: subprocess.CompletedProcess[str], outputs: dict[str, bytes]) -> None:
        self.jekyll_site, self.jekyll_urls, self.site = jekyll_site, jekyll_urls, site
        self.run, self.outputs = run, outputs


# (Jekyll permalink style, --keep-urls): the default style both ways, two named styles once.
CASES = [(None, False), (None, True), ("pretty", True), ("ordinal", False)]


@pytest.fixture(scope="module")
def jekyll_sites(tmp_path_factory: pytest.TempPathFactory) -> dict[str | None, tuple[Path, list[str], dict[str, str]]]:
    if JEKYLL is None:
        pytest.skip("jekyll is not installed (apt-get install jekyll; CI installs it)")
    sites = {}
    for style in dict.fromkeys(style for style, _ in CASES):
        root = make_jekyll_site(tmp_path_factory.mktemp(f"jekyll-{style}") / "AI-course", style)
        urls = jekyll_build(root)
        sites[style] = (root, urls, tree_hash(root))
    return sites


@pytest.fixture(scope="module")
def imported(jekyll_sites, tmp_path_factory: pytest.TempPathFactory) -> dict[tuple[str | None, bool], Imported]:
    results = {}
    for style, keep in CASES:
        root, urls, _ = jekyll_sites[style]
        site = tmp_path_factory.mktemp("imported") / "course"
        run = llmcourse("import-jekyll", root, site, *(["--keep-urls"] if keep else []))
        assert run.returncode == 0, run.stderr
        outputs = build_site(BuildOptions(site, site / "_site")).outputs
        results[(style, keep)] = Imported(root, urls, site, run, outputs)
    return results


def refresh_target(page: bytes) -> str | None:
    match = re.search(rb'http-equiv="refresh" content="0; url=([^"]+)"', page)
    return match.group(1).decode() if match else None


@pytest.mark.parametrize("style,keep", CASES)
def test_every_jekyll_url_exists_after_import(imported, style: str | None, keep: bool) -> None:
    result = imported[(style, keep)]
    lecture_urls = [u for u in result.jekyll_urls if re.search(r"/20\d\d/", u)]
    assert len(lecture_urls) == 3, result.jekyll_urls  # the sample really has the seed posts
    for url in result.jekyll_urls:
        page = result.outputs.get(output_for(url))
        assert page is not None, f"{url} (from Jekyll) is missing after import"
        target = refresh_target(page)
        if target is not None:  # a redirect page: its target must exist too
            assert target.startswith("/AI-course/")
            assert output_for(target[len("/AI-course"):]) in result.outputs, target
    for url in lecture_urls:
        target = refresh_target(result.outputs[output_for(url)])
        if keep:
            assert target is None, f"{url} should be the lecture itself with --keep-urls"
        else:
            assert target is not None and target.startswith("/AI-course/lectures/")


def test_default_style_gives_the_bookmarked_urls(imported) -> None:
    assert "/lecture/2025/09/14/LLM.html" in imported[(None, False)].jekyll_urls


def test_the_source_site_is_never_changed(jekyll_sites, imported) -> None:
    for root, _, before in jekyll_sites.values():
        assert tree_hash(root) == before


def test_site_yaml_carries_the_settings(imported) -> None:
    site = imported[(None, False)].site
    settings = yaml.safe_load((site / "site.yaml").read_text())
    assert settings["title"] == "AI Course" and settings["baseurl"] == "/AI-course"
    assert settings["author"] == "Richard Kuo" and settings["timezone"] == "Asia/Taipei"
    assert settings["url"] == "https://rkuo2000.github.io" and settings["lang"] == "zh-Hant"
    # nav from _data/navigation.yml, pointing at the new URLs (not at redirect pages)
    assert settings["nav"] == [{"title": "About", "url": "/about/"},
                               {"title": "Categories", "url": "/categories/"}]
    assert settings["extra"]["github_username"] == "rkuo2000"
    assert "permalinks" not in settings
    kept = yaml.safe_load((imported[(None, True)].site / "site.yaml").read_text())
    assert kept["permalinks"]["lecture"] == "/:categories/:year/:month/:day/:title:output_ext"


def test_files_go_where_the_urls_stay_the_same(imported) -> None:
    result = imported[(None, False)]
    site = result.site
    assert sorted(p.name for p in (site / "content/lectures").glob("*.md")) == \
        sorted(SEED_POSTS.values())
    assert (site / "templates/_includes/note.html").is_file()
    assert (site / ".github/workflows/pages.yml").is_file() and (site / ".gitignore").is_file()
    for skipped in ("content/private.txt", "content/Gemfile", "content/README.md",
                    "content/_site", "content/404.md", "content/categories/index.md"):
        assert not (site / skipped).exists(), skipped
    about = result.outputs["about/index.html"].decode()
    assert 'src="/AI-course/assets/img/logo.svg"' in about  # root-relative: baseurl added
    assert 'src="/AI-course/images/plot.svg"' in about  # relative to the page's folder
    assert "assets/img/logo.svg" in result.outputs or \
        (site / "_site/assets/img/logo.svg").is_file()
    assert (site / "_site/images/plot.svg").is_file()
    assert "The course AI Course." in about  # Liquid still rendered
    resources = result.outputs["resources/index.html"].decode()
    assert "<em>the include</em>" in resources and "<pre" not in resources  # no code blocks
    assert "<li>one</li>" in resources


def test_notes_name_what_is_not_carried_over(imported) -> None:
    lines = imported[(None, False)].run.stderr.splitlines()
    expected = [
        "_config.yml:13: note: plugin jekyll-feed is built in (feed.xml)",
        "_config.yml:14: note: plugin jemoji is not supported; what it adds is not carried over",
        "_layouts/custom.html: note: layout not carried over; lectures using it get 'post', "
        "pages 'page'",
        "_layouts/post.html: note: replaced by llmcourse's 'post' layout",
        "categories/index.html:1: note: not carried over: replaced by llmcourse's generated "
        "/categories/ page",
        "README.md:1: note: not carried over: no front matter (Jekyll copies it as a plain "
        "file; add front matter to make it a page)",
    ]
    for line in expected:
        assert line in lines
    assert not any("Traceback" in line for line in lines)


def test_unknown_layouts_become_page_and_redirects_merge(imported) -> None:
    text = (imported[(None, False)].site / "content/resources.md").read_text()
    assert "layout: page\n" in text and "redirect_from:\n- /resources.html\n" in text


def test_refuses_non_empty_target_and_target_inside_source(tmp_path: Path, jekyll_sites) -> None:
    root, _, before = jekyll_sites[None]
    (tmp_path / "mine.txt").write_text("x")
    run = llmcourse("import-jekyll", root, tmp_path)
    assert run.returncode == 1 and "is not empty" in run.stderr
    assert len(run.stderr.strip().splitlines()) == 1
    run = llmcourse("import-jekyll", root, root / "converted")
    assert run.returncode == 1 and "must be outside" in run.stderr
    run = llmcourse("import-jekyll", tmp_path, tmp_path / "out")
    assert run.returncode == 1 and "is not a Jekyll site" in run.stderr
    forced = llmcourse("import-jekyll", root, tmp_path, "--force")
    assert forced.returncode == 0, forced.stderr
    assert (tmp_path / "mine.txt").read_text() == "x" and (tmp_path / "site.yaml").is_file()
    assert tree_hash(root) == before


def test_bad_config_is_one_located_line(tmp_path: Path) -> None:
    write(tmp_path / "j/_config.yml", "title: x\nauthor: [oops\nbaseurl: /c\n")
    run = llmcourse("import-jekyll", tmp_path / "j", tmp_path / "out")
    assert run.returncode == 1
    first = run.stderr.splitlines()[0]
    assert re.match(r"^_config\.yml:\d+: invalid YAML: ", first), first
    assert "Traceback" not in run.stderr and not (tmp_path / "out").exists()


def test_navigation_shapes_and_header_pages(tmp_path: Path) -> None:
    write(tmp_path / "j/_config.yml", "title: T\nheader_pages:\n  - syllabus.md\n")
    write(tmp_path / "j/syllabus.md", "---\ntitle: Syllabus\n---\nx\n")
    write(tmp_path / "j/about.md", "---\ntitle: About\n---\nx\n")
    assert llmcourse("import-jekyll", tmp_path / "j", tmp_path / "a").returncode == 0
    nav = yaml.safe_load((tmp_path / "a/site.yaml").read_text())["nav"]
    assert nav == [{"title": "Syllabus", "url": "/syllabus/"}]
    write(tmp_path / "j/_data/navigation.yml", "- title: Home\n  url: /\n- name: X\n  link: /x/\n")
    assert llmcourse("import-jekyll", tmp_path / "j", tmp_path / "b").returncode == 0
    nav = yaml.safe_load((tmp_path / "b/site.yaml").read_text())["nav"]
    assert nav == [{"title": "Home", "url": "/"}, {"title": "X", "url": "/x/"}]


def test_named_styles_and_page_urls() -> None:
    assert lecture_pattern(None) == "/:categories/:year/:month/:day/:title:output_ext"
    assert lecture_pattern("none") == "/:categories/:title:output_ext"
    assert lecture_pattern("/blog/:title/") == "/blog/:title/"
    date_style = lecture_pattern("date")
    assert jekyll_page_url("about.markdown", date_style) == "/about.html"
    assert jekyll_page_url("docs/index.md", date_style) == "/docs/"
    assert jekyll_page_url("about.md", lecture_pattern("pretty")) == "/about/"
    assert jekyll_page_url("about.md", "/:title") == "/about"


def test_set_key_replaces_a_list_and_keeps_comments() -> None:
    text = "---\ntitle: A # mine\nredirect_from:\n  - /a/\n  - /b/\nlayout: x\n---\nbody\n"
    out = set_key(text, "redirect_from", ["/a/", "/b/", "/c.html"])
    assert out == ("---\ntitle: A # mine\nredirect_from:\n- /a/\n- /b/\n- /c.html\nlayout: x\n"
                   "---\nbody\n")
    assert set_key("---\ntitle: A\n---\n", "layout", "page") == "---\ntitle: A\nlayout: page\n---\n"

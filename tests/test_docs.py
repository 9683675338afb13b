"""The documentation is a site built by llmcourse itself; every command explains itself."""

from __future__ import annotations

import dataclasses
import importlib.util
import posixpath
import shutil
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
import yaml
from conftest import REPO

from llmcourse.build import BuildOptions, build_site
from llmcourse.cli import COMMANDS
from llmcourse.config import SiteConfig
from llmcourse.parse import KNOWN_KEYS

DOCS = REPO / "docs"


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.urls: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name in ("href", "src") and value:
                self.urls.append(value)


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, object, str]:
    site = tmp_path_factory.mktemp("docs") / "docs"
    shutil.copytree(DOCS, site, ignore=shutil.ignore_patterns("_site", ".llmcourse-cache"))
    result = build_site(BuildOptions(site, site / "_site"))
    baseurl = yaml.safe_load((DOCS / "site.yaml").read_text())["baseurl"]
    return site / "_site", result, baseurl


def test_docs_build_without_warnings(built) -> None:
    _, result, _ = built
    assert [w.format() for w in result.warnings] == []
    assert result.pages >= 12


def test_every_guide_page_exists(built) -> None:
    out, _, _ = built
    for page in ("writing-lectures", "front-matter", "site-yaml", "embeds-and-galleries",
                 "slides", "references", "search", "check", "serve", "deploying",
                 "migrating-from-jekyll"):
        assert (out / page / "index.html").is_file(), page


def test_every_internal_link_resolves(built) -> None:
    out, result, baseurl = built
    broken = []
    for rel in sorted(result.outputs):
        if not rel.endswith(".html"):
            continue
        parser = _Links()
        parser.feed(result.outputs[rel].decode("utf-8"))
        page_url = "/" + rel
        for url in parser.urls:
            parts = urlsplit(url)
            if parts.scheme or parts.netloc or url.startswith(("#", "mailto:")):
                continue
            path = unquote(parts.path)
            if not path.startswith("/"):
                path = posixpath.normpath(posixpath.join(posixpath.dirname(page_url), path))
            elif baseurl and (path == baseurl or path.startswith(baseurl + "/")):
                path = path[len(baseurl):] or "/"
            else:
                broken.append(f"{rel}: {url} lacks the baseurl {baseurl}")
                continue
            target = out / path.lstrip("/")
            if not (target.is_file() or (target / "index.html").is_file()
                    or target.with_name(target.name + ".html").is_file()):
                broken.append(f"{rel}: {url}")
    assert broken == []


def test_front_matter_reference_names_every_key() -> None:
    text = (DOCS / "content/front-matter.md").read_text()
    undocumented = {"excerpt", "lang", "toc", "search"}  # read by no stage yet
    missing = [k for k in sorted(KNOWN_KEYS - undocumented) if f"`{k}`" not in text]
    assert missing == []


def test_site_yaml_reference_names_every_setting() -> None:
    text = (DOCS / "content/site-yaml.md").read_text()
    missing = [f.name for f in dataclasses.fields(SiteConfig) if f"`{f.name}`" not in text]
    assert missing == []


VERBS = [verb for verb, module in COMMANDS.items()
         if importlib.util.find_spec(f"llmcourse.commands.{module}") is not None]


@pytest.mark.parametrize("verb", VERBS)
def test_every_command_has_help_with_an_example(verb: str) -> None:
    run = subprocess.run([sys.executable, "-m", "llmcourse.cli", verb, "--help"],
                         check=False, capture_output=True, text=True, timeout=60)
    assert run.returncode == 0, run.stderr
    assert "Example" in run.stdout, f"llmcourse {verb} --help shows no example"


def test_the_top_level_help_has_an_example() -> None:
    run = subprocess.run([sys.executable, "-m", "llmcourse.cli", "--help"],
                         check=False, capture_output=True, text=True, timeout=60)
    assert run.returncode == 0 and "Example" in run.stdout
    for verb in ("new", "import-jekyll"):
        assert verb in run.stdout

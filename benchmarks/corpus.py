"""Make an N-lecture site (llmcourse, Jekyll and Hugo layouts) from the seed lectures.

Each lecture is one of the repository's real lectures (content/lectures/) with a unique file
name, title, date and category, and a unique first line, so no two sources hash alike.
"""

from __future__ import annotations

import re
import shutil
from datetime import datetime, timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SEEDS = sorted((REPO / "content" / "lectures").glob("*.md"))
CATEGORIES = ["Lecture", "Tutorial", "Lab", "Seminar", "Review", "Project"]
TAGS = ["GenAI", "LLM", "Transformers", "RAG", "Agents", "Vision", "Speech", "RL"]
START = datetime(2012, 9, 3, 8, 0)
_FRONT = re.compile(r"\A---\s*\n(.*?)\n---\s*\n", re.S)


def _split(text: str) -> tuple[list[str], str]:
    match = _FRONT.match(text)
    assert match, "seed lectures start with front matter"
    keep = [line for line in match.group(1).splitlines()
            if line.split(":", 1)[0].strip() not in ("title", "date", "categories", "category", "tags", "")]
    return keep, text[match.end():]


def lectures(n: int) -> list[tuple[str, str, list[str], str]]:
    """(file stem, title, front-matter lines, body) per lecture; dates every 3 days."""
    seeds = [_split(p.read_text(encoding="utf-8")) for p in SEEDS]
    out = []
    for i in range(n):
        keep, body = seeds[i % len(seeds)]
        date = START + timedelta(days=3 * i)
        title = f"Lecture {i + 1}: {SEEDS[i % len(SEEDS)].stem[11:].replace('-', ' ')}"
        stem = f"{date:%Y-%m-%d}-lecture-{i + 1:04d}"
        front = [f"title: \"{title}\"", f"date: {date:%Y-%m-%d %H:%M:%S} +0800",
                 f"categories: [{CATEGORIES[i % len(CATEGORIES)]}]",
                 f"tags: [{TAGS[i % len(TAGS)]}, {TAGS[(i * 3 + 1) % len(TAGS)]}]", *keep]
        out.append((stem, title, front, f"Lecture number {i + 1} of the course.\n\n{body}"))
    return out


def make_llmcourse(root: Path, n: int) -> Path:
    shutil.rmtree(root, ignore_errors=True)
    (root / "content" / "lectures").mkdir(parents=True)
    shutil.copy(REPO / "site.yaml", root / "site.yaml")
    for stem, _, front, body in lectures(n):
        text = "---\n" + "\n".join(front) + "\n---\n" + body
        (root / "content" / "lectures" / f"{stem}.md").write_text(text, encoding="utf-8")
    return root


def make_jekyll(root: Path, n: int) -> Path:
    shutil.rmtree(root, ignore_errors=True)
    (root / "_posts").mkdir(parents=True)
    (root / "_layouts").mkdir()
    (root / "_config.yml").write_text(
        "title: AI Course\nbaseurl: /AI-course\nurl: https://example.github.io\n"
        "timezone: Asia/Taipei\nmarkdown: kramdown\npermalink: /:categories/:title/\n",
        encoding="utf-8")
    (root / "_layouts" / "default.html").write_text(
        "<!doctype html><html><head><title>{{ page.title }}</title></head>"
        "<body>{{ content }}</body></html>\n", encoding="utf-8")
    (root / "_layouts" / "post.html").write_text(
        "---\nlayout: default\n---\n<article><h1>{{ page.title }}</h1>{{ content }}</article>\n",
        encoding="utf-8")
    (root / "index.html").write_text(
        "---\nlayout: default\n---\n<ul>{% for post in site.posts %}"
        "<li><a href=\"{{ post.url | relative_url }}\">{{ post.title }}</a></li>{% endfor %}</ul>\n",
        encoding="utf-8")
    for stem, _, front, body in lectures(n):
        text = "---\n" + "\n".join(front) + "\n---\n" + body
        (root / "_posts" / f"{stem}.md").write_text(text, encoding="utf-8")
    return root


def make_hugo(root: Path, n: int) -> Path:
    shutil.rmtree(root, ignore_errors=True)
    (root / "content" / "posts").mkdir(parents=True)
    layouts = root / "layouts" / "_default"
    layouts.mkdir(parents=True)
    (root / "config.toml").write_text(
        'baseURL = "https://example.github.io/AI-course/"\ntitle = "AI Course"\n'
        'disableKinds = ["RSS", "sitemap"]\n'
        "[markup.goldmark.renderer]\nunsafe = true\n", encoding="utf-8")
    (layouts / "single.html").write_text(
        "<!doctype html><html><head><title>{{ .Title }}</title></head><body><article>"
        "<h1>{{ .Title }}</h1>{{ .Content }}</article></body></html>\n", encoding="utf-8")
    (layouts / "list.html").write_text(
        "<!doctype html><html><body><ul>{{ range .Pages }}<li><a href=\"{{ .RelPermalink }}\">"
        "{{ .Title }}</a></li>{{ end }}</ul></body></html>\n", encoding="utf-8")
    for stem, _, front, body in lectures(n):
        lines = []
        for line in front:  # Hugo wants RFC 3339 dates
            m = re.match(r"date: (\S+) (\S+) ([+-]\d\d)(\d\d)$", line)
            lines.append(f"date: {m.group(1)}T{m.group(2)}{m.group(3)}:{m.group(4)}" if m else line)
        text = "---\n" + "\n".join(lines) + "\n---\n" + body
        (root / "content" / "posts" / f"{stem}.md").write_text(text, encoding="utf-8")
    return root

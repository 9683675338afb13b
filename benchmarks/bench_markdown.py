"""Time the Markdown stage (markdown-it-py + our plugins) on single lectures.

    python benchmarks/bench_markdown.py                  # seeds 000-002 + content/lectures
    python benchmarks/bench_markdown.py --n 50 FILE...   # other lectures, more runs
    python benchmarks/bench_markdown.py --profile        # + cProfile top 25 (all files)
    python benchmarks/bench_markdown.py --fresh-md       # a new MarkdownIt per render
    python benchmarks/bench_markdown.py --pkg-path DIR   # time another copy of the package

Each lecture's front matter is stripped (Liquid tags stay in the text, they are plain text
to Markdown) and rendered --n times, each time with a fresh env like the content stage's
(``llmcourse.content.render_body``); reported: min and median ms of CPU per render. By default
one MarkdownIt serves every render, as in a build worker or the dev server, so its caches of
pure functions (normalizeLink...) are warm after the first render; --fresh-md measures the
first render of a process (cold caches). The machine may be shared: read min, not mean.
"""

from __future__ import annotations

import argparse
import cProfile
import importlib
import pstats
import re
import statistics
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
_FRONT = re.compile(r"\A---\s*\n(.*?)\n---\s*\n", re.DOTALL)


def _default_files() -> list[Path]:
    seeds = sorted(Path("/work/shared/seeds").glob("00[0-2]_*.txt"))
    return seeds + sorted((REPO / "content" / "lectures").glob("*.md"))


def _body(path: Path) -> str:
    text = path.read_text(encoding="utf-8")
    match = _FRONT.match(text)
    return text[match.end():] if match else text


def _env(path: Path) -> dict:
    return {
        "baseurl": "/llm-course",
        "dir_url": "/lectures/",
        "urls_by_source": {},
        "math": True,
        "path": f"lectures/{path.name}",
        "source_dir": str(path.parent),
        "mermaid_url": "",
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("files", nargs="*", type=Path)
    parser.add_argument("--n", type=int, default=30, help="renders per lecture")
    parser.add_argument("--profile", action="store_true", help="cProfile top 25 (tottime)")
    parser.add_argument("--sort", default="tottime", help="cProfile sort key")
    parser.add_argument("--fresh-md", action="store_true", help="new MarkdownIt per render")
    parser.add_argument("--pkg-path", help="import PKG.markdown from this folder instead")
    parser.add_argument("--pkg", default="llmcourse", help="package name under --pkg-path")
    args = parser.parse_args()

    if args.pkg_path:
        sys.path.insert(0, args.pkg_path)
    markdown = importlib.import_module(f"{args.pkg}.markdown")
    create, render = markdown.create_markdown, markdown.render_markdown
    files = args.files or _default_files()
    bodies = [(path, _body(path)) for path in files]
    md = create()
    for path, text in bodies:  # warm up imports, lexers, caches
        render(md, text, env=_env(path))

    print(f"{markdown.__file__}  (n={args.n}, {'fresh' if args.fresh_md else 'shared'} md)")
    print(f"{'lecture':<44} {'KB':>6} {'min ms':>8} {'median ms':>10}")
    for path, text in bodies:
        times = []
        for _ in range(args.n):
            instance = create() if args.fresh_md else md
            env = _env(path)
            start = time.process_time()
            render(instance, text, env=env)
            times.append((time.process_time() - start) * 1000)
        print(f"{path.name[:44]:<44} {len(text.encode()) / 1024:6.1f} {min(times):8.2f} "
              f"{statistics.median(times):10.2f}")

    if args.profile:
        profiler = cProfile.Profile()
        profiler.enable()
        for _ in range(max(1, args.n // 3)):
            for path, text in bodies:
                render(create() if args.fresh_md else md, text, env=_env(path))
        profiler.disable()
        pstats.Stats(profiler).sort_stats(args.sort).print_stats(25)


if __name__ == "__main__":
    main()

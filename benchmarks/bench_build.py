"""Benchmark llmcourse against Jekyll and Hugo on the same N-lecture corpus.

    python benchmarks/bench_build.py --n 67 1000 --runs 5

Reports min/median over --runs of: cold build (no cache, no output), warm build (cache and
output present, nothing changed), one lecture edited, and the peak memory of the largest
process and of the whole process tree (VmRSS sampled from /proc every 10 ms). Jekyll and
Hugo, when installed, build the same lectures in the same run (cold, like a CI build).

Profile (cProfile and per-stage timers, 1000 lectures; machine shared, so read the shares):
  * Cold: Markdown is most of it: ~23 ms of CPU for the 33 KB seed lecture since the
    rule-dispatch and linkify shortcuts of ``llmcourse.markdown.fast`` (was ~38 ms;
    ``python benchmarks/bench_markdown.py`` measures it), on every core through a process
    pool; what remains is markdown-it's own inline tokenizer (~half), block parsing (~15 %),
    HTML rendering (~8 %) and our plugins (~10 %); then ~2000 pages through Jinja, the
    documents' pages in two processes (~3 s each), then the home page, feeds and indexes
    (~2 s, most of it the course-wide reference index: 13 MB of HTML for this corpus, where
    every reference is cited by ~333 lectures); parsing 1000 files ~1.5 s (YAML ~0.6 ms and
    the mojibake check ~0.3 ms a lecture).
  * Edit (a new process, one lecture's text changed; timers around each stage of the CLI,
    ms after the interpreter started, itself ~90 ms here): click and the build command ~20;
    the helper process forked at ~25 (``llmcourse.helper``: on the other core it imports
    python-liquid and markdown-it and sets them up, ~150 ms); the pipeline's imports (YAML,
    the stages; Jinja comes later) ~65; reading and hashing the 1000 files ~55 (content
    hashes, not mtimes; the bytes are not kept: a cached document reads its body when it
    needs it); their 1000 parse entries ~25; the content stage ~55: the course listing ~10,
    Liquid (one distinct text, by the helper, which goes straight on to the Markdown of the
    document parsed anew) while this process imports Jinja and commits the cache ~20, the
    1000 content entries ~15 (summaries only: HTML, tables of contents and plugin data are
    read when a page shows them), the Markdown then already there; course order and page
    manifest ~10; planning ~3000 outputs by key ~35; rendering the lecture's page and slides
    ~20 (the home and tag pages show summaries, unchanged); writing 2 files and checking
    OUT ~17. The build process runs without the cyclic garbage collector (it went through
    the 100,000s of long-lived objects ~40 ms per build).
  * Warm (nothing changed): the same without the Markdown and the two pages.
  * Memory: pages stream from Jinja into a staging folder inside OUT, cache entries are
    flushed every 16 MB, bodies and HTML are held as bytes, and the Markdown workers come
    from a fork server instead of being forked from the build (each forked worker counted
    the build's memory again).
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import corpus  # noqa: E402


def _children(pid: int) -> list[int]:
    found, frontier = [pid], [pid]
    parents: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as fh:
                    ppid = int(fh.read().rsplit(")", 1)[1].split()[1])
            except (OSError, ValueError, IndexError):
                continue
            parents.setdefault(ppid, []).append(int(entry))
    while frontier:
        frontier = [c for p in frontier for c in parents.get(p, [])]
        found += frontier
    return found


def _rss_kb(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/status") as fh:
            for line in fh:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def run(cmd: list[str], cwd: Path | None = None, env: dict[str, str] | None = None
        ) -> tuple[float, float, float]:
    """Seconds, peak MB of the largest process, peak MB of the whole tree."""
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE)
    peak_one = peak_all = 0
    done = threading.Event()

    def sample() -> None:
        nonlocal peak_one, peak_all
        while not done.is_set():
            sizes = [_rss_kb(p) for p in _children(proc.pid)]
            peak_one, peak_all = max(peak_one, max(sizes, default=0)), max(peak_all, sum(sizes))
            time.sleep(0.01)

    sampler = threading.Thread(target=sample)
    sampler.start()
    _, err = proc.communicate()
    seconds = time.perf_counter() - started
    done.set()
    sampler.join()
    if proc.returncode:
        raise SystemExit(f"{' '.join(cmd)} failed:\n{err.decode(errors='replace')[-2000:]}")
    return seconds, peak_one / 1024, peak_all / 1024


def bench_llmcourse(site: Path, runs: int) -> dict[str, list[tuple[float, float, float]]]:
    build = [sys.executable, "-m", "llmcourse.cli", "build", str(site)]
    results: dict[str, list[tuple[float, float, float]]] = {"cold": [], "warm": [], "edit": []}
    lectures = sorted((site / "content" / "lectures").glob("*.md"))
    victim = lectures[len(lectures) // 2]
    original = victim.read_text(encoding="utf-8")
    for i in range(runs):
        shutil.rmtree(site / ".llmcourse-cache", ignore_errors=True)
        shutil.rmtree(site / "_site", ignore_errors=True)
        results["cold"].append(run(build))
        results["warm"].append(run(build))
        victim.write_text(original + f"\n\nEdited in run {i}.\n", encoding="utf-8")
        results["edit"].append(run(build))
    victim.write_text(original, encoding="utf-8")
    return results


def bench_other(name: str, root: Path, runs: int) -> list[tuple[float, float, float]]:
    out = []
    for _ in range(runs):
        if name == "jekyll":
            for junk in ("_site", ".jekyll-cache", ".jekyll-metadata"):
                shutil.rmtree(root / junk, ignore_errors=True)
            out.append(run(["jekyll", "build", "-q", "-s", str(root), "-d", str(root / "_site")]))
        else:
            for junk in ("public", "resources"):
                shutil.rmtree(root / junk, ignore_errors=True)
            out.append(run(["hugo", "--quiet", "-s", str(root), "-d", str(root / "public")]))
    return out


def stat(values: list[float]) -> str:
    return f"{min(values):.2f} / {statistics.median(values):.2f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, nargs="+", default=[67, 1000])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--workdir", type=Path, default=None)
    parser.add_argument("--search", action="store_true",
                        help="also build the Pagefind search index (Jekyll and Hugo build none, "
                             "so by default llmcourse is measured without it)")
    args = parser.parse_args()
    work = args.workdir or Path(tempfile.mkdtemp(prefix="llmcourse-bench-"))
    tools = [t for t in ("jekyll", "hugo") if shutil.which(t)]
    print(f"# {os.cpu_count()} cores, {args.runs} runs, min / median; work in {work}\n")
    cold_by_n = {}
    for n in args.n:
        site = corpus.make_llmcourse(work / f"llmcourse-{n}", n)
        if not args.search:
            with (site / "site.yaml").open("a", encoding="utf-8") as settings:
                settings.write("search: false\n")
        ours = bench_llmcourse(site, args.runs)
        others = {t: bench_other(t, (corpus.make_jekyll if t == "jekyll" else corpus.make_hugo)(
            work / f"{t}-{n}", n), args.runs) for t in tools}
        cold_by_n[n] = min(r[0] for r in ours["cold"])
        print(f"## N = {n}\n")
        print("| build | seconds | vs Jekyll | vs Hugo | peak MB (largest) | peak MB (all) |")
        print("|---|---|---|---|---|---|")
        rows = [(f"llmcourse {k}", v) for k, v in ours.items()] + list(others.items())
        for label, values in rows:
            secs = [v[0] for v in values]
            ratios = [f"{statistics.median(secs) / statistics.median([o[0] for o in others[t]]):.2f}"
                      if t in others else "-" for t in ("jekyll", "hugo")]
            print(f"| {label} | {stat(secs)} | {ratios[0]} | {ratios[1]} | "
                  f"{stat([v[1] for v in values])} | {stat([v[2] for v in values])} |")
        print()
    if len(cold_by_n) >= 2:
        small, large = min(cold_by_n), max(cold_by_n)
        print(f"cold {large}/{small}: {cold_by_n[large] / cold_by_n[small]:.1f}x the time for "
              f"{large / small:.1f}x the lectures")


if __name__ == "__main__":
    main()

"""Save-to-reload latency of ``llmcourse serve`` on a big course.

Makes an N-lecture site from the seed lectures (content/lectures/*.md copied N times with
unique names, titles and dates), starts ``llmcourse serve`` as a real process, opens a
live-reload stream like a browser tab does, then saves one lecture at a time and measures
from just before the write to the moment the reload event naming that lecture's URL arrives.
A template change (a site override of post.html) is measured the same way.

    python benchmarks/serve_latency.py                 # 1000 lectures, 20 saves
    python benchmarks/serve_latency.py -n 200 --saves 10
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit

REPO = Path(__file__).resolve().parents[1]
SEEDS = sorted((REPO / "content" / "lectures").glob("*.md"))
_FRONT = re.compile(r"\A---\s*\n(.*?)\n---\s*\n", re.DOTALL)


def make_site(root: Path, n: int) -> Path:
    shutil.rmtree(root, ignore_errors=True)
    (root / "content" / "lectures").mkdir(parents=True)
    shutil.copy(REPO / "site.yaml", root / "site.yaml")
    start = datetime(2012, 9, 3, 8, 0)
    for i in range(n):
        text = SEEDS[i % len(SEEDS)].read_text(encoding="utf-8")
        match = _FRONT.match(text)
        assert match, "seed lectures start with front matter"
        keep = [line for line in match.group(1).splitlines()
                if line.split(":", 1)[0].strip() not in ("title", "date", "")]
        date = start + timedelta(days=3 * i)
        front = [f'title: "Lecture {i + 1}"', f"date: {date:%Y-%m-%d %H:%M:%S} +0800", *keep]
        body = f"Lecture number {i + 1}.\n\n" + text[match.end():]
        path = root / "content" / "lectures" / f"{date:%Y-%m-%d}-lecture-{i + 1:04d}.md"
        path.write_text("---\n" + "\n".join(front) + "\n---\n" + body, encoding="utf-8")
    return root


class Stream:
    """One live-reload stream; each reload event's (arrival time, URLs) goes to a list."""

    def __init__(self, port: int) -> None:
        self.sock = socket.create_connection(("127.0.0.1", port))
        self.sock.sendall(b"GET /__llmcourse/events HTTP/1.1\r\nHost: x\r\n\r\n")
        self.reloads: list[tuple[float, list[str]]] = []
        self.cond = threading.Condition()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        buffer = b""
        while chunk := self.sock.recv(1 << 20):
            buffer += chunk
            while b"\n\n" in buffer:
                block, _, buffer = buffer.partition(b"\n\n")
                text = block.decode("utf-8", "replace")
                if "event: reload" in text:
                    data = json.loads(text.split("data: ", 1)[1])
                    with self.cond:
                        self.reloads.append((time.perf_counter(), data["urls"]))
                        self.cond.notify_all()

    def wait_for(self, url: str, since: float, timeout: float = 120) -> float:
        deadline = time.monotonic() + timeout
        with self.cond:
            while True:
                for arrived, urls in self.reloads:
                    if arrived >= since and url in urls:
                        return arrived
                left = deadline - time.monotonic()
                if left <= 0:
                    raise TimeoutError(f"no reload for {url}")
                self.cond.wait(left)


def report_saves(lectures: int, save_ms: list[float]) -> None:
    print(f"{lectures} lectures, {len(save_ms)} saves of one lecture, save -> reload "
          f"event: min {min(save_ms):.0f} ms, median {statistics.median(save_ms):.0f} ms, "
          f"max {max(save_ms):.0f} ms", flush=True)
    print("  all (ms): " + " ".join(f"{x:.0f}" for x in save_ms), flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-n", "--lectures", type=int, default=1000)
    parser.add_argument("--saves", type=int, default=20)
    parser.add_argument("--pause", type=float, default=0.5, help="seconds between saves")
    parser.add_argument("--site", type=Path, help="reuse/keep the generated site here")
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="llmcourse-serve-bench-"))
    site = args.site or work / "site"
    marker = site / f".bench-{args.lectures}"
    if not marker.exists():
        make_site(site, args.lectures)
        marker.write_text("")
    shutil.rmtree(site / "templates", ignore_errors=True)
    proc = subprocess.Popen(
        [sys.executable, "-c", "from llmcourse.cli import main; main()", "serve", str(site),
         "--port", "0"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"})
    lines: list[str] = []
    ready = threading.Event()
    indexed = threading.Event()

    def pump() -> None:
        assert proc.stdout is not None
        for line in proc.stdout:
            lines.append(line.rstrip())
            if line.startswith("Serving"):
                ready.set()
            if line.startswith(("Search index", "search index")):
                indexed.set()

    threading.Thread(target=pump, daemon=True).start()
    started = time.perf_counter()
    try:
        if not ready.wait(1800):
            raise SystemExit("server did not start:\n" + "\n".join(lines))
        print(f"first build and start: {time.perf_counter() - started:.1f} s", flush=True)
        served = urlsplit(re.search(r" at (http://\S+)", next(
            x for x in lines if x.startswith("Serving")))[1])
        port, prefix = int(served.port or 80), served.path.rstrip("/")
        indexed.wait(600)  # an author starts editing once the preview is up and settled
        stream = Stream(port)
        time.sleep(0.5)
        lectures = sorted((site / "content" / "lectures").glob("*.md"))
        save_ms = []
        for i in range(args.saves):
            path = lectures[(i * 37) % len(lectures)]
            url = f"{prefix}/lectures/{path.stem[11:]}/"
            text = path.read_text(encoding="utf-8")
            t0 = time.perf_counter()
            path.write_text(text + f"\nEdit {i} at {t0}.\n", encoding="utf-8")
            save_ms.append((stream.wait_for(url, t0) - t0) * 1000)
            time.sleep(args.pause)
        report_saves(args.lectures, save_ms)
        post = (REPO / "templates" / "post.html").read_text(encoding="utf-8")
        template_s = []
        for i in range(2):
            (site / "templates").mkdir(exist_ok=True)
            t0 = time.perf_counter()
            (site / "templates" / "post.html").write_text(   # a visible change to each page
                post.replace("</article>", f"<!-- bench {i} --></article>", 1))
            # every lecture page is re-rendered; its reload names all of them
            template_s.append(stream.wait_for(f"{prefix}/lectures/{lectures[0].stem[11:]}/",
                                              t0, timeout=600) - t0)
            time.sleep(1)
        shutil.rmtree(site / "templates", ignore_errors=True)
    except BaseException:
        print("\n".join(lines[-20:]))
        raise
    finally:
        stopping = time.perf_counter()
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(10)
            print(f"Ctrl-C -> exit: {time.perf_counter() - stopping:.2f} s")
        except subprocess.TimeoutExpired:
            print("Ctrl-C -> still running after 10 s: killed")
            proc.kill()
        shutil.rmtree(work, ignore_errors=True)  # (the site itself stays when --site is given)
    print("template change -> reload event: " + ", ".join(f"{s:.1f} s" for s in template_s))
    print("server log (rebuild times as the server measured them):")
    for line in lines:
        if line.startswith("Rebuilt"):
            print("  " + line)


if __name__ == "__main__":
    main()

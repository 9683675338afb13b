"""``llmcourse check --external``: ask every outbound http(s) link whether it still answers.

HEAD first (cheap), GET when a server refuses HEAD (405) or forbids it (403, some CDNs); redirects
are followed. A bounded pool of threads, and at most ``per_host`` requests at a time to one host,
so a lecture with forty arxiv links does not hammer arxiv. Answers are cached for a day in
``SITE/.llmcourse-cache/external.json``; timeouts and connection failures are not cached, since
they are usually the network's fault rather than the link's. Broken links are warnings: the
site works, a reader just meets a dead end.
"""

from __future__ import annotations

import json
import os
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from .errors import Diagnostic

CACHE_FILE = Path(".llmcourse-cache") / "external.json"
MAX_AGE = 24 * 3600  # seconds an answer stays valid
_USER_AGENT = "Mozilla/5.0 (compatible; llmcourse-check; +https://github.com/)"


@dataclass(frozen=True)
class LinkResult:
    status: int | None  # the final HTTP status after redirects; None when nothing answered
    error: str = ""  # why nothing answered (timeout, refused, DNS)

    @property
    def broken(self) -> bool:
        return self.status is None or self.status >= 400


@dataclass(frozen=True)
class FetchOptions:
    timeout: float = 10.0
    workers: int = 8
    per_host: int = 2


def external_findings(where: Mapping[str, list[tuple[str, int]]], site_dir: Path,
                      options: FetchOptions = FetchOptions(), *, now: float | None = None
                      ) -> list[Diagnostic]:
    """Check each URL once; a warning at every place that links to a broken one."""
    results = check_urls(sorted(where), site_dir / CACHE_FILE, options, now=now)
    findings = []
    for url, result in results.items():
        if not result.broken:
            continue
        message = (f"link {url} returned {result.status}" if result.status is not None
                   else f"link {url} failed: {result.error}")
        findings += [Diagnostic(path, line, message, "warning") for path, line in where[url]]
    return findings


def check_urls(urls: Iterable[str], cache_path: Path, options: FetchOptions = FetchOptions(),
               *, now: float | None = None) -> dict[str, LinkResult]:
    now = time.time() if now is None else now
    cache = _load_cache(cache_path)
    results: dict[str, LinkResult] = {}
    todo = []
    for url in dict.fromkeys(urls):
        cached = cache.get(url)
        if cached and now - float(cached.get("checked", 0)) < MAX_AGE:
            results[url] = LinkResult(cached.get("status"), cached.get("error", ""))
        else:
            todo.append(url)
    hosts = {urlsplit(u).netloc.lower() for u in todo}
    limits = {host: threading.Semaphore(options.per_host) for host in hosts}

    def one(url: str) -> LinkResult:
        with limits[urlsplit(url).netloc.lower()]:
            return fetch(url, options.timeout)

    if todo:
        with ThreadPoolExecutor(max_workers=min(options.workers, len(todo))) as pool:
            for url, result in zip(todo, pool.map(one, todo)):
                results[url] = result
                if result.status is not None:  # an answer; failures may be the network's
                    cache[url] = {"status": result.status, "error": result.error, "checked": now}
        _save_cache(cache_path, cache)
    return results


def fetch(url: str, timeout: float) -> LinkResult:
    result = _request(url, "HEAD", timeout)
    if result.status in (403, 405):  # servers that refuse HEAD may still serve the page
        result = _request(url, "GET", timeout)
    return result


class _SameMethodRedirects(urllib.request.HTTPRedirectHandler):
    """Python turns a redirected HEAD into a GET (a whole download); keep it a HEAD."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):  # type: ignore[no-untyped-def]
        new = super().redirect_request(req, fp, code, msg, headers, newurl)
        if new is not None:
            new.method = req.get_method()
        return new


_OPENER = urllib.request.build_opener(_SameMethodRedirects)


def _request(url: str, method: str, timeout: float) -> LinkResult:
    request = urllib.request.Request(url, method=method, headers={"User-Agent": _USER_AGENT})
    try:
        with _OPENER.open(request, timeout=timeout) as response:
            return LinkResult(response.status)
    except urllib.error.HTTPError as exc:
        exc.close()
        return LinkResult(exc.code)
    except TimeoutError:
        return LinkResult(None, f"no answer within {timeout:g} s")
    except urllib.error.URLError as exc:
        reason = exc.reason
        if isinstance(reason, TimeoutError):
            return LinkResult(None, f"no answer within {timeout:g} s")
        return LinkResult(None, str(getattr(reason, "strerror", None) or reason))
    except (OSError, ValueError) as exc:  # a reset connection, a malformed URL
        return LinkResult(None, str(exc) or type(exc).__name__)


def _load_cache(path: Path) -> dict[str, dict[str, object]]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}  # no cache yet, or a damaged one: check everything again
    return data if isinstance(data, dict) else {}


def _save_cache(path: Path, cache: dict[str, dict[str, object]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(json.dumps(cache, indent=1, sort_keys=True, ensure_ascii=False),
                   encoding="utf-8")
    os.replace(tmp, path)  # never a half-written cache, even if two checks run at once

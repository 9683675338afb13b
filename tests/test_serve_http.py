"""The dev server's HTTP side over real sockets: GitHub Pages' URL rules, content types,
headers, and every way of asking for a file outside the built site."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from serve_helpers import make_site, raw_request

from llmcourse.serve import DevServer
from llmcourse.serve.http import resolve_request

SECRET = "TOP-SECRET-OUTSIDE-THE-SITE"


@pytest.fixture(scope="module")
def dev(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DevServer]:
    root = make_site(tmp_path_factory.mktemp("serve") / "site")
    server = DevServer(root, port=0)
    try:
        assert server.start().ok
        server.start_background()
        served = server.site.root
        # Files beside and far outside the served folder, reachable only by escaping it.
        (served.parent / "secret.txt").write_text(SECRET)
        outside = tmp_path_factory.mktemp("outside")
        (outside / "secret.txt").write_text(SECRET)
        (served / "leak.txt").symlink_to(outside / "secret.txt")
        (served / "leakdir").symlink_to(outside, target_is_directory=True)
        yield server
    finally:
        server.close()


def get(dev: DevServer, target: str, method: str = "GET") -> tuple[int, dict[str, str], bytes]:
    return raw_request(dev.port, target, method)


@pytest.mark.parametrize("name, expected", [
    ("x.svg", "image/svg+xml"), ("x.webp", "image/webp"), ("data.json", "application/json"),
    ("x.xml", "application/xml"), ("font.woff2", "font/woff2"),
    ("app.js", "text/javascript; charset=utf-8"), ("mod.mjs", "text/javascript; charset=utf-8"),
    ("style.css", "text/css; charset=utf-8"), ("x.wasm", "application/wasm"),
    ("search/en_1.pf_fragment", "application/octet-stream"),
    ("search/en_1.pf_index", "application/octet-stream"),
    ("index.html", "text/html; charset=utf-8"),
])
def test_content_types(dev: DevServer, name: str, expected: str) -> None:
    status, headers, _ = get(dev, f"/AI-course/{name}")
    assert (status, headers["content-type"]) == (200, expected)


def test_root_redirects_to_baseurl(dev: DevServer) -> None:
    for target in ("/", "/AI-course"):
        status, headers, _ = get(dev, target)
        assert (status, headers["location"]) == (302, "/AI-course/")


def test_folder_url_serves_index_and_bare_folder_redirects(dev: DevServer) -> None:
    status, headers, body = get(dev, "/AI-course/lectures/first/")
    assert status == 200 and b"The first lecture." in body
    status, headers, _ = get(dev, "/AI-course/lectures/first")
    assert (status, headers["location"]) == (302, "/AI-course/lectures/first/")


def test_extensionless_url_serves_the_html_file(dev: DevServer) -> None:
    status, _, body = get(dev, "/AI-course/about")
    assert status == 200 and b"About us" in body


def test_missing_page_gets_the_sites_404_page_with_status_404(dev: DevServer) -> None:
    status, headers, body = get(dev, "/AI-course/no/such/page/")
    site_404 = (dev.site.root / "404.html").read_bytes()
    assert status == 404 and headers["content-type"].startswith("text/html")
    assert site_404.split(b"</body>")[0][:200] in body  # the site's page, not a stock one
    status, _, _ = get(dev, "/elsewhere/")  # outside the baseurl
    assert status == 404


def test_no_store_and_length_on_every_response(dev: DevServer) -> None:
    for target in ("/AI-course/", "/AI-course/style.css", "/AI-course/missing", "/"):
        _, headers, body = get(dev, target)
        assert headers["cache-control"] == "no-store"
        assert int(headers["content-length"]) == len(body)


def test_head_sends_headers_without_body(dev: DevServer) -> None:
    _, got, full = get(dev, "/AI-course/x.svg")
    status, headers, body = get(dev, "/AI-course/x.svg", "HEAD")
    assert status == 200 and body == b""
    assert headers["content-length"] == str(len(full)) == got["content-length"]
    status, _, body = get(dev, "/AI-course/missing/", "HEAD")
    assert status == 404 and body == b""


def test_script_is_injected_into_responses_not_into_built_files(dev: DevServer) -> None:
    _, _, body = get(dev, "/AI-course/lectures/first/")
    on_disk = (dev.site.root / "lectures/first/index.html").read_bytes()
    assert b"/__llmcourse/events" in body and b"/__llmcourse/events" not in on_disk
    assert body.index(b"__llmcourse") < body.rindex(b"</body>")
    assert get(dev, "/AI-course/app.js")[2] == b"1;"  # other files go out untouched


TRAVERSALS = [
    "/AI-course/../secret.txt",
    "/AI-course/../../../../etc/passwd",
    "/AI-course/%2e%2e/secret.txt",
    "/AI-course/%2E%2E%2Fsecret.txt",
    "/AI-course/%252e%252e/secret.txt",
    "/AI-course/%25252e%25252e%25252fsecret.txt",
    "/AI-course/..%2fsecret.txt",
    "/AI-course//etc/passwd",
    "//etc/passwd",
    "/AI-course/%2Fetc%2Fpasswd",
    "/AI-course/..\\secret.txt",
    "/AI-course/..%5csecret.txt",
    "/AI-course/index.html%00.css",
    "/AI-course/%00",
    "http://127.0.0.1/AI-course/../secret.txt",
    "/AI-course/leak.txt",
    "/AI-course/leakdir/secret.txt",
    "/AI-course/leakdir/",
]


@pytest.mark.parametrize("target", TRAVERSALS)
def test_nothing_outside_the_site_is_served(dev: DevServer, target: str) -> None:
    status, _, body = get(dev, target)
    assert status == 404, target
    assert SECRET.encode() not in body and b"root:" not in body


def test_symlink_inside_the_site_is_still_served(dev: DevServer) -> None:
    served = dev.site.root
    (served / "alias.txt").symlink_to(served / "robots.txt")
    try:
        status, _, body = get(dev, "/AI-course/alias.txt")
        assert status == 200 and body == (served / "robots.txt").read_bytes()
    finally:
        os.unlink(served / "alias.txt")


def test_resolve_request_is_strict_about_encodings(tmp_path: Path) -> None:
    (tmp_path / "a b.html").write_text("x")
    (tmp_path / "課程").mkdir()
    (tmp_path / "課程/index.html").write_text("x")
    assert resolve_request(tmp_path, "", "/a%20b.html").file == tmp_path / "a b.html"
    assert resolve_request(tmp_path, "", "/%E8%AA%B2%E7%A8%8B/").file is not None
    assert resolve_request(tmp_path, "", "/%ff%fe").status == 404  # not UTF-8
    assert resolve_request(tmp_path, "", "relative").status == 404

"""A fork publishes under its own address: `build --base-url URL` replaces site.yaml's base_url in
every absolute address the real site holds, and the 404 page works at any depth under the fork's
subpath. publish.yml passes the GitHub Pages address. (The option itself, on a small project:
tests/engine/test_base_url.py.)"""
from __future__ import annotations

import csv
import http.server
import io
import json
import mimetypes
import os
import re
import sqlite3
import subprocess
import threading
import zipfile
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
import yaml

from microsite.cli import main
from tests import real_content
from tests.conftest import REPO

FORK = "https://campaign.example.org/ice-tech/"
SUBPATH = urlsplit(FORK).path


def site_yaml_base(root: Path) -> str:
    return yaml.safe_load((root / "content/site.yaml").read_text(encoding="utf-8"))["base_url"]


@pytest.fixture(scope="module")
def fork_site(tmp_path_factory) -> Path:
    """The real site with its offline copy, built as a fork's publish.yml builds it: with the
    Pages address given without its final '/', as actions/configure-pages gives it."""
    out = tmp_path_factory.mktemp("fork") / "site"
    status = main(["--root", str(REPO), "build", "--out", str(out), "--zip", "--base-url", FORK.rstrip("/")], root=REPO)
    assert status == 0
    return out


def texts_of(name: str, data: bytes, scratch: Path) -> list[bytes]:
    """The bytes of a file as stored, and for a SQLite database every value in it as well (a long
    row may be split across the file's pages)."""
    if not name.endswith(".sqlite"):
        return [data]
    copy = scratch / "copy.sqlite"
    copy.write_bytes(data)
    db = sqlite3.connect(copy)
    try:
        return [data, "\n".join(db.iterdump()).encode("utf-8")]
    finally:
        db.close()
        copy.unlink()


def test_a_fork_build_holds_no_address_of_site_yaml(fork_site: Path, tmp_path: Path):
    host = urlsplit(site_yaml_base(REPO)).hostname.encode()
    files = {p.relative_to(fork_site).as_posix(): p.read_bytes() for p in fork_site.rglob("*") if p.is_file()}
    [offline] = fork_site.parent.glob("*.zip")
    with zipfile.ZipFile(offline) as archive:
        files.update({f"{offline.name}/{n}": archive.read(n) for n in archive.namelist()})
    files[offline.name] = offline.read_bytes()
    assert any(n.endswith(".sqlite") for n in files) and any(".zip/" in n for n in files)
    found = [name for name, data in files.items() if any(host in text for text in texts_of(name, data, tmp_path))]
    assert found == []
    assert len([n for n, data in files.items() if FORK.encode() in data]) > 30


def test_the_fork_address_is_in_every_absolute_link(fork_site: Path):
    html = (fork_site / "index.html").read_text()
    assert f'<link rel="canonical" href="{FORK}">' in html
    [image] = re.findall(r'<meta property="og:image" content="([^"]+)">', html)
    assert image.startswith(FORK) and (fork_site / image.removeprefix(FORK)).is_file()
    locations = re.findall(r"<loc>([^<]+)</loc>", (fork_site / "sitemap.xml").read_text())
    assert locations and all(loc.startswith(FORK) for loc in locations)
    addresses = re.findall(r'(?:href="|<id>)([^"<]+)', (fork_site / "feed.xml").read_text())
    assert FORK + "feed.xml" in addresses and all(a.startswith(FORK) for a in addresses)
    assert f"Sitemap: {FORK}sitemap.xml" in (fork_site / "robots.txt").read_text()
    rows = list(csv.DictReader(io.StringIO((fork_site / "data/entities.csv").read_text())))
    assert rows and all(r["url"] == FORK + r["page"] for r in rows)
    [data] = (fork_site / "data").glob("*.json")
    assert json.loads(data.read_text())["site"]["url"] == FORK
    [database] = (fork_site / "data").glob("*.sqlite")
    db = sqlite3.connect(database)
    assert {url == FORK + page for page, url in db.execute("SELECT page, url FROM entities")} == {True}
    db.close()


def test_the_404_page_starts_every_link_from_the_fork_folder(fork_site: Path):
    html = (fork_site / "404.html").read_text()
    addresses = re.findall(r'(?:href|src|data-root)="([^"]+)"', html)
    assert f'<link rel="stylesheet" href="{SUBPATH}assets/style.css">' in html
    assert [a for a in addresses if not a.startswith((SUBPATH, FORK, "#"))] == []


def test_publish_builds_with_the_pages_address_and_caches_pip():
    flow = yaml.safe_load((REPO / ".github/workflows/publish.yml").read_text())
    steps = flow["jobs"]["build"]["steps"]
    [pages] = [i for i, s in enumerate(steps) if s.get("uses", "").startswith("actions/configure-pages@")]
    [make] = [i for i, s in enumerate(steps) if s.get("run") == "make pdf"]
    assert pages < make
    assert steps[make]["env"]["MICROSITE_BASE_URL"] == f"${{{{ steps.{steps[pages]['id']}.outputs.base_url }}}}"
    [python] = [s for s in steps if s.get("uses", "").startswith("actions/setup-python@")]
    assert python["with"]["cache"] == "pip"
    assert set(python["with"]["cache-dependency-path"].split()) == {"pyproject.toml", "requirements.lock"}


def test_make_site_passes_base_url_to_the_build():
    """As publish.yml sets it, in the environment; the Pages address has no final '/'."""
    for target in ("site", "zip", "pdf", "check"):
        result = subprocess.run(
            ["make", "-n", target], cwd=REPO, capture_output=True, text=True, timeout=60,
            env={**os.environ, "MICROSITE_BASE_URL": "https://org.github.io/repo"},
        )
        [command] = [line for line in result.stdout.splitlines() if "build.py" in line]
        assert command.endswith("--base-url 'https://org.github.io/repo'"), command


class PagesHandler(http.server.BaseHTTPRequestHandler):
    """GitHub Pages in small: the site under SUBPATH, and 404.html, with status 404, for any
    address that names no file."""

    site: Path

    def do_GET(self):
        path = unquote(urlsplit(self.path).path)
        file = None
        if path.startswith(SUBPATH):
            file = (self.site / path[len(SUBPATH):]).resolve()
            if file.is_dir():
                file = file / "index.html"
            if not (file.is_relative_to(self.site) and file.is_file()):
                file = None
        status, file = (200, file) if file is not None else (404, self.site / "404.html")
        body = file.read_bytes()
        self.send_response(status)
        self.send_header("Content-Type", mimetypes.guess_type(file.name)[0] or "application/octet-stream")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def pages_server(fork_site: Path):
    handler = type("Handler", (PagesHandler,), {"site": fork_site.resolve()})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.mark.browser
def test_the_404_page_works_at_a_nested_missing_address(browser, pages_server: str, fork_site: Path):
    """Served under the fork's subpath on another host than its base_url, as a custom domain or a
    preview would be: the stylesheet, the script and the links still come from the site itself."""
    context = browser.new_context()
    problems: list[str] = []

    def only_the_site(route) -> None:
        if route.request.url.startswith(pages_server + SUBPATH):
            route.continue_()
        else:
            problems.append(f"request outside the site: {route.request.url}")
            route.abort()

    context.route("**/*", only_the_site)
    missing = pages_server + SUBPATH + "a/b/c.html"

    def on_console(message) -> None:
        # Chromium logs the 404 status of the missing address itself: that one is the point.
        if message.type == "error" and not (message.location["url"] == missing and "status of 404" in message.text):
            problems.append(f"console: {message.text} at {message.location['url']}")

    page = context.new_page()
    page.on("console", on_console)
    page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
    page.on("requestfailed", lambda r: problems.append(f"failed: {r.url}"))
    loaded: dict[str, int] = {}
    page.on("response", lambda r: loaded.__setitem__(urlsplit(r.url).path, r.status))

    response = page.goto(missing)
    assert response is not None and response.status == 404
    words = real_content.messages()  # the site's first language says it first
    assert page.locator("h1").inner_text() == words.text("not_found_title")
    assert loaded.get(SUBPATH + "assets/style.css") == 200, loaded
    assert page.eval_on_selector("header.masthead", "e => getComputedStyle(e).borderBottomStyle") == "solid"
    assert page.locator("form.search").is_visible()  # search.js ran
    name = next(csv.DictReader(io.StringIO((fork_site / "data/entities.csv").read_text())))["name"]
    page.fill("#search-input", name.split()[0])
    page.wait_for_selector("#search-results a")
    hrefs = page.eval_on_selector_all("#search-results a", "els => els.map(e => e.href)")
    assert hrefs and all(h.startswith(pages_server + SUBPATH) for h in hrefs)
    page.fill("#search-input", "")  # the results cover the page
    page.locator("main").get_by_role("link", name=words.text("home_link"), exact=True).first.click()
    page.wait_for_load_state()
    assert page.url == pages_server + SUBPATH + "index.html"
    assert loaded[SUBPATH + "index.html"] == 200
    assert problems == []
    context.close()

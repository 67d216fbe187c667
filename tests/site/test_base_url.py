"""A fork publishes under its own address: `build --base-url URL` replaces site.yaml's base_url in
every absolute address the site holds, `check` warns while site.yaml's is a placeholder, and the
404 page works at any depth under the fork's subpath. publish.yml passes the GitHub Pages address."""
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
from tests.conftest import REPO, make_project, run, write

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


@pytest.mark.parametrize("value", ["ftp://campaign.org/x/", "campaign.org/x/", "https://", "https://x.org/a b/",
                                   "https://user:secret@x.org/", "https://x.org/?page=1", "https://x.org:port/"])
def test_a_bad_base_url_is_a_usage_error_that_says_so(project, capsys, value):
    status, out, err = run(project, "build", "--base-url", value, capsys=capsys)
    assert status == 2
    assert f"argument --base-url: '{value}' is not a usable base URL: " in err
    assert "source address" not in err and "Traceback" not in err
    assert not (project.root / "site").exists()


def test_the_base_url_gets_its_final_slash(project, capsys):
    assert run(project, "build", "--base-url", "https://campaign.test/sub", capsys=capsys)[0] == 0
    assert '<link rel="canonical" href="https://campaign.test/sub/">' in (project.root / "site/index.html").read_text()


def test_another_base_url_rebuilds_everything_it_reaches(project, capsys, tmp_path):
    """An incremental build into a folder built for another address equals a clean build."""
    def tree(root: Path) -> dict[str, bytes]:
        return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}

    out = str(project.root / "site")
    assert run(project, "build", "--out", out, capsys=capsys)[0] == 0
    assert run(project, "build", "--out", out, "--base-url", "https://one.test/a/", capsys=capsys)[0] == 0
    clean = make_project(tmp_path / "clean")
    assert run(clean, "build", "--base-url", "https://one.test/a/", capsys=capsys)[0] == 0
    assert tree(project.root / "site") == tree(clean.root / "site")


PLACEHOLDERS = ["https://example.github.io/whos-behind-ice/", "https://example.com/", "http://www.example.org/x/",
                "https://example.net/", "https://campaign.example/"]


@pytest.mark.parametrize("address", PLACEHOLDERS)
def test_check_warns_at_a_placeholder_base_url(project, capsys, address):
    site_yaml = project.root / "content/site.yaml"
    text = site_yaml.read_text(encoding="utf-8")
    lines = text.splitlines()
    line = next(i for i, l in enumerate(lines, 1) if l.startswith("base_url:"))
    write(project, "content/site.yaml", re.sub(r"(?m)^base_url: .*$", f'base_url: "{address}"', text))
    status, out, err = run(project, "check", capsys=capsys)  # a contributor's check: nothing they could fix
    assert (status, err) == (0, "") and out.endswith(", 0 warnings\n")
    status, out, err = run(project, "check", "--strict", capsys=capsys)  # before publishing: said
    assert status == 1 and out.endswith(", 1 warning\n")
    assert err.startswith(f"content/site.yaml:{line}:11: warning: base_url '{address}' is a placeholder: ")
    assert "--base-url" in err
    status, out, err = run(project, "check", "--strict", "--base-url", "https://org.github.io/repo", capsys=capsys)
    assert (status, err) == (0, "") and out.endswith(", 0 warnings\n")


def test_a_placeholder_warning_does_not_stop_a_build_from_being_skipped(project, capsys, monkeypatch):
    """A second build with nothing changed stops after reading its inputs, and still warns when
    it publishes (in CI, without --base-url); a build on a contributor's machine does not."""
    text = (project.root / "content/site.yaml").read_text(encoding="utf-8")
    write(project, "content/site.yaml", re.sub(r"(?m)^base_url: .*$", 'base_url: "https://example.com/"', text))
    monkeypatch.delenv("CI", raising=False)
    status, out, err = run(project, "build", capsys=capsys)
    assert status == 0 and "is a placeholder" not in err
    monkeypatch.setenv("CI", "true")
    status, out, err = run(project, "build", "--timings", capsys=capsys)
    assert status == 0 and "is a placeholder" in err
    assert [phase.split()[0] for phase in out.splitlines()[1].split("; ")[1].split(", ")] == ["read"]


@pytest.mark.parametrize("address", ["https://org.github.io/repo/", "https://examples.org/", "https://myexample.com/",
                                     "https://investigation.test/"])
def test_a_real_address_is_no_placeholder(project, capsys, address):
    text = (project.root / "content/site.yaml").read_text(encoding="utf-8")
    write(project, "content/site.yaml", re.sub(r"(?m)^base_url: .*$", f'base_url: "{address}"', text))
    status, out, err = run(project, "check", "--strict", capsys=capsys)
    assert (status, err) == (0, "")


def test_the_preview_is_built_for_its_own_address(project, capsys, monkeypatch):
    """`serve` publishes nowhere but on its port: it warns of no placeholder, unless given one."""
    import microsite.preview.serve
    from microsite.build import check

    seen = []
    monkeypatch.setattr(microsite.preview.serve, "serve", lambda project, host, port: seen.append((project, check(project)[1])))
    text = (project.root / "content/site.yaml").read_text(encoding="utf-8")
    write(project, "content/site.yaml", re.sub(r"(?m)^base_url: .*$", 'base_url: "https://example.com/"', text))
    assert run(project, "serve", "--port", "9123", capsys=capsys)[0] == 0
    assert run(project, "serve", "--base-url", "https://example.org/x", capsys=capsys)[0] == 0
    [(preview, warnings), (given, _)] = seen
    assert (preview.base_url, warnings) == ("http://127.0.0.1:9123/", [])
    assert given.base_url == "https://example.org/x/"


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

"""Every page of the real site, opened in Chromium as a reader opens it: from disk (file://) and
over http under a GitHub Pages project subpath. Every internal link is followed; every target
file and every #fragment must exist; no page logs an error or asks anything of another origin."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

pytestmark = pytest.mark.browser

# Read from the attribute: an SVG link's `href` property is not a string.
LINKS_JS = """els => els.map(e => ({tag: e.tagName.toLowerCase(),
    href: new URL(e.getAttribute('href'), document.baseURI).href,
    rel: (e.getAttribute('rel') || '').split(/\\s+/)}))"""
IDS_JS = "els => els.map(e => e.id || e.getAttribute('name'))"


@dataclass
class Crawl:
    root: str  # the site's own address prefix
    pages: dict[str, set[str]] = field(default_factory=dict)  # page URL -> its ids
    links: list[tuple[str, str]] = field(default_factory=list)  # (page URL, absolute href)
    files: dict[str, int] = field(default_factory=dict)  # other internal targets -> status
    external: list[tuple[str, str, list[str]]] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


def crawl(browser, start: str, root: str, exists) -> Crawl:
    """Visit every HTML page reachable from `start`; `exists(url)` -> HTTP-like status of a file."""
    result = Crawl(root)
    context = browser.new_context()
    context.route("**/*", lambda route: _only_the_site(route, result))
    page = context.new_page()
    visiting = [start]  # the page being visited
    issued_by: dict = {}  # request -> the page that made it (as its events come, so in order)

    def requested(request) -> None:
        result.requests.append(request.url)
        issued_by[request] = request.frame.url

    def failed(request) -> None:
        """A request of a page the crawler has left (the favicon, fetched after the page's load)
        is cut off by the crawler's own next step: not the page's fault."""
        if request.failure == "net::ERR_ABORTED" and issued_by.get(request) != visiting[0]:
            return
        result.errors.append(f"{page.url}: failed {request.url} ({request.failure})")

    page.on("request", requested)
    page.on("console", lambda m: result.errors.append(f"{page.url}: {m.text}") if m.type == "error" else None)
    page.on("pageerror", lambda e: result.errors.append(f"{page.url}: {e}"))
    page.on("requestfailed", failed)
    queue = [start]
    while queue:
        url = queue.pop()
        if url in result.pages:
            continue
        visiting[0] = url
        response = page.goto(url)
        if response is not None and response.status != 200:
            result.errors.append(f"{url}: status {response.status}")
        result.pages[url] = set(page.eval_on_selector_all("[id], a[name]", IDS_JS))
        for link in page.eval_on_selector_all("a[href], link[href], area[href]", LINKS_JS):
            href = link["href"]
            if not href.startswith(root):
                result.external.append((url, href, link["rel"]))
                continue
            result.links.append((url, href))
            target = href.split("#")[0]
            if target.endswith(".html"):
                queue.append(target)
            elif target not in result.files:
                result.files[target] = exists(target)
    visiting[0] = ""  # closing leaves the last page too
    context.close()
    return result


def _only_the_site(route, result: Crawl) -> None:
    url = route.request.url
    if url.startswith(result.root) or url.startswith("data:"):
        route.continue_()
    else:
        result.errors.append(f"request to another origin: {url}")
        route.abort()


def check(result: Crawl, site: Path, base_url: str) -> None:
    assert result.errors == []
    foreign = [u for u in result.requests if not (u.startswith(result.root) or u.startswith("data:"))]
    assert foreign == []
    reached = {unquote(urlsplit(u).path).split(urlsplit(result.root).path, 1)[1] for u in result.pages}
    every = {p.relative_to(site).as_posix() for p in site.rglob("*.html")}
    # The 404 pages (one per language) are where a host sends a bad address, not linked to.
    assert {p for p in every - reached if not p.endswith("404.html")} == set(), "pages no link leads to"
    assert reached <= every
    assert {t: s for t, s in result.files.items() if s != 200} == {}
    broken = []
    for source, href in result.links:
        target, _, fragment = href.partition("#")
        if target.endswith(".html") and target not in result.pages:
            broken.append(f"{source} -> {href}: no such page")
        elif fragment and unquote(fragment) not in result.pages.get(target, ()):
            broken.append(f"{source} -> {href}: no such anchor")
    assert broken == []
    for source, href, rel in result.external:
        if "canonical" in rel or "alternate" in rel:  # the page itself, or in another language
            assert href.startswith(base_url), (source, href)
        else:
            assert href.startswith(("https://", "http://")), (source, href)
            assert {"noopener", "noreferrer"} <= set(rel), (source, href)


def _file_status(url: str) -> int:
    path = Path(unquote(urlsplit(url).path))
    return 200 if path.is_file() else 404


def base_url() -> str:
    import yaml

    from tests.conftest import REPO

    return yaml.safe_load((REPO / "content/site.yaml").read_text())["base_url"]


def linked_pages() -> int:
    """How many pages the content makes that links lead to: all but the 404 pages."""
    from microsite.render.pages import page_outputs
    from tests import real_content

    return len([p for p in page_outputs(real_content.site()) if p.rpartition("/")[2] != "404.html"])


def test_every_link_works_from_disk(browser, real_site: Path):
    root = real_site.as_uri() + "/"
    result = crawl(browser, root + "index.html", root, _file_status)
    check(result, real_site, base_url())
    assert len(result.pages) == linked_pages() and len(result.links) > len(result.pages)
    print(f"file://: {len(result.pages)} pages, {len(result.links)} internal links, {len(result.external)} external")


def test_every_link_works_under_a_subpath(browser, subpath_server: str, real_site: Path):
    import urllib.request

    def status(url: str) -> int:
        try:
            with urllib.request.urlopen(url) as response:
                return response.status
        except OSError:
            return 404

    result = crawl(browser, subpath_server + "index.html", subpath_server, status)
    check(result, real_site, base_url())
    assert len(result.pages) == linked_pages()
    print(f"http: {len(result.pages)} pages, {len(result.links)} internal links, {len(result.requests)} requests")


def test_the_404_page_points_only_at_the_site_itself(real_site: Path):
    """GitHub Pages serves 404.html at any missing address, so its links start from the site's
    folder on the host (the path of base_url); only the canonical address names the host."""
    import re

    html = (real_site / "404.html").read_text()
    addresses = re.findall(r'(?:href|src)="([^"]+)"', html)
    assert addresses
    folder = urlsplit(base_url()).path
    assert [a for a in addresses if not a.startswith((base_url(), folder, "#"))] == []


def test_the_crawl_catches_what_a_reader_would_hit(browser, tmp_path: Path):
    """The checks above can fail: a missing anchor, a missing file, a third-party request."""
    site = tmp_path / "site"
    site.mkdir()
    head = '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>t</title>'
    (site / "index.html").write_text(
        head + '<link rel="stylesheet" href="https://cdn.example.net/x.css"></head><body>'
        '<a href="b.html#nowhere">b</a> <a href="gone.pdf">pdf</a> <a href="https://example.org/">out</a></body></html>'
    )
    (site / "b.html").write_text(head + '</head><body id="top"><script>console.error("boom")</script></body></html>')
    root = site.as_uri() + "/"
    result = crawl(browser, root + "index.html", root, _file_status)
    assert "request to another origin: https://cdn.example.net/x.css" in "\n".join(result.errors)
    assert any("boom" in e for e in result.errors)
    assert result.files == {root + "gone.pdf": 404}
    with pytest.raises(AssertionError):
        check(result, site, "https://example.github.io/")
    result.errors.clear()
    result.requests.clear()
    result.files.clear()
    with pytest.raises(AssertionError, match="no such anchor"):
        check(result, site, "https://example.github.io/")
    result.links = [link for link in result.links if "#" not in link[1]]
    with pytest.raises(AssertionError, match="noopener"):
        check(result, site, "https://example.github.io/")


def test_the_crawl_does_not_blame_a_page_for_what_leaving_it_cut_off(browser, tmp_path: Path):
    """A browser asks for the favicon after the page has loaded; the crawler's next step cut that
    request off, and the crawl reported it as the page's failure, in about half the runs. Here the
    icon is held until the crawler has moved on, every time."""
    import functools
    import http.server
    import threading

    moved_on = threading.Event()

    class Handler(http.server.SimpleHTTPRequestHandler):
        def do_GET(self):
            if self.path == "/slow.svg":
                moved_on.wait(10)
            elif self.path == "/b.html":
                moved_on.set()
            super().do_GET()

        def log_message(self, *args):
            pass

        def handle(self):
            try:
                super().handle()
            except OSError:  # the browser has gone from the icon's connection
                pass

    site = tmp_path / "site"
    site.mkdir()
    head = '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>t</title>'
    (site / "index.html").write_text(head + '<link rel="icon" href="slow.svg"></head><body><a href="b.html">b</a></body></html>')
    (site / "b.html").write_text(head + '</head><body></body></html>')
    (site / "slow.svg").write_text('<svg xmlns="http://www.w3.org/2000/svg"/>')
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Handler, directory=str(site)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        root = f"http://127.0.0.1:{server.server_address[1]}/"
        result = crawl(browser, root + "index.html", root, lambda url: 200)
    finally:
        moved_on.set()
        server.shutdown()
    assert moved_on.is_set()
    assert [e for e in result.errors if "slow.svg" in e] == []

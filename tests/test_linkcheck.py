"""`check --external` against a local server: a live, a moved and a dead address (no other network)."""
from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from microsite.linkcheck import request
from tests.conftest import run, write

SEEN: list[tuple[str, str, str]] = []  # (method, path, user agent) of every request the server got


class Handler(BaseHTTPRequestHandler):
    def do_HEAD(self):
        self._answer()

    def do_GET(self):
        self._answer()

    def _answer(self):
        SEEN.append((self.command, self.path, self.headers.get("User-Agent", "")))
        if self.path == "/live":
            self.send_response(200)
        elif self.path == "/moved":
            self.send_response(301)
            self.send_header("Location", "/elsewhere")
        elif self.path == "/no-head" and self.command == "HEAD":
            self.send_response(405)
        elif self.path == "/no-head":
            self.send_response(200)
        elif self.path == "/slash":
            self.send_response(302)
            self.send_header("Location", "/slash")  # to itself: no move
        else:
            self.send_response(404)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def server():
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    SEEN.clear()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


def source(url: str) -> str:
    return f"title: A source\npublisher: P\nkind: news\nurl: {url}\n"


def test_gone_and_moved_addresses_are_reported_at_their_url_line(project, server, capsys):
    daily = project.root / "content/sources/daily-2020-01-02.yaml"  # no request may leave this machine
    daily.write_text(daily.read_text().replace("https://news.example.org/acme", server + "/live"))
    for name, path in (("live", "/live"), ("moved", "/moved"), ("dead", "/dead")):
        write(project, f"content/sources/{name}.yaml", source(server + path))
        write(project, f"content/pages/cites-{name}.md", f"---\ntitle: {name}\n---\nText [@{name}].\n")
    status, out, err = run(project, "check", "--external", capsys=capsys)
    assert status == 1
    assert err.splitlines() == [
        f"content/sources/dead.yaml:4:6: address gone: {server}/dead answered 404; look for an archived copy "
        f"at https://web.archive.org/web/*/{server}/dead and give it as archive_url:, or correct url:",
        f"content/sources/moved.yaml:4:6: address moved: {server}/moved redirects (301) to {server}/elsewhere; "
        f"if it is the same document, put the new address in url:, else look for an archived copy at "
        f"https://web.archive.org/web/*/{server}/moved",
    ]
    assert "asked 4 source addresses: 2 gone or moved" in out  # with the fixture's own source
    agents = {agent for _, _, agent in SEEN}
    assert len(agents) == 1 and agents.pop().startswith("microsite-link-check/")
    assert {(m, p) for m, p, _ in SEEN} >= {("HEAD", "/live"), ("HEAD", "/moved"), ("HEAD", "/dead")}
    assert "/elsewhere" not in {p for _, p, _ in SEEN}  # a redirect is reported, not followed


def test_get_where_head_is_refused_and_a_redirect_to_itself_is_no_move(server):
    assert request(server + "/no-head", "test").status == 200
    assert [m for m, p, _ in SEEN if p == "/no-head"] == ["HEAD", "GET"]
    assert request(server + "/slash", "test").status == 302


def test_no_answer_is_gone_without_a_traceback():
    import socket

    with socket.socket() as s:  # a port nothing listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    answer = request(f"http://127.0.0.1:{port}/x", "test", timeout=2)
    assert answer.status is None and answer.error.startswith("could not be reached")


def test_an_archived_copy_is_offered_beside_the_original_with_its_date(project, capsys):
    daily = project.root / "content/sources/daily-2020-01-02.yaml"
    daily.write_text(daily.read_text().replace("archive_url:", "archived: 2024-03-01\narchive_url:"))
    assert run(project, "build", capsys=capsys)[0] == 0
    sources = (project.root / "site/sources.html").read_text()
    assert (
        '<a href="https://news.example.org/acme" rel="noopener noreferrer">Acme sells a database</a>'
        in sources
    )
    assert '<a href="https://archive.example.org/acme" rel="noopener noreferrer">Archived copy</a> (1 March 2024).' in sources
    acme = (project.root / "site/companies/acme.html").read_text()
    assert "2 January 2020; archived copy of 1 March 2024</span>" in acme  # in the citation's preview

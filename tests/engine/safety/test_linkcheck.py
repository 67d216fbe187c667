"""`check --external` against local servers: a live, a moved and a dead address, and servers and
addresses that try to hang it, crash it or turn it on the machine it runs on (no other network)."""
from __future__ import annotations

import socket
import socketserver
import threading
import time
from functools import partial
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from microsite import linkcheck
from microsite.linkcheck import request, user_agent
from tests.conftest import free_port, run, write

local = partial(request, allow_loopback=True)  # the tests' servers listen on 127.0.0.1

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


@pytest.fixture
def loopback_allowed(monkeypatch):
    """The command line as it is, but with the tests' local servers within reach."""
    monkeypatch.setattr(linkcheck, "check_external", partial(linkcheck.check_external, allow_loopback=True))


def test_gone_and_moved_addresses_are_reported_at_their_url_line(project, server, loopback_allowed, capsys):
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
    assert local(server + "/no-head", "test").status == 200
    assert [m for m, p, _ in SEEN if p == "/no-head"] == ["HEAD", "GET"]
    assert local(server + "/slash", "test").status == 302


def test_no_answer_is_gone_without_a_traceback():
    answer = local(f"http://127.0.0.1:{free_port()}/x", "test", timeout=2)
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


class Hostile(socketserver.BaseRequestHandler):
    """A server that answers each path with something a checker must survive."""

    def handle(self):
        self.request.settimeout(5)
        data = b""
        while b"\r\n\r\n" not in data and len(data) < 65536:
            chunk = self.request.recv(4096)
            if not chunk:
                return
            data += chunk
        path = data.split(b" ")[1]
        try:
            if path == b"/not-http":
                self.request.sendall(b"SURPRISE\r\n\r\n")
            elif path == b"/many-headers":
                headers = b"".join(b"X-%d: y\r\n" % i for i in range(101))
                self.request.sendall(b"HTTP/1.1 200 OK\r\n" + headers + b"\r\n")
            elif path == b"/trickle":  # one byte a second: no read ever waits long
                for byte in b"HTTP/1.1 200 OK\r\nX-Slow: abcdefghijklmnopqrstuvwxyz":
                    self.request.sendall(bytes([byte]))
                    time.sleep(1)
            elif path == b"/escape":
                self.request.sendall(b"HTTP/1.1 301 Moved\r\nLocation: /x\x1b[2J\r\nContent-Length: 0\r\n\r\n")
            elif path == b"/agent":
                agent = [line for line in data.split(b"\r\n") if line.lower().startswith(b"user-agent:")]
                status = b"200 OK" if agent and agent[0].isascii() else b"400 Bad"
                self.request.sendall(b"HTTP/1.1 " + status + b"\r\nContent-Length: 0\r\n\r\n")
        except OSError:  # the checker hung up: stop
            pass


@pytest.fixture
def hostile():
    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Hostile)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_a_server_sending_a_byte_a_second_is_cut_at_the_deadline(hostile):
    start = time.monotonic()
    answer = local(hostile + "/trickle", "test", timeout=2)
    assert time.monotonic() - start < 3.5
    assert answer.status is None and answer.error == "did not answer within 2 s"


@pytest.mark.parametrize("path, said", [
    ("/not-http", "did not give an HTTP answer (BadStatusLine: "),
    ("/many-headers", "did not give an HTTP answer (HTTPException: got more than 100 headers)"),
])
def test_an_answer_that_is_not_http_is_gone_not_a_crash(hostile, path, said):
    answer = local(hostile + path, "test", timeout=5)
    assert answer.status is None and answer.error.startswith(said)


@pytest.mark.parametrize("url, why", [
    ("http://127.0.0.1:abc/", "has a port, 'abc', that is not a number from 1 to 65535; correct url:"),
    ("http://[::1]:99999/", "has a port, '99999', that is not a number from 1 to 65535; correct url:"),
    ("http://127.0.0.1:0/", "has a port, '0', that is not a number from 1 to 65535; correct url:"),
    # The port as the address gives it: not the password before it, all of it after the bracket.
    ("http://user:pw@example.org:eighty/", "has a port, 'eighty', that is not a number from 1 to 65535; correct url:"),
    ("http://[::1]:8]/", "has a port, '8]', that is not a number from 1 to 65535; correct url:"),
    ("http://user@[::1]:8:9/", "has a port, '8:9', that is not a number from 1 to 65535; correct url:"),
    ("http://example.org:1:x/", "has a port, 'x', that is not a number from 1 to 65535; correct url:"),
    ("http://example.org/a\x7fb", "holds the invisible or control character \\x7f; correct url:"),
    ("http://example.org/\x1b[2J", "holds the invisible or control character \\x1b; correct url:"),
    ("http://[::1/", "is not a web address (Invalid IPv6 URL); correct url:"),
    ("http:///path", "names no host; correct url:"),
    ("ftp://example.org/", "does not start with http:// or https://; correct url:"),
    ("http://a..b/", "has a host name, 'a..b', that is not a valid name; correct url:"),
])
def test_an_unusable_address_is_not_checked(url, why):
    assert request(url, "test") == linkcheck.Answer(None, not_checked=why)


@pytest.mark.parametrize("url, target", [
    ("https://example.org", linkcheck.Target(True, "example.org", 443, "/")),
    ("http://example.org?q=1", linkcheck.Target(False, "example.org", 80, "/?q=1")),
    ("HTTPS://bücher.example:8443/a b", linkcheck.Target(True, "xn--bcher-kva.example", 8443, "/a%20b")),
])
def test_an_address_is_asked_at_its_port_or_the_schemes_own_and_at_slash_for_no_path(url, target):
    assert linkcheck.Target.of(url) == target


def test_a_long_address_is_cut_in_a_report_line_in_the_script_it_is_written_in():
    assert linkcheck.shown("é" * linkcheck.SHOWN) == "é" * linkcheck.SHOWN
    assert linkcheck.shown("é" * (linkcheck.SHOWN + 1)) == "é" * (linkcheck.SHOWN - 1) + "…"


@pytest.fixture
def listener():
    """A socket on 127.0.0.1 that nothing should connect to; yields its port and a function saying
    whether anything did."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen(8)
        sock.setblocking(False)

        def connected() -> bool:
            try:
                sock.accept()[0].close()
            except BlockingIOError:
                return False
            return True

        yield sock.getsockname()[1], connected


@pytest.mark.parametrize("host, ip, kind", [
    ("127.0.0.1", "127.0.0.1", "loopback"),
    ("2130706433", "127.0.0.1", "loopback"),  # 127.0.0.1 as one decimal number
    ("0x7f.1", "127.0.0.1", "loopback"),
    ("[::ffff:127.0.0.1]", "::ffff:7f00:1", "loopback"),
    ("0.0.0.0", "0.0.0.0", "unspecified"),  # Linux connects it to this machine
    ("[::1]", "::1", "loopback"),
    ("10.1.2.3", "10.1.2.3", "private or special-use"),
    ("169.254.169.254", "169.254.169.254", "link-local"),  # a cloud's metadata service
])
def test_loopback_private_and_decimal_addresses_are_refused_without_a_connection(listener, host, ip, kind):
    port, connected = listener
    answer = request(f"http://{host}:{port}/latest", "test", timeout=2)
    assert answer == linkcheck.Answer(None, not_checked=(
        f"leads to {ip}, a {kind} address; only addresses on the public internet are requested: "
        "give the document's public address in url:"
    ))
    assert not connected()


def test_localhost_is_refused_by_what_it_resolves_to(listener):
    port, connected = listener
    answer = request(f"http://localhost:{port}/", "test", timeout=2)
    assert answer.not_checked.startswith("leads to ") and ", a loopback address;" in answer.not_checked
    assert not connected()


def test_the_check_connects_to_the_address_it_judged(hostile, monkeypatch):
    """A name that resolves to a public address when judged and to another at connection time
    (DNS rebinding) is not asked again: the connection goes to the judged address."""
    looked_up = []
    real = socket.getaddrinfo

    def rebinding(host, port, *args, **kwargs):
        looked_up.append(host)
        return real("127.0.0.1", port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", rebinding)
    monkeypatch.setattr(socket, "create_connection", lambda *a, **k: pytest.fail("resolved again"))
    assert local(hostile.replace("127.0.0.1", "rebind.test") + "/agent", "test").status == 200
    assert looked_up == ["rebind.test"]


def test_a_redirect_is_shown_with_its_control_characters_escaped(hostile):
    answer = local(hostile + "/escape", "test")
    finding = linkcheck.Finding(type("S", (), {"url": hostile + "/escape"})(), answer)
    assert f"redirects (301) to {hostile}/x\\x1b[2J;" in finding.message()


def test_a_site_title_in_any_script_makes_a_user_agent_a_server_accepts(hostile):
    agent = user_agent("Vigilancia — 東京\nX-Injected: 1")
    assert agent.isascii() and agent.isprintable()
    assert agent.endswith("; Vigilancia \\u2014 \\u6771\\u4eac X-Injected: 1)")  # the site, on one line
    assert local(hostile + "/agent", agent).status == 200


def hostile_project(project, sources: dict[str, str]) -> None:
    daily = project.root / "content/sources/daily-2020-01-02.yaml"  # no request may leave this machine
    daily.write_text(daily.read_text().replace("https://news.example.org/acme", "http://10.0.0.1/acme"))
    for name, url in sources.items():
        write(project, f"content/sources/{name}.yaml", source(url))
        write(project, f"content/pages/cites-{name}.md", f"---\ntitle: {name}\n---\nText [@{name}].\n")


def test_the_command_reports_each_hostile_address_and_goes_on(project, hostile, loopback_allowed, capsys):
    hostile_project(project, {
        "headers": hostile + "/many-headers", "not-http": hostile + "/not-http",
        "port": "http://127.0.0.1:abc/", "control": "http://example.org/a\u202eb",  # the rest of the line right to left
        "metadata": "http://169.254.169.254/latest/meta-data/",
    })
    status, out, err = run(project, "check", "--external", capsys=capsys)
    assert status == 1 and "Traceback" not in err
    lines = err.splitlines()
    assert [line.split(": ")[0] for line in lines] == [
        "content/sources/control.yaml:4:6", "content/sources/daily-2020-01-02.yaml:5:6",
        "content/sources/headers.yaml:4:6", "content/sources/metadata.yaml:4:6",
        "content/sources/not-http.yaml:4:6", "content/sources/port.yaml:4:6",
    ]
    assert lines[0].endswith(
        "address not checked: http://example.org/a\\u202eb holds the invisible or control character \\u202e; correct url:"
    )
    assert "address not checked: http://10.0.0.1/acme leads to 10.0.0.1, a private or special-use address;" in lines[1]
    assert f"address gone: {hostile}/many-headers did not give an HTTP answer (HTTPException: got more" in lines[2]
    assert "address not checked: http://169.254.169.254/latest/meta-data/ leads to 169.254.169.254, a link-local" in lines[3]
    assert f"address gone: {hostile}/not-http did not give an HTTP answer (BadStatusLine:" in lines[4]
    assert "address not checked: http://127.0.0.1:abc/ has a port, 'abc', that is not a number" in lines[5]
    assert "asked 2 source addresses: 2 gone or moved; 4 not checked" in out


def test_by_default_the_command_connects_to_no_local_address(project, listener, capsys):
    port, connected = listener
    hostile_project(project, {
        "loopback": f"http://127.0.0.1:{port}/", "localhost": f"http://localhost:{port}/",
        "decimal": f"http://2130706433:{port}/",
    })
    status, out, err = run(project, "check", "--external", capsys=capsys)
    assert status == 1 and "Traceback" not in err
    assert err.count(", a loopback address; only addresses on the public internet are requested") == 3
    assert "asked 0 source addresses: 0 gone or moved; 4 not checked" in out
    assert not connected()


def test_the_whole_run_ends_at_its_deadline(project, hostile, monkeypatch, capsys):
    monkeypatch.setattr(linkcheck, "check_external", partial(
        linkcheck.check_external, timeout=10, workers=2, run_timeout=2, allow_loopback=True))
    hostile_project(project, {f"slow-{i}": hostile + "/trickle" for i in range(3)})
    start = time.monotonic()
    status, out, err = run(project, "check", "--external", capsys=capsys)
    assert time.monotonic() - start < 4
    assert status == 1
    assert err.count("was not asked before the check's 2 s were up; run the check again") == 3

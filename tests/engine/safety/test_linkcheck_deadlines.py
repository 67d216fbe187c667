"""The parts of `check --external` that keep a hostile address from hanging the check or reaching
another machine, asked one by one, on a clock the test moves: the name lookup left behind at its
deadline, the connection to the judged addresses only, and the run's deadline over all requests."""
from __future__ import annotations

import socket
import threading
import time

import pytest

from microsite import linkcheck
from microsite.errors import Location, Problems
from microsite.linkcheck import Answer, _ask_all, _connect, _resolve
from microsite.model import Source


@pytest.fixture
def slow_lookup(monkeypatch):
    """A name lookup that answers only when the test lets it."""
    release = threading.Event()

    def lookup(host, port, *args, **kwargs):
        release.wait(10)
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("93.184.216.34", port))]

    monkeypatch.setattr(socket, "getaddrinfo", lookup)
    yield release
    release.set()


def test_a_lookup_still_running_at_the_deadline_is_left_behind(slow_lookup):
    start = time.monotonic()
    with pytest.raises(TimeoutError):
        _resolve("slow.example", 80, time.monotonic() + 0.3)
    assert 0.2 < time.monotonic() - start < 2
    [left] = [t for t in threading.enumerate() if t.is_alive() and getattr(t, "_target", None)
              and t._target.__name__ == "look_up"]
    assert left.daemon  # it keeps no process from ending


def test_a_lookup_whose_deadline_has_passed_is_not_waited_for(slow_lookup):
    start = time.monotonic()
    with pytest.raises(TimeoutError):
        _resolve("slow.example", 80, time.monotonic() - 5)
    assert time.monotonic() - start < 0.5


def test_a_lookup_gives_every_address_of_the_name_for_a_stream(monkeypatch):
    asked = []
    found = [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("93.184.216.34", 443))]

    def lookup(*args, **kwargs):
        asked.append((args, kwargs))
        return found

    monkeypatch.setattr(socket, "getaddrinfo", lookup)
    assert _resolve("name.example", 443, time.monotonic() + 5) == found
    assert asked == [(("name.example", 443), {"type": socket.SOCK_STREAM})]


@pytest.mark.parametrize("error", [socket.gaierror(-2, "Name or service not known"), UnicodeError("label too long")])
def test_a_lookup_that_fails_says_why(monkeypatch, error):
    def lookup(*args, **kwargs):
        raise error

    monkeypatch.setattr(socket, "getaddrinfo", lookup)
    with pytest.raises(type(error)) as raised:
        _resolve("name.example", 80, time.monotonic() + 5)
    assert raised.value is error


@pytest.fixture
def ports():
    """A port that listens and one that nothing listens on, both on 127.0.0.1."""
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        nothing = closed.getsockname()[1]
    with socket.socket() as listening:
        listening.bind(("127.0.0.1", 0))
        listening.listen(4)
        yield listening.getsockname()[1], nothing


def address(port: int) -> tuple:
    return (socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP, "", ("127.0.0.1", port))


def test_the_connection_goes_to_the_first_judged_address_that_answers(ports):
    listening, nothing = ports
    with _connect([address(nothing), address(listening)], time.monotonic() + 5) as sock:
        assert sock.getpeername() == ("127.0.0.1", listening)
        assert 3 < sock.gettimeout() <= 5  # what is left of the request's time, not more
    with _connect([address(listening), address(nothing)], time.monotonic() + 0.5) as sock:
        assert sock.getpeername() == ("127.0.0.1", listening)
        assert 0 < sock.gettimeout() <= 0.5


def test_a_connection_no_judged_address_accepts_fails_with_the_last_error(ports):
    _, nothing = ports
    with pytest.raises(ConnectionRefusedError):
        _connect([address(nothing), address(nothing)], time.monotonic() + 5)
    with pytest.raises(TimeoutError):
        _connect([], time.monotonic() + 5)


def test_a_connection_past_its_deadline_still_waits_a_moment_not_forever(ports, monkeypatch):
    listening, _ = ports
    timeouts = []
    real = socket.socket.settimeout

    def settimeout(self, value):
        timeouts.append(value)
        real(self, value)

    monkeypatch.setattr(socket.socket, "settimeout", settimeout)
    try:
        _connect([address(listening)], time.monotonic() - 5).close()
    except OSError:
        pass
    assert timeouts == [0.001]  # 0 would make the socket non-blocking, None wait for ever


class Clock:
    """The check's clock, moved by the test's requests only; the main thread's stays at 0, so it
    waits for the workers in real time while they see the run's time run out."""

    def __init__(self):
        self.now = 0.0
        self.main = threading.main_thread()

    def __call__(self) -> float:
        return 0.0 if threading.current_thread() is self.main else self.now


@pytest.fixture
def clock(monkeypatch):
    clock = Clock()
    monkeypatch.setattr(linkcheck, "monotonic", clock)
    return clock


def asking(clock, monkeypatch, took: float, late: set[str] = frozenset()):
    """Requests that each take `took` of the check's time; those in `late` get no answer."""
    asked = []
    lock = threading.Lock()

    def request(url, agent, timeout, *, allow_loopback=False):
        with lock:
            asked.append((url, agent, timeout, allow_loopback))
            clock.now += took
        return Answer(None, error="late", late=True) if url in late else Answer(200, error=url)

    monkeypatch.setattr(linkcheck, "request", request)
    return asked


def test_every_address_is_asked_once_in_its_place_with_the_request_timeout(clock, monkeypatch):
    asked = asking(clock, monkeypatch, took=1)
    urls = [f"https://{i}.example/" for i in range(6)]
    answers = _ask_all(urls, "agent", timeout=3, workers=2, run_timeout=100, allow_loopback=True)
    assert answers == [Answer(200, error=url) for url in urls]
    assert sorted(asked) == [(url, "agent", 3, True) for url in urls]


def test_addresses_not_asked_before_the_runs_deadline_have_no_answer(clock, monkeypatch):
    asked = asking(clock, monkeypatch, took=4.5)
    urls = [f"https://{i}.example/" for i in range(5)]
    answers = _ask_all(urls, "agent", timeout=3, workers=1, run_timeout=10, allow_loopback=False)
    # asked at 0, 4.5 and 9 (with 1 s left: its timeout is cut to 1), not at 13.5
    assert answers == [Answer(200, error=url) for url in urls[:3]] + [None, None]
    assert [timeout for _, _, timeout, _ in asked] == [3, 3, 1]


def test_a_request_is_not_started_with_no_time_left(clock, monkeypatch):
    asked = asking(clock, monkeypatch, took=5)
    answers = _ask_all(["https://a.example/", "https://b.example/"], "agent", 3, 1, run_timeout=5, allow_loopback=False)
    assert answers == [Answer(200, error="https://a.example/"), None]  # at 5 the run's 5 s are up
    assert len(asked) == 1


def test_a_silence_cut_short_by_the_runs_deadline_is_no_answer(clock, monkeypatch):
    """Late with its whole timeout: the server is silent (gone). Late with only what the run had
    left: nothing is known, and the address is listed as not asked."""
    urls = ["https://a.example/", "https://b.example/", "https://c.example/"]
    asking(clock, monkeypatch, took=4, late=set(urls))
    answers = _ask_all(urls, "agent", timeout=3, workers=1, run_timeout=10, allow_loopback=False)
    assert answers == [Answer(None, error="late", late=True)] * 2 + [None]
    clock.now = 0.0
    asking(clock, monkeypatch, took=5, late=set(urls))
    answers = _ask_all(urls[:2], "agent", timeout=5, workers=1, run_timeout=10, allow_loopback=False)
    assert answers == [Answer(None, error="late", late=True)] * 2  # the second had its whole 5 s


def test_no_more_requests_at_a_time_than_workers(monkeypatch):
    running, most = [0], [0]
    lock = threading.Lock()

    def request(url, agent, timeout, *, allow_loopback=False):
        with lock:
            running[0] += 1
            most[0] = max(most[0], running[0])
        time.sleep(0.05)
        with lock:
            running[0] -= 1
        return Answer(200)

    monkeypatch.setattr(linkcheck, "request", request)
    assert _ask_all([f"https://{i}.example/" for i in range(8)], "a", 3, 3, 100, False) == [Answer(200)] * 8
    assert most[0] == 3
    assert _ask_all([], "a", 3, 3, 100, False) == []


def test_get_is_asked_where_head_is_refused_within_the_same_deadline(monkeypatch):
    asked = []
    monkeypatch.setattr(linkcheck, "monotonic", lambda: 100.0)

    def ask(target, method, agent, deadline, timeout, allow_loopback):
        asked.append((method, agent, deadline, timeout, allow_loopback))
        return Answer(statuses[method])

    monkeypatch.setattr(linkcheck, "_ask", ask)
    for head, asked_get in ((405, True), (501, True), (404, False), (400, False), (200, False), (None, False)):
        asked.clear()
        statuses = {"HEAD": head, "GET": 200}
        answer = linkcheck.request("https://example.org/a", "agent", 7, allow_loopback=True)
        expected = [("HEAD", "agent", 107.0, 7, True)] + [("GET", "agent", 107.0, 7, True)] * asked_get
        assert asked == expected and answer == Answer(200 if asked_get else head)
    asked.clear()
    statuses = {"HEAD": 200}
    linkcheck.request("https://example.org/a", "agent")
    assert asked == [("HEAD", "agent", 100.0 + linkcheck.TIMEOUT, linkcheck.TIMEOUT, False)]


def target(url: str) -> linkcheck.Target:
    return linkcheck.Target.of(url)


@pytest.mark.parametrize("error, said", [
    (socket.gaierror(-2, "Name or service not known"), Answer(None, error="has a name that does not resolve (DNS)")),
    (TimeoutError(), Answer(None, error="did not answer within 1.5 s", late=True)),
    (socket.timeout(), Answer(None, error="did not answer within 1.5 s", late=True)),
    (OSError("no route"), Answer(None, error="could not be reached (no route)")),
    (UnicodeError("label empty or too long"), Answer(None, error="could not be reached (label empty or too long)")),
])
def test_a_lookup_that_fails_is_reported_without_a_connection(monkeypatch, error, said):
    def resolve(host, port, deadline):
        raise error

    monkeypatch.setattr(linkcheck, "_resolve", resolve)
    monkeypatch.setattr(linkcheck, "_connect", lambda *a: pytest.fail("connected"))
    assert linkcheck._ask(target("http://name.example/"), "HEAD", "a", time.monotonic() + 1.5, 1.5, True) == said


def resolving_to(monkeypatch, *ips: str) -> list:
    looked_up = []

    def resolve(host, port, deadline):
        looked_up.append((host, port))
        return [(socket.AF_INET6 if ":" in ip else socket.AF_INET, socket.SOCK_STREAM, 6, "", (ip, port)) for ip in ips]

    monkeypatch.setattr(linkcheck, "_resolve", resolve)
    monkeypatch.setattr(linkcheck, "_connect", lambda *a: pytest.fail("connected"))
    return looked_up


@pytest.mark.parametrize("ips, shown, kind", [
    (["10.0.0.1"], "10.0.0.1", "private or special-use"),
    (["93.184.216.34", "127.0.0.1"], "127.0.0.1", "loopback"),  # one address of the name is enough
    (["127.0.0.1", "169.254.169.254"], "169.254.169.254", "link-local"),
])
def test_a_name_leading_to_any_local_address_is_not_asked(monkeypatch, ips, shown, kind):
    looked_up = resolving_to(monkeypatch, *ips)
    allow_loopback = kind != "loopback"  # the tests' own servers: loopback, and nothing else
    answer = linkcheck._ask(target("https://name.example:8443/"), "GET", "a", time.monotonic() + 5, 5, allow_loopback)
    assert answer == Answer(None, not_checked=(
        f"leads to {shown}, a {kind} address; only addresses on the public internet are requested: "
        "give the document's public address in url:"))
    assert looked_up == [("name.example", 8443)]


@pytest.fixture
def recorder():
    """A local HTTP server answering 200 and keeping each request's method, path and headers."""
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    seen = []

    class Handler(BaseHTTPRequestHandler):
        def do_HEAD(self):
            seen.append((self.command, self.path, dict(self.headers)))
            self.send_response(301)
            self.send_header("Location", "/there")
            self.send_header("Content-Length", "0")
            self.end_headers()

        do_GET = do_HEAD

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield server.server_address[1], seen
    server.shutdown()
    server.server_close()


def test_the_request_says_who_asks_and_takes_any_answer(recorder):
    port, seen = recorder
    answer = linkcheck._ask(target(f"http://127.0.0.1:{port}/a%20b?q=1"), "HEAD", "the agent",
                            time.monotonic() + 5, 5, True)
    assert answer == Answer(301, "/there")
    [(method, path, headers)] = seen
    assert (method, path) == ("HEAD", "/a%20b?q=1")
    assert headers["User-Agent"] == "the agent" and headers["Accept"] == "*/*"
    assert headers["Host"] == f"127.0.0.1:{port}"


def test_an_https_address_is_asked_over_tls(recorder):
    port, seen = recorder
    answer = linkcheck._ask(target(f"https://127.0.0.1:{port}/"), "HEAD", "a", time.monotonic() + 5, 5, True)
    assert answer.status is None and answer.error.startswith("could not be reached (") and "SSL" in answer.error
    assert seen == []


def test_a_connection_made_after_the_deadline_is_late_not_unreachable(recorder, monkeypatch):
    """The request's time ran out while connecting: the watchdog cuts the new connection at once,
    and the answer says the server was too slow, not that it could not be reached."""
    port, _ = recorder
    connect = linkcheck._connect

    def slow(addresses, deadline):
        time.sleep(max(0.0, deadline - time.monotonic()) + 0.2)
        return connect(addresses, deadline + 5)

    monkeypatch.setattr(linkcheck, "_connect", slow)
    answer = linkcheck._ask(target(f"http://127.0.0.1:{port}/"), "HEAD", "a", time.monotonic() + 0.3, 0.3, True)
    assert answer == Answer(None, error="did not answer within 0.3 s", late=True)


def test_the_workers_end_quietly_and_keep_no_process_from_ending(monkeypatch):
    daemons, failures = [], []
    monkeypatch.setattr(threading, "excepthook", lambda args: failures.append(args.exc_type))

    def request(url, agent, timeout, *, allow_loopback=False):
        daemons.append(threading.current_thread().daemon)
        return Answer(200)

    monkeypatch.setattr(linkcheck, "request", request)
    assert _ask_all(["https://a.example/", "https://b.example/"], "a", 3, 4, 100, False) == [Answer(200)] * 2
    time.sleep(0.2)  # the workers' last turn: the queue found empty
    assert daemons == [True, True] and failures == []


def test_the_run_ends_at_its_deadline_whatever_a_request_does(monkeypatch):
    """A request that overstays its own timeout (a lookup left behind) does not hold the run."""
    release = threading.Event()

    def request(url, agent, timeout, *, allow_loopback=False):
        release.wait(10)
        return Answer(200)

    monkeypatch.setattr(linkcheck, "request", request)
    start = time.monotonic()
    try:
        answers = _ask_all([f"https://{i}.example/" for i in range(3)], "a", 3, 2, 0.3, False)
    finally:
        release.set()
    assert 0.25 < time.monotonic() - start < 0.9
    assert answers == [None, None, None]


def a_source(name: str, url: str | None, url_at: Location | None):
    return Source(name, "Title", ("P",), "news", None, None, url, None, None, (), None,
                  Location(f"content/sources/{name}.yaml"), url_at=url_at)


def test_each_address_is_reported_at_its_url_line_or_its_files_first(monkeypatch):
    seen = {}

    def ask_all(urls, agent, timeout, workers, run_timeout, allow_loopback):
        seen.update(urls=urls, agent=agent, args=(timeout, workers, run_timeout, allow_loopback))
        return [Answer(404), Answer(200), None, Answer(None, not_checked="leads to 10.0.0.1"), Answer(301, "/b")]

    monkeypatch.setattr(linkcheck, "_ask_all", ask_all)
    sources = {
        "e": a_source("e", "https://e.example/a", None),
        "a": a_source("a", "https://a.example/", Location("content/sources/a.yaml", 4, 6)),
        "b": a_source("b", "https://b.example/", None),
        "c": a_source("c", "https://c.example/", None),
        "n": a_source("n", None, None),
        "d": a_source("d", "https://d.example/", Location("content/sources/d.yaml", 5, 6)),
    }
    problems = Problems()
    tally = linkcheck.check_external(sources, "Site — 東京", problems, 7, 3, run_timeout=60, allow_loopback=True)
    assert seen == {"urls": [f"https://{n}.example/" for n in "abcd"] + ["https://e.example/a"],
                    "agent": linkcheck.user_agent("Site — 東京"), "args": (7, 3, 60, True)}
    assert [str(p.location) for p in problems.items] == [
        "content/sources/a.yaml:4:6", "content/sources/c.yaml:1:1", "content/sources/d.yaml:5:6",
        "content/sources/e.yaml:1:1",
    ]
    assert problems.items[1].message == (
        "address not checked: https://c.example/ was not asked before the check's 60 s were up; run the check again")
    assert tally == linkcheck.Tally(asked=3, not_checked=2)


def test_an_https_request_names_its_host_and_port(tmp_path, monkeypatch):
    """Over TLS too, the Host header a server routes by carries the address's port."""
    import shutil
    import ssl
    import subprocess

    if shutil.which("openssl") is None:
        pytest.skip("openssl makes the test's certificate")
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1",
                    "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", str(key), "-out", str(cert)],
                   check=True, capture_output=True)
    seen = []
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    class Handler(BaseHTTPRequestHandler):
        def do_HEAD(self):
            seen.append((self.command, self.path, dict(self.headers)))
            self.send_response(204)
            self.end_headers()

        def log_message(self, *args):
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    served = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    served.load_cert_chain(cert, key)
    httpd.socket = served.wrap_socket(httpd.socket, server_side=True)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    trusting = ssl.create_default_context(cafile=str(cert))
    monkeypatch.setattr(linkcheck, "_tls", lambda: trusting)
    try:
        tls_port = httpd.server_address[1]
        answer = linkcheck._ask(target(f"https://127.0.0.1:{tls_port}/x"), "HEAD", "a", time.monotonic() + 5, 5, True)
    finally:
        httpd.shutdown()
        httpd.server_close()
    assert answer == Answer(204)
    assert [(m, p, h["Host"]) for m, p, h in seen] == [("HEAD", "/x", f"127.0.0.1:{tls_port}")]

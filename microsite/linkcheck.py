"""`check --external`: every source's address requested, to find the ones gone or moved.

Addresses rot: a report's PDF moves between versions, an article is taken down. This asks each
source's `url` once (HEAD, or GET where a server refuses HEAD), a few at a time, under a
User-Agent that says what is asking and why, and reports each address gone (an error status, a
name that does not resolve, no answer, an answer that is not HTTP) or moved (a redirect to another
address) at the source file's `url:` line, with the Wayback Machine's lookup for that address.

A `url` comes with a pull request, so nothing about it or its server is trusted: an address that
is not a usable web address, or that resolves to anything but the public internet
(`public_ip.py`), is reported "not checked" and never connected to; the connection goes to the
very address that was judged, so a name cannot resolve to another one in between; a request has
a deadline for the whole of it, and the run one for all of them. A redirect is reported, not
followed, so no address is requested that was not judged. Only the standard library: it runs
where the site is built, and never from a reader's browser.
"""
from __future__ import annotations

import http.client
import ipaddress
import socket
import ssl
import threading
from dataclasses import dataclass
from functools import lru_cache
from time import monotonic
from urllib.parse import quote, urljoin, urlsplit

from .errors import Location, Problems
from .model import Source
from .public_ip import LOOPBACK, refused_reason

TIMEOUT = 20.0  # seconds a server may take to answer (HEAD and GET together), however it trickles
RUN_TIMEOUT = 600.0  # seconds the whole check may take; addresses not asked by then are listed
WORKERS = 4  # requests at a time: enough to finish soon, few enough to burden no one
USER_AGENT = "microsite-link-check/1 (checks that the sources a site cites are still online; {site})"
ARCHIVE_LOOKUP = "https://web.archive.org/web/*/{url}"
SHOWN = 200  # characters of an address or a server's words shown in a report
_PATH_SAFE = "".join(chr(c) for c in range(0x21, 0x7F))  # what a request line carries as it is


@dataclass(frozen=True)
class Answer:
    """What a server said to one address: its status (None when nothing answered), where it
    redirects, why nothing answered, or why the address was not asked at all."""

    status: int | None
    location: str | None = None
    error: str = ""
    not_checked: str = ""
    late: bool = False  # nothing answered before the deadline


@dataclass(frozen=True)
class Finding:
    source: Source
    answer: Answer

    @property
    def url(self) -> str:
        return self.source.url or ""

    @property
    def moved_to(self) -> str | None:
        """The other address a redirect leads to (a redirect to the same address is no move)."""
        if self.answer.status is None or not 300 <= self.answer.status < 400 or not self.answer.location:
            return None
        target = urljoin(self.url, self.answer.location)
        return None if target == self.url else target

    @property
    def gone(self) -> bool:
        return not self.answer.not_checked and (self.answer.status is None or self.answer.status >= 400)

    def message(self) -> str:
        url = shown(self.url)
        if self.answer.not_checked:
            return f"address not checked: {url} {self.answer.not_checked}"
        archive = ARCHIVE_LOOKUP.format(url=url)
        if self.gone:
            said = f"answered {self.answer.status}" if self.answer.status else self.answer.error
            return (
                f"address gone: {url} {said}; look for an archived copy at {archive} and give it "
                "as archive_url:, or correct url:"
            )
        return (
            f"address moved: {url} redirects ({self.answer.status}) to {shown(self.moved_to or '')}; if it is the "
            f"same document, put the new address in url:, else look for an archived copy at {archive}"
        )


def shown(text: str) -> str:
    """`text` fit for a report line: control characters written as escapes (a `url` or a server's
    Location could otherwise move the terminal's cursor or start a line of its own), and cut short."""
    text = "".join(c if c.isprintable() else ascii(c)[1:-1] for c in text)
    return text if len(text) <= SHOWN else text[: SHOWN - 1] + "…"


class Unusable(ValueError):
    """An address no request can be made for; its message says what is wrong with it."""


@dataclass(frozen=True)
class Target:
    """The parts of an address a request is made from."""

    https: bool
    host: str  # ASCII (IDNA), without brackets
    port: int
    path: str  # with its query, ASCII

    @classmethod
    def of(cls, url: str) -> "Target":
        bad = next((c for c in url if not c.isprintable()), None)
        if bad is not None:
            raise Unusable(f"holds the invisible or control character {ascii(bad)[1:-1]}")
        try:
            parts = urlsplit(url)
        except ValueError as e:  # such as an unclosed [ of an IPv6 address
            raise Unusable(f"is not a web address ({e})") from None
        try:
            port = parts.port
        except ValueError:
            raise Unusable(f"has a port, '{shown(_port_text(parts.netloc))}', that is not a number from 1 to 65535") from None
        if parts.scheme.lower() not in ("http", "https"):
            raise Unusable("does not start with http:// or https://")
        if not parts.hostname:
            raise Unusable("names no host")
        if port == 0:
            raise Unusable("has a port, '0', that is not a number from 1 to 65535")
        try:
            host = parts.hostname.encode("idna").decode("ascii")
        except UnicodeError:
            raise Unusable(f"has a host name, '{shown(parts.hostname)}', that is not a valid name") from None
        https = parts.scheme.lower() == "https"
        path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        return cls(https, host, port or (443 if https else 80), quote(path, safe=_PATH_SAFE))


def _port_text(netloc: str) -> str:
    """The port as urllib reads it: after the user's name and password, after an IPv6 address's
    closing bracket, after the host name's last colon."""
    host = netloc.rpartition("@")[2]
    if host.startswith("["):
        return host.partition("]")[2].partition(":")[2]
    return host.rpartition(":")[2]


def request(
    url: str, user_agent: str, timeout: float = TIMEOUT, *, allow_loopback: bool = False
) -> Answer:
    """HEAD the address, then GET it if the server refuses HEAD (405, 501), both within `timeout`.
    `allow_loopback` is for the tests' local servers only: no command line or content sets it."""
    try:
        target = Target.of(url)
    except Unusable as e:
        return Answer(None, not_checked=f"{e}; correct url:")
    deadline = monotonic() + timeout
    answer = _ask(target, "HEAD", user_agent, deadline, timeout, allow_loopback)
    if answer.status in (405, 501):
        answer = _ask(target, "GET", user_agent, deadline, timeout, allow_loopback)
    return answer


def _ask(target: Target, method: str, user_agent: str, deadline: float, timeout: float, allow_loopback: bool) -> Answer:
    late = Answer(None, error=f"did not answer within {timeout:g} s", late=True)
    try:
        addresses = _resolve(target.host, target.port, deadline)
    except socket.gaierror:
        return Answer(None, error="has a name that does not resolve (DNS)")
    except (TimeoutError, socket.timeout):
        return late
    except (OSError, UnicodeError) as e:
        return Answer(None, error=f"could not be reached ({shown(str(e))})")
    for address in addresses:
        ip = ipaddress.ip_address(address[4][0])
        reason = refused_reason(ip)
        if reason and not (allow_loopback and reason == LOOPBACK):
            return Answer(
                None,
                not_checked=f"leads to {ip}, a {reason} address; only addresses on the public internet are "
                "requested: give the document's public address in url:",
            )
    watchdog = _Watchdog(deadline)
    if target.https:
        connection = http.client.HTTPSConnection(target.host, target.port, context=_tls())
    else:
        connection = http.client.HTTPConnection(target.host, target.port)
    # To the address judged above, not to whatever the name resolves to by now, and with the
    # request's deadline (`_connect`): the connection's own timeout is not used.
    connection._create_connection = lambda *_: watchdog.watch(_connect(addresses, deadline))
    try:
        connection.request(method, target.path, headers={"User-Agent": user_agent, "Accept": "*/*"})
        response = connection.getresponse()
        location = response.getheader("Location")
        return Answer(response.status, location)
    except (TimeoutError, socket.timeout):
        return late
    except http.client.HTTPException as e:
        if watchdog.expired:
            return late
        return Answer(None, error=f"did not give an HTTP answer ({type(e).__name__}: {shown(str(e))})")
    except (OSError, ValueError) as e:
        if watchdog.expired:
            return late
        return Answer(None, error=f"could not be reached ({shown(str(e))})")
    finally:
        connection.close()
        watchdog.close()


def _resolve(host: str, port: int, deadline: float) -> list:
    """getaddrinfo, which takes no timeout, in a thread of its own, left behind when time is up."""
    result: list = []

    def look_up() -> None:
        try:
            result.append(socket.getaddrinfo(host, port, type=socket.SOCK_STREAM))
        except (OSError, UnicodeError) as e:
            result.append(e)

    thread = threading.Thread(target=look_up, daemon=True)
    thread.start()
    thread.join(max(0.0, deadline - monotonic()))
    if not result:
        raise TimeoutError
    if isinstance(result[0], BaseException):
        raise result[0]
    return result[0]


def _connect(addresses: list, deadline: float) -> socket.socket:
    """A connection to the first of the judged addresses that accepts one."""
    error: OSError = TimeoutError()
    for family, kind, proto, _, sockaddr in addresses:
        sock = socket.socket(family, kind, proto)
        try:
            sock.settimeout(max(0.001, deadline - monotonic()))
            sock.connect(sockaddr)
            return sock
        except OSError as e:
            sock.close()
            error = e
    raise error


class _Watchdog:
    """Cuts a connection when its request's time is up. A socket's timeout bounds each read, not
    the answer: a server that sends a byte a second would never trip it."""

    def __init__(self, deadline: float):
        self.expired = False
        self._socket: socket.socket | None = None
        self._lock = threading.Lock()
        self._timer = threading.Timer(max(0.0, deadline - monotonic()), self._cut)
        self._timer.daemon = True
        self._timer.start()

    def watch(self, sock: socket.socket) -> socket.socket:
        with self._lock:
            self._socket = sock.dup()  # its own descriptor: TLS takes `sock` over, closing frees it
            if self.expired:
                self._socket.shutdown(socket.SHUT_RDWR)
        return sock

    def _cut(self) -> None:
        with self._lock:
            self.expired = True
            if self._socket is not None:
                try:
                    self._socket.shutdown(socket.SHUT_RDWR)  # a blocked read returns at once
                except OSError:
                    pass

    def close(self) -> None:
        self._timer.cancel()
        with self._lock:
            if self._socket is not None:
                self._socket.close()


@lru_cache(maxsize=1)
def _tls() -> ssl.SSLContext:
    """Certificates checked against the name in the address, as a browser would."""
    return ssl.create_default_context()


def user_agent(site: str) -> str:
    """The User-Agent, in what a header may carry: a site's title may hold any character."""
    text = USER_AGENT.format(site=site).encode("ascii", "backslashreplace").decode("ascii")
    return "".join(c if c.isprintable() else " " for c in text)


@dataclass(frozen=True)
class Tally:
    asked: int  # addresses requested
    not_checked: int  # addresses refused, unusable, or not reached before the run's time was up


def check_external(
    sources: dict[str, Source],
    site: str,
    problems: Problems,
    timeout: float = TIMEOUT,
    workers: int = WORKERS,
    *,
    run_timeout: float = RUN_TIMEOUT,
    allow_loopback: bool = False,
) -> Tally:
    """Request every source address; report each gone, moved or not checked at its `url:` line.
    `allow_loopback` is for the tests' local servers only."""
    with_url = [s for _, s in sorted(sources.items()) if s.url]
    answers = _ask_all([s.url for s in with_url], user_agent(site), timeout, workers, run_timeout, allow_loopback)
    not_checked = 0
    for source, answer in zip(with_url, answers):
        if answer is None:
            answer = Answer(
                None,
                not_checked=f"was not asked before the check's {run_timeout:g} s were up; run the check again",
            )
        finding = Finding(source, answer)
        not_checked += bool(answer.not_checked)
        if finding.gone or finding.moved_to or answer.not_checked:
            problems.error(source.url_at or Location(source.location.path, 1, 1), finding.message())
    return Tally(len(with_url) - not_checked, not_checked)


def _ask_all(
    urls: list[str], agent: str, timeout: float, workers: int, run_timeout: float, allow_loopback: bool
) -> list[Answer | None]:
    """Each address's answer, or None for one not asked (or not answered) within `run_timeout`.
    Daemon threads, not a pool: a pool waits for its last request at exit, however long it takes."""
    run_deadline = monotonic() + run_timeout
    answers: list[Answer | None] = [None] * len(urls)
    queue = iter(range(len(urls)))
    lock = threading.Lock()

    def work() -> None:
        while True:
            with lock:
                i = next(queue, None)
            left = run_deadline - monotonic()
            if i is None or left <= 0:
                return
            answer = request(urls[i], agent, min(timeout, left), allow_loopback=allow_loopback)
            if left >= timeout or not answer.late:
                answers[i] = answer  # a silence cut short by the run's deadline says nothing

    threads = [threading.Thread(target=work, daemon=True) for _ in range(min(workers, len(urls)))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(max(0.0, run_deadline - monotonic()))
    return list(answers)

"""`build.py serve` over plain http, without a browser: it answers only this machine, a path no
file can have is a client error (not a traceback), and a taken port is said in one line."""
from __future__ import annotations

import http.client
import os
import socket
import subprocess
import threading
import time
from collections.abc import Iterator

import pytest

from tests.conftest import free_port, serve_command


def wait_for_start(server: subprocess.Popen, seconds: float = 30) -> None:
    """Until the preview says it serves: the site is built and the port bound. One silent for
    `seconds` (its line left in a buffer, say) is stopped, and the test fails."""
    stop = threading.Timer(seconds, server.kill)
    stop.start()
    try:
        for line in server.stdout:
            if line.startswith("previewing at"):
                return
    finally:
        stop.cancel()
    pytest.fail(f"the preview did not say it started: {server.stderr.read()}")


@pytest.fixture(params=["inotify", "polling"])
def preview(project, request) -> Iterator[tuple[int, subprocess.Popen]]:
    """A running preview of the mini project on a free port, once it says it is serving."""
    port = free_port()
    # Its output read through a pipe, as a user's `make serve | tee` would: buffered, unless flushed.
    buffered = {name: value for name, value in os.environ.items() if name != "PYTHONUNBUFFERED"}
    server = subprocess.Popen(serve_command(project, port, polling=request.param == "polling"), env=buffered,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        wait_for_start(server)
        yield port, server
    finally:
        server.terminate()
        server.communicate(timeout=10)


def get(port: int, path: str, host: str | None = None) -> int:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        connection.putrequest("GET", path, skip_host=host is not None)
        if host is not None:
            connection.putheader("Host", host)
        connection.endheaders()
        return connection.getresponse().status
    finally:
        connection.close()


def test_a_path_no_file_can_have_is_a_client_error(preview):
    port, server = preview
    assert get(port, "/index.html") == 200
    for path in ("/%00", "/companies/acme%00.html", "/%ff"):
        assert get(port, path) == 400, path
    server.terminate()
    _, err = server.communicate(timeout=10)
    assert "Traceback" not in err
    assert " 500 " not in err


def test_only_this_machine_is_answered(preview):
    """A page on another site whose name was pointed at 127.0.0.1 (DNS rebinding) reads nothing."""
    port, _ = preview
    for host in ("127.0.0.1", f"127.0.0.1:{port}", "localhost", f"localhost:{port}", f"[::1]:{port}", f"LocalHost:{port}"):
        assert get(port, "/companies/acme.html", host) == 200, host
    for host in ("evil.example", f"evil.example:{port}", f"127.0.0.1.evil.example:{port}", "127.0.0.1:1",
                 f"127.0.0.1:{port}.evil.example", f"localhost:{port}0"):
        assert get(port, "/companies/acme.html", host) == 403, host
        assert get(port, "/livereload.js", host) == 403, host
    assert get(port, "/companies/acme.html", f"127.0.0.1:{port}@evil.example") == 400  # no host has that name


def test_no_other_address_of_this_machine_is_listened_on(preview):
    """Bound to 127.0.0.1 alone: a socket on every address would also take 127.0.0.2 (and the
    machine's network addresses, where others could read the preview)."""
    port, _ = preview
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection(("127.0.0.2", port), timeout=10).close()


def body(port: int, path: str) -> str:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        connection.request("GET", path)
        return connection.getresponse().read().decode("utf-8", "replace")
    finally:
        connection.close()


def shows(port: int, path: str, words: str, seconds: float = 30) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if words in body(port, path):
            return True
        time.sleep(0.05)
    return False


def test_each_save_reaches_its_page_then_the_search_index(preview, project):
    """The page at once, the search index a moment later (made after the reload, in a child process);
    saves one after another: after the last one's index was made, before it, with an error, mended."""
    port, server = preview
    company = project.root / "content/companies/acme.md"
    text = company.read_text()
    for word in ("first", "then", "[@nowhere]", "last"):
        words = f"Acme {word} sells the"
        company.write_text(text.replace("Acme builds the", words))
        shown = "unknown source &#39;nowhere&#39;" if word == "[@nowhere]" else words
        assert shows(port, "/companies/acme.html", shown), words
        if word == "first":  # the index is made a second after the page: the reload comes first
            assert "first" not in body(port, "/assets/search-index.js")
        if word in ("first", "last"):  # the others come before their index is made
            assert shows(port, "/assets/search-index.js", word), words
    server.terminate()
    _, err = server.communicate(timeout=10)
    assert "Traceback" not in err


def test_the_reload_socket_refuses_other_sites(preview):
    """livereload accepted a websocket from any page, which then heard the name of every file saved."""
    port, _ = preview

    def handshake(origin: str) -> int:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        try:
            connection.request("GET", "/livereload", headers={
                "Upgrade": "websocket", "Connection": "Upgrade", "Sec-WebSocket-Version": "13",
                "Sec-WebSocket-Key": "dGhlIHNhbXBsZSBub25jZQ==", "Origin": origin,
            })
            return connection.getresponse().status
        finally:
            connection.close()

    for origin in (f"http://127.0.0.1:{port}", f"http://localhost:{port}", f"http://LocalHost:{port}", f"http://[::1]:{port}"):
        assert handshake(origin) == 101, origin
    for origin in (
        "https://evil.example", "null",
        # a name that only starts like the preview's (an origin matched by its beginning)
        "http://127.0.0.1.evil.example", f"http://127.0.0.1:{port}.evil.example", f"http://localhost:{port}0",
        # this machine, but another scheme or port: another site, such as a page on port 80
        f"https://127.0.0.1:{port}", f"ws://127.0.0.1:{port}", "http://127.0.0.1", "http://localhost:1",
    ):
        assert handshake(origin) == 403, origin


def test_no_other_page_can_reload_the_preview(preview):
    """livereload's GET /forcereload reloaded every preview tab, asked by any web page (an <img>
    needs no permission); nothing of ours uses it, so the preview has no such address."""
    port, _ = preview
    assert get(port, "/forcereload") == 404
    assert get(port, "/forcereload?path=index.html") == 404


def test_a_port_in_use_is_one_line(project):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        done = subprocess.run(serve_command(project, port), capture_output=True, text=True, timeout=60)
    assert done.returncode == 2
    assert done.stderr.strip().splitlines() == [
        f"error: port {port} is in use (another preview?): stop what uses it, or choose another port: "
        "make serve PORT=9000 (or build.py serve --port 9000)"
    ]
    assert not (project.root / ".cache" / "preview").exists()  # said before building anything


def test_another_address_given_is_the_one_listened_on_and_told(project):
    port = free_port()
    server = subprocess.Popen([*serve_command(project, port), "--host", "127.0.0.2"],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        wait_for_start(server)
        connection = http.client.HTTPConnection("127.0.0.2", port, timeout=10)
        connection.request("GET", "/companies/acme.html")
        assert connection.getresponse().status == 200
        connection.close()
        with pytest.raises(ConnectionRefusedError):
            socket.create_connection(("127.0.0.1", port), timeout=10).close()
    finally:
        server.terminate()
        _, err = server.communicate(timeout=10)
    assert f"Serving on http://127.0.0.2:{port}" in err

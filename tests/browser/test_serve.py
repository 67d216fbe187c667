"""`build.py serve`: a save rebuilds and reloads the open page; an error shows on the page and the
server keeps running until it is fixed."""
from __future__ import annotations

import socket
import subprocess
import threading
import time

import pytest

from tests.conftest import free_port, serve_command, write

pytestmark = pytest.mark.browser


def wait_for(predicate, seconds: float = 15.0):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if predicate():
                return True
        except Exception:  # the page may be between two loads
            pass
        time.sleep(0.1)
    raise AssertionError("timed out")


class ServerLog:
    """The server's stderr, read as it comes, so a test waits for what the server says it did
    rather than for a while."""

    def __init__(self, stream):
        self.lines: list[str] = []
        self.changed = threading.Condition()
        self.reader = threading.Thread(target=self._read, args=(stream,), daemon=True)
        self.reader.start()

    def _read(self, stream) -> None:
        for line in stream:
            with self.changed:
                self.lines.append(line)
                self.changed.notify_all()

    def wait_for(self, text: str, times: int = 1, seconds: float = 15.0) -> None:
        with self.changed:
            if not self.changed.wait_for(lambda: self.count(text) >= times, seconds):
                raise AssertionError(f"timed out waiting for {text!r} x{times}; the server said:\n{''.join(self.lines)}")

    def count(self, text: str) -> int:
        with self.changed:  # a Condition's lock is reentrant: wait_for's predicate takes it again
            return sum(text in line for line in self.lines)

    def text(self) -> str:
        self.reader.join(timeout=10)
        return "".join(self.lines)


def reconnected(page, log: ServerLog | None = None, loads: int = 1) -> None:
    """Wait for the reloaded page's live-reload script to be connected: a save in between sends
    its reload to no one (livereload does not keep it for the next browser to connect). The
    server adds the page to those it reloads once the page tells it its address, and logs
    "Browser Connected": `loads` pages so far have."""
    wait_for(lambda: page.evaluate("window.LiveReload.connector.protocol >= 7"))
    if log is None:  # a server whose log is not read
        time.sleep(0.2)
    else:
        log.wait_for("Browser Connected", loads)


@pytest.mark.parametrize("polling", [False, True], ids=["inotify", "polling"])
def test_edit_reloads_and_errors_show_in_page(project, page, polling):
    port = free_port()
    server = subprocess.Popen(serve_command(project, port, polling), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    log = ServerLog(server.stderr)
    try:
        url = f"http://127.0.0.1:{port}/companies/acme.html"
        wait_for(lambda: socket.create_connection(("127.0.0.1", port), timeout=0.2).close() or True)
        page.goto(url)
        assert page.locator("h1").inner_text() == "Acme Corp"
        reconnected(page, log, loads=1)  # the watcher, by the kernel or by looking, is set before

        acme = project.root / "content/companies/acme.md"
        write(project, "content/companies/acme.md", acme.read_text().replace("name: Acme Corp", "name: Acme Renamed"))
        wait_for(lambda: page.locator("h1").inner_text() == "Acme Renamed")

        good = acme.read_text()
        reconnected(page, log, loads=2)
        write(project, "content/companies/acme.md", good.replace("[@daily-2020-01-02]", "[@daily-2020]", 1))
        wait_for(lambda: "unknown source 'daily-2020'" in page.locator("[role=alert]").inner_text())
        assert page.locator("h1").inner_text() == "Acme Renamed"  # the last good page stays readable

        reconnected(page, log, loads=3)
        write(project, "content/companies/acme.md", good)
        wait_for(lambda: page.locator("[role=alert]").count() == 0)

        # Narrative saves in a row (the quick path, edits.py): each shows, and the search index
        # made after the last one holds its text.
        for loads, word in ((4, "describes"), (5, "portrays")):
            reconnected(page, log, loads)
            write(project, "content/companies/acme.md", good.replace("The report calls Acme", f"The report {word} Acme"))
            wait_for(lambda: f"The report {word} Acme" in page.locator("main").inner_text())
        index = project.root / ".cache/preview/assets/search-index.js"
        wait_for(lambda: b"report portrays Acme" in index.read_bytes() and b"report describes" not in index.read_bytes())
        reconnected(page, log, loads=6)
        time.sleep(2)  # no save, no reload: more than two of the polling watcher's looks
        assert log.count("Browser Connected") == 6
        assert server.poll() is None
    finally:
        server.terminate()
        server.wait(timeout=10)
    err = log.text()
    assert "unknown source 'daily-2020'" in err
    assert not (project.root / "site").exists()  # the preview never touches site/


def in_view(page, selector: str) -> bool:
    """Whether the element is seen: inside the viewport and not covered by anything else."""
    box = page.locator(selector).bounding_box()
    width, height = page.viewport_size["width"], page.viewport_size["height"]
    if box is None or box["width"] == 0 or box["height"] == 0:
        return False
    inside = box["x"] >= 0 and box["y"] >= 0 and box["x"] + box["width"] <= width and box["y"] + box["height"] <= height
    on_top = page.evaluate(
        "([s, x, y]) => document.querySelector(s).contains(document.elementFromPoint(x, y))",
        [selector, box["x"] + box["width"] / 2, box["y"] + box["height"] / 2],
    )
    return inside and on_top


def test_the_error_banner_is_seen_wherever_the_page_was_scrolled(project, page):
    """The page's CSP refuses inline styles, so a banner styled inline sat at the top of the page,
    and the reload put the reader back where they were, far below it."""
    acme = project.root / "content/companies/acme.md"
    long = acme.read_text() + "".join(
        "\nAnother paragraph: the report describes Acme's work at length. [@daily-2020-01-02]\n" for _ in range(60)
    )
    write(project, "content/companies/acme.md", long)
    refused: list[str] = []
    page.on("console", lambda m: refused.append(m.text) if "Content Security Policy" in m.text else None)
    page.set_viewport_size({"width": 900, "height": 600})
    port = free_port()
    server = subprocess.Popen(serve_command(project, port), stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        assert "previewing at" in server.stdout.readline() + server.stdout.readline()
        page.goto(f"http://127.0.0.1:{port}/companies/acme.html")
        reconnected(page)
        page.evaluate("window.scrollTo(0, document.documentElement.scrollHeight)")
        assert page.evaluate("window.scrollY") > 2000

        write(project, "content/companies/acme.md", long.replace("[@daily-2020-01-02]", "[@daily-2020]", 1))
        wait_for(lambda: "unknown source 'daily-2020'" in page.locator("[role=alert]").inner_text())
        page.wait_for_load_state("load")
        assert in_view(page, "[role=alert]")
        page.evaluate("window.scrollTo(0, document.documentElement.scrollHeight)")  # the reader scrolls on
        assert page.evaluate("window.scrollY") > 2000
        assert in_view(page, "[role=alert]")
        assert refused == []
    finally:
        server.terminate()
        server.communicate(timeout=10)

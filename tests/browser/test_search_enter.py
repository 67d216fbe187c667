"""Search from the keyboard: Enter in the box opens the first result, as in a search engine, even
when pressed before the index has loaded."""
from __future__ import annotations

import functools
import http.server
import threading
from pathlib import Path

import pytest

from microsite.build import build

pytestmark = pytest.mark.browser


@pytest.fixture
def mini_site(project, tmp_path: Path) -> Path:
    out = tmp_path / "site"
    build(project, out)
    return out


def test_enter_opens_the_first_result(page, mini_site: Path):
    page.goto((mini_site / "index.html").as_uri())
    box = page.get_by_role("searchbox", name="Search this site")
    box.click()
    box.press_sequentially("ledger")
    first = page.locator(".search-results a").first
    first.wait_for()
    target = first.evaluate("a => a.href")
    assert target != page.url
    box.press("Enter")
    page.wait_for_url(target)


def test_enter_before_the_index_has_loaded_opens_the_first_result_once_it_has(page, mini_site: Path):
    index_may_load = threading.Event()

    class Handler(http.server.SimpleHTTPRequestHandler):
        def do_GET(self):
            if self.path.endswith("/search-index.js"):
                index_may_load.wait(10)  # held until Enter has been pressed
            super().do_GET()

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Handler, directory=str(mini_site)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        start = f"http://127.0.0.1:{server.server_address[1]}/index.html"
        page.goto(start)
        box = page.get_by_role("searchbox", name="Search this site")
        box.fill("ledger")
        page.wait_for_function("document.querySelector('#search-status').textContent.includes('Loading')")
        box.press("Enter")
        assert page.url == start
        index_may_load.set()
        page.wait_for_url("**/systems/ledger.html")
    finally:
        index_may_load.set()
        server.shutdown()

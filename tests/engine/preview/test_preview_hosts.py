"""The Host and Origin headers the preview answers, asked of the functions themselves: the
server tests (`test_preview_server.py`) run it in another process, where a mutation test cannot
see which of them reach these."""
from __future__ import annotations

import pytest

from microsite.preview.serve import _local_names, allowed_hosts, allowed_origins

LOCAL = {"127.0.0.1", "localhost", "[::1]"}


@pytest.mark.parametrize("host, names", [
    ("127.0.0.1", LOCAL),
    ("localhost", LOCAL),
    ("::1", LOCAL),
    ("", LOCAL),
    ("0.0.0.0", LOCAL),
    ("::", LOCAL),
    ("192.168.1.20", LOCAL | {"192.168.1.20"}),
    ("Preview.Example", LOCAL | {"preview.example"}),
    ("fe80::1", LOCAL | {"[fe80::1]"}),
])
def test_the_machines_names_are_its_own_and_the_address_it_listens_on(host, names):
    assert _local_names(host) == names


def test_the_hosts_are_each_name_with_and_without_the_port():
    assert allowed_hosts("127.0.0.1", 8000) == frozenset({
        "127.0.0.1", "localhost", "[::1]", "127.0.0.1:8000", "localhost:8000", "[::1]:8000",
    })
    assert allowed_hosts("0.0.0.0", 80) == frozenset({
        "127.0.0.1", "localhost", "[::1]", "127.0.0.1:80", "localhost:80", "[::1]:80",
    })
    assert allowed_hosts("::1", 8001) == frozenset({
        "127.0.0.1", "localhost", "[::1]", "127.0.0.1:8001", "localhost:8001", "[::1]:8001",
    })


def test_the_origins_are_the_previews_own_pages_and_nothing_that_looks_like_them():
    origins = allowed_origins("127.0.0.1", 8000)
    assert origins == frozenset({"http://127.0.0.1:8000", "http://localhost:8000", "http://[::1]:8000"})
    for other in ("http://127.0.0.1:8000.evil.example", "https://127.0.0.1:8000", "http://127.0.0.1:8001",
                  "http://127.0.0.1", "http://evil.example:8000"):
        assert other not in origins


def test_port_80_is_left_out_of_an_origin_as_browsers_write_it():
    assert allowed_origins("localhost", 80) == frozenset({"http://127.0.0.1", "http://localhost", "http://[::1]"})
    assert allowed_origins("0.0.0.0", 8080) == frozenset(
        {"http://127.0.0.1:8080", "http://localhost:8080", "http://[::1]:8080"})
    assert allowed_origins("192.168.1.20", 8000) == frozenset(
        {"http://127.0.0.1:8000", "http://localhost:8000", "http://[::1]:8000", "http://192.168.1.20:8000"})

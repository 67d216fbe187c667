"""Where each page is written, and how one page links to another.

Every link is relative and names a real file (`../companies/amazon.html`, never a directory), so
one build works at a domain root, under a project subpath, and opened from disk (file://).
"""
from __future__ import annotations

import posixpath

HOME = "index.html"
SOURCES = "sources.html"
NOT_FOUND = "404.html"
DATA = "data.html"
MAP = "map.html"
GENERATED = (HOME, SOURCES, NOT_FOUND, DATA, MAP)
SEARCH_INDEX = "assets/search-index.js"


def kind_index(kind: str) -> str:
    return f"{kind}/index.html"


def relative_url(from_output: str, to_output: str) -> str:
    """The link from one output file to another (or to an asset), e.g. '../sources.html#s3'."""
    target, _, fragment = to_output.partition("#")
    start = posixpath.dirname(from_output) or "."
    url = posixpath.relpath(target, start) if target else ""
    return f"{url}#{fragment}" if fragment else url

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
EXPLORE = "explore.html"
TIMELINE = "timeline.html"
GENERATED = (HOME, SOURCES, NOT_FOUND, DATA, MAP, EXPLORE, TIMELINE)
SEARCH_INDEX = "assets/search-index.js"


def kind_index(kind: str) -> str:
    return f"{kind}/index.html"


def relative_url(from_output: str, to_output: str) -> str:
    """The link from one output file to another (or to an asset), e.g. '../sources.html#s3'.

    Both are normalised paths inside the site (no '.', '..' or leading '/'), which is what every
    output name is; this is posixpath.relpath without its calls to the file system."""
    target, _, fragment = to_output.partition("#")
    url = _relative(posixpath.dirname(from_output), target) if target else ""
    return f"{url}#{fragment}" if fragment else url


def _relative(start: str, target: str) -> str:
    if not start:
        return target
    here, there = start.split("/"), target.split("/")
    common = 0
    for a, b in zip(here, there):
        if a != b:
            break
        common += 1
    return "/".join([".."] * (len(here) - common) + there[common:]) or "."

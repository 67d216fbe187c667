"""Where each page is written, and how one page links to another.

Every link is relative and names a real file (`../companies/acme.html`, never a directory), so
one build works at a domain root, under a project subpath, and opened from disk (file://).
"""
from __future__ import annotations

import posixpath
import re
from typing import Iterable, Sequence

HOME = "index.html"
SOURCES = "sources.html"
NOT_FOUND = "404.html"
DATA = "data.html"
MAP = "map.html"
EXPLORE = "explore.html"
TIMELINE = "timeline.html"
GENERATED = (HOME, SOURCES, NOT_FOUND, DATA, MAP, EXPLORE, TIMELINE)
SEARCH_INDEX = "assets/search-index.js"

# A file name has at most 255 bytes on the file systems a site is built or published on; the
# longest the engine writes for a content file is its page while the preview replaces it
# (`write.write_file`): `.` + slug + `.html` + `.XXXXXXXX` (its card, slug + `.png`, is shorter).
NAME_BYTES = 255
LONGEST_SLUG = NAME_BYTES - len(".") - len(".html") - len(".XXXXXXXX")


def kind_index(kind: str) -> str:
    return f"{kind}/index.html"


def relative_url(from_output: str, to_output: str) -> str:
    """The link from one output file to another (or to an asset), e.g. '../sources.html#s3'.

    Both are normalised paths inside the site (no '.', '..' or leading '/'), which is what every
    output name is; this is posixpath.relpath without its calls to the file system."""
    return relative_from_folder(posixpath.dirname(from_output), to_output)


def relative_from_folder(start: str, to_output: str) -> str:
    """`relative_url` from any page of folder `start` ('' at the root, 'es/companies')."""
    target, _, fragment = to_output.partition("#")
    url = _relative(start, target) if target else ""
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


# What every language shares: the downloads, scripts, styles, images and cards are written once,
# at the site's root; each other language's pages, and its feed, are under its code
# (`es/companies/acme.html`, `es/feed.xml`).
SHARED = ("assets/", "data/", "images/", "cards/", "sitemap.xml")


def language_prefix(language: str, languages: tuple[str, ...]) -> str:
    """'' for the site's first language, published at its root; 'es/' for another."""
    return "" if not languages or language == languages[0] else f"{language}/"


def in_every_language(outputs: Iterable[str], languages: tuple[str, ...]) -> list[str]:
    """Each output as published in each language: the first language's at the root, then each
    other's under its code (`language_prefix`)."""
    outputs = list(outputs)
    return [language_prefix(language, languages) + output for language in languages for output in outputs]


def split_language(output: str, languages: tuple[str, ...]) -> tuple[str, str]:
    """('es/', 'companies/acme.html') for 'es/companies/acme.html'; ('', output) at the root."""
    head, _, rest = output.partition("/")
    if rest and head in languages[1:]:
        return head + "/", rest
    return "", output


# The scripts a page loads after lunr for its language's words (assets/vendor/lunr-languages/).
LANGUAGE_SCRIPTS = {
    "es": ("assets/vendor/lunr-languages/lunr.stemmer.support.min.js", "assets/vendor/lunr-languages/lunr.es.min.js"),
}


# A page's anchors for what its records hold, the same in every language (`resolve/anchors.py`
# lets links name them).
_NOT_A_WORD = re.compile(r"[\W_]+")  # what is not a letter or a digit (str.isalnum), one or more


def anchor_words(text: str) -> str:
    """A readable fragment for an address: 'Federal data authorizations' -> 'federal-data-authorizations'."""
    return "-".join(w for w in _NOT_A_WORD.split(text.lower()) if w)[:60].strip("-") or "x"


def figure_anchor(label: str) -> str:
    """A figure's address on its page, from its label: other figures coming or going leave it be."""
    return "fig-" + anchor_words(label)


def event_anchors(events: Sequence) -> list[str]:
    """Each event's address on its page, from its date (and its order among events of that date)."""
    seen: dict[str, int] = {}
    anchors = []
    for event in events:
        seen[event.date] = seen.get(event.date, 0) + 1
        anchors.append(f"event-{event.date}" + (f"-{seen[event.date]}" if seen[event.date] > 1 else ""))
    return anchors

"""The offline search index: built at build time with lunr.py, read in the browser by lunr.js.

The index ships as a script (`assets/search-index.js`) assigning to a global, not as JSON to
fetch, because a page opened from disk (file://) may not fetch files. Each result is keyed by the
output path it leads to, relative to the site's root; the page's search script makes it relative
to the page the reader is on.
"""
from __future__ import annotations

import io
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

import lunr

from ..store.cache import engine_digest, read_sealed_pickle, write_sealed_pickle
from .lunr_index import Field, TermCounter, index_pieces
from ..render.facts import translated_view
from ..resolve.site import Placed
from ..addresses import SEARCH_INDEX, SOURCES
from ..resolve.site import Site

SNIPPET_CHARS = 160


@dataclass(frozen=True)
class SearchDocument:
    ref: str  # output path, with a fragment for a source: "sources.html#quartz-2018-10-23"
    title: str
    kind: str  # what the reader is told the result is: "Company", "Source", "Page"
    text: str  # everything searchable besides the title

    @property
    def snippet(self) -> str:
        if len(self.text) <= SNIPPET_CHARS:
            return self.text
        return self.text[:SNIPPET_CHARS].rsplit(" ", 1)[0].rstrip(".,;:") + "…"


def search_documents(site: Site) -> Iterator[SearchDocument]:
    """Every entity, free page and source, in a fixed order, made one at a time."""
    config = site.content.config
    for entity in sorted(site.content.entities.values(), key=lambda e: e.output):
        related = " ".join(f"{link.target.replace('-', ' ')} {link.role or ''}" for link in entity.links)
        text = _join(_words(site.summaries.get(entity.output)), _words(site.bodies.get(entity.output)),
                     " ".join(f"{f.label} {f.value}" for f in entity.figures), related)
        yield SearchDocument(entity.output, entity.name, config.kind(entity.kind).singular, text)
    for page in sorted(site.content.pages.values(), key=lambda p: p.output):
        text = _join(_words(site.summaries.get(page.output)), _words(site.bodies.get(page.output)))
        yield SearchDocument(page.output, page.title, config.messages.text("kind_page"), text)
    for source in sorted(site.content.sources.values(), key=lambda s: s.id):
        details = [config.messages.join(list(source.publisher)), config.messages.date(source.date) if source.date else "", config.messages.join(list(source.author or ()))]
        text = _join(", ".join(d for d in details if d), *source.quotes, source.note_in(config.language) or "")
        yield SearchDocument(f"{SOURCES}#{source.id}", source.title, config.messages.text("kind_source"), text)


FIELDS = (Field("title", boost=10), Field("text"))


def search_index(site: Site, counter: TermCounter | None = None, kept: Path | None = None) -> dict[str, bytes]:
    """`{"assets/search-index.js": script}`, one per language: the serialised lunr index and what
    each result shows.

    `counter` remembers the terms of every text it has seen: a preview passes the same one to
    each rebuild, so an edit costs the edited texts and the scores, not every word again. A
    build without one keeps each text's terms in the folder `kept` (.cache/search/) instead, for
    the next build to count only the texts that changed."""
    config = site.content.config
    made = {}
    for language in config.languages:
        view = translated_view(site, language)
        if counter is not None and counter.language == language:
            made[index_path(language, config.languages)] = _index(view, counter)
            continue
        ours = TermCounter(keep_texts=False, language=language)
        if kept is not None:
            ours.stored, ours.counted = _read_terms(kept, language), {}
        made[index_path(language, config.languages)] = _index(view, ours)
        if kept is not None and ours.counted is not None and ours.counted.keys() != ours.stored.keys():
            write_sealed_pickle(kept / f"terms-{language}", (_terms_version(language), ours.counted))
    return made


def _terms_version(language: str) -> str:
    """What decides a text's terms besides the text: the engine's code (its pipelines) and lunr's."""
    return f"{engine_digest()} {lunr.__VERSION__} {language}"


def _read_terms(folder: Path, language: str) -> dict:
    """The terms the last build counted in `language`, by text digest; nothing when missing,
    damaged (the seal) or counted by another engine."""
    stored = read_sealed_pickle(folder / f"terms-{language}")
    if isinstance(stored, tuple) and len(stored) == 2 and stored[0] == _terms_version(language) and isinstance(stored[1], dict):
        return stored[1]
    return {}


def index_path(language: str, languages: tuple[str, ...]) -> str:
    """Each language's index: `assets/search-index.js` for the first, `search-index.es.js`..."""
    return SEARCH_INDEX if language == languages[0] else SEARCH_INDEX.replace(".js", f".{language}.js")


def index_names(site: Site) -> list[str]:
    languages = site.content.config.languages
    return [index_path(language, languages) for language in languages]


def _index(site: Site, counter: TermCounter) -> bytes:
    docs, counted = {}, []
    for d in search_documents(site):  # each text counted and let go: 50 MB at 10,000 entities
        docs[d.ref] = {"title": d.title, "kind": d.kind, "snippet": d.snippet}
        counted.append((d.ref, [counter.count(d.title), counter.count(d.text)]))
    script = io.BytesIO()  # written piece by piece; getvalue() hands over its buffer, uncopied
    # {"docs": ..., "index": ...}, as json.dumps(..., sort_keys=True) would write it
    script.write(b"/* Generated by the build: the site's search index. */\nwindow.SEARCH_INDEX = ")
    script.write(b'{"docs":' + json.dumps(docs, sort_keys=True, separators=(",", ":")).encode() + b',"index":')
    for piece in index_pieces(FIELDS, counted, counter):
        script.write(piece.encode())
    script.write(b"};\n")
    counter.forget_unused()
    return script.getvalue()


def _words(placed: Placed | None) -> str:
    """The words of a text, paragraph by paragraph, without citation marks or markup."""
    return placed.fragment.words if placed is not None else ""


def _join(*parts: str) -> str:
    """The parts' words, each run of white space one space: as split() and join, but a part
    already so (a narrative's words are) is taken as it is, at a tenth of their cost."""
    return " ".join([p if _spaced(p) else " ".join(p.split()) for p in parts if p and not p.isspace()])


# Every white space character but the space. All are below U+3001: tests/engine/outputs/test_search_index.py
# checks it against the Unicode of the Python running the tests.
OTHER_SPACES = [c for c in map(chr, range(0x3001)) if c.isspace() and c != " "]
TWO_SPACES = re.compile("  ")  # a regular expression finds them three times as fast as `in`


def _spaced(text: str) -> bool:
    """Whether a text with words is as " ".join(text.split()) would make it."""
    return (text[0] != " " and text[-1] != " " and not any(map(text.__contains__, OTHER_SPACES))
            and TWO_SPACES.search(text) is None)

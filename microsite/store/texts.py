"""A rendered narrative's HTML and search words: held in memory, or left in its cache file.

Ten thousand narratives are 100 MB of HTML and words, a third of what a large build held once
loaded, and each is read twice at most: by its own page and by the search index. Their prepared
cache entry (`cache.py`) already holds them on disk, so a build keeps only where they are there
and reads them when they are needed (about 10 microseconds each, from the system's file cache).
The entry starts with them (`cache.py`: its seal, html size and words size, 4 bytes each, then the
html, the words, and the rest of the prepared file pickled), so reading one reads nothing else; the
seal was checked when the entry was taken from the cache.
"""
from __future__ import annotations

import os
from dataclasses import dataclass

from ..errors import ContentErrors, Location, Problem
from ..pickling import by_fields
from ..write import READ_ONLY


@by_fields
@dataclass(frozen=True, slots=True)
class Text:
    """In memory: a summary, a text just prepared, anything a preview keeps between saves."""

    html: str
    words: str


@by_fields
@dataclass(frozen=True, slots=True)
class StoredText:
    """In the cache entry at `path`; each property reads its part of the file again."""

    path: str
    start: int  # where the html starts; the words follow it
    html_size: int
    words_size: int

    @property
    def html(self) -> str:
        return _read(self.path, self.start, self.html_size)

    @property
    def words(self) -> str:
        return _read(self.path, self.start + self.html_size, self.words_size)


def _read(path: str, offset: int, size: int) -> str:
    try:
        fd = os.open(path, READ_ONLY)
        try:
            data = os.pread(fd, size, offset)
        finally:
            os.close(fd)
    except OSError as e:
        data, error = b"", e.strerror
    else:
        error = "cut short" if len(data) != size else None
    if error:
        raise ContentErrors([Problem(Location(path), f"a cache file was removed or changed during the build ({error}); run the build again")])
    return data.decode("utf-8", "surrogatepass")

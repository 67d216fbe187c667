"""Prepared content files kept between builds, in memory and in .cache/prepared/, each entry
sealed as every cache file is (`store/cache.py`)."""
from __future__ import annotations

import os
import pickle
import struct
from dataclasses import replace
from pathlib import Path

from .prepare import Prepared
from ..pickling import UNPICKLING_ERRORS, records_from
from ..store.cache import ENTRY_HEAD, TEXTS, digest, engine_digest, read_entry, seal, unsealed
from ..store.texts import StoredText, Text
from ..write import write_file


def _parse_entry(entry: bytes) -> tuple[Prepared, int, int] | None:
    """A prepared entry's record, html size and words size; None when damaged or not one."""
    sealed = unsealed(entry)
    if sealed is None:
        return None
    try:
        html_size, words_size = ENTRY_HEAD.unpack_from(sealed)
        value = records_from(memoryview(entry)[TEXTS + html_size + words_size :])
    except (struct.error, *UNPICKLING_ERRORS):
        return None
    return (value, html_size, words_size) if isinstance(value, Prepared) else None


class PreparedCache:
    """Prepared content files, in memory and in .cache/prepared/. The key hashes everything a
    prepared file depends on: the engine's own code, the content model (site.yaml), the file's path
    and its bytes; a changed engine or model thus misses the cache instead of reusing stale
    results. A missing, unreadable or damaged entry is a miss (a damaged one is deleted).

    An entry starts with its seal, then the narrative's rendered HTML and words (`ENTRY_HEAD`:
    their sizes in bytes, then them), then the rest pickled. Unless `texts_in_memory` (the
    preview, which keeps its site between saves), what this cache hands out leaves those texts in
    the entry (`texts.StoredText`), to be read when a page needs them."""

    def __init__(self, folder: Path | None, texts_in_memory: bool = False):
        self.folder = folder
        self.texts_in_memory = texts_in_memory
        self.memory: dict[str, Prepared] = {}

    def key(self, config_digest: str, folder: str, name: str, data_digest: str) -> str:
        text = f"{engine_digest()}\0{config_digest}\0{folder}\0{name}\0{data_digest}"
        return digest(text.encode("utf-8", "surrogatepass"))  # a file name may not be UTF-8

    def get(self, key: str) -> Prepared | None:
        if key in self.memory:
            return self.memory[key]
        if self.folder is None:
            return None
        # A string, not a Path: joining and opening 10,000 Paths was a fifth of a rebuild's reading.
        path = os.path.join(self.folder, key[:2], key)
        try:
            entry = read_entry(path)
        except OSError:
            return None
        parsed = _parse_entry(entry)
        if parsed is None:
            Path(path).unlink(missing_ok=True)  # damaged: the caller prepares the file again and stores it anew
            return None
        value, html_size, words_size = parsed
        start = TEXTS + html_size + words_size
        if value.body is not None:
            if self.texts_in_memory:
                html = entry[TEXTS : TEXTS + html_size].decode("utf-8", "surrogatepass")
                words = entry[TEXTS + html_size : start].decode("utf-8", "surrogatepass")
                text: Text | StoredText = Text(html, words)
            else:
                text = StoredText(path, TEXTS, html_size, words_size)
            value = replace(value, body=replace(value.body, text=text))
        self.memory[key] = value
        return value

    def put(self, key: str, value: Prepared) -> None:
        self.memory[key] = value
        self.store(key, value)

    def store(self, key: str, value: Prepared) -> Prepared:
        """On disk only: what a worker preparing files for its parent does, holding none of them
        (each held its half of the site's records, 130 MiB at 10,000 entities). Returns the value
        to use from now on: with its texts left in the entry, unless `texts_in_memory`."""
        if self.folder is None:
            return value
        path = self.folder / key[:2] / key
        body = value.body
        if body is None:
            head, rest = ENTRY_HEAD.pack(0, 0), value
        else:
            html, words = (t.encode("utf-8", "surrogatepass") for t in (body.html, body.words))
            head = ENTRY_HEAD.pack(len(html), len(words)) + html + words
            rest = replace(value, body=replace(body, text=None))
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            write_file(path, seal(head + pickle.dumps(rest, protocol=pickle.HIGHEST_PROTOCOL)))
        except OSError:
            return value  # a cache that cannot be written only costs time
        if body is None or self.texts_in_memory:
            return value
        return replace(value, body=replace(body, text=StoredText(str(path), TEXTS, len(html), len(words))))

    def replace(self, old: str, new: str, value: Prepared) -> None:
        """A file saved anew: its new entry in, its old one out."""
        self.put(new, value)
        self.memory.pop(old, None)
        if self.folder is not None:
            (self.folder / old[:2] / old).unlink(missing_ok=True)

    def keep_only(self, keys: set[str], prune_disk: bool) -> None:
        """Forget entries of files that no longer exist as they were, so the cache does not grow
        with every edit (on disk only when asked: after a build that stored new entries)."""
        self.memory = {k: v for k, v in self.memory.items() if k in keys}
        if not prune_disk or self.folder is None or not self.folder.is_dir():
            return
        for shard in self.folder.iterdir():
            for entry in shard.iterdir() if shard.is_dir() else ():
                if entry.name not in keys:
                    entry.unlink(missing_ok=True)

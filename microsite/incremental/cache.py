"""Content-addressed caches in .cache/: build products (processed images, social cards) and
prepared content files (`PreparedCache`).

The key is a hash of everything that decides the bytes, so an unchanged input is never redone and a
changed one can never be served stale. Entries are written whole (temp file, then rename), so two
builds at once or a killed build leave no torn file behind. Each starts with a keyed digest of the
bytes after it (`seal`), so an entry damaged since (a bad disk, a copy cut short, a hand that edited
it) is known when read: it is dropped and made again, and the site is what a clean build makes.

.cache/ sits in the project, where a pull request can commit files. The seal's key is not in the
project: it is made once per user (`seal_key`), so a cache file a stranger wrote fails its seal and
is never read; what is read is unpickled by `pickling.records_from`, which makes nothing but the
engine's own records, should a key ever leak.
"""
from __future__ import annotations

import errno
import hashlib
import os
import pickle
import stat
import struct
from dataclasses import replace
from functools import lru_cache
from pathlib import Path
from typing import Callable

from ..content.prepare import Prepared, digest
from ..pickling import UNPICKLING_ERRORS, records_from
from .texts import StoredText, Text
from ..write import CLOSE_ON_EXEC, NO_FOLLOW, READ_ONLY, write_file

ENGINE = Path(__file__).resolve().parents[1]  # the package, every folder of it
SEAL = 16  # bytes of the digest every cache file starts with
KEY = 32  # bytes of the seal's key
ENTRY_HEAD = struct.Struct(">II")  # a prepared entry's html and words sizes, in bytes, after the seal
TEXTS = SEAL + ENTRY_HEAD.size  # where a prepared entry's html starts


def seal(data: bytes) -> bytes:
    """`data` after the digest of its bytes: a cache file that can tell when it is damaged."""
    return _seal_of(data) + data


def unsealed(entry: bytes) -> memoryview | None:
    """The bytes sealed in `entry` (not copied), or None when they are not what was sealed: cut
    short, changed, or written by an engine that did not seal its cache. blake2b reads about
    1 GB/s: a cache file is hashed in the time it takes to read it."""
    data = memoryview(entry)[SEAL:]
    return data if len(entry) >= SEAL and _seal_of(data) == entry[:SEAL] else None


def _seal_of(data: bytes | memoryview) -> bytes:
    return hashlib.blake2b(data, digest_size=SEAL, key=seal_key()).digest()


def key_file() -> Path:
    """Where this user's seal key is kept: the user's cache folder, as pip's and Hugo's caches
    are ($XDG_CACHE_HOME, else ~/.cache), outside every project."""
    home = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(home, "microsite", "seal-key")


@lru_cache(maxsize=1)
def seal_key() -> bytes:
    """This user's secret key for sealing cache files, made on first use. A key file that is a
    link, not the user's own, or writable by others is not trusted; without a usable one, this run
    seals with a key of its own (nothing cached before is read, nothing it caches is read again)."""
    path = key_file()
    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | NO_FOLLOW | CLOSE_ON_EXEC, 0o600)
        except FileExistsError:
            pass
        else:
            with os.fdopen(fd, "wb") as f:
                f.write(os.urandom(KEY))
        fd = os.open(path, READ_ONLY)
        with os.fdopen(fd, "rb") as f:
            info = os.fstat(f.fileno())
            key = f.read(KEY + 1)
    except OSError:
        return os.urandom(KEY)
    own = not hasattr(os, "geteuid") or info.st_uid == os.geteuid()  # Windows has no owner to compare
    trusted = stat.S_ISREG(info.st_mode) and own and not info.st_mode & 0o022
    return key if trusted and len(key) == KEY else os.urandom(KEY)


def read_entry(path: str | Path) -> bytes:
    """A cache file's bytes, if it is a plain file: a link (to /dev/zero, say) or a pipe someone
    put in .cache/ raises OSError, as a missing file does, instead of being read for ever."""
    fd = os.open(path, READ_ONLY | getattr(os, "O_NONBLOCK", 0))
    with os.fdopen(fd, "rb") as f:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise OSError(errno.EINVAL, "not a plain file", str(path))
        return f.read()


def read_sealed_pickle(path: Path) -> object | None:
    """What `write_sealed_pickle` stored at `path`; None when missing, damaged, unreadable or
    not sealed with this user's key."""
    try:
        data = unsealed(read_entry(path))
        return None if data is None else records_from(data)
    except (OSError, *UNPICKLING_ERRORS):
        return None


def write_sealed_pickle(path: Path, value: object) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    write_file(path, seal(pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)))


def content_key(*parts: bytes | str) -> str:
    digest = hashlib.sha256()
    for part in parts:
        data = part.encode("utf-8") if isinstance(part, str) else part
        digest.update(len(data).to_bytes(8, "big"))  # length-prefixed: ("ab", "c") != ("a", "bc")
        digest.update(data)
    return digest.hexdigest()


def cached(folder: Path | None, key: str, suffix: str, make: Callable[[], bytes]) -> bytes:
    """The bytes stored under `key`, made (and stored) on first use; no folder means no cache. A
    damaged entry is made again, and replaced."""
    if folder is None:
        return make()
    path = folder / f"{key}{suffix}"
    try:
        stored = unsealed(read_entry(path))
    except OSError:
        stored = None
    if stored is not None:
        return bytes(stored)
    data = make()
    folder.mkdir(parents=True, exist_ok=True)
    write_file(path, seal(data))
    return data


@lru_cache(maxsize=1)
def engine_digest() -> str:
    """A hash of the engine's source, every module in every folder of the package and the message
    tables: any change to the code changes every cache key."""
    files = sorted([*ENGINE.rglob("*.py"), *ENGINE.glob("messages/*.yaml")])
    return digest(b"".join(p.relative_to(ENGINE).as_posix().encode() + p.read_bytes() for p in files))


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

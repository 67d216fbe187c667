"""Content-addressed caches in .cache/: build products (processed images, social cards) and
prepared content files (`content/cached.py`).

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
from functools import lru_cache
from pathlib import Path
from typing import Callable

from ..pickling import UNPICKLING_ERRORS, records_from
from ..write import CLOSE_ON_EXEC, NO_FOLLOW, READ_ONLY, write_file

ENGINE = Path(__file__).resolve().parents[1]  # the package, every folder of it
SEAL = 16  # bytes of the digest every cache file starts with
KEY = 32  # bytes of the seal's key
ENTRY_HEAD = struct.Struct(">II")  # a prepared entry's html and words sizes, in bytes, after the seal
TEXTS = SEAL + ENTRY_HEAD.size  # where a prepared entry's html starts


def digest(data: bytes | str) -> str:
    """The short hash every key and fingerprint of the build is made of."""
    if isinstance(data, str):
        data = data.encode("utf-8", "surrogatepass")
    return hashlib.blake2b(data, digest_size=16).hexdigest()


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

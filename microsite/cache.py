"""A content-addressed cache of build products (processed images, social cards) in .cache/.

The key is a hash of everything that decides the bytes, so an unchanged input is never redone and a
changed one can never be served stale. Entries are written whole (temp file, then rename), so two
builds at once or a killed build leave no torn file behind.
"""
from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path
from typing import Callable


def content_key(*parts: bytes | str) -> str:
    digest = hashlib.sha256()
    for part in parts:
        data = part.encode("utf-8") if isinstance(part, str) else part
        digest.update(len(data).to_bytes(8, "big"))  # length-prefixed: ("ab", "c") != ("a", "bc")
        digest.update(data)
    return digest.hexdigest()


def cached(folder: Path | None, key: str, suffix: str, make: Callable[[], bytes]) -> bytes:
    """The bytes stored under `key`, made (and stored) on first use; no folder means no cache."""
    if folder is None:
        return make()
    path = folder / f"{key}{suffix}"
    try:
        return path.read_bytes()
    except FileNotFoundError:
        pass
    data = make()
    folder.mkdir(parents=True, exist_ok=True)
    fd, temp = tempfile.mkstemp(prefix=".", suffix=suffix, dir=folder)
    with os.fdopen(fd, "wb") as out:
        out.write(data)
    os.replace(temp, path)
    return data

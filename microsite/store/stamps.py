"""Input files' digests, remembered by their stat, so a build with nothing changed reads no file.

Like make or ninja, a file whose inode, size, modification and change times are what they were is
taken to hold what it held; unlike them, the digest of its bytes, not its time, keys everything
after. The change time (ctime) moves on every write and cannot be set back by `touch`. A file
written less than two seconds ago is read again each time: a second save within the clock's
resolution could otherwise leave every time as it was.
"""
from __future__ import annotations

import os
import time
from pathlib import Path

from .cache import read_sealed_pickle, write_sealed_pickle
from .cache import digest

SETTLED_NS = 2_000_000_000
Stamp = tuple[int, int, int, int]  # inode, size, mtime_ns, ctime_ns


class FileDigests:
    """`digest(path)` reads a file only if its stamp changed. The bytes are not kept: whoever
    parses a changed file reads it again (from the system's cache), so a build of many changed
    files never holds them all."""

    def __init__(self, store: Path | None):
        self.store = store  # where the stamps are kept between runs; None: in memory only
        self.known: dict[str, tuple[Stamp, str]] | None = None
        self.seen: dict[str, tuple[Stamp, str]] = {}

    def digest(self, path: Path) -> str:
        try:
            st = os.stat(path)
        except OSError:
            return digest(path.read_bytes())  # raises the error a user should see
        stamp = (st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns)
        known = self._known().get(str(path))
        if known is not None and known[0] == stamp:
            self.seen[str(path)] = known
            return known[1]
        value = digest(path.read_bytes())
        if time.time_ns() - max(st.st_mtime_ns, st.st_ctime_ns) > SETTLED_NS:
            self.seen[str(path)] = (stamp, value)
        else:
            self.seen.pop(str(path), None)
        return value

    def carry_over(self) -> None:
        """Keep every stamp known without a look at its file: the preview's watcher names the
        files a save changed, and only those are digested (`edits.py`)."""
        self.seen = dict(self._known())

    def finish(self) -> None:
        """Keep the stamps of the files this build saw (on disk too)."""
        changed = self.seen != self.known
        self.known, self.seen = self.seen, {}
        if not changed or self.store is None:
            return
        try:
            write_sealed_pickle(self.store, self.known)
        except OSError:
            pass  # stamps that cannot be kept only cost reading the files next time

    def _known(self) -> dict[str, tuple[Stamp, str]]:
        if self.known is None:
            self.known = {}
            known = read_sealed_pickle(self.store) if self.store is not None else None
            if isinstance(known, dict):  # missing, damaged or another version's: read every file again
                self.known = known
        return self.known

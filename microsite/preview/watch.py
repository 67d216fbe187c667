"""Saves under some folders, as the Linux kernel reports them (inotify): no polling, so a save is
seen at once, and watching ten thousand files costs nothing between saves.

Only the standard library is used (ctypes); elsewhere than Linux `Inotify.available()` is False
and the preview falls back to polling: two looks at the folders (`look`) compared.
"""
from __future__ import annotations

import ctypes
import os
import struct
from pathlib import Path

from ..content.load import is_editor_leftover
from ..libc import function, libc

IN_MODIFY, IN_CLOSE_WRITE, IN_MOVED_FROM, IN_MOVED_TO = 0x2, 0x8, 0x40, 0x80
IN_CREATE, IN_DELETE, IN_Q_OVERFLOW, IN_ISDIR = 0x100, 0x200, 0x4000, 0x40000000
IN_NONBLOCK, IN_CLOEXEC = 0o4000, 0o2000000
MASK = IN_CLOSE_WRITE | IN_MOVED_FROM | IN_MOVED_TO | IN_CREATE | IN_DELETE
_EVENT = struct.Struct("iIII")  # wd, mask, cookie, length of the name that follows


def ignored(name: str) -> bool:
    """What the build never reads (`is_editor_leftover`), and the temporary files some editors
    write a save through: no save of the site's."""
    return is_editor_leftover(name) or name.endswith((".swp", ".tmp"))


def look(folders: list[Path]) -> dict[Path, tuple[int, int]]:
    """Each file under `folders` (links not followed) with its modification time and size."""
    files = {}
    for folder in folders:
        for root, dirs, names in os.walk(folder):
            dirs[:] = [d for d in dirs if not ignored(d)]
            for name in names:
                if ignored(name):
                    continue
                path = Path(root, name)
                try:
                    stat = os.lstat(path)
                except OSError:  # deleted since it was listed
                    continue
                files[path] = (stat.st_mtime_ns, stat.st_size)
    return files


def changed_between(before: dict[Path, tuple[int, int]], after: dict[Path, tuple[int, int]]) -> set[Path]:
    """The files saved, made or deleted from one look to the next."""
    return {path for path in before.keys() | after.keys() if before.get(path) != after.get(path)}


class Inotify:
    """Watches folders and every folder under them, including folders made later."""

    def __init__(self, folders: list[Path]):
        self.libc = libc()
        self.fd = self.libc.inotify_init1(IN_NONBLOCK | IN_CLOEXEC)
        if self.fd < 0:
            raise OSError(ctypes.get_errno(), "inotify_init1 failed")
        self.folders: dict[int, Path] = {}
        for folder in folders:
            self._watch_tree(folder)

    @staticmethod
    def available() -> bool:
        return function("inotify_init1") is not None

    def fileno(self) -> int:
        return self.fd

    def _watch_tree(self, folder: Path) -> list[Path]:
        """Watch `folder` and the folders under it; returns the files already in them (in a
        folder just made, those were saved before it was watched, and no event told of them)."""
        if not folder.is_dir():
            return []
        wd = self.libc.inotify_add_watch(self.fd, os.fsencode(folder), MASK)
        if wd >= 0:
            self.folders[wd] = folder
        found = []
        for child in folder.iterdir():
            if ignored(child.name):
                continue
            if child.is_dir():
                found += self._watch_tree(child)
            elif child.is_file():
                found.append(child)
        return found

    def changes(self) -> list[Path] | None:
        """The files saved, moved, made or deleted since the last call (none: an empty list), or
        None when the kernel's queue overflowed and dropped events: any file may have changed."""
        changed: list[Path] = []
        overflowed = False
        while True:
            try:
                data = os.read(self.fd, 65536)
            except BlockingIOError:
                return None if overflowed else changed
            offset = 0
            while offset < len(data):
                wd, mask, _, length = _EVENT.unpack_from(data, offset)
                name = data[offset + _EVENT.size : offset + _EVENT.size + length].rstrip(b"\0").decode(errors="replace")
                offset += _EVENT.size + length
                if mask & IN_Q_OVERFLOW:
                    overflowed = True
                    continue
                folder = self.folders.get(wd)
                if folder is None or not name or ignored(name):
                    continue
                path = folder / name
                if mask & IN_ISDIR:
                    if mask & (IN_CREATE | IN_MOVED_TO):
                        changed += self._watch_tree(path)
                    continue
                if mask & IN_CREATE:
                    continue  # the save that follows (close or move) is what counts
                changed.append(path)

    def close(self) -> None:
        os.close(self.fd)

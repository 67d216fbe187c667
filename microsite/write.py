"""Pass 4: write the outputs into a fresh directory, then swap it into place.

A failed or killed build never leaves a half-written site/: the new tree is complete before it
replaces the old one, and on Linux the two are exchanged in one atomic step (renameat2).
"""
from __future__ import annotations

import ctypes
import ctypes.util
import os
import shutil
import tempfile
from pathlib import Path

_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


def write_site(outputs: dict[str, bytes], target: Path) -> None:
    """Replace `target` with a directory holding exactly `outputs`."""
    target = target.resolve()
    target.parent.mkdir(parents=True, exist_ok=True)
    fresh = Path(tempfile.mkdtemp(prefix=f".{target.name}.new-", dir=target.parent))
    try:
        write_tree(outputs, fresh)
        os.chmod(fresh, 0o755)
        _swap_into_place(fresh, target)
    finally:
        shutil.rmtree(fresh, ignore_errors=True)


def write_file(path: Path, data: bytes) -> None:
    """Replace one file whole: a reader never finds it half-written."""
    fd, temp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
        os.chmod(temp, 0o644)
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise


def write_tree(outputs: dict[str, bytes], root: Path) -> None:
    made: set[Path] = set()
    for name in sorted(outputs):
        path = root / name
        if path.parent not in made:
            path.parent.mkdir(parents=True, exist_ok=True)
            made.add(path.parent)
        path.write_bytes(outputs[name])


def _swap_into_place(fresh: Path, target: Path) -> None:
    """Afterwards `target` holds the new tree and `fresh` the old one (or nothing)."""
    if not target.exists():
        os.rename(fresh, target)
        return
    if _exchange(fresh, target):
        return
    old = Path(tempfile.mkdtemp(prefix=f".{target.name}.old-", dir=target.parent))
    os.rename(target, old / "site")
    os.rename(fresh, target)
    os.rename(old, fresh)


def _exchange(a: Path, b: Path) -> bool:
    """Atomically exchange two paths where the kernel allows it (Linux 3.15+)."""
    libc_name = ctypes.util.find_library("c")
    if not libc_name:
        return False
    libc = ctypes.CDLL(libc_name, use_errno=True)
    renameat2 = getattr(libc, "renameat2", None)
    if renameat2 is None:
        return False
    result = renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE)
    return result == 0

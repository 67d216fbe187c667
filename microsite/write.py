"""Pass 4: write the outputs into a fresh directory, then swap it into place.

A failed or killed build never leaves a half-written site/: the new tree is complete before it
replaces the old one, and on Linux the two are exchanged in one atomic step (renameat2). On a
rebuild, the files that did not change are hard-linked from the old tree instead of written
again (a file is never modified in place, so the link cannot see a later change).
"""
from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path
from typing import Iterable

from .libc import function

_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


FileStat = tuple[int, int, int]  # inode, size, modification time (ns): enough to notice a change


def write_site(outputs: dict[str, bytes], target: Path) -> None:
    """Replace `target` with a directory holding exactly `outputs`."""
    update_site(outputs.items(), (), target)


def update_site(outputs: Iterable[tuple[str, bytes | None]], keep: Iterable[str], target: Path) -> dict[str, FileStat]:
    """Replace `target` with a tree of `outputs` (streamed: they are written as they come) plus the
    files named in `keep`, linked from the current `target`. An output whose data is None is kept
    too: one found unchanged only once made (the search index, the downloads). Returns each
    file's stat."""
    target = target.resolve()
    target.parent.mkdir(parents=True, exist_ok=True)
    remove_leftovers(target)
    fresh = Path(tempfile.mkdtemp(prefix=f".{target.name}.new-{os.getpid()}-", dir=target.parent))
    try:
        tree = _Tree(fresh)
        for name in keep:
            tree.link(name, target / name)
        for name, data in outputs:
            if data is None:
                tree.link(name, target / name)
            else:
                tree.write(name, data)
            del data  # not held while the next is made: some are 30 MB
        os.chmod(fresh, 0o755)
        stats = {name: stat_of(fresh / name) for name in tree.names}
        _swap_into_place(fresh, target)
        return stats
    finally:
        shutil.rmtree(fresh, ignore_errors=True)


def remove_leftovers(target: Path) -> None:
    """Remove the half-made trees of builds that were killed before they could (`.site.new-PID-*`
    beside `site/`), leaving those of builds still running."""
    for kind in ("new", "old"):
        prefix = f".{target.name}.{kind}-"
        for path in target.parent.glob(f"{prefix}*"):
            pid = path.name[len(prefix):].split("-", 1)[0]
            if pid.isdigit() and not _running(int(pid)):
                shutil.rmtree(path, ignore_errors=True)


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # another user's process
    return True


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


def update_in_place(
    outputs: Iterable[tuple[str, bytes | None]], keep: Iterable[str], target: Path, prune: bool = True,
    present: dict[str, FileStat] | None = None,
) -> dict[str, FileStat]:
    """Like `update_site`, but into `target` itself, one file at a time (each replaced by a rename,
    so no file is ever half-written): for the preview, where a save must show at once and the
    tree as a whole need not change in one step. `present`: the tree's stats as just listed, so
    ten thousand kept files are not listed and stat'ed again."""
    target.mkdir(parents=True, exist_ok=True)
    present = tree_stats(target) if present is None and prune else (present or {})
    tree = _Tree(target)
    keep = list(keep)
    for name, data in outputs:
        if data is None:  # as it is
            keep.append(name)
            continue
        path = target / name
        tree._parent(path)
        write_file(path, data)
        del data  # not held while the next is made: some are 30 MB
        tree.names.append(name)
    written = set(tree.names)
    wanted = written | set(keep)
    for name in present if prune else ():
        if name not in wanted:
            os.unlink(target / name)
    return {name: stat_of(target / name) if name in written or name not in present else present[name] for name in sorted(wanted)}


def stat_of(path: Path) -> FileStat | None:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return (st.st_ino, st.st_size, st.st_mtime_ns)


def tree_stats(root: Path) -> dict[str, FileStat]:
    """Every file under `root` (names relative to it, with '/') and its stat; {} when absent."""
    found: dict[str, FileStat] = {}
    stack = [("", str(root))]
    while stack:
        prefix, folder = stack.pop()
        try:
            entries = list(os.scandir(folder))
        except OSError:
            continue
        for entry in entries:
            name = prefix + entry.name
            if entry.is_dir(follow_symlinks=False):
                stack.append((name + "/", entry.path))
            else:
                st = entry.stat(follow_symlinks=False)
                found[name] = (st.st_ino, st.st_size, st.st_mtime_ns)
    return found


class _Tree:
    """A directory being filled, making each parent folder once."""

    def __init__(self, root: Path):
        self.root, self.made, self.names = root, {root}, []

    def _parent(self, path: Path) -> None:
        if path.parent not in self.made:
            path.parent.mkdir(parents=True, exist_ok=True)
            self.made.add(path.parent)

    def write(self, name: str, data: bytes) -> None:
        path = self.root / name
        self._parent(path)
        path.write_bytes(data)
        self.names.append(name)

    def link(self, name: str, existing: Path) -> None:
        path = self.root / name
        self._parent(path)
        os.link(existing, path)
        self.names.append(name)


def _swap_into_place(fresh: Path, target: Path) -> None:
    """Afterwards `target` holds the new tree and `fresh` the old one (or nothing)."""
    if not target.exists():
        os.rename(fresh, target)
        return
    if _exchange(fresh, target):
        return
    old = Path(tempfile.mkdtemp(prefix=f".{target.name}.old-{os.getpid()}-", dir=target.parent))
    os.rename(target, old / "site")
    os.rename(fresh, target)
    os.rename(old, fresh)


def _exchange(a: Path, b: Path) -> bool:
    """Atomically exchange two paths where the kernel allows it (Linux 3.15+)."""
    renameat2 = function("renameat2")
    if renameat2 is None:
        return False
    result = renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE)
    return result == 0

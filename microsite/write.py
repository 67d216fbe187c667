"""Pass 4: write the outputs into a fresh directory, then swap it into place.

A failed or killed build never leaves a half-written site/: the new tree is complete before it
replaces the old one, and on Linux the two are exchanged in one atomic step (renameat2). On a
rebuild, the files that did not change are hard-linked from the old tree instead of written
again (a file is never modified in place, so the link cannot see a later change).

Every tree written holds a stamp, `STAMP`, saying that the tool made it (`guard.py` refuses to
replace a folder without one). Files are written 0644 and folders 0755 whatever the umask: a
site is for anyone to read. A folder or file that cannot be written (a full or read-only disk)
is a `WriteError`, which names it and says what to do, instead of a traceback.
"""
from __future__ import annotations

import errno
import os
import shutil
import stat
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import Iterable, Iterator

from .libc import function

_RENAME_EXCHANGE = 2
_AT_FDCWD = -100

# Flags of the files the engine opens: no link followed, none inherited by a child process. Windows
# has neither (nor links an unprivileged user can make): 0 leaves them out there.
NO_FOLLOW, CLOSE_ON_EXEC = getattr(os, "O_NOFOLLOW", 0), getattr(os, "O_CLOEXEC", 0)
READ_ONLY = os.O_RDONLY | NO_FOLLOW | CLOSE_ON_EXEC  # a cache file


FileStat = tuple[int, int, int]  # inode, size, modification time (ns): enough to notice a change

STAMP = ".microsite-output"  # in the root of every tree written; not an output (tree_stats skips it)
STAMP_TEXT = b"Made by microsite's build, which replaces this folder whole: keep nothing else here.\n"
FILE_MODE, FOLDER_MODE = 0o644, 0o755


class WriteError(OSError):
    """A file or folder that could not be written: its path, the system's reason, what to do.
    An OSError still, so the caches, which only cost time when they cannot be written, go on."""

    def __str__(self) -> str:
        if self.errno in (errno.ENOSPC, errno.EDQUOT):
            advice = "free some space on that disk"
        elif self.errno == errno.EROFS:
            advice = "the disk is mounted read-only; make it writable"
        elif self.errno in (errno.EACCES, errno.EPERM):
            advice = "give yourself write permission there"
        else:
            advice = "check that folder"
        return f"cannot write {self.filename}: {self.strerror}; {advice}, or build elsewhere with --out DIR"


@contextmanager
def writing(path: Path) -> Iterator[None]:
    """Turn an OSError into a `WriteError` naming `path` as the user knows it (not the temporary
    name being written)."""
    try:
        yield
    except WriteError:
        raise
    except OSError as e:
        raise WriteError(e.errno, e.strerror or str(e), str(path)) from None


def write_site(outputs: dict[str, bytes], target: Path) -> None:
    """Replace `target` with a directory holding exactly `outputs`."""
    update_site(outputs.items(), (), target)


def update_site(outputs: Iterable[tuple[str, bytes | None]], keep: Iterable[str], target: Path) -> dict[str, FileStat]:
    """Replace `target` with a tree of `outputs` (streamed: they are written as they come) plus the
    files named in `keep`, linked from the current `target`. An output whose data is None is kept
    too: one found unchanged only once made (the search index, the downloads). Returns each
    file's stat."""
    target = target.resolve()
    with writing(target.parent):
        target.parent.mkdir(parents=True, exist_ok=True)
        remove_leftovers(target)
        fresh = Path(tempfile.mkdtemp(prefix=f".{target.name}.new-{os.getpid()}-", dir=target.parent))
    try:
        with writing(target):
            tree = _Tree(fresh, target)
            tree.link_all(keep, target)
            for name, data in outputs:
                if data is None:
                    tree.link(name, target / name)
                else:
                    tree.write(name, data)
                del data  # not held while the next is made: some are 30 MB
            os.chmod(fresh, FOLDER_MODE)
            stats = {name: _readable(f"{fresh}/{name}") for name in tree.names}  # strings: see link_all
            tree.write(STAMP, STAMP_TEXT)
            _swap_into_place(fresh, target)
        return stats
    finally:
        shutil.rmtree(fresh, ignore_errors=True)


def remove_leftovers(target: Path) -> None:
    """Remove the half-made trees of builds that were killed before they could (`.site.new-PID-*`
    beside `site/`), leaving those of builds still running. A build killed between the two renames
    of a swap without renameat2 left no `site/`, and the previous one whole in `.site.old-PID-*`:
    that one is put back, never removed. Only folders are such trees: a link named like one (a
    pull request can commit it) is left alone, never followed out of the project."""
    for kind in ("old", "new"):
        prefix = f".{target.name}.{kind}-"
        for path in sorted(target.parent.glob(f"{prefix}*")):
            pid = path.name[len(prefix):].split("-", 1)[0]
            if not pid.isdigit() or not _is_folder(path) or _running(int(pid)):
                continue
            if kind == "old" and not target.exists() and _is_folder(path / "site"):
                os.rename(path / "site", target)
            shutil.rmtree(path, ignore_errors=True)


def _is_folder(path: Path) -> bool:
    """A folder itself, not a link to one."""
    try:
        return stat.S_ISDIR(os.lstat(path).st_mode)
    except OSError:
        return False


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
    with writing(path):
        fd, temp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
        try:
            with os.fdopen(fd, "wb") as out:
                out.write(data)
            os.chmod(temp, FILE_MODE)
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
    tree = _Tree(target, target)
    with writing(target):
        if not target.is_dir():
            target.mkdir(parents=True)
            os.chmod(target, FOLDER_MODE)
        if not (target / STAMP).is_file():
            write_file(target / STAMP, STAMP_TEXT)
        present = tree_stats(target) if present is None and prune else (present or {})
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


def _readable(path: str | Path) -> FileStat:
    """The file's stat, once it is FILE_MODE: a file linked from a build made under a stricter
    umask is opened to all too."""
    st = os.stat(path)
    if st.st_mode & 0o777 != FILE_MODE:
        os.chmod(path, FILE_MODE)
    return (st.st_ino, st.st_size, st.st_mtime_ns)


def tree_stats(root: Path) -> dict[str, FileStat]:
    """Every file under `root` (names relative to it, with '/') and its stat, but the stamp;
    {} when absent."""
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
            if name == STAMP:
                continue
            if entry.is_dir(follow_symlinks=False):
                stack.append((name + "/", entry.path))
            else:
                st = entry.stat(follow_symlinks=False)
                found[name] = (st.st_ino, st.st_size, st.st_mtime_ns)
    return found


class _Tree:
    """A directory being filled, making each parent folder once. `shown`: the folder it becomes,
    to name a file that cannot be written as the user knows it."""

    def __init__(self, root: Path, shown: Path):
        self.root, self.shown, self.made, self.names = root, shown, {root}, []

    def _parent(self, path: Path) -> None:
        folder = path.parent
        if folder not in self.made:
            if folder.parent != folder:
                self._parent(folder)
            with writing(self._shown(folder)):
                folder.mkdir(exist_ok=True)
                os.chmod(folder, FOLDER_MODE)
            self.made.add(folder)

    def write(self, name: str, data: bytes) -> None:
        path = self.root / name
        self._parent(path)
        with writing(self.shown / name):
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | CLOSE_ON_EXEC, FILE_MODE)
            with open(fd, "wb") as out:
                os.fchmod(fd, FILE_MODE)  # the umask narrowed it
                out.write(data)
        self.names.append(name)

    def link(self, name: str, existing: Path) -> None:
        path = self.root / name
        self._parent(path)
        with writing(self.shown / name):
            os.link(existing, path)
        self.names.append(name)

    def link_all(self, names: Iterable[str], source: Path) -> None:
        """Each of `names` linked from the same name under `source`: the files a build keeps,
        forty thousand at 10,000 entities, joined as plain strings (through pathlib, 2.8 s of a
        one-edit build's 32 s under the profiler)."""
        root, folders = str(self.root), set()
        for name in names:
            folder = name.rpartition("/")[0]
            if folder not in folders:
                self._parent(self.root / name)
                folders.add(folder)
            try:
                os.link(f"{source}/{name}", f"{root}/{name}")
            except OSError:
                with writing(self.shown / name):  # the error, naming the file as the user knows it
                    raise
            self.names.append(name)

    def _shown(self, path: Path) -> Path:
        try:
            return self.shown / path.relative_to(self.root)
        except ValueError:
            return path


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

"""Which folder a build may replace, and one build at a time.

A build replaces its output folder whole, so the folder must be one the tool made: never the
project, a folder holding it, or one of the folders it reads, and never a folder that holds
anything but an earlier output (`write.STAMP` marks those). And two builds at once would mix
their files (one linking what the other is about to replace) and their caches: each build holds
a lock on the project's cache and on the folder its output lives in until it is done; a second
build waits for it.
"""
from __future__ import annotations

import os
import sys
import zipfile
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Iterator

from .write import STAMP, writing

try:
    import fcntl
except ImportError:  # Windows: no flock; builds there are not kept from running at once (README)
    fcntl = None

KEPT = ("content", "templates", "assets", ".git")  # what a build reads, and the history


class OutputRefused(Exception):
    """A folder the build must not replace: a usage error, and nothing is written."""


def check_output(root: Path, target: Path, defaults: tuple[Path, ...], built_before: bool) -> None:
    """Raise OutputRefused unless the build may replace `target` (both paths resolved).
    `defaults`: the project's own output folders (site/, the preview's), and `built_before`: a
    build of this project wrote `target` (its manifest says so). Both accept a folder an earlier
    version of the tool wrote, before it stamped its outputs."""
    site = root / "site"
    suggestion = "choose a new or empty folder with --out DIR" + (f", such as {site}" if target != site else "")
    if target == root or root.is_relative_to(target):
        what = "is the project folder" if target == root else f"holds the project folder {root}"
        _refuse(target, f"it {what}, and the build replaces its output folder whole", suggestion)
    for name in KEPT:
        if target.is_relative_to(root / name):
            _refuse(target, f"it is inside the project's {name}/ folder, which is not the build's to replace", suggestion)
    if target.exists() and not target.is_dir():
        _refuse(target, "it is a file, not a folder", suggestion)
    if not target.is_dir() or (target / STAMP).is_file() or built_before or not any(target.iterdir()):
        return
    if target in defaults and (target / ".nojekyll").is_file():
        return  # a site/ written before outputs were stamped (every build writes .nojekyll)
    _refuse(target, f"it is not empty and was not made by this tool (it has no {STAMP} file), and a build "
                    "replaces everything in its output folder", f"{suggestion}, or move the files away")


def check_unlinked(root: Path, path: Path) -> None:
    """Raise OutputRefused if `path`, or a folder on its way from the project `root`, is a symbolic
    link: a link committed to the project (`site -> docs`) would have the build replace, or its
    cache fill and prune, whatever folder the link names. Outside the project, folders on the way
    are the user's own choice (`--out /mnt/usb/site` through a linked /mnt)."""
    path = Path(os.path.abspath(path))
    steps = [path, *(p for p in path.parents if p.is_relative_to(root) and p != root)]
    for step in steps:
        if step.is_symlink():
            raise OutputRefused(f"cannot use {path}: {step} is a symbolic link, and the build writes only into "
                                "real folders; remove the link (the build makes the folder itself)")


def check_cache(root: Path, cache: Path) -> None:
    """Raise OutputRefused if the project's cache folder, a folder in it, or a folder of prepared
    entries is a link: the build prunes and writes what it finds there, so a linked folder would
    have it delete and make files elsewhere. (A linked file in them is harmless: cache files are
    read only when plain files, `cache.read_entry`, and replaced or removed, never written through.)"""
    check_unlinked(root, cache)
    for folder in (cache, cache / "prepared"):
        if not folder.is_dir():
            continue
        with os.scandir(folder) as found:
            for entry in found:
                if entry.is_symlink():
                    raise OutputRefused(f"the cache folder {cache} holds a symbolic link, {entry.path}, which no build "
                                        f"makes; delete the cache folder (it is made again) and build again")


def _refuse(target: Path, why: str, advice: str) -> None:
    raise OutputRefused(f"cannot build into {target}: {why}; {advice}")

def check_offline(path: Path, folder: str) -> None:
    """Raise OutputRefused unless `path` is free for the offline copy, or holds an earlier one: a
    zip whose every entry is in `folder`."""
    if not path.exists() and not path.is_symlink():
        return
    try:
        with zipfile.ZipFile(path) as archive:
            if all(name.startswith(f"{folder}/") for name in archive.namelist()):
                return
    except (OSError, zipfile.BadZipFile):
        pass
    raise OutputRefused(f"{path} is in the way of the offline copy and is not one this tool wrote: "
                        f"move it away and build again (the site itself was built)")


@contextmanager
def exclusive(paths: list[Path], required: bool = True) -> Iterator[None]:
    """Hold an exclusive lock on each path (a lock file, made if missing, or a folder) until the
    block ends, waiting for a build that holds one, and saying so once. Not `required`: a lock
    that cannot be made (a read-only project) is gone without."""
    if fcntl is None:
        yield
        return
    said = False
    with ExitStack() as held:
        for path in paths:
            try:
                with writing(path):
                    if not path.is_dir():
                        path.parent.mkdir(parents=True, exist_ok=True)
                    fd = os.open(path, (os.O_RDONLY if path.is_dir() else os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW) | os.O_CLOEXEC, 0o644)
            except OSError:
                if required:
                    raise
                continue
            held.callback(os.close, fd)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                if not said:
                    print(f"another build is running (it holds {path}); waiting for it to finish", file=sys.stderr, flush=True)
                    said = True
                fcntl.flock(fd, fcntl.LOCK_EX)
            # Unlocked, not only closed: a process forked meanwhile (a worker) would hold it on.
            held.callback(fcntl.flock, fd, fcntl.LOCK_UN)
        yield

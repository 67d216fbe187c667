"""Every file read from content/, assets/ and templates/ stays inside its folder, links followed.

Everything in those folders may come from a stranger's pull request, and a symbolic link is a file
like any other there: `content/CNAME -> /proc/self/environ` would publish the build's environment,
a linked page or asset any file of the machine, a linked template any file Jinja is asked for.
So every reader asks `outside` first, with every link on the way followed (a linked folder
included). A link that stays inside its folder is allowed: it shows nothing the folder does not
hold already. The folders content/, assets/ and templates/ themselves must be folders of the
project (`build.read_inputs`); a folder inside them (content/images/, content/pages/) is a link
like any other.
"""
from __future__ import annotations

import os
from pathlib import Path
from typing import Iterator, Sequence

from .errors import Location, Problems


def outside(path: Path, folder: Path) -> bool:
    """Whether `path`, with every link on its way followed, lands outside `folder`."""
    return not Path(os.path.realpath(path)).is_relative_to(os.path.realpath(folder))


def confined(path: Path, folder: Path, name: str, problems: Problems) -> bool:
    """Whether `path` (shown as `name`) may be read; if not, a located error saying why."""
    if not outside(path, folder):
        return True
    what = "folder" if os.path.isdir(path) else "file"
    within = Path(os.path.relpath(os.path.abspath(path), os.path.abspath(folder))).as_posix()
    shown = name.removesuffix("/" + within) if within != "." else name  # content/images, as named
    problems.error(
        Location(name, 1, 1), f"{name} is a link to a {what} outside {shown}/; replace it with the {what} itself"
    )
    return False


def first_link(path: Path, root: Path) -> Path | None:
    """The first symbolic link on the way from `root` (itself trusted) down to `path`, itself
    included, or None: a file written there would land wherever the link points, for a dangling
    link too, so a writer (`build.py new`) refuses them all, even one that stays inside."""
    for step in [*reversed(path.relative_to(root).parents), path.relative_to(root)]:
        if step != Path(".") and os.path.islink(root / step):
            return root / step
    return None


def files_inside(folder: Path, name: str, problems: Problems | None, within: Path | None = None) -> Iterator[Path]:
    """Every file under `folder` (shown as `name`), sorted, each one checked by `confined` to stay
    inside `within` (by default `folder`; `problems` None: they were reported already, leave them
    out quietly). A linked folder is not walked into (as `Path.rglob` does not), but checked all
    the same: Jinja would read a template through it."""
    if not folder.is_dir():
        return
    within = within or folder
    for path in sorted(folder.rglob("*")):
        if not (path.is_file() or path.is_symlink()):
            continue
        if problems is None:
            kept = not outside(path, within)
        else:
            kept = confined(path, within, f"{name}/{path.relative_to(folder).as_posix()}", problems)
        if kept and path.is_file():
            yield path


def overlay(folders: Sequence[Path], name: str, problems: Problems | None) -> dict[str, Path]:
    """Every file of `folders` by its path inside them (`files_inside` each), sorted, the first
    folder's file winning: a project's own templates/ or assets/ over the engine's, file by file."""
    files: dict[str, Path] = {}
    for folder in reversed(folders):
        files.update({p.relative_to(folder).as_posix(): p for p in files_inside(folder, name, problems)})
    return dict(sorted(files.items()))

"""Every input of a build, digested before anything is parsed: the same digest means the same
site, so a build with nothing changed stops here (`build.py`)."""
from __future__ import annotations

from dataclasses import dataclass, replace
from functools import cached_property
from pathlib import Path

from .state import BuildState
from ..confine import confined, files_inside, outside, overlay
from ..content.config import load_config
from ..content.load import IMAGES_FOLDER, ContentFile, content_files
from ..content.translations import translation_files
from ..errors import Location, Problems
from ..model import SiteConfig
from ..project import PROJECT_FOLDERS, Project
from ..store.cache import digest, engine_digest


@dataclass(frozen=True)
class Inputs:
    """Every input file read, with the cache key of each content file."""

    config: SiteConfig
    files: list[ContentFile]
    keys: list[str]  # the prepared cache's key of each file
    config_digest: str  # of site.yaml and content/images/: part of every file's key
    templates: str  # digest of the templates folder
    others: tuple[str, ...]  # the digest of every other input: the engine, templates, assets, images...
    extra: bytes  # what else the output depends on (b"preview")

    @cached_property
    def digest(self) -> str:
        """Of all of it: the same digest means the same site."""
        return digest("\n".join((self.config_digest, *self.keys, *self.others)).encode() + self.extra)

    def with_key(self, index: int, key: str) -> Inputs:
        """The same inputs with file `index` saved anew."""
        keys = list(self.keys)
        keys[index] = key
        return replace(self, keys=keys)


def read_inputs(project: Project, state: BuildState, problems: Problems, extra: bytes = b"") -> Inputs:
    for folder in PROJECT_FOLDERS:
        if outside(project.root / folder, project.root):
            problems.error(
                Location(folder, 1, 1),
                f"{folder}/ is a link to a folder outside the project; replace it with the folder itself",
            )
    problems.raise_if_errors()
    config = load_config(project.root, problems, project.base_url)
    if config is None:
        problems.raise_if_errors()
    files = content_files(project.root, config, problems)
    # Loading checks that images exist, and reports a link out of content/ where a page names one.
    images = _folder_digest(project.root / IMAGES_FOLDER, IMAGES_FOLDER, state, None, project.root / "content")
    config_digest = digest(repr(config) + images)
    keys = [state.cache.key(config_digest, f.folder, f.name, state.files.digest(f.path)) for f in files]
    templates = _overlay_digest(project.templates, "templates", state, problems)
    others = [engine_digest(), templates, _overlay_digest(project.assets, "assets", state, problems), images]
    content = project.root / "content"
    cname = content / "CNAME"
    if cname.is_file():  # copied, not loaded: checked here (loading checks changes.yaml)
        confined(cname, content, "content/CNAME", problems)
    # Any change to a translation is a change (digested by stat, as content files are).
    others += [digest(p.name + state.files.digest(p)) for p in translation_files(project.root, config)]
    for path in (content / "changes.yaml", cname):
        others.append(digest(path.read_bytes()) if path.is_file() and not outside(path, content) else "-")
    return Inputs(config, files, keys, config_digest, templates, tuple(others), extra)


def _folder_digest(
    folder: Path, name: str, state: BuildState, problems: Problems | None, within: Path | None = None
) -> str:
    """Of every file in `folder` that may be read (`confine.py`: a link out of it, or of `within`,
    is reported into `problems` and never read)."""
    if not folder.is_dir():
        return "-"
    files = list(files_inside(folder, name, problems, within))
    return digest("".join(f"{p.relative_to(folder).as_posix()}\0{state.files.digest(p)}\0" for p in files))


def _overlay_digest(folders: tuple[Path, ...], name: str, state: BuildState, problems: Problems) -> str:
    """Of every file the overlay of `folders` reads (`confine.overlay`): a save on either side changes it."""
    files = overlay(folders, name, problems)
    return digest("".join(f"{relative}\0{state.files.digest(p)}\0" for relative, p in files.items()))

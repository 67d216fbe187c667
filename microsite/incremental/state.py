"""What one build leaves for the next: prepared files (memory and .cache/prepared/), each input's
digest by stat (.cache/build/stamps) and, per output folder, a manifest of what it wrote
(.cache/build/). A preview keeps one in memory between saves (`preview/session.py`)."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from ..content.cached import PreparedCache
from ..errors import Problem
from ..guard import check_cache
from ..project import Project
from ..store.cache import digest, read_sealed_pickle, write_sealed_pickle
from ..store.stamps import FileDigests
from ..write import FileStat


@dataclass(frozen=True)
class Manifest:
    """What a build wrote into one folder: enough to skip the next build when nothing changed,
    and to render again only the pages whose inputs changed."""

    inputs: str  # a hash of every input; the same hash means the same site
    files: dict[str, tuple[str, FileStat]]  # output -> (key of its inputs, stat as written)
    pages: int = 0
    sources: int = 0
    citations: int = 0
    warnings: tuple[Problem, ...] = ()
    quotations: int = 0
    numbers: int = 0


EMPTY = Manifest("", {})


@dataclass
class BuildState:
    """What lives from one build to the next, in memory and in .cache/; nothing of a preview."""

    cache: PreparedCache
    folder: Path | None  # where manifests are kept; None: in memory only
    manifests: dict[Path, Manifest] = field(default_factory=dict)
    files: FileDigests = field(default_factory=lambda: FileDigests(None))  # inputs' digests, by stat

    @classmethod
    def on_disk(cls, project: Project, texts_in_memory: bool = False) -> BuildState:
        """The state kept in .cache/; `texts_in_memory`: narratives' texts kept in memory too (the
        preview, which reads them again on every save)."""
        check_cache(project.root, project.cache)
        build = project.cache / "build"
        cache = PreparedCache(project.cache / "prepared", texts_in_memory=texts_in_memory)
        return cls(cache, build, files=FileDigests(build / "stamps"))

    def manifest(self, target: Path) -> Manifest:
        if target not in self.manifests and self.folder is not None:
            manifest = read_sealed_pickle(self._manifest_path(target))
            if isinstance(manifest, Manifest):  # one damaged or written by another version: a full build
                self.manifests[target] = manifest
        return self.manifests.get(target, EMPTY)

    def remember(self, target: Path, manifest: Manifest) -> None:
        self.manifests[target] = manifest
        if self.folder is not None:
            write_sealed_pickle(self._manifest_path(target), manifest)

    def forget(self, target: Path) -> None:
        """Trust nothing in `target`: its next build is a full one."""
        self.remember(target, EMPTY)

    def _manifest_path(self, target: Path) -> Path:
        assert self.folder is not None
        return self.folder / f"manifest-{digest(str(target))}"

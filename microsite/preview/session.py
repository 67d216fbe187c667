"""What a preview keeps between saves, and the work each build leaves for after the reload.

A plain build keeps its state on disk (`incremental/state.py`); the preview also keeps in memory
its templates compiled, each text's search terms and its last build (`pipeline.Reuse`), which the
next save is applied to (`edits.py`).
"""
from __future__ import annotations

import os
import threading
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Callable

from ..build import build
from ..incremental.deps import readers
from ..incremental.result import BuildResult
from ..incremental.state import BuildState
from ..parallel import in_child
from ..pipeline import Made, Reuse
from ..pipeline.late import late_outputs
from ..project import Project
from ..write import stat_of, update_in_place


@dataclass
class Session:
    """What `build.py serve` keeps from its start to its end."""

    state: BuildState
    reuse: Reuse = field(default_factory=Reuse)
    lock: threading.Lock = field(default_factory=threading.Lock)  # held while its output changes
    _readers: dict[str, set[str]] | None = None  # of the last build, grown by each save (`readers`)
    _file_index: dict[Path, int] | None = None  # of the last full build (`file_index`)

    @classmethod
    def on_disk(cls, project: Project) -> Session:
        """Its narratives' texts kept in memory: each save reads them again."""
        return cls(BuildState.on_disk(project, texts_in_memory=True))

    @property
    def last(self) -> Made | None:
        return self.reuse.made

    def build(self, project: Project, out: Path) -> BuildResult:
        """The full path: a build in place, its late outputs left for after the reload."""
        result = build(project, out, preview=True, state=self.state, reuse=self.reuse)
        self._readers = self._file_index = None
        made = self.reuse.made
        if made is None or not made.deferred:
            return result
        return replace(result, pending=(self.rest(made),))

    def keep(self, made: Made) -> Rest:
        """`made` the last build, as a save applied it (`edits.py`), its late outputs to come."""
        self.reuse.made = made
        return self.rest(made)

    def readers(self) -> dict[str, set[str]]:
        """Input -> the pages reading it, of the last build: a superset, only ever added to."""
        assert self.reuse.made is not None
        if self._readers is None:
            self._readers = readers(self.reuse.made.inputs_of)
        return self._readers

    def file_index(self) -> dict[Path, int]:
        """Each content file of the last build (absolute) -> its place in its inputs: the same
        files until the next full build (a save applied keeps them)."""
        assert self.reuse.made is not None
        if self._file_index is None:
            self._file_index = {Path(os.path.abspath(f.path)): i for i, f in enumerate(self.reuse.made.inputs.files)}
        return self._file_index

    def forget(self, target: Path) -> None:
        """Trust nothing in `target`: its next build is a full one."""
        self.state.forget(target)
        if self.reuse.made is not None and self.reuse.made.target == target:
            self.reuse.made = None

    def rest(self, made: Made) -> Rest:
        """The work for after the reload: the search index, the data downloads and the Data page
        listing them, the sitemap, made in a child process. Until it is done, the manifest says the
        output is incomplete, so a preview stopped meanwhile is built in full next time. Another
        save before it is done stops it: that save has its own."""
        done, target, site = made.manifest, made.target, made.checked.site
        self.state.remember(target, replace(done, inputs=""))
        files = done.files

        def changed_outputs() -> dict[str, tuple[str, bytes]]:
            late = late_outputs(site, made.fps, made.env, made.values, made.graphs, self.reuse.search_terms)
            return {name: (key, data) for name, key, data in late if key != files[name][0]}

        def wanted() -> bool:
            return self.reuse.made is made

        def keep(changed: dict[str, tuple[str, bytes]]) -> None:
            with self.lock:
                if not wanted():
                    return
                update_in_place(((name, data) for name, (_, data) in changed.items()), [], target, prune=False)
                for name, (key, _) in changed.items():
                    files[name] = (key, stat_of(target / name))
                self.state.remember(target, done)

        return Rest(changed_outputs, wanted, keep)


@dataclass(frozen=True)
class Rest:
    """The preview's work for after the reload (`Session.rest`): `make` runs in a child process;
    `keep` writes what it made, unless another save came first (`wanted`)."""

    make: Callable[[], dict[str, tuple[str, bytes]]]
    wanted: Callable[[], bool]
    keep: Callable[[dict[str, tuple[str, bytes]]], None]

    def __call__(self) -> None:
        """All of it, waiting for the child here (the preview waits from its event loop)."""
        changed = in_child(self.make, self.wanted)
        if changed is not None:
            self.keep(changed)

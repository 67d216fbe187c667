"""`build` and `check`: the output folder held, every input digested, and, once something changed,
the passes run (`pipeline/`).

A build is incremental without being guessed at: every content file is prepared once per content
(cached by `content/cached.py`), every output has a key hashing the inputs it reads
(`incremental/deps.py`), and only outputs whose key changed are made and written
(`incremental/plan.py`); the rest are linked from the previous tree. A build whose inputs all
digest as the last build's, into a folder as it left it, stops before any pass: the most frequent
build imports none of them (Jinja, Pillow, SQLite, lunr).
"""
from __future__ import annotations

import gc
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Iterator

from .errors import ContentErrors, Problem, Problems
from .guard import check_offline, check_output, check_unlinked, exclusive
from .incremental.inputs import Inputs, read_inputs
from .incremental.result import BuildResult, Clock
from .incremental.state import BuildState, Manifest
from .project import ENGINE_HOME, Project
from .write import STAMP, STAMP_TEXT, FileStat, stat_of, tree_stats, write_file, writing

if TYPE_CHECKING:
    from .pipeline import Reuse
    from .resolve.site import Site


def build(
    project: Project, out: Path | None = None, preview: bool = False, offline: bool = False,
    state: BuildState | None = None, workers: int | None = None, reuse: Reuse | None = None,
) -> BuildResult:
    """Build into `out` (default site/); the old output stays untouched if anything fails.

    `preview` pages let the live-reload script reach its server; published pages connect nowhere.
    `offline` also writes the offline copy, a zip of the site, beside the output folder. `reuse`:
    what a preview keeps between builds (`preview/session.py`), which writes in place."""
    state = state or BuildState.on_disk(project)
    with output_held(project, out, state), without_cycle_collector(), _finishing(state):
        clock = Clock()
        target = (out or project.site).resolve()
        extra = (b"preview" if preview else b"") + (b"pdf" if project.pdf else b"")
        problems = Problems()
        inputs = read_inputs(project, state, problems, extra)
        current = tree_stats(target)  # what is really there: a file changed or added by hand is noticed
        clock.lap("read")
        previous = state.manifest(target)
        if not problems.errors and _nothing_changed(previous, inputs, current):
            result = _as_before(previous, target, clock, inputs)
        else:
            from . import pipeline  # the passes: only once something is to be made

            result = pipeline.make(project, inputs, problems, state, target, current, clock, preview, workers, reuse)
        return _with_offline_copy(result) if offline else result


def check(project: Project, state: BuildState | None = None, workers: int | None = None) -> tuple[Site, list[Problem]]:
    """Load and cross-check everything; raise ContentErrors listing every problem found."""
    from . import pipeline  # see build()
    from .render.templates import make_environment

    state = state or BuildState.on_disk(project)
    problems = Problems()
    with exclusive([project.lock], required=False), without_cycle_collector(), _finishing(state):
        inputs = read_inputs(project, state, problems)
        env = make_environment(project.templates)
        checked, _ = pipeline.check_site(project, inputs, state, problems, env, workers)
    return checked.site, checked.warnings


def _nothing_changed(previous: Manifest, inputs: Inputs, current: dict[str, FileStat]) -> bool:
    """The same inputs as the last build, into a folder as it left it."""
    return previous.inputs == inputs.digest and current == {n: s for n, (_, s) in previous.files.items()}


def _as_before(previous: Manifest, target: Path, clock: Clock, inputs: Inputs) -> BuildResult:
    return BuildResult(
        previous.pages, previous.sources, previous.citations, clock.seconds, previous.warnings, target,
        phases=tuple(clock.phases), title=inputs.config.title, quotations=previous.quotations, numbers=previous.numbers,
    )


def _with_offline_copy(result: BuildResult) -> BuildResult:
    """The offline copy, a zip of the site named after it, written beside the output folder."""
    from .outputs.datasets import site_slug  # the offline copy is asked for now and then
    from .outputs.offline import offline_zip

    folder = site_slug(result.title)
    written = result.out.parent / f"{folder}.zip"
    check_offline(written, folder)
    write_file(written, offline_zip(folder, result.outputs))
    return replace(result, offline=written)


@contextmanager
def output_held(project: Project, out: Path | None, state: BuildState) -> Iterator[None]:
    """Once the output folder is found to be one a build may replace (`guard.check_output`), the
    project's lock and the folder holding the output, held until the block ends."""
    check_unlinked(project.root, out or project.site)
    target = (out or project.site).resolve()
    previous = state.manifest(target)
    built_before = not (target / STAMP).is_file() and any(
        stat is not None and stat_of(target / name) == stat for name, (_, stat) in previous.files.items()
    )
    defaults = (project.site.resolve(), (project.cache / "preview").resolve())
    check_output(project.root.resolve(), target, defaults, built_before)
    with writing(target.parent):
        target.parent.mkdir(parents=True, exist_ok=True)
    with exclusive([project.lock, target.parent]):
        if target.is_dir() and not (target / STAMP).is_file():
            write_file(target / STAMP, STAMP_TEXT)  # one of ours, from before outputs were stamped
        yield


@contextmanager
def _finishing(state: BuildState) -> Iterator[None]:
    """However a build ends, the inputs' stamps it saw are kept for the next."""
    try:
        yield
    finally:
        state.files.finish()


@contextmanager
def without_cycle_collector() -> Iterator[None]:
    """A build makes millions of small objects that live until it ends; Python's cycle collector
    would walk them all again and again (in forked workers, copying every page of memory it
    touches). Reference counting frees nearly everything; the few cycles wait for the collector's
    next ordinary run."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


__all__ = ["BuildResult", "BuildState", "ContentErrors", "ENGINE_HOME", "Project", "build", "check"]

"""The build, pass by pass: load, resolve, render, write. Each pass is a plain function.

A build is incremental without being guessed at: every content file is prepared once per content
(`prepare.py`, cached by `cache.py`), every output has a key hashing the inputs it reads
(`deps.py`), and only outputs whose key changed are rendered and written; the rest are linked
from the previous tree. Large jobs are spread over the cores (`parallel.py`).

Whole-site outputs are `Site -> {path: bytes}` functions, run on every build that is not
skipped outright (nothing changed), each of their files written only when its bytes changed:
assets, images and feeds before the pages (`_site_outputs`); what no page reads, the search
index and the data downloads, after them (`_late_outputs`). A per-page output is another kind
of page: a key naming its inputs, made only when the key changed (the social cards).
"""
from __future__ import annotations

import gc
import os
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from functools import cached_property, partial
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Iterable, Iterator

from .incremental.cache import PreparedCache, engine_digest, read_sealed_pickle, write_sealed_pickle
from .content.config import load_config
from .confine import confined, files_inside, outside, overlay
from .errors import ContentErrors, Location, Problem, Problems
from .guard import check_cache, check_offline, check_output, check_unlinked, exclusive
from .libc import give_back_freed_memory
from .content.load import IMAGES_FOLDER, ContentFile, assemble, content_files
from .outputs.lunr_index import TermCounter
from .model import SiteConfig
from .addresses import DATA, in_every_language
from .content.prepare import Prepared, digest, prepare, unreadable
from .incremental.stamps import FileDigests
from .content.translations import translation_files
from .write import STAMP, STAMP_TEXT, FileStat, stat_of, tree_stats, update_in_place, update_site, write_file, writing

# What only a build with something to make uses (Jinja, Pillow, SQLite, lunr, the worker pool) is
# imported where it is used: a build with nothing changed, the most frequent, imports none of it.
if TYPE_CHECKING:
    from jinja2 import Environment

    from .outputs.cards import Card, CardSet
    from .render.graph import Graph
    from .incremental.parallel import Helpers
    from .render.pages import PageRenderer
    from .resolve.site import LinkTargets, Site

# A page past this many bytes (a site-wide listing of a large site) hands back what it took once written.
LARGE_PAGE = 1 << 20

# What a build reads. Each may arrive by pull request, so each must be a folder of the project
# itself: `assets` linked to / would publish the machine (`confine.py` guards what is inside).
PROJECT_FOLDERS = ("content", "templates", "assets")


# The package itself: its templates/ and assets/ ship in the wheel and serve every project, this
# repository's own investigation included, behind the project's own files.
ENGINE_HOME = Path(__file__).resolve().parent


def _own_over_engine(root: Path, folder: str) -> tuple[Path, ...]:
    """The project's folder, then the engine's (`confine.overlay`: the project's files win, file
    by file); one folder when the project's folder is the engine's own."""
    own = root / folder
    return (own,) if root.resolve() == ENGINE_HOME else (own, ENGINE_HOME / folder)


@dataclass(frozen=True)
class Project:
    """Where a project's parts live; everything else is derived from these."""

    root: Path
    base_url: str | None = None  # the published address, replacing site.yaml's (`build --base-url`)
    pdf: bool = False  # also the printed report of each language (`build --pdf`, outputs/report.py)

    @property
    def templates(self) -> tuple[Path, ...]:
        """Where templates are looked for: the project's templates/, then the engine's."""
        return _own_over_engine(self.root, "templates")

    @property
    def assets(self) -> tuple[Path, ...]:
        """Where assets are looked for: the project's assets/, then the engine's."""
        return _own_over_engine(self.root, "assets")

    @property
    def site(self) -> Path:
        return self.root / "site"

    @property
    def cache(self) -> Path:
        """Prepared content files, processed images and drawn cards, by content hash (git-ignored;
        safe to delete)."""
        return self.root / ".cache"

    @property
    def lock(self) -> Path:
        """Held by a build from start to end (`guard.exclusive`)."""
        return self.cache / "lock"


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
    """What one build leaves for the next: prepared files (memory and .cache/prepared/) and, per
    output folder, a manifest (.cache/build/). A long-running preview keeps one in memory."""

    cache: PreparedCache
    folder: Path | None
    manifests: dict[Path, Manifest] = field(default_factory=dict)
    files: FileDigests = field(default_factory=lambda: FileDigests(None))  # inputs' digests, by stat
    in_place: bool = False  # the preview: write changed files straight into the output
    search_terms: TermCounter = field(default_factory=TermCounter)  # each text's search terms, counted once
    environments: dict[tuple, Environment] = field(default_factory=dict)  # see environment()
    last: Snapshot | None = None  # the preview's last build, to apply the next save to (edits.py)
    templates_checked: str = ""  # the digest of the templates last found without a problem
    lock: threading.Lock = field(default_factory=threading.Lock)  # the preview: held while its output changes

    @classmethod
    def on_disk(cls, project: Project, preview: bool = False) -> BuildState:
        """The state kept in .cache/; a `preview` keeps its site in memory between saves, texts
        included, and writes its changes in place."""
        check_cache(project.root, project.cache)
        build = project.cache / "build"
        cache = PreparedCache(project.cache / "prepared", texts_in_memory=preview)
        return cls(cache, build, files=FileDigests(build / "stamps"), in_place=preview)

    def environment(self, templates: tuple[Path, ...], preview: bool, templates_digest: str) -> Environment:
        """The Jinja environment, templates compiled once while they are unchanged: compiling them
        again was a third of the preview's time per save."""
        from .render.pages import make_environment  # Jinja: only once something is to be made

        key = (templates, preview, templates_digest)
        if key not in self.environments:
            self.environments = {key: make_environment(templates, preview)}
        return self.environments[key]

    def manifest(self, target: Path) -> Manifest:
        if target not in self.manifests and self.folder is not None:
            manifest = read_sealed_pickle(self._manifest_path(target))
            if isinstance(manifest, Manifest):  # one damaged or written by another version: a full build
                self.manifests[target] = manifest
        return self.manifests.get(target, EMPTY)

    def remember(self, target: Path, manifest: Manifest) -> None:
        self.manifests[target] = manifest
        if self.folder is None:
            return
        write_sealed_pickle(self._manifest_path(target), manifest)

    def forget(self, target: Path) -> None:
        """Trust nothing in `target`: its next build is a full one."""
        self.remember(target, EMPTY)
        if self.last is not None and self.last.target == target:
            self.last = None

    def _manifest_path(self, target: Path) -> Path:
        assert self.folder is not None
        return self.folder / f"manifest-{digest(str(target))}"


@dataclass(frozen=True)
class BuildResult:
    pages: int
    sources: int
    citations: int
    seconds: float
    warnings: tuple[Problem, ...]
    out: Path
    rendered: int = 0  # pages rendered this time (the others had not changed)
    written: int = 0  # files written this time
    phases: tuple[tuple[str, float], ...] = ()  # seconds spent in each pass
    offline: Path | None = None  # the offline copy, when asked for
    # Work left for after the page is shown (the preview's search index, downloads and sitemap).
    pending: tuple[Rest, ...] = ()
    title: str = ""  # the site's title (names the offline copy)
    quotations: int = 0  # quotations verified against their sources' excerpts
    numbers: int = 0  # numbers checked against their sources' records

    def summary(self) -> str:
        return (
            f"built {self.pages} pages, {self.sources} sources, {self.citations} citations "
            f"({self.quotations} quotation{'' if self.quotations == 1 else 's'} and "
            f"{self.numbers} number{'' if self.numbers == 1 else 's'} checked) "
            f"in {self.seconds:.2f} s" + (f"; offline copy {self.offline.name}" if self.offline else "")
        )

    @property
    def outputs(self) -> dict[str, bytes]:
        """Every file of the output folder, read back (the build itself streams them to disk)."""
        return read_tree(self.out)


def read_tree(root: Path) -> dict[str, bytes]:
    return {name: (root / name).read_bytes() for name in sorted(tree_stats(root))}


@dataclass(frozen=True)
class Inputs:
    """Every input file read, with the cache key of each content file: read before anything is
    parsed, so a build with nothing changed can stop here."""

    config: SiteConfig
    files: list[ContentFile]
    keys: list[str]  # the prepared cache's key of each file
    config_digest: str  # of site.yaml and content/images/: part of every file's key
    templates: str  # digest of the templates folder
    parts: tuple[str, ...]  # the engine's digest, config_digest, the keys, then every other input's digest
    extra: bytes  # what else the output depends on (b"preview")

    @cached_property
    def digest(self) -> str:
        """Of all of it: the same digest means the same site."""
        return digest("\n".join(self.parts).encode() + self.extra)

    def with_key(self, index: int, key: str) -> Inputs:
        """The same inputs with file `index` saved anew."""
        keys, parts = list(self.keys), list(self.parts)
        keys[index] = parts[2 + index] = key
        return replace(self, keys=keys, parts=tuple(parts))


@dataclass(frozen=True)
class Checked:
    """A resolved site with what was prepared for it."""

    site: Site
    prepared: dict[str, Prepared]  # content file -> prepared
    warnings: list[Problem]


@dataclass(frozen=True)
class Images:
    """The page images and raster assets, decoded while checking so that a damaged one is
    reported with every other problem (and by `check`), kept apart from `Checked`: the preview
    keeps that between saves, and these bytes need not stay."""

    outputs: dict[str, bytes]  # output path -> bytes, page images and raster assets
    pictures: dict  # the file named in `image:` -> its `images.Picture`, for the templates


class Clock:
    """Seconds spent in each pass, for `build --timings` and the benchmark."""

    def __init__(self):
        self.start = self.last = time.perf_counter()
        self.phases: list[tuple[str, float]] = []

    def lap(self, name: str) -> None:
        now = time.perf_counter()
        self.phases.append((name, now - self.last))
        self.last = now


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
    everything = [engine_digest(), config_digest, *keys]  # the files' keys first: a save replaces one (edits.py)
    everything += [templates, _overlay_digest(project.assets, "assets", state, problems), images]
    content = project.root / "content"
    cname = content / "CNAME"
    if cname.is_file():  # copied, not loaded: checked here (loading checks changes.yaml)
        confined(cname, content, "content/CNAME", problems)
    # Any change to a translation is a change (digested by stat, as content files are).
    everything += [digest(p.name + state.files.digest(p)) for p in translation_files(project.root, config)]
    for path in (content / "changes.yaml", cname):
        everything.append(digest(path.read_bytes()) if path.is_file() and not outside(path, content) else "-")
    return Inputs(config, files, keys, config_digest, templates, tuple(everything), extra)


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


def check(project: Project, state: BuildState | None = None, workers: int | None = None) -> tuple[Site, list[Problem]]:
    """Load and cross-check everything; raise ContentErrors listing every problem found."""
    state = state or BuildState.on_disk(project)
    problems = Problems()
    with exclusive([project.lock], required=False), without_cycle_collector(), _finishing(state):
        checked, _ = _check(project, read_inputs(project, state, problems), state, problems, workers)
    return checked.site, checked.warnings


def _check(
    project: Project, inputs: Inputs, state: BuildState, problems: Problems, workers: int | None,
    helpers: Helpers | None = None, preview: bool = False,
) -> tuple[Checked, Images]:
    from .outputs.images import asset_image_outputs, image_outputs  # Pillow: see the imports above
    from .render.pages import template_problems
    from .resolve.site import resolve, with_translated_numbers
    from .content.translations import with_translations

    if state.templates_checked != inputs.templates:
        found = template_problems(state.environment(project.templates, preview, inputs.templates))
        problems.items.extend(found)
        state.templates_checked = "" if found else inputs.templates
    files = inputs.files
    prepared = prepare_files(project.root, inputs, state.cache, workers, helpers)
    for p in prepared:
        problems.items.extend(p.problems)
    content = assemble(project.root, inputs.config, [(f, p.record) for f, p in zip(files, prepared)], problems)
    texts = {f.name: (p.summary, p.body) for f, p in zip(files, prepared)}
    site = resolve(content, texts, problems)
    site = with_translations(project.root, site, problems)
    site = with_translated_numbers(site, problems)
    pages, pictures = image_outputs(site, project.root, project.cache / "images", problems)
    assets = asset_image_outputs(project.assets, project.cache / "images", problems)
    problems.raise_if_errors()
    checked = Checked(site, {f.name: p for f, p in zip(files, prepared)}, problems.warnings)
    return checked, Images({**assets, **pages}, pictures)


def prepare_files(
    root: Path, inputs: Inputs, cache: PreparedCache, workers: int | None, helpers: Helpers | None = None,
) -> list[Prepared]:
    """Each file prepared, from the cache when its content was seen before, else on every core
    (by the `helpers` when there are, with this process)."""
    from .incremental.parallel import map_beside, map_chunks  # multiprocessing: see the imports above

    found: dict[str, Prepared] = {}
    missing = []
    for key, file in zip(inputs.keys, inputs.files):
        value = cache.get(key)
        if value is None:
            missing.append((key, file))
        else:
            found[key] = value
    task = partial(_prepare_chunk, root, inputs.config, inputs.config_digest, cache.folder, cache.texts_in_memory)
    spread = map_chunks(task, missing, workers) if helpers is None else map_beside((), task, missing, helpers)
    for key, value, as_digested in spread:
        if as_digested:
            cache.memory[key] = value
        found[key] = value
    cache.keep_only(set(inputs.keys), prune_disk=bool(missing))
    return [found[k] for k in inputs.keys]


def _prepare_chunk(
    root: Path, config: SiteConfig, config_digest: str, folder: Path | None, texts_in_memory: bool,
    chunk: list[tuple[str, ContentFile]],
) -> list[tuple[str, Prepared, bool]]:
    """`(key, prepared, as digested)` for each `(key, file)`, each also stored on disk for the next
    run (not kept in memory: in a worker, only the parent would read it). What comes back leaves
    each narrative's texts in its entry, unless `texts_in_memory` (`texts.py`).

    Each file is read here, by the process preparing it: the bytes read to digest it were let go,
    as holding every changed file's bytes until then cost 60 MB at 10,000 entities, in the parent
    and in every helper forked from it. A file saved again since it was digested is prepared as it
    is now, but not cached under the key of what it was (`as digested` false); the next build
    digests it anew."""
    cache = PreparedCache(folder, texts_in_memory)
    results = []
    for key, file in chunk:
        try:
            data = file.path.read_bytes()
        except OSError as e:
            results.append((key, unreadable(file, e), False))
            continue
        value = prepare(root, file, data, config)
        as_digested = cache.key(config_digest, file.folder, file.name, digest(data)) == key
        if as_digested:
            value = cache.store(key, value)
        results.append((key, value, as_digested))
    return results


def build(
    project: Project, out: Path | None = None, preview: bool = False, offline: bool = False,
    state: BuildState | None = None, workers: int | None = None,
) -> BuildResult:
    """Build into `out` (default site/); the old output stays untouched if anything fails.

    `preview` pages let the live-reload script reach its server; published pages connect nowhere.
    `offline` also writes the offline copy, a zip of the site, beside the output folder."""
    state = state or BuildState.on_disk(project)
    with output_held(project, out, state), without_cycle_collector(), _finishing(state):
        result = _build(project, out, preview, state, workers)
        if not offline:
            return result
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


def _build(
    project: Project, out: Path | None, preview: bool, state: BuildState, workers: int | None
) -> BuildResult:
    clock = Clock()
    target = (out or project.site).resolve()
    problems = Problems()
    inputs = read_inputs(project, state, problems, extra=(b"preview" if preview else b"") + (b"pdf" if project.pdf else b""))
    previous = state.manifest(target)
    current = tree_stats(target)  # what is really there: a file changed or added by hand is noticed
    clock.lap("read")
    if not problems.errors and previous.inputs == inputs.digest and current == {n: s for n, (_, s) in previous.files.items()}:
        return BuildResult(
            previous.pages, previous.sources, previous.citations, time.perf_counter() - clock.start,
            previous.warnings, target, phases=tuple(clock.phases), title=inputs.config.title,
            quotations=previous.quotations, numbers=previous.numbers,
        )
    from .incremental.parallel import early_helpers  # multiprocessing: see the imports above

    # The preview keeps its last build in memory: any worker forked from it shares that anyway.
    with early_helpers(1 if state.in_place else workers, len(inputs.files)) as helpers:
        return _build_changed(project, preview, state, workers, helpers, clock, target, problems, inputs, previous, current)


def _build_changed(
    project: Project, preview: bool, state: BuildState, workers: int | None, helpers: Helpers | None, clock: Clock,
    target: Path, problems: Problems, inputs: Inputs, previous: Manifest, current: dict[str, FileStat],
) -> BuildResult:
    """The build once some input has changed: load, resolve, render and write what changed."""
    from .outputs.cards import card_path, site_cards  # see the imports above
    from .outputs.report import report_names
    from .incremental.deps import fingerprints, inputs_of_pages, keys_of, readers
    from .outputs.feeds import FEED
    from .render.graph import relation_graph
    from .render.pages import PageRenderer, page_labels, page_outputs
    from .content.translations import translation_fingerprints

    checked, images = _check(project, inputs, state, problems, workers, helpers, preview)
    site = checked.site
    clock.lap("load and resolve")
    env = state.environment(project.templates, preview, inputs.templates)

    def as_written(name: str) -> bool:
        """The file is in the output as the last build wrote it."""
        return name in previous.files and current.get(name) == previous.files[name][1]

    # What no other page reads (the search index, the data downloads and the Data page listing
    # them, the sitemap: every word and fact of the site) is made after the pages, so the processes
    # rendering those are not forked from a parent holding it all (`_late_outputs`). The preview
    # shows an edit first and makes these just after, in a child (`preview_rest`); meanwhile the
    # last versions stand in.
    late = _made_later(site, project.pdf)
    deferred = state.in_place and all(as_written(name) for name in late)
    extras, pictures = _site_outputs(project, site, images), images.pictures
    cards = site_cards(site, project.assets, project.cache / "cards", page_labels(site.content.config.messages))
    reports = report_names(site) if project.pdf else {}  # the home and Data pages link them
    env.globals.update(pictures=pictures, card_path=card_path, feed=FEED if site.content.changes else None, reports=reports)
    site_wide = site_wide_fingerprints(site, preview, inputs.templates + ("pdf" if reports else ""))
    site_wide["pictures"] = digest(repr(sorted(pictures.items())))
    fps = fingerprints(site, checked.prepared, site_wide)
    fps.update(translation_fingerprints(site))
    pages = page_outputs(site)
    inputs_of = inputs_of_pages(site, pages)
    keys = keys_of(inputs_of, fps)
    keys.update(cards.keys)
    keys.update({name: digest(data) for name, data in extras.items()})
    keys.update({name: previous.files.get(name, ("",))[0] for name in late})  # as they are, for now
    clock.lap("other outputs")

    def unchanged(name: str, key: str) -> bool:
        return as_written(name) and previous.files[name][0] == key

    keep = [n for n, key in keys.items() if unchanged(n, key) and (deferred or n not in late)]
    kept = set(keep)
    stale_pages = [p for p in pages if p not in kept and p not in late]
    stale_cards = [c for c in cards.cards if c.path not in kept]
    made_late: dict[str, bytes] | None = None  # made already: the changed ones
    counter = state.search_terms if state.in_place else None  # only a preview's next save reuses the counts
    to_make = bool(stale_pages or stale_cards or any(n not in kept for n in extras))
    if not (deferred or to_make):
        # No pages to render, so no workers to fork: whether anything changed at all hangs on these
        made_late = {}
        for name, key, data in _late_outputs(site, fps, env, None, counter, _late_cache(project, state), project.pdf):
            keys[name] = key
            if unchanged(name, key):
                keep.append(name)
                kept.add(name)
            else:
                made_late[name] = data
    clock.lap("dependencies")
    written: list[str] = []
    if to_make or set(current) != kept:
        state.forget(target)  # until the new tree is complete, trust nothing in it

        graphs = {site.content.config.language: relation_graph(site)}

        def outputs() -> Iterator[tuple[str, bytes | None]]:
            yield from _pages_and_cards(PageRenderer(site, env, (), graphs), stale_pages, cards, stale_cards, workers, helpers)
            yield from ((n, d) for n, d in extras.items() if n not in kept)
            if made_late is not None:
                yield from made_late.items()
            elif not deferred:
                for name, key, data in _late_outputs(site, fps, env, graphs, counter, _late_cache(project, state), project.pdf):
                    keys[name] = key
                    yield name, None if unchanged(name, key) else data
                    del data  # see _keyed

        def made() -> Iterator[tuple[str, bytes | None]]:
            for name, data in outputs():
                if data is not None:
                    written.append(name)
                yield name, data
                del data  # see _keyed

        if state.in_place:
            stats = update_in_place(made(), keep, target, present=current)
        else:
            stats = update_site(made(), keep, target)
        clock.lap("render and write")
    else:
        stats = current
        graphs = {site.content.config.language: relation_graph(site)} if state.in_place else None
    content = site.content
    citations = sum(len(p.cites) for p in (*site.summaries.values(), *site.bodies.values())) + sum(
        len(c.cites) for e in content.entities.values() for c in (*e.figures, *e.links)
    )
    result = BuildResult(
        pages=sum(1 for name in keys if name.endswith(".html")),
        sources=len(content.sources),
        citations=citations,
        seconds=time.perf_counter() - clock.start,
        warnings=tuple(checked.warnings),
        out=target,
        rendered=len(stale_pages),
        written=len(written),
        phases=tuple(clock.phases),
        title=content.config.title,
        quotations=site.quotations,
        numbers=site.numbers,
    )
    files = {name: (keys[name], stats[name]) for name in keys}
    done = Manifest(
        inputs.digest, files, result.pages, result.sources, result.citations, result.warnings, result.quotations,
        result.numbers,
    )
    if state.in_place:
        assert graphs is not None
        state.last = Snapshot(
            target, inputs, checked, done, fps, inputs_of, readers(inputs_of), env, graphs,
            {Path(os.path.abspath(f.path)): i for i, f in enumerate(inputs.files)}, site.targets,
        )
    if not deferred:
        state.remember(target, done)
        return result
    assert state.last is not None
    return replace(result, pending=(preview_rest(state, state.last),))


@dataclass(frozen=True)
class Snapshot:
    """The preview's last build, in memory: what the next save is applied to (`edits.py`)."""

    target: Path
    inputs: Inputs
    checked: Checked
    manifest: Manifest  # what it wrote (complete once its `preview_rest` is done)
    fps: dict[str, str]  # every input's fingerprint, the site-wide ones included
    inputs_of: dict[str, tuple[str, ...]]  # page -> the inputs it reads
    readers: dict[str, set[str]]  # input -> the pages reading it (a superset: only ever added to)
    env: Environment
    graphs: dict[str, Graph]  # each language's relation graph, made as its pages first need one
    file_index: dict[Path, int]  # each content file (absolute) -> its place in `inputs.files`
    targets: LinkTargets  # what links may lead to


@dataclass(frozen=True)
class Rest:
    """The preview's work for after the reload (`preview_rest`): `make` runs in a child process;
    `keep` writes what it made, unless another save came first (`wanted`)."""

    make: Callable[[], dict[str, tuple[str, bytes]]]
    wanted: Callable[[], bool]
    keep: Callable[[dict[str, tuple[str, bytes]]], None]

    def __call__(self) -> None:
        """All of it, waiting for the child here (the preview waits from its event loop)."""
        from .incremental.parallel import in_child  # see the imports above

        changed = in_child(self.make, self.wanted)
        if changed is not None:
            self.keep(changed)


def preview_rest(state: BuildState, snapshot: Snapshot) -> Rest:
    """The preview's work for after the reload: the search index, the data downloads and the
    Data page listing them, the sitemap, made in a child process. Until it is done, the manifest
    says the output is incomplete, so a preview stopped meanwhile is built in full next time.
    Another save before it is done stops it: that save has its own."""
    done, target, site = snapshot.manifest, snapshot.target, snapshot.checked.site
    state.remember(target, replace(done, inputs=""))
    files = done.files

    def changed_outputs() -> dict[str, tuple[str, bytes]]:
        made = _late_outputs(site, snapshot.fps, snapshot.env, snapshot.graphs, state.search_terms)
        return {name: (key, data) for name, key, data in made if key != files[name][0]}

    def wanted() -> bool:
        return state.last is snapshot

    def keep(changed: dict[str, tuple[str, bytes]]) -> None:
        with state.lock:
            if not wanted():
                return
            update_in_place(((name, data) for name, (_, data) in changed.items()), [], target, prune=False)
            for name, (key, _) in changed.items():
                files[name] = (key, stat_of(target / name))
            state.remember(target, done)

    return Rest(changed_outputs, wanted, keep)


def _made_later(site: Site, pdf: bool = False) -> list[str]:
    """What is made after the pages: outputs no other page reads (`pdf`: the printed reports too)."""
    from .outputs.datasets import dataset_names  # see the imports above
    from .outputs.feeds import SITEMAP
    from .outputs.report import report_names
    from .outputs.search import index_names

    reports = list(report_names(site).values()) if pdf else []
    return [*index_names(site), SITEMAP, *dataset_names(site), *reports, *data_pages(site)]


def data_pages(site: Site) -> list[str]:
    """The Data page in every language: it lists the downloads' sizes, known once they are made."""
    return in_every_language([DATA], site.content.config.languages)


def _late_cache(project: Project, state: BuildState) -> Path | None:
    """Where a build keeps the parts of its late outputs (`search/`, `sitemap/`); none for a
    build keeping no cache."""
    return project.cache if state.folder is not None else None


def _late_outputs(
    site: Site, fps: dict[str, str], env: Environment, graphs: dict[str, Graph] | None, counter: TermCounter | None,
    kept: Path | None = None, pdf: bool = False,
) -> Iterator[tuple[str, str, bytes]]:
    """The outputs of `_made_later`, each with its key, made after the render pass and one at a
    time, each let go before the next is made: held through the render pass, they were 270 MiB
    more in the process the render workers are forked from (10,000 entities), and held together
    after it, the build's highest point. `counter`: the preview's search terms, kept between saves;
    `kept`: the cache folder where a build keeps the parts of these instead (search terms, sitemap);
    `pdf`: the printed reports too, made last, a language at a time (`outputs/report.py`)."""
    from .outputs.datasets import dataset_outputs, downloads  # SQLite, csv, lunr: see the imports above
    from .incremental.deps import page_keys
    from .outputs.feeds import SITEMAP, sitemap
    from .render.pages import PageRenderer, data_examples
    from .outputs.search import search_index

    sizes: dict[str, int] = {}
    yield from _keyed(dataset_outputs(site), sizes)
    yield from _keyed(search_index(site, counter, kept and kept / "search").items(), sizes)
    yield from _keyed([(SITEMAP, sitemap(site, kept and kept / "sitemap"))], sizes)
    if pdf:
        from .outputs.report import report_outputs

        yield from _keyed(report_outputs(site, env, graphs), sizes)
    listed = downloads(site, sizes)
    renderer = PageRenderer(site, env, listed, graphs)
    # The Data page also shows examples taken from the content (an entity's id, a source's).
    listing = digest(repr(listed) + repr(data_examples(site)))
    keys = page_keys(site, data_pages(site), {**fps, "downloads": listing})
    for name, key in keys.items():
        yield name, key, renderer.render(name)


def _keyed(outputs: Iterable[tuple[str, bytes]], sizes: dict[str, int]) -> Iterator[tuple[str, str, bytes]]:
    """Each output with its key. Each is let go (here and by every hand it passes through, `del`)
    and the memory it took handed back before the next is made: the downloads and the search index
    of 10,000 entities are 20 to 30 MB each, and each took as much again to make."""
    for name, data in outputs:
        sizes[name] = len(data)
        yield name, digest(data), data
        del data
        give_back_freed_memory()


def _pages_and_cards(
    renderer: PageRenderer, pages: list[str], cards: CardSet, stale_cards: list[Card], workers: int | None,
    helpers: Helpers | None,
) -> Iterator[tuple[str, bytes]]:
    """The pages rendered in this process, which holds the site, while the helpers forked before
    it was loaded draw the cards: a worker forked to render pages copied each page of the site's
    memory it read, and the two held the site nearly twice (644 MiB at 10,000 entities).
    Without helpers, or with few cards to draw, both are spread over forked workers."""
    from .outputs.cards import draw_cards  # see the imports above
    from .incremental.parallel import enough_for_a_pool, map_beside, retire

    if helpers is None or not enough_for_a_pool(len(stale_cards)):
        retire(helpers)  # gone, with their pool's threads, before a pool is forked to render
        yield from _render(renderer, pages, workers)
        yield from _draw(cards, stale_cards, workers)
        return
    yield from map_beside(_rendered_here(renderer, pages), partial(draw_cards, cards.settings), stale_cards, helpers)
    helpers.pool.close()  # nothing more for them: they exit now, not at the end of the build


def _rendered_here(renderer: PageRenderer, outputs: list[str]) -> Iterator[tuple[str, bytes]]:
    """The pages this process renders while the helpers draw cards, each handed on as it is made
    and the memory it took given back: rendered in chunks of 64, the site-wide pages of 10,000
    entities (the timeline 19 MB of HTML, the explorer 15, the map 11, the home page 6) were held
    together, the build's highest point."""
    from .incremental.parallel import SERIAL_CHUNK  # see the imports above

    for n, output in enumerate(outputs, 1):
        data = renderer.render(output)
        large = len(data) > LARGE_PAGE
        yield output, data
        del data  # see _keyed
        if large or n % SERIAL_CHUNK == 0:
            give_back_freed_memory()


def _render(renderer: PageRenderer, outputs: list[str], workers: int | None) -> Iterator[tuple[str, bytes]]:
    from .incremental.parallel import map_shared  # see the imports above

    def task(chunk: list[str]) -> list[tuple[str, bytes]]:
        return [(output, renderer.render(output)) for output in chunk]

    return map_shared(task, outputs, workers)


def _draw(cards: CardSet, stale: list[Card], workers: int | None) -> Iterator[tuple[str, bytes]]:
    from .outputs.cards import draw_cards  # see the imports above
    from .incremental.parallel import map_shared

    return map_shared(partial(draw_cards, cards), stale, workers)


def site_wide_fingerprints(site: Site, preview: bool, templates: str, timeline: str | None = None) -> dict[str, str]:
    """Fingerprints of what every page reads besides its own inputs. `timeline`: the timeline's,
    when known unchanged (the preview's quick path, where no saved file changed a dated fact:
    making it reads every entity, 0.2 s a save at 5,000)."""
    from .render.pages import timeline_facts  # see the imports above

    content = site.content
    return {
        "engine": engine_digest(),
        "config": digest(repr(content.config)),
        "templates": templates,
        "preview": str(preview),
        "nav": digest(repr([(p.title, p.output) for p in content.pages_in_order()])),
        "changes": digest(repr(content.changes)),
        # The timeline's facts (figures' dates, events, dated sources, the change log): read by the
        # timeline alone; a save changing one renders it again on the preview's quick path (edits.py).
        "timeline": timeline or digest(repr(timeline_facts(site))),
    }


def _site_outputs(project: Project, site: Site, images: Images) -> dict[str, bytes]:
    """Everything besides the pages, their cards and `_late_outputs`, each stage a function of the
    resolved site (made on every build that is not skipped outright; written only where its bytes
    changed): assets, images (decoded by `_check`), feeds, and what GitHub Pages reads."""
    from .outputs.assets import collect_assets  # see the imports above
    from .outputs.feeds import feed_outputs

    outputs = collect_assets(project.assets)
    outputs.update(images.outputs)
    outputs.update(feed_outputs(site))
    outputs[".nojekyll"] = b""  # GitHub Pages: serve the files as they are
    cname = project.root / "content" / "CNAME"
    if cname.is_file() and not outside(cname, project.root / "content"):  # GitHub Pages: the custom domain
        outputs["CNAME"] = cname.read_bytes()
    return outputs


__all__ = ["BuildResult", "BuildState", "ContentErrors", "Project", "build", "check"]

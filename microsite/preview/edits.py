"""The preview's quick path: a save applied to the last build, without walking the whole site.

`build.py serve` hears from the kernel which files a save touched (`watch.py`). When each is a
content file the last build read, still free of problems, and still showing the rest of the site
what it showed before (its page, name and summary, relations and picture; no source newly cited
or left uncited; the same navigation and feed), the site keeps its shape and only those files'
own texts and fields differ. The dependency graph kept from the last build (`deps.py`: page ->
inputs, input -> pages) then names every page reading a changed input; those get new keys, and
only those whose key moved are rendered. Anything else (a file added, renamed or deleted, a new
name or relation, site.yaml, a template, an error) takes the full path, slower with the same
bytes: tests/engine/incremental/test_incremental.py compares both with a clean build.
"""
from __future__ import annotations

import os
import time
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Iterable

from ..build import without_cycle_collector
from ..confine import outside
from ..content.prepare import Prepared, prepare
from ..guard import exclusive
from ..incremental.deps import inputs_of_pages, keys_of
from ..incremental.inputs import Inputs
from ..incremental.plan import site_wide_fingerprints
from ..incremental.result import BuildResult
from ..model import Content, Entity, Page, Source
from ..outputs.feeds import feed_outputs
from ..pipeline import Checked, Made
from ..project import Project
from ..render.facts import record_timeline_facts
from ..render.pages import PageRenderer
from ..resolve.anchors import page_anchors
from ..resolve.site import LinkTargets, replaced
from ..store.cache import digest
from ..write import update_in_place
from .session import Session


@dataclass(frozen=True)
class Saved:
    """A content file saved with new bytes."""

    index: int  # in the last build's list of files
    key: str  # its new key in the prepared cache
    prepared: Prepared


Changed = tuple[Entity | Page, Entity | Page, tuple]  # a saved document's record before and after, and its texts


def apply_saves(project: Project, out: Path, session: Session, paths: Iterable[Path]) -> BuildResult | None:
    """The preview with the files at `paths` saved, or None when only a full build can tell."""
    target = out.resolve()
    last, state = session.last, session.state
    if last is None or last.target != target:
        return None
    if state.manifest(target).files is not last.manifest.files:  # another build wrote it since
        return None
    start = time.perf_counter()
    with exclusive([project.lock, target.parent]), without_cycle_collector():
        try:
            state.files.carry_over()
            saved = _read_saves(project, session, last, paths)
            return None if saved is None else _apply(session, last, saved, start)
        finally:
            state.files.finish()


def _read_saves(project: Project, session: Session, last: Made, paths: Iterable[Path]) -> list[Saved] | None:
    inputs, state, file_index = last.inputs, session.state, session.file_index()
    saved = []
    for path in {Path(os.path.abspath(p)) for p in paths}:
        index = file_index.get(path)
        if index is None:
            if path.exists():
                return None  # a new file, an image, site.yaml, a template, an asset
            continue  # an editor's scratch file, made and deleted again
        file = inputs.files[index]
        if last.checked.site.translated and any(
            (path.parent / f"{path.stem}.{language}{path.suffix}").exists() for language in last.checked.site.translated
        ):
            return None  # an original with a translation: whether it is stale now, the full path says
        if outside(path, project.root / "content"):
            return None  # now a link out of content/: the full path reports it
        try:
            data = path.read_bytes()
            data_digest = state.files.digest(path)
        except OSError:
            return None  # deleted or moved away
        if digest(data) != data_digest:
            return None  # saved again meanwhile: the full path reads it as it ends up
        key = state.cache.key(inputs.config_digest, file.folder, file.name, data_digest)
        if key != inputs.keys[index]:
            saved.append(Saved(index, key, prepare(project.root, file, data, inputs.config)))
    return saved


def _same_shape(old: Prepared, new: Prepared) -> bool:
    """Whether the file still shows other pages what it showed them (`deps.py`: card and links)."""
    a, b = old.record, new.record
    if a is None or type(a) is not type(b) or (old.card, old.links) != (new.card, new.links):
        return False
    if isinstance(a, Source):
        return a.id == b.id
    return a.output == b.output and _picture(a) == _picture(b)


def _picture(record: Entity | Page) -> str | None:
    """The image file a page shows: every page reads the site's pictures (`images.py`)."""
    return record.image.file if record.image else None


def _apply(session: Session, last: Made, saves: list[Saved], start: float) -> BuildResult | None:
    """The saves applied to the last build: the site resolved again where they changed it, the
    pages reading what changed rendered again; None when that reaches past the saved files."""
    found = _resolved_again(last, saves)
    if found is None:
        return None
    site, prepared, fps, documents, cite_counts = found
    inputs, manifest = last.inputs, last.manifest
    # The pages reading a changed input, and the saved pages themselves (their inputs may differ:
    # a new citation reads a new source).
    changed = {name for name in _touched(inputs, saves) if last.fps.get(name) != fps.get(name)}
    own = {after.output: after for _, after, _ in documents}
    inputs_of = dict(last.inputs_of)
    inputs_of.update(inputs_of_pages(site, list(own), own))
    readers = session.readers()
    for output in own:
        for name in inputs_of[output]:
            readers.setdefault(name, set()).add(output)
    again = set(own).union(*(readers.get(name, ()) for name in changed))
    keys = keys_of({output: inputs_of[output] for output in again}, fps)
    stale = sorted(output for output in again if keys[output] != manifest.files[output][0])

    # A saved entity has no translation (else the full path): every language shows its record.
    saved_entities = {o: e for o, e in own.items() if isinstance(e, Entity)}
    graphs = {language: graph.with_entities(saved_entities) for language, graph in last.graphs.items()}
    renderer = PageRenderer(site, last.env, (), graphs, values=last.values)
    stats = update_in_place(((output, renderer.render(output)) for output in stale), [], last.target, prune=False)
    files = dict(manifest.files)
    files.update({output: (keys[output], stats[output]) for output in stale})
    for save in saves:
        session.state.cache.replace(inputs.keys[save.index], save.key, save.prepared)
        inputs = inputs.with_key(save.index, save.key)
    citations = manifest.citations + cite_counts
    done = replace(manifest, inputs=inputs.digest, files=files, citations=citations, quotations=site.quotations,
                   numbers=site.numbers)
    checked = Checked(site, prepared, last.checked.warnings)
    rest = session.keep(replace(last, inputs=inputs, checked=checked, manifest=done, fps=fps, inputs_of=inputs_of, graphs=graphs))
    return BuildResult(
        pages=manifest.pages, sources=manifest.sources, citations=citations, quotations=site.quotations, numbers=site.numbers,
        seconds=time.perf_counter() - start,
        warnings=manifest.warnings, out=last.target, rendered=len(stale), written=len(stale),
        phases=(("saved files only", time.perf_counter() - start),), title=site.content.config.title,
        pending=(rest,),
    )


def _resolved_again(last: Made, saves: list[Saved]):
    """The site with the saved files in it, resolved again by the build's own step
    (`resolve.site.replaced`), with what was prepared, every input's fingerprint, the saved
    documents and the citations they add; None when the saves change the site's shape."""
    inputs, site, manifest = last.inputs, last.checked.site, last.manifest
    content = site.content
    prepared = dict(last.checked.prepared)
    fps = dict(last.fps)
    records = {"sources": dict(content.sources), "entities": dict(content.entities), "pages": dict(content.pages)}
    documents: list[Changed] = []  # each saved entity or page
    same_dates = True  # no saved file changed what the timeline shows
    for save in saves:
        name = inputs.files[save.index].name
        old, new = prepared[name], save.prepared
        if new.problems or not _same_shape(old, new) or any(w.location.path == name for w in last.checked.warnings):
            return None
        same_dates = same_dates and record_timeline_facts(old.record) == record_timeline_facts(new.record)
        prepared[name] = new
        fps[f"file:{name}"] = new.digest
        record = new.record
        if isinstance(record, Source):
            if record.quotes != old.record.quotes:
                return None  # every quotation citing it is checked again on the full path
            records["sources"][record.id] = record
            fps[f"source:{record.id}"] = new.digest
        else:
            if isinstance(record, Entity):
                records["entities"][(record.kind, record.slug)] = record
            else:
                records["pages"][record.slug] = record
            documents.append((old.record, record, (new.summary, new.body)))
    content = replace(content, **records)
    targets = _with_anchors(site.targets, site.content, content)
    placed = None if targets is None else replaced(site, content, targets, documents)
    if placed is None:
        return None
    site, cite_counts = placed
    wide = site_wide_fingerprints(site, True, inputs.templates, last.fps["timeline"] if same_dates else None)
    if {n: v for n, v in wide.items() if n not in SAVED_WITH_PAGES}.items() - last.fps.items():
        return None  # the navigation: a page's title or order
    fps.update({n: wide[n] for n in SAVED_WITH_PAGES})
    if any(digest(data) != manifest.files[name][0] for name, data in feed_outputs(site).items()):
        return None
    if site.cited_by != last.checked.site.cited_by:
        fps["cited_by"] = digest(repr(sorted(site.cited_by.items())))
    return site, prepared, fps, documents, cite_counts


# Site-wide inputs a save may change while the site keeps its shape: the pages reading them are
# found in the dependency graph like those reading the saved files (a figure's date: the timeline).
SAVED_WITH_PAGES = ("timeline",)


def _touched(inputs: Inputs, saves: list[Saved]) -> list[str]:
    """The fingerprints saving these files can change."""
    names = ["cited_by", *SAVED_WITH_PAGES]
    for save in saves:
        names.append(f"file:{inputs.files[save.index].name}")
        if isinstance(save.prepared.record, Source):
            names.append(f"source:{save.prepared.record.id}")
    return names


def _with_anchors(targets: LinkTargets, before: Content, after: Content) -> LinkTargets | None:
    """`targets` with the anchors the saved records add (a figure, a relation, an event: `anchors.py`);
    None when one went, which a link elsewhere may name (the full path checks them all). The
    headings are the same: they are in the card (`_same_shape`)."""
    was, now = page_anchors(before, {}), page_anchors(after, {})
    if was == now:
        return targets
    if any(not ids <= now.get(output, frozenset()) for output, ids in was.items()):
        return None
    anchors = {output: targets.anchors.get(output, frozenset()) | now.get(output, frozenset()) for output in {*targets.anchors, *now}}
    return replace(targets, anchors=anchors)

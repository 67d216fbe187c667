"""The dependency graph: for each output, the inputs it reads, each with a fingerprint.

An input is a named part of the content with a hash: a whole file (`file:content/x.md`), the part of
an entity other pages show (`card:`: name, address, summary), the relations it declares (`links:`),
a source (`source:id`), or something site-wide (`config`, `templates`, `nav`, `engine`...). A page's
key hashes the fingerprints of its inputs, so a page is rendered again exactly when something it
reads has changed, and an edit to one narrative re-renders one page, not the site.

The inputs listed here mirror what `render/pages.py` reads for each kind of page; the incremental test
(tests/engine/incremental/test_incremental.py) checks, edit after edit, that the result equals a clean build.
"""
from __future__ import annotations

from ..model import Cite, Entity, Page
from ..addresses import split_language, DATA, EXPLORE, HOME, MAP, NOT_FOUND, SOURCES, TIMELINE, kind_index
from ..content.prepare import Prepared
from ..store.cache import digest
from ..resolve.site import Site

def fingerprints(site: Site, prepared: dict[str, Prepared], site_wide: dict[str, str]) -> dict[str, str]:
    """Every input's fingerprint: one table the page keys are computed from."""
    fps = dict(site_wide)
    for path, p in prepared.items():
        fps[f"file:{path}"] = p.digest
        fps[f"card:{path}"] = p.card
        fps[f"links:{path}"] = p.links
    for source in site.content.sources.values():
        fps[f"source:{source.id}"] = prepared[source.location.path].digest
    fps["cited_by"] = digest(repr(sorted(site.cited_by.items())))
    return fps


EVERY_PAGE = frozenset({"engine", "config", "templates", "preview", "nav", "pictures", "changes"})


def page_inputs(site: Site, output: str, document: Entity | Page | None = None) -> set[str]:
    """The inputs page `output` reads (`document`: the entity or page it shows, which a page
    showing one must be given: `inputs_of_pages` finds them all at once). The same page in another
    language (`es/...`) reads the same: the config holds every language's texts."""
    content = site.content
    prefix, output = split_language(output, content.config.languages)
    inputs = set(EVERY_PAGE) | ({f"translations:{prefix.rstrip('/')}"} if prefix else set())
    if output == HOME:  # its text, every entity's name and relations (the map's size, the lists)
        home = content.home
        if home is not None:
            inputs |= _document_inputs(site, home)
        inputs.update(f"card:{e.path}" for e in content.entities.values())
        inputs.update(f"links:{e.path}" for e in content.entities.values())
        return inputs
    if output == EXPLORE:  # every entity's row: name, summary, relations both ways, sources counted
        inputs.add("cited_by")
        for entity in content.entities.values():
            inputs.add(f"card:{entity.path}")
            inputs.add(f"links:{entity.path}")
            inputs.update(_sources(site.summaries.get(entity.output)))
        return inputs
    if output == TIMELINE:  # every dated fact (`timeline`), and the sources backing them
        inputs.add("timeline")
        inputs.update(f"source:{s}" for s in content.sources)
        return inputs
    if document is not None:
        return inputs | _document_inputs(site, document)
    if output == DATA:
        return inputs | {"downloads"}
    if output == MAP:  # every entity, and every relation between them
        inputs.update(f"card:{e.path}" for e in content.entities.values())
        inputs.update(f"links:{e.path}" for e in content.entities.values())
        return inputs
    if output == SOURCES:
        inputs.add("cited_by")
        inputs.update(f"source:{s}" for s in content.sources)
        inputs.update(f"card:{d.path}" for d in site.documents())
        return inputs
    kinds = {kind_index(k.id): k.id for k in content.config.kinds}
    if output in kinds:
        for entity in content.entities.values():
            if entity.kind == kinds[output]:
                inputs.add(f"card:{entity.path}")
                inputs.update(_sources(site.summaries.get(entity.output)))
        return inputs
    assert output == NOT_FOUND, f"{output}: a page whose inputs are not listed here"
    return inputs


def _document_inputs(site: Site, document: Entity | Page) -> set[str]:
    inputs = {f"file:{document.path}"}
    inputs.update(_sources(site.summaries.get(document.output)))
    inputs.update(_sources(site.bodies.get(document.output)))
    inputs.update(f"source:{c.source}" for e in document.events for c in e.cites)
    if isinstance(document, Page):  # a page showing the change log reads "changes", as every page does
        return inputs
    inputs.update(f"source:{c.source}" for f in document.figures for c in f.cites)
    for link in document.links:
        inputs.update(f"source:{c.source}" for c in link.cites)
        target = site.content.link_target(link)
        if target is not None:  # named in the relations and drawn, with its own relations, in the map
            inputs.add(f"card:{target.path}")
            inputs.add(f"links:{target.path}")
    for inbound in site.inbound.get(document.output, ()):
        inputs.add(f"card:{inbound.entity.path}")
        inputs.add(f"links:{inbound.entity.path}")
        inputs.update(f"source:{c.source}" for c in inbound.link.cites)
    return inputs


def _sources(placed) -> set[str]:
    cites: tuple[Cite, ...] = placed.fragment.cites if placed is not None else ()
    return {f"source:{c.source}" for c in cites}


def page_keys(site: Site, outputs: list[str], fps: dict[str, str]) -> dict[str, str]:
    """Each page's key: a hash of its inputs' names and fingerprints."""
    return keys_of(inputs_of_pages(site, outputs), fps)


def inputs_of_pages(
    site: Site, outputs: list[str], documents: dict[str, Entity | Page] | None = None
) -> dict[str, tuple[str, ...]]:
    """Each page's inputs, sorted: kept by the preview to find the pages an edit reaches.
    `documents`: the entity or page each output shows, when the caller has them at hand."""
    by_output = {d.output: d for d in site.documents()} if documents is None else documents
    languages = site.content.config.languages
    return {
        output: tuple(sorted(page_inputs(site, output, by_output.get(split_language(output, languages)[1]))))
        for output in outputs
    }


def keys_of(inputs_of: dict[str, tuple[str, ...]], fps: dict[str, str]) -> dict[str, str]:
    return {output: digest("\n".join(f"{n}={fps.get(n, '-')}" for n in names)) for output, names in inputs_of.items()}


def readers(inputs_of: dict[str, tuple[str, ...]]) -> dict[str, set[str]]:
    """The graph the other way round: input -> the pages that read it."""
    found: dict[str, set[str]] = {}
    for output, names in inputs_of.items():
        for name in names:
            found.setdefault(name, set()).add(output)
    return found

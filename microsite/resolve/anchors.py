"""The #anchors a link may name on each page, known from the records before anything is rendered.

A link's anchor is checked like its page, so `[the map](../map.html#nope)` is an error at `check`
rather than a link that leads to the top of the page. The ids are those the engine's templates
give: a content page's headings and its figures, relations and events; the pages the site makes,
what their records hold (each source on the sources page, each year on the timeline...). Left
out, and so not accepted: what only rendering numbers or shows (`#cite-2-1`, `#source-2`, the
`#page-sources-title` of a page that cites) and the paragraphs' own anchors (`#p-...`). A site
that overrides a template with ids of its own is not told of them here.
"""
from __future__ import annotations

from ..addresses import (
    DATA, EXPLORE, HOME, MAP, NOT_FOUND, SOURCES, TIMELINE, anchor_words, event_anchors, figure_anchor, kind_index,
)
from ..model import Content, Entity
from ..tables import TABLES

EVERY_PAGE = ("main",)  # base.html: where "skip to content" leads
MAP_IDS = ("list-title",)  # map.html: the connections in words
EXPLORE_IDS = ("filter-kind", "filter-relation", "filter-text", "filter-status", "explore-caption")
DATA_IDS = ("downloads-title", "tables-title")


def page_anchors(content: Content, headings: dict[str, tuple[str, ...]]) -> dict[str, frozenset[str]]:
    """Each page's anchors by output; `headings`: the ids of each content page's narrative headings."""
    found: dict[str, set[str]] = {output: {*EVERY_PAGE, *ids} for output, ids in headings.items()}

    def add(output: str, *ids: str) -> None:
        found.setdefault(output, set(EVERY_PAGE)).update(ids)

    for document in (*content.entities.values(), *content.pages.values()):
        add(document.output, *event_anchors(document.events), *(["events-title"] if document.events else []))
        if getattr(document, "show_changes", False):
            add(document.output, "changes-title")
    for entity in content.entities.values():
        _entity_anchors(entity, content, add)
    years = {e.date[:4] for d in (*content.entities.values(), *content.pages.values()) for e in d.events}
    years |= {f.as_of[:4] for e in content.entities.values() for f in e.figures if f.as_of}
    years |= {s.date[:4] for s in content.sources.values() if s.date}
    years |= {c.date[:4] for c in content.changes}
    add(TIMELINE, *(f"year-{year}" for year in years))
    add(SOURCES, *content.sources, *(f"kind-{s.kind}" for s in content.sources.values()))
    add(HOME, "home-map-title", *(f"section-{k.id}" for k in content.config.kinds))
    add(MAP, *MAP_IDS)
    add(EXPLORE, *EXPLORE_IDS)
    add(DATA, *DATA_IDS, *(f"table-{t.name}" for t in TABLES))
    for output in (NOT_FOUND, *(kind_index(k.id) for k in content.config.kinds)):
        add(output)
    return {output: frozenset(ids) for output, ids in found.items()}


def _entity_anchors(entity: Entity, content: Content, add) -> None:
    """Its figures and its relation lines, on its page and on the page of each it relates to."""
    if entity.figures:
        add(entity.output, "figures-title", *(figure_anchor(f.label) for f in entity.figures))
    for link in entity.links:
        target = content.link_target(link)
        if target is None:
            continue  # reported by resolve
        add(entity.output, "related-title", f"to-{anchor_words(link.relation)}-{link.target}")
        add(target.output, "related-title", f"from-{anchor_words(link.relation)}-{entity.slug}")

"""Facts the pages gather from across the site: the dated facts of the timeline, the examples of
the Data page, each other language's view of the site, the labels of the pages the engine makes."""
from __future__ import annotations


from dataclasses import replace

from markupsafe import Markup

from ..errors import Problems
from ..messages import Messages
from ..model import Cite, Entity, Page, Source
from ..addresses import event_anchors, figure_anchor
from ..addresses import EXPLORE, SOURCES, TIMELINE
from ..resolve.site import Site, inbound_relations
from .shown import Dated






def first_section(html: Markup) -> tuple[Markup, Markup]:
    """A text cut before its second heading of the second level: on the home page the map comes
    between the findings and what follows them."""
    first = html.find("<h2")
    second = html.find("<h2", first + 1) if first >= 0 else -1
    if second < 0:
        return html, Markup("")
    return Markup(html[:second]), Markup(html[second:])


def page_labels(messages: Messages) -> dict[str, str]:
    """The names of the pages the site makes beside its content, from the message table: for the
    navigation and the pages' titles."""
    return {
        EXPLORE: messages.text("explore"), TIMELINE: messages.text("timeline"),
        "explore_description": messages.text("explore_description"), "timeline_description": messages.text("timeline_description"),
    }


def dated_facts(site: Site) -> list[tuple[Dated, tuple[Cite, ...]]]:
    """Each dated fact with the citations that back it: figures' `as_of`, declared events, dated
    sources, and the change log."""
    content = site.content
    facts = [fact for entity in content.entities.values() for fact in _figure_facts(entity)]
    facts += [fact for document in site.documents() for fact in _event_facts(document)]
    facts += [fact for source in content.sources.values() for fact in _source_facts(source)]
    changes_page = next((p for p in content.pages_in_order() if p.show_changes), None)
    for change in content.changes:
        output, title = (changes_page.output, changes_page.title) if changes_page else ("", "")
        facts.append((Dated(change.date, "change", output, title, change.text, "", Markup(""), "changes-title" if output else ""), ()))
    return facts


def _figure_facts(entity: Entity) -> list[tuple[Dated, tuple[Cite, ...]]]:
    facts = []
    for figure in entity.figures:
        if figure.as_of:
            anchor = figure_anchor(figure.label_of_original or figure.label)
            facts.append((Dated(figure.as_of, "figure", entity.output, entity.name, figure.label, figure.value, Markup(""), anchor, figure.lang), figure.cites))
    return facts


def _event_facts(document: Entity | Page) -> list[tuple[Dated, tuple[Cite, ...]]]:
    name = getattr(document, "name", None) or getattr(document, "title", "")
    return [
        (Dated(event.date, "event", document.output, name, event.text, "", Markup(""), anchor, event.lang), event.cites)
        for event, anchor in zip(document.events, event_anchors(document.events))
    ]


def _source_facts(source: Source) -> list[tuple[Dated, tuple[Cite, ...]]]:
    if not source.date:
        return []
    itself = (Cite(source.id, "", source.location),)
    publisher = ", ".join(source.publisher)  # the timeline joins the names in its language
    return [(Dated(source.date, "source", SOURCES, publisher, source.title, publisher, Markup(""), source.id), itself)]


def timeline_facts(site: Site) -> list:
    """What the timeline shows, as a value to fingerprint (`deps.py`)."""
    return [_as_value(fact) for fact in dated_facts(site)]


def record_timeline_facts(record: Entity | Page | Source) -> list:
    """What one record adds to `timeline_facts`: the preview's quick path compares a saved
    record's with its last version's rather than making the whole site's again (`edits.py`)."""
    if isinstance(record, Source):
        facts = _source_facts(record)
    else:
        facts = [*(_figure_facts(record) if isinstance(record, Entity) else []), *_event_facts(record)]
    return [_as_value(fact) for fact in facts]


def _as_value(fact: tuple[Dated, tuple[Cite, ...]]) -> tuple:
    dated, cites = fact
    return dated, tuple((c.source, c.locator) for c in cites)


def plain_text(placed) -> str:
    """The words of an inline text without its citation marks: for meta descriptions."""
    return placed.fragment.plain if placed is not None else ""


def data_examples(site: Site) -> dict[str, str]:
    """What the Data page's descriptions give as examples, taken from this site's own content
    (its kinds, relations, an entity and a source of its own), so they fit any investigation."""
    content = site.content
    config = content.config
    entity = min(content.entities.values(), key=lambda e: (e.kind, e.slug), default=None)
    relation = config.relations[0] if config.relations else None
    return {
        "kinds": ", ".join(k.id for k in config.kinds),
        "entity": f"{entity.kind}/{entity.slug}" if entity else "kind/slug",
        "source": min(content.sources, default="source-id"),
        "source_kinds": ", ".join(k.id for k in config.source_kinds),
        "relations": ", ".join(r.field for r in config.relations) or "-",
        "label": relation.label if relation else "-",
        "inverse": relation.inverse if relation else "-",
    }


def translated_view(site: Site, language: str) -> Site:
    """The site as pages in `language` show it: site.yaml's texts in that language, and names,
    titles, summaries and bodies from the translations (`translations.py`) where there are. The
    first language's view is the site itself."""
    if language == site.content.config.language:
        return site
    translated = site.translated.get(language)
    base = replace(site, summaries={**site.summaries, **translated.summaries}, bodies={**site.bodies, **translated.bodies}) if translated else site
    names = translated.names if translated else {}
    content = site.content
    records = translated.records if translated else {}
    entities = {k: records.get(e.output, e) for k, e in content.entities.items()}
    pages = {k: records.get(p.output, p) for k, p in content.pages.items()}
    entities = {k: replace(e, name=names[e.output]) if e.output in names else e for k, e in entities.items()}
    pages = {k: replace(p, title=names[p.output]) if p.output in names else p for k, p in pages.items()}
    changes = tuple(replace(c, text=dict(c.translations).get(language, c.text)) for c in content.changes)
    shown = replace(content, config=content.config.in_language(language), entities=entities, pages=pages, changes=changes)
    # The other side of each relation, as this language shows it: its relation's labels, the
    # relating entity's name and the link's role in this language (the first language's problems
    # were reported when the site was resolved).
    return replace(base, content=shown, inbound=inbound_relations(shown, Problems()))

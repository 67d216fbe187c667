"""Each other language's translations placed on the resolved site: their texts parsed, their
citations, links and quotations checked as the originals' are (the files are read by
`content/translations.py`)."""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, replace
from pathlib import Path

from . import quotes
from .site import Placed, Site, check_cite, document_quotations, place_document
from ..content.markdown import make_markdown, prepare_block, prepare_inline
from ..content.translations import Translation, load_translations, stale_translations, translated_record
from ..errors import Location, Problems
from ..model import Entity, Page


@dataclass(frozen=True)
class Translated:
    """One language's translations, placed: what its pages show instead of the original's texts."""

    language: str
    names: dict[str, str]  # output -> name or title
    records: dict[str, Entity | Page]  # output -> the record with its figures, roles, events translated
    # What translations replace, by output (the rest is the original's, as the site has it now)
    summaries: dict[str, Placed]
    bodies: dict[str, Placed]
    translated: frozenset[str]  # outputs with a translation
    stale: frozenset[str]  # outputs whose translation's original changed since
    digest: str  # of every translation file of the language


def translate(site: Site, root: Path, language: str, translations: list[Translation], problems: Problems) -> Translated:
    """The site's texts in `language` where a translation gives them; the rest stay the original's.
    The translated texts are checked as the originals are: citations, links and quotations."""
    content = site.content
    ours = [t for t in translations if t.language == language]
    stale = stale_translations(root, ours, problems)
    by_path = {d.path: d for d in site.documents()}
    md = make_markdown()
    summaries, bodies, names, records = {}, {}, {}, {}
    targets = site.targets
    done, old = set(), set()
    for t in ours:
        document = by_path.get(t.original)
        if document is None:
            continue
        local = Problems()
        summary = prepare_inline(md, t.summary, t.summary_at, t.summary_line, local) if t.summary else None
        body = prepare_block(md, t.body, t.body_line, t.path, local, False)
        placed_summary, placed_body = place_document(replace(document, path=t.original), (summary, body), targets, local)
        for cite in [*(placed_summary.cites if placed_summary else ()), *placed_body.cites]:
            check_cite(cite, content, local)
        quotes.check(document_quotations(document, placed_summary, placed_body, local), content.sources, local)
        _same_sources(site, document.output, t, placed_summary, placed_body, local)
        record = translated_record(document, t, local, t.path in stale)
        problems.items.extend(local.items)
        if record is not document:
            records[document.output] = record
        if placed_summary is not None:
            summaries[document.output] = placed_summary
        if t.body.strip():
            bodies[document.output] = placed_body
        name = t.name if isinstance(document, Entity) else t.title
        if name:
            names[document.output] = name
        done.add(document.output)
        if t.path in stale:
            old.add(document.output)
    digest = hashlib.sha256(repr(sorted((t.path, t.digest) for t in ours)).encode()).hexdigest()[:16]
    return Translated(language, names, records, summaries, bodies, frozenset(done), frozenset(old), digest)


def with_translations(root: Path, site: Site, problems: Problems) -> Site:
    """The site with each other language's translations loaded, checked and placed."""
    config = site.content.config
    if len(config.languages) < 2:
        return site
    translations = load_translations(root, config, problems)
    return replace(site, translated={
        language: translate(site, root, language, translations, problems) for language in config.languages[1:]
    })


def translation_fingerprints(site: Site) -> dict[str, str]:
    """`translations:es`: what every page of that language reads of its translations."""
    return {
        f"translations:{language}": t.digest + repr(sorted(t.stale))
        for language, t in site.translated.items()
    }


def _same_sources(site: Site, output: str, t: Translation, summary: Placed | None, body: Placed, problems: Problems) -> None:
    """A translation makes the same claims as its original, so it cites the same sources: a
    summary or body citing others (or fewer) is warned about where it starts."""
    pairs = [("summary", site.summaries.get(output), summary, t.summary_at)] if t.summary else []
    if t.body.strip():
        pairs.append(("body", site.bodies.get(output), body, Location(t.path, t.body_line, 1)))
    for part, original, translated, where in pairs:
        theirs = sorted({c.source for c in original.cites}) if original is not None else []
        ours = sorted({c.source for c in translated.cites}) if translated is not None else []
        if theirs != ours:
            missing, extra = sorted(set(theirs) - set(ours)), sorted(set(ours) - set(theirs))
            problems.warning(
                where,
                f"the {part} cites other sources than the original's: "
                + "; ".join(x for x in (f"missing {', '.join(missing)}" if missing else "", f"not in the original {', '.join(extra)}" if extra else "") if x)
                + " (a translation makes the same claims, with the same citations)",
            )

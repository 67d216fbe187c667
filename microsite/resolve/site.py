"""Pass 2: cross-check the loaded content and work out what each page shows.

Every reference is checked here, with a did-you-mean: cited sources, related entities, links
between pages. Back-references ("systems this company supplies") and "which pages cite this
source" are derived, never written by hand.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field, replace

from . import numbers, quotes
from .anchors import page_anchors
from ..errors import Location, Problems, did_you_mean
from ..content import claims
from ..content.markdown import Fragment
from ..content.quotations import Quotation, in_plain_text, plain_number_pieces
from .links import LinkContext, resolve_link
from ..model import Cite, Content, Document, Entity, Link, RelationSpec
from ..addresses import GENERATED, kind_index
from ..pickling import by_fields


@by_fields
@dataclass(frozen=True, slots=True)
class Inbound:
    """A relation seen from its target: `entity` lists this page under `relation`."""

    relation: RelationSpec
    entity: Entity
    link: Link


@by_fields
@dataclass(frozen=True, slots=True)
class Placed:
    """A rendered text and where each of its internal links leads (None: reported as missing)."""

    fragment: Fragment
    targets: tuple[str | None, ...]

    @property
    def cites(self) -> tuple[Cite, ...]:
        return self.fragment.cites


@dataclass(frozen=True)
class Site:
    content: Content
    summaries: dict[str, Placed]  # output -> rendered one-line summary
    bodies: dict[str, Placed]  # output -> rendered narrative
    inbound: dict[str, tuple[Inbound, ...]]  # output of the target -> relations pointing at it
    cited_by: dict[str, tuple[str, ...]]  # source id -> outputs of the pages citing it
    # A citation's location -> the excerpt of its source that a quotation beside it was found in
    excerpts: dict[Location, str] = field(default_factory=dict)
    quotations: int = 0  # quotations verified against their sources' excerpts
    numbers: int = 0  # numbers checked against their sources' records, in every language
    # Each other language's translations (`translations.Translated`), by language code
    translated: dict = field(default_factory=dict)
    targets: LinkTargets | None = None  # what its texts' links may lead to, as resolve found it

    def documents(self) -> list[Document]:
        return [*self.content.entities.values(), *self.content.pages.values()]


def resolve(content: Content, texts: dict[str, tuple[Fragment | None, Fragment | None]], problems: Problems) -> Site:
    """Cross-check `content`; `texts` holds each document's rendered (summary, body) by file."""
    documents: list[Document] = [*content.entities.values(), *content.pages.values()]
    targets = link_targets(content, {d.output: texts[d.path][1] for d in documents})
    summaries, bodies, cited_by = {}, {}, defaultdict(set)
    excerpts: dict[Location, str] = {}
    verified = checked = 0
    records: dict[str, frozenset] = {}
    for document in documents:
        done = resolve_document(document, texts[document.path], targets, content, problems, records)
        if done.summary is not None:
            summaries[document.output] = done.summary
        bodies[document.output] = done.body
        for cite in done.cites:
            if check_cite(cite, content, problems):
                cited_by[cite.source].add(document.output)
        excerpts.update(done.excerpts)
        verified += len(done.verified)
        checked += done.numbers
    for source in content.sources.values():
        if source.id not in cited_by:
            problems.warning(source.location, f"source '{source.id}' is cited by nothing; cite it or delete the file")
    return Site(
        content=content,
        summaries=summaries,
        bodies=bodies,
        inbound=inbound_relations(content, problems),
        cited_by={s: tuple(sorted(o)) for s, o in sorted(cited_by.items())},
        excerpts=excerpts,
        quotations=verified,
        numbers=checked,
        targets=targets,
    )


@dataclass(frozen=True)
class Resolved:
    """One document resolved: its texts placed, its citations, the quotations found in the cited
    sources' excerpts (and the excerpt each citation shows), the numbers checked."""

    summary: Placed | None
    body: Placed
    cites: list[Cite]
    verified: list[quotes.Verified]
    excerpts: dict[Location, str]
    numbers: int


def resolve_document(
    document: Document, texts: tuple[Fragment | None, Fragment | None], targets: LinkTargets, content: Content,
    problems: Problems, records: dict[str, frozenset] | None = None,
) -> Resolved:
    """The step `resolve` takes for each document, and the preview for each saved one (`replaced`).
    `records`: each source's numbers as read, shared between calls."""
    summary, body = place_document(document, texts, targets, problems)
    cites = document_cites(document, summary, body)
    found = quotes.check(document_quotations(document, summary, body, problems), content.sources, problems)
    languages = tuple(content.config.languages)
    stated = numbers.check(document_claims(document, summary, body), content.sources, languages, problems, records)
    return Resolved(summary, body, cites, found, excerpts_by_cite(found, cites), stated)


Saved = tuple[Document, Document, tuple["Fragment | None", "Fragment | None"]]


def replaced(site: Site, content: Content, targets: LinkTargets, documents: list[Saved]) -> tuple[Site, int] | None:
    """The site with each document of `documents` (its record before and after, and its texts as
    its file now gives them) resolved again, by
    the step `resolve` takes, and how many citations that adds; None when the change reaches past
    them, which only resolving the whole site can tell: a problem in one (the full path reports it),
    a source newly cited or no longer cited at all (a warning comes or goes)."""
    summaries, bodies, excerpts = dict(site.summaries), dict(site.bodies), dict(site.excerpts)
    cited_by, inbound = dict(site.cited_by), dict(site.inbound)
    verified, checked, count = site.quotations, site.numbers, 0
    for before, after, texts in documents:
        output = after.output
        was = resolve_document(before, _texts_of(site, before), targets, site.content, Problems())
        problems = Problems()
        now = resolve_document(after, texts, targets, content, problems)
        if problems.items:
            return None
        count += len(now.cites) - len(was.cites)
        verified += len(now.verified) - len(was.verified)
        checked += now.numbers - was.numbers
        for source in {c.source for c in was.cites} - {c.source for c in now.cites}:
            cited_by[source] = tuple(o for o in cited_by[source] if o != output)
            if not cited_by[source]:
                return None
        for source in {c.source for c in now.cites} - {c.source for c in was.cites}:
            if source not in cited_by:
                return None
            cited_by[source] = tuple(sorted((*cited_by[source], output)))
        excerpts = {at: text for at, text in excerpts.items() if at.path != after.path}
        excerpts.update(now.excerpts)
        if now.summary is not None:
            summaries[output] = now.summary
        bodies[output] = now.body
        if isinstance(after, Entity):
            inbound.update(_inbound_of(site, before, after))
    site = replace(
        site, content=content, summaries=summaries, bodies=bodies, inbound=inbound, cited_by=cited_by,
        excerpts=excerpts, quotations=verified, numbers=checked, targets=targets,
    )
    return site, count


def _texts_of(site: Site, document: Document) -> tuple[Fragment | None, Fragment | None]:
    """A document's texts as its file gave them (`texts` of `resolve`)."""
    summary = site.summaries.get(document.output)
    return (summary.fragment if summary else None), site.bodies[document.output].fragment


def _inbound_of(site: Site, before: Entity, after: Entity) -> dict[str, tuple[Inbound, ...]]:
    """The relations pointing away from a saved entity, as their targets list them: the same
    relations (same links fingerprint), held by the new record."""
    targets = {target.output for link in before.links if (target := site.content.link_target(link)) is not None}
    return {
        output: tuple(
            Inbound(i.relation, after, after.links[before.links.index(i.link)]) if i.entity is before else i
            for i in site.inbound[output]
        )
        for output in targets
        if output in site.inbound
    }


@dataclass(frozen=True)
class LinkTargets:
    """What a link in a text may lead to: each content file's page, and every page of the site."""

    pages_by_file: dict[str, str]
    outputs: frozenset[str]
    unreadable: frozenset[str]  # `Content.unreadable`: a link to one of those is not reported again
    anchors: dict[str, frozenset[str]]  # output -> the #anchors a link may name on it (others: not checked)


def link_targets(content: Content, bodies: dict[str, Fragment]) -> LinkTargets:
    """`bodies`: each document's rendered narrative, by output (its headings are among its
    anchors); every page's anchors are checked, those the site makes too (`anchors.py`)."""
    pages_by_file = {d.path: d.output for d in (*content.entities.values(), *content.pages.values())}
    outputs = frozenset([*pages_by_file.values(), *GENERATED, *(kind_index(k.id) for k in content.config.kinds)])
    headings = {output: body.anchors for output, body in bodies.items()}
    return LinkTargets(pages_by_file, outputs, content.unreadable, page_anchors(content, headings))


def place_document(
    document: Document, texts: tuple[Fragment | None, Fragment | None], targets: LinkTargets, problems: Problems
) -> tuple[Placed | None, Placed]:
    """A document's rendered summary and body, each internal link resolved (or reported)."""
    ctx = LinkContext(
        document.path, document.output, targets.pages_by_file, targets.outputs, targets.unreadable, targets.anchors
    )
    summary, body = texts
    return (None if summary is None else _place(summary, ctx, problems)), _place(body, ctx, problems)


def document_cites(document: Document, summary: Placed | None, body: Placed) -> list[Cite]:
    """Every citation a document makes: in its summary, its body, its figures and its relations."""
    cites = [*(summary.cites if summary is not None else ()), *body.cites]
    cites += [c for e in document.events for c in e.cites]
    if isinstance(document, Entity):
        cites += [c for f in document.figures for c in f.cites]
        cites += [c for link in document.links for c in link.cites]
    return cites


def document_quotations(
    document: Document, summary: Placed | None, body: Placed, problems: Problems
) -> list[Quotation]:
    """Every quotation a document makes: in its summary, its body and its figures."""
    found = [*(summary.fragment.quotations if summary is not None else ()), *body.fragment.quotations]
    for figure in document.figures if isinstance(document, Entity) else ():
        sources = tuple(c.source for c in figure.cites)
        for text in (figure.label, figure.value, figure.note or ""):
            found += in_plain_text(text, figure.location, sources, problems)
    return found


def document_claims(document: Document, summary: Placed | None, body: Placed | None) -> list[claims.Claim]:
    """Every claim whose numbers are checked: in the summary, the body, the figures and the events
    (an event's date among its numbers)."""
    found = [*(summary.fragment.claims if summary is not None else ()), *(body.fragment.claims if body else ())]
    fields = [(e.date + " \x00 " + e.text, e.location, e.cites) for e in document.events]
    for figure in document.figures if isinstance(document, Entity) else ():
        fields.append((" \x00 ".join((figure.label, figure.value, figure.note or "")), figure.location, figure.cites))
    for text, where, cites in fields:
        pieces = plain_number_pieces(text)
        made = claims.claim(pieces, tuple(c.source for c in cites), lambda digits, counts: where)
        found += [made] if made else []
    return found


def with_translated_numbers(site: Site, problems: Problems) -> Site:
    """Each translation's numbers checked as the original's are, in its own language's format,
    and held to the original's: a number the original states in a text (summary, body) that its
    translation drops, or one the translation adds, is an error at the translation."""
    languages = tuple(site.content.config.languages)
    by_output = {d.output: d for d in site.documents()}
    records: dict[str, frozenset] = {}
    checked = 0
    for language, translated in site.translated.items():
        for output in sorted(translated.translated):
            document = by_output[output]
            record = translated.records.get(output, document)
            path = document.path.removesuffix(".md") + f".{language}.md"
            pairs = [
                (site.summaries.get(output), translated.summaries.get(output)),
                (site.bodies.get(output), translated.bodies.get(output)),
            ]
            claims = [
                replace(c, language=language)
                for _, text in pairs if text is not None for c in text.fragment.claims
            ]
            claims += [replace(c, language=language) for c in document_claims(_written_in(record, language), None, None)]
            checked += numbers.check(claims, site.content.sources, languages, problems, records)
            for original, text in pairs:
                if original is not None and text is not None:
                    _same_numbers(original.fragment, text.fragment, language, languages[0], path, problems)
    return replace(site, numbers=site.numbers + checked)


def _written_in(record: Document, language: str) -> Document:
    """The record's figures and events that its translation gives (none when it gives no
    record): one it leaves in the original's words (a translation giving only roles, or a stale
    one) is the original's, checked there in the original's format."""
    changes = {"events": tuple(e for e in record.events if e.lang == language)}
    if isinstance(record, Entity):
        changes["figures"] = tuple(f for f in record.figures if f.lang == language)
    return replace(record, **changes)


def _same_numbers(original: Fragment, text: Fragment, language: str, first: str, path: str, problems: Problems) -> None:
    own = {s.key: s for c in original.claims for s in numbers.stated(c, first)}
    quoted = {s.key for q in original.quotations for s in numbers.read(q.text, first)}
    said = set()
    for claim in text.claims:
        for s in numbers.read(claim.text, language):
            said.add(s.key)
            if s.key not in own and s.key not in quoted:
                problems.error(
                    claim.location(s.at),
                    f"the number '{s.raw}' is not one its original states; a translation states the numbers "
                    "of its original, in its own language's format",
                )
    quoted_here = {s.key for q in text.quotations for s in numbers.read(q.text, first)}
    for key, s in own.items():
        if key not in said and key not in quoted_here:
            where = text.claims[0].spots[0][1] if text.claims else Location(path, 1, 1)
            problems.error(
                where,
                f"the original states '{s.raw}' ({numbers.shown(key, language)}), which its translation does not; "
                "translate every number of the original",
            )


def excerpts_by_cite(found: list[quotes.Verified], cites: list[Cite]) -> dict[Location, str]:
    """For each verified quotation, the citation of its source that follows it (or, when none
    does, the last before it) shows the excerpt it was found in."""
    shown: dict[Location, str] = {}
    for v in found:
        same = sorted(c.location for c in cites if c.source == v.source)
        after = [at for at in same if at >= v.quotation.location]
        if same:
            shown.setdefault(after[0] if after else same[-1], v.excerpt)
    return shown


def _place(fragment: Fragment, ctx: LinkContext, problems: Problems) -> Placed:
    return Placed(fragment, tuple(resolve_link(link, ctx, problems) for link in fragment.links))


def check_cite(cite: Cite, content: Content, problems: Problems) -> bool:
    if cite.source in content.sources:
        return True
    if cite.source in content.unreadable:  # its own file's error says why
        return False
    problems.error(
        cite.location,
        f"unknown source '{cite.source}'{did_you_mean(cite.source, content.sources)}"
        + ("" if content.sources else "; add it as a file in content/sources/"),
    )
    return False


def inbound_relations(content: Content, problems: Problems) -> dict[str, tuple[Inbound, ...]]:
    """Each relation seen from its target, by the target's output: derived, never written by hand."""
    inbound: dict[str, list[Inbound]] = defaultdict(list)
    for entity in content.entities.values():
        for link in entity.links:
            relation = content.config.relation(link.relation)
            target = content.link_target(link)
            if target is None and f"{relation.to_kind}/{link.target}" in content.unreadable:
                continue
            if target is None:
                kind = content.config.kind(relation.to_kind)
                slugs = [slug for (k, slug) in content.entities if k == relation.to_kind]
                problems.error(
                    link.location,
                    f"unknown {kind.singular.lower()} '{link.target}' in {link.relation}"
                    f"{did_you_mean(link.target, slugs)}",
                )
                continue
            if target is entity:
                problems.error(link.location, f"'{entity.slug}' cannot be related to itself")
                continue
            inbound[target.output].append(Inbound(relation, entity, link))
    return {
        output: tuple(sorted(items, key=lambda i: (i.relation.field, i.entity.name.lower(), i.entity.output)))
        for output, items in sorted(inbound.items())
    }

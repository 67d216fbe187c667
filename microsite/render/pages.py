"""Pass 3: render every page into memory, `{output path: bytes}`. Nothing here touches site/.

Python decides what a page says and in which order its citations are numbered; the Jinja
templates (autoescape on) only lay it out.
"""
from __future__ import annotations


import io
import posixpath
from dataclasses import replace
from itertools import islice
from typing import Mapping, Sequence
from urllib.parse import urlsplit

from jinja2 import Environment, TemplateError
from markupsafe import Markup

from .citemarks import PageCitations
from .fragments import FragmentCache
from ..errors import ContentErrors
from .graph import Graph, neighbourhood, relation_graph, render_svg
from .slots import fill
from ..messages import SEARCH_MESSAGES, language_name, sort_key
from ..model import Entity, Page
from ..addresses import anchor_words, event_anchors
from ..addresses import LANGUAGE_SCRIPTS, SEARCH_INDEX, DATA, in_every_language, language_prefix, split_language, EXPLORE, HOME, MAP, NOT_FOUND, SOURCES, TIMELINE, kind_index
from ..resolve.site import Site
from .text import first_sentence
from .facts import data_examples, dated_facts, first_section, page_labels, plain_text, translated_view
from .shown import Dated, FigureGroup, Happened, Links, NavItem, Related, Row
from .templates import template_failure







PIECES = 4096  # of a template's output encoded at once (`_page`)
HOME_LIST = 5  # how many pages of each kind the home page names


def page_outputs(site: Site) -> list[str]:
    """Every page of the site, in the order they are rendered: those of the first language, then
    the same under each other language's folder."""
    config = site.content.config
    outputs = [
        HOME, SOURCES, NOT_FOUND, DATA, MAP, EXPLORE, TIMELINE,
        *(kind_index(k.id) for k in config.kinds),
        *(e.output for e in site.content.entities.values()),
        *(p.output for p in site.content.pages_in_order()),
    ]
    return in_every_language(outputs, config.languages)


class PageRenderer:
    """Renders any one page of a resolved site, independently of the others (so pages can be
    rendered in any process, and only those whose inputs changed)."""

    def __init__(
        self, site: Site, env: Environment, downloads: Sequence = (), graphs: dict[str, Graph] | None = None,
        language: str | None = None, values: Mapping[str, object] | None = None,
    ):
        """`values`: what every page's templates read of this build besides the site (the
        pictures, each page's card, the feed, the printed reports: `pipeline.page_values`)."""
        primary = site.content.config
        self.language = language or primary.language
        translated = site.translated.get(self.language)
        self.translated = translated.translated if translated else frozenset()
        self.stale = translated.stale if translated else frozenset()
        self.written = site  # as the content is written: what the downloads hold
        if self.language != primary.language:
            site = translated_view(site, self.language)
        self.site, self.env, self.downloads = site, env, downloads
        self.values = dict(values or {})
        # Each language's relation graph (its own names), shared by the renderers of every
        # language and made when a page first needs it: the preview keeps them between saves.
        self.graphs = {} if graphs is None else graphs
        self.config = site.content.config
        self.primary = primary  # the settings in every language (`SiteConfig.in_language`)
        self.languages = primary.languages
        self.original = primary.language  # the language the content is written in
        self.prefix = language_prefix(self.language, self.languages)
        self.t = self.config.messages
        self.language_names = {language: language_name(language) for language in self.languages}
        self.others = {
            language_prefix(other, self.languages): PageRenderer(site, env, downloads, self.graphs, other, self.values)
            for other in self.languages[1:]
        } if not self.prefix else {}
        self.labels = page_labels(self.t)
        self.nav = (
            [NavItem(k.plural, kind_index(k.id)) for k in self.config.kinds]
            + [NavItem(self.t.text("nav_map"), MAP), NavItem(self.labels[EXPLORE], EXPLORE), NavItem(self.labels[TIMELINE], TIMELINE)]
            + [NavItem(self.t.text("nav_sources"), SOURCES), NavItem(self.t.text("nav_data"), DATA)]
            + [
                NavItem(p.title, p.output, self.original if self.language != self.original and p.output not in self.translated else "")
                for p in site.content.pages_in_order()
            ]
        )
        self.nav_outputs = frozenset(item.output for item in self.nav)
        try:
            self.claim_link = Markup(env.get_template("_claim_link.html").render(t=self.t))  # as the templates show it
        except TemplateError as e:
            raise ContentErrors([template_failure(e, "_claim_link.html")]) from None
        self.claim = self.claim_link.strip()  # and the narratives
        self.by_output = {d.output: d for d in site.documents() if d.output != HOME}
        self.kind_indexes = {kind_index(k.id): k.id for k in self.config.kinds}
        self.previews: dict[tuple[str, str], Markup] = {}
        self.fragments = FragmentCache()  # this language's, for every page it renders

    @property
    def graph(self) -> Graph:
        """The relations between every entity, in this renderer's language."""
        graph = self.graphs.get(self.language)
        if graph is None:
            graph = self.graphs[self.language] = relation_graph(self.site)
        return graph

    def render(self, output: str) -> bytes:
        """Page `output`, in the language its folder says (`es/...`)."""
        prefix, base = split_language(output, self.languages)
        if prefix and not self.prefix:
            return self.others[prefix].render(base)
        if output == HOME:
            return self.home()
        if output == SOURCES:
            return self.sources()
        if output == NOT_FOUND:
            return self.not_found()
        if output == DATA:
            return self.data(self.downloads)
        if output == MAP:
            return self.map()
        if output == EXPLORE:
            return self.explore()
        if output == TIMELINE:
            return self.timeline()
        if output in self.kind_indexes:
            return self.kind_index(self.kind_indexes[output])
        document = self.by_output[output]
        return self.entity(document) if isinstance(document, Entity) else self.page(document)

    def _page(self, template: str, output: str, **context) -> bytes:
        url = self._url_maker(output)
        context.setdefault("card_text", context.get("title", ""))  # what its social card shows (`cards.py`)
        base = self.config.base_url
        pieces = self.env.get_template(template).generate(
            **self.values,
            site=self.config,
            nav=self.nav,
            nav_current=output if output in self.nav_outputs else "",  # a key of the navigation's fragment
            output=output,
            url=url,
            root=url(HOME).removesuffix(HOME),  # the root of this language's pages, from this page
            canonical=base + self.prefix + ("" if output == HOME else output),
            search_index=SEARCH_INDEX if not self.prefix else SEARCH_INDEX.replace(".js", f".{self.language}.js"),
            search_scripts=LANGUAGE_SCRIPTS.get(self.language, ()),
            card_output=self.prefix + output,  # its social card, in its language
            t=self.t,
            SEARCH_MESSAGES=SEARCH_MESSAGES,
            # The same page in every language, for the switcher and the hreflang alternates.
            alternates=[
                (language, url(language_prefix(language, self.languages) + output, shared=True),
                 base + language_prefix(language, self.languages) + ("" if output == HOME else output))
                for language in self.languages
            ] if len(self.languages) > 1 else [],
            # A content file not translated into the page's language yet: the page says so, and its
            # words carry their own `lang`. The pages the engine makes (kinds, map, sources...) are
            # in the page's language; what they list of an untranslated file is marked (`lang_of`).
            content_lang=self.original if self._shows_original(output) and (output == HOME or output in self.by_output) else "",
            lang_attr=self.lang_of(output),
            lang_attr_for=self.lang_attr_for,
            lang_of=self.lang_of,
            # A translation whose original changed since: the page says so and links to the original.
            stale_original=url(output, shared=True) if output in self.stale else "",
            language_names=self.language_names,
            claim_link=self.claim_link,  # `_claim_link.html`, rendered once
            fragments=self.fragments,
            **context,
        )
        # Encoded a few thousand pieces at a time, not joined whole then encoded: the timeline of
        # 10,000 entities (18 MB) took 109 MiB to make that way, the build's highest point; 41 now.
        out = io.BytesIO()
        try:
            for batch in iter(lambda: list(islice(pieces, PIECES)), []):
                out.write("".join(batch).encode("utf-8"))
        except TemplateError as e:
            raise ContentErrors([template_failure(e, template)]) from None
        return out.getvalue()

    def _shows_original(self, output: str) -> bool:
        """Whether the words of `output`'s content file are shown as written, untranslated."""
        return self.language != self.original and output not in self.translated

    def lang_of(self, output: str) -> Markup:
        """` lang="en"` for what is shown of `output`'s content file when it is not translated
        into this renderer's language yet; nothing otherwise."""
        return Markup(' lang="{}"').format(self.original) if self._shows_original(output) else Markup("")

    def lang_attr_for(self, language: str | None) -> Markup:
        """` lang="en"` for words in `language` (None or "": the language the content is written
        in) shown on a page in another: a screen reader speaks them in their own."""
        language = language or self.original
        return Markup(' lang="{}"').format(language) if language != self.language else Markup("")

    def _url_maker(self, output: str) -> Links:
        """Links from `output` (in this renderer's language): `Links`."""
        if output == NOT_FOUND:
            return Links(self.prefix, "", urlsplit(self.config.base_url).path)
        return Links(self.prefix, posixpath.dirname(self.prefix + output))

    def _markdown(self, origin: str, citations: PageCitations, which: dict, output: str | None = None) -> Markup:
        """Place the text written for page `origin` on page `output` (by default the same)."""
        placed = which.get(origin)
        if placed is None:
            return Markup("")
        quoted_in = tuple(self.quoted_in(q.sources) for q in placed.fragment.quotations)
        return Markup(fill(placed.fragment, placed.targets, output or origin, citations.mark, self.claim, quoted_in))

    def quoted_in(self, cited: tuple[str, ...]) -> str | None:
        """The language a quotation is in, when it is not the page's: that of the sources cited
        beside it (one of which holds its words), when they share one."""
        sources = self.site.content.sources
        languages = {sources[s].language or self.original for s in cited if s in sources}
        language = languages.pop() if len(languages) == 1 else None
        return language if language != self.language else None

    def _citations(self) -> PageCitations:
        return PageCitations(self.site.content.sources, self.t, self.original, self.previews, self.site.excerpts)

    def _marks(self, citations: PageCitations, cites) -> Markup:
        return Markup("").join(citations.mark(c.source, c.locator, c.location) for c in cites)

    def entity(self, entity: Entity) -> bytes:
        citations = self._citations()
        summary = self._markdown(entity.output, citations, self.site.summaries)
        figures = self._figure_groups(entity, citations)
        body = self._markdown(entity.output, citations, self.site.bodies)
        events = self._events(entity, citations)
        related = self._related(entity, citations)
        return self._page(
            "entity.html", entity.output, entity=entity, kind=self.config.kind(entity.kind),
            title=entity.name, summary=summary, figures=figures, body=body, events=events, related=related,
            map=self._neighbourhood_map(entity),
            description=plain_text(self.site.summaries.get(entity.output)),
            cited=citations.entries(),
        )

    def _neighbourhood_map(self, entity: Entity) -> Markup:
        """The entity among the entities it relates to; nothing when it relates to none."""
        local = neighbourhood(self.graph, entity.output)
        if len(local.nodes) < 2:
            return Markup("")
        others = len(local.nodes) - 1
        return render_svg(
            local, self.config, self._url_maker(entity.output), self.t.text("local_map_title", name=entity.name),
            self.t.text("local_map_description", others, name=entity.name),
            current=entity.output, ident="local-map",
        )

    def map(self) -> bytes:
        entities = {e.output: e for e in self.graph.nodes}
        relations = [
            (relation, [(entities[e.source], entities[e.target]) for e in self.graph.edges if e.relation == relation.field])
            for relation in self.config.relations
        ]
        relations = [(r, sorted(pairs, key=lambda p: (sort_key(p[0].name), sort_key(p[1].name)))) for r, pairs in relations if pairs]
        description = self.t.text(
            "map_description", count=len(self.graph.nodes),
            kinds=self.t.join([k.plural for k in self.config.kinds]), edges=self.t.number(len(self.graph.edges)),
        )
        title = self.t.text("map_title")
        svg = render_svg(
            self.graph, self.config, self._url_maker(MAP), title, self.t.text("map_svg_description", description=description),
        )
        return self._page("map.html", MAP, title=title, description=description, map=svg, relations=relations)

    def _figure_groups(self, entity: Entity, citations: PageCitations) -> list[FigureGroup]:
        labels: dict[str, list] = {}
        for figure in entity.figures:
            labels.setdefault(figure.label, []).append(figure)
        return [
            FigureGroup(label, tuple((f, self._marks(citations, f.cites)) for f in figures))
            for label, figures in labels.items()
        ]

    def _related(self, entity: Entity, citations: PageCitations) -> list[tuple[str, list[Related]]]:
        entities = self.site.content.entities
        sections: list[tuple[str, list[Related]]] = []
        for relation in self.config.relations_from(entity.kind):
            rows = [
                Related(
                    entities[(relation.to_kind, link.target)], link.role, self._marks(citations, link.cites),
                    f"to-{anchor_words(relation.field)}-{link.target}", link.lang,
                )
                for link in entity.links
                if link.relation == relation.field and (relation.to_kind, link.target) in entities
            ]
            if rows:
                sections.append((relation.label, rows))
        for relation in self.config.relations:
            rows = [
                Related(
                    i.entity, i.link.role, self._marks(citations, i.link.cites),
                    f"from-{anchor_words(relation.field)}-{i.entity.slug}", i.link.lang,
                )
                for i in self.site.inbound.get(entity.output, ())
                if i.relation is relation
            ]
            if rows:
                sections.append((relation.inverse, rows))
        return sections

    def _events(self, document: Entity | Page, citations: PageCitations) -> list[Happened]:
        return [
            Happened(event, self._marks(citations, event.cites), anchor)
            for event, anchor in zip(document.events, event_anchors(document.events))
        ]

    def page(self, page: Page) -> bytes:
        citations = self._citations()
        summary = self._markdown(page.output, citations, self.site.summaries)
        body = self._markdown(page.output, citations, self.site.bodies)
        events = self._events(page, citations)
        return self._page(
            "page.html", page.output, page=page, title=page.title, summary=summary, body=body, events=events,
            changes=self.site.content.changes if page.show_changes else (),
            description=plain_text(self.site.summaries.get(page.output)) or page.title,
            cited=citations.entries(),
        )

    def _listing(self, output: str, entities: list[Entity], citations: PageCitations) -> list[tuple[Entity, Markup]]:
        """Entities with their summaries, whose citations are numbered on the listing page itself."""
        return [
            (e, self._markdown(e.output, citations, self.site.summaries, output))
            for e in sorted(entities, key=lambda e: sort_key(e.name))
        ]

    def kind_index(self, kind_id: str) -> bytes:
        output = kind_index(kind_id)
        citations = self._citations()
        kind = self.config.kind(kind_id)
        members = [e for e in self.site.content.entities.values() if e.kind == kind_id]
        return self._page(
            "kind_index.html", output, kind=kind, title=kind.plural, description=kind.intro,
            entries=self._listing(output, members, citations), cited=citations.entries(),
        )

    def home(self) -> bytes:
        """The front door: the home page's text (its lead, findings and asks, from content/pages/
        index.md), the map's size, and the few most connected pages of each kind."""
        citations = self._citations()
        text = self.site.content.home
        lead = self._markdown(HOME, citations, self.site.summaries)
        body = self._markdown(HOME, citations, self.site.bodies)
        degree: dict[str, int] = {}
        for edge in self.graph.edges:
            degree[edge.source] = degree.get(edge.source, 0) + 1
            degree[edge.target] = degree.get(edge.target, 0) + 1
        sections = []
        for kind in self.config.kinds:
            members = [e for e in self.site.content.entities.values() if e.kind == kind.id]
            members.sort(key=lambda e: (-degree.get(e.output, 0), sort_key(e.name), e.output))
            sections.append((kind, members[:HOME_LIST], len(members)))
        findings, rest = first_section(body)
        return self._page(
            "home.html", HOME, title=self.config.title, page=text, lead=lead, findings=findings, rest=rest,
            sections=sections,
            events=self._events(text, citations) if text is not None else [],
            nodes=len(self.graph.nodes), edges=len(self.graph.edges),
            teaser=render_svg(self.graph, self.config, self._url_maker(HOME), "", "", ident="teaser", linked=False),
            description=plain_text(self.site.summaries.get(HOME)) or self.config.tagline,
            cited=citations.entries(),
            # Its card shows the lead's first sentence (else the tagline) above the site's name.
            # (its full stop left out: the alt text goes on with the site's name).
            card_text=(first_sentence(plain_text(self.site.summaries.get(HOME))) or self.config.tagline or self.config.title).removesuffix("."),
        )

    def explore(self) -> bytes:
        """Every entity as a row: a plain table, which assets/explore.js filters and sorts."""
        citations = self._citations()
        content = self.site.content
        counts: dict[str, int] = {}
        for outputs in self.site.cited_by.values():
            for output in outputs:
                counts[output] = counts.get(output, 0) + 1
        rows = []
        for entity in sorted(content.entities.values(), key=lambda e: (sort_key(e.name), e.output)):
            related = [
                (self.config.relation(link.relation).label, target, link.relation)
                for link in entity.links
                if (target := content.link_target(link)) is not None
            ]
            related += [(i.relation.inverse, i.entity, i.relation.field) for i in self.site.inbound.get(entity.output, ())]
            rows.append(Row(
                entity, self.config.kind(entity.kind).singular,
                self._markdown(entity.output, citations, self.site.summaries, EXPLORE),
                tuple((label, other) for label, other, _ in related),
                tuple(sorted({field for _, _, field in related})),
                counts.get(entity.output, 0),
            ))
        return self._page(
            "explore.html", EXPLORE, title=self.labels[EXPLORE], rows=rows, kinds=self.config.kinds,
            relations=self.config.relations, description=self.labels["explore_description"],
            cited=citations.entries(),
        )

    def timeline(self) -> bytes:
        """Every dated fact the content holds, oldest first, grouped by year."""
        citations = self._citations()
        facts = sorted(dated_facts(self.site), key=lambda f: (f[0].date, f[0].what, f[0].name.lower(), f[0].text, f[0].output))
        years: dict[str, list[Dated]] = {}
        for fact, cites in facts:
            years.setdefault(fact.date[:4], []).append(replace(fact, marks=self._marks(citations, cites)))
        return self._page(
            "timeline.html", TIMELINE, title=self.labels[TIMELINE], years=list(years.items()),
            description=self.labels["timeline_description"], cited=citations.entries(), sources=self.site.content.sources,
        )

    def sources(self) -> bytes:
        content = self.site.content
        titles = {d.output: getattr(d, "name", None) or getattr(d, "title", "") for d in self.site.documents()}
        groups = []
        for kind in self.config.source_kinds:
            members = sorted(
                (s for s in content.sources.values() if s.kind == kind.id),
                key=lambda s: (s.date or "", s.id),
            )
            if members:
                groups.append((kind, [(s, [(o, titles[o]) for o in self.site.cited_by.get(s.id, ())]) for s in members]))
        return self._page(
            "sources.html", SOURCES, title=self.t.text("sources_title"), groups=groups,
            description=self.t.text("sources_description", site=self.config.title),
        )

    def data(self, downloads: Sequence) -> bytes:
        """The downloads are made once, in the language the content is written in: a CSV cell
        cannot say which language it is in, and a translation may lag its original. A Data page
        in another language says so (`data_language`), and its examples are the files' words."""
        examples = data_examples(self.written)
        words = self.lang_attr_for(None)
        for key in ("label", "inverse") if words else ():  # the files' words, in their own language
            examples[key] = Markup("<span{}>{}</span>").format(words, examples[key])
        return self._page(
            "data.html", DATA, title=self.t.text("data_title"), downloads=downloads, examples=examples,
            description=self.t.text("data_description", site=self.config.title),
            data_language=self.language_names[self.original] if self.language != self.original else "",
        )

    def not_found(self) -> bytes:
        """A host serves the root 404.html for every missing address, `/es/...` included: it says
        so in every language, this one first, each part marked with its own and linking to its
        own pages (`parts`: language, its messages, its links)."""
        title = self.t.text("not_found_title")
        languages = [self.language, *(language for language in self.languages if language != self.language)]
        absolute = urlsplit(self.config.base_url).path
        parts = [
            (language, self.primary.in_language(language).messages, Links(language_prefix(language, self.languages), "", absolute))
            for language in languages
        ]
        return self._page("404.html", NOT_FOUND, title=title, description=title, parts=parts)

"""Pass 3: render every page into memory, `{output path: bytes}`. Nothing here touches site/.

Python decides what a page says and in which order its citations are numbered; the Jinja
templates (autoescape on) only lay it out.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Sequence
from urllib.parse import urlsplit

from jinja2 import Environment, FileSystemLoader, StrictUndefined, TemplateSyntaxError, nodes, select_autoescape
from markupsafe import Markup

from .citemarks import PageCitations
from .confine import confined
from .dates import human_date
from .errors import ContentErrors, Location, Problem, Problems
from .graph import Graph, neighbourhood, relation_graph, render_svg
from .markdown import fill
from .model import Entity, Figure, Page
from .outputs import DATA, HOME, MAP, NOT_FOUND, SOURCES, kind_index, relative_url
from .resolve import Site


@dataclass(frozen=True)
class NavItem:
    title: str
    output: str


@dataclass(frozen=True)
class Related:
    """One line of a 'related' list: the other page, what the relation is, and its marks."""

    entity: Entity
    role: str | None
    marks: Markup


@dataclass(frozen=True)
class FigureGroup:
    """Figures sharing a label: more than one value means the sources disagree."""

    label: str
    rows: tuple[tuple[Figure, Markup], ...]

    @property
    def disputed(self) -> bool:
        return len({figure.value for figure, _ in self.rows}) > 1


class ConfinedLoader(FileSystemLoader):
    """Jinja's loader, refusing a template that is a link out of templates/ (`confine.py`)."""

    def __init__(self, templates: Path):
        super().__init__(templates)
        self.folder = templates

    def get_source(self, environment: Environment, template: str):
        source, filename, uptodate = super().get_source(environment, template)
        problems = Problems()
        if not confined(Path(filename), self.folder, f"templates/{template}", problems):
            raise ContentErrors(problems.items)
        return source, filename, uptodate


def make_environment(templates: Path, preview: bool = False) -> Environment:
    env = Environment(
        loader=ConfinedLoader(templates),
        autoescape=select_autoescape(["html", "xml"], default_for_string=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        auto_reload=False,  # a build reads each template once: no stat per page and per include
    )
    env.filters["human_date"] = human_date
    env.globals["preview"] = preview
    return env


# The templates the engine renders pages with (`PageRenderer`); the others are theirs to include.
PAGE_TEMPLATES = ("home.html", "sources.html", "404.html", "data.html", "map.html", "kind_index.html", "entity.html", "page.html")


def template_problems(env: Environment) -> list[Problem]:
    """Every template of `env` compiled, and every template one names present: a Jinja mistake
    is an error at its template's line, found before any page is rendered, not a traceback from
    the middle of rendering. Compiling here also leaves each template compiled for the pages."""
    present = set(env.list_templates())
    problems = [
        Problem(Location(f"templates/{name}"), f"missing template: the build renders pages with it; restore it (git checkout templates/{name})")
        for name in PAGE_TEMPLATES
        if name not in present
    ]
    for name in sorted(n for n in present if n.endswith(".html")):
        where = f"templates/{name}"
        try:
            source, filename, _ = env.loader.get_source(env, name)
            tree = env.parse(source, name, filename)
            env.get_template(name)
        except TemplateSyntaxError as e:
            problems.append(Problem(Location(where, e.lineno or 0), f"template error: {e.message}"))
            continue
        except UnicodeDecodeError as e:
            problems.append(Problem(Location(where), f"not UTF-8 text (byte 0x{e.object[e.start]:02X}); save it as UTF-8"))
            continue
        for node in tree.find_all((nodes.Extends, nodes.Include, nodes.Import, nodes.FromImport)):
            named = node.template
            if isinstance(node, nodes.Include) and node.ignore_missing:
                continue
            if isinstance(named, nodes.Const) and isinstance(named.value, str) and named.value not in present:
                problems.append(Problem(Location(where, node.lineno), f"template '{named.value}' does not exist in templates/"))
    return problems


def page_outputs(site: Site) -> list[str]:
    """Every page of the site, in the order they are rendered."""
    return [
        HOME, SOURCES, NOT_FOUND, DATA, MAP,
        *(kind_index(k.id) for k in site.content.config.kinds),
        *(e.output for e in site.content.entities.values()),
        *(p.output for p in site.content.pages_in_order()),
    ]


class PageRenderer:
    """Renders any one page of a resolved site, independently of the others (so pages can be
    rendered in any process, and only those whose inputs changed)."""

    def __init__(self, site: Site, env: Environment, downloads: Sequence = (), graph: Graph | None = None):
        self.site, self.env, self.downloads = site, env, downloads
        self._graph = graph
        self.config = site.content.config
        self.nav = (
            [NavItem(k.plural, kind_index(k.id)) for k in self.config.kinds]
            + [NavItem("Map", MAP), NavItem("Sources", SOURCES), NavItem("Data", DATA)]
            + [NavItem(p.title, p.output) for p in site.content.pages_in_order()]
        )
        self.by_output = {d.output: d for d in site.documents()}
        self.kind_indexes = {kind_index(k.id): k.id for k in self.config.kinds}
        self.previews: dict[tuple[str, str], Markup] = {}

    @property
    def graph(self) -> Graph:
        """The relations between every entity (made when a page first needs it)."""
        if self._graph is None:
            self._graph = relation_graph(self.site)
        return self._graph

    def render(self, output: str) -> bytes:
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
        if output in self.kind_indexes:
            return self.kind_index(self.kind_indexes[output])
        document = self.by_output[output]
        return self.entity(document) if isinstance(document, Entity) else self.page(document)

    def _page(self, template: str, output: str, **context) -> bytes:
        html = self.env.get_template(template).render(
            site=self.config,
            nav=self.nav,
            output=output,
            url=self._url_maker(output),
            root=self._url_maker(output)(HOME).removesuffix(HOME),  # the site's root, from this page
            canonical=self.config.base_url + ("" if output == HOME else output),
            **context,
        )
        return html.encode("utf-8")

    def _url_maker(self, output: str):
        """Links from `output`: relative, except on the 404 page, which a host serves at any depth:
        there they start from the site's folder on its host (`/repo/assets/style.css`), the path
        of base_url, so they never leave the host that served the page."""
        if output == NOT_FOUND:
            folder = urlsplit(self.config.base_url).path
            return lambda target: folder + target
        return partial(relative_url, output)

    def _markdown(self, origin: str, citations: PageCitations, which: dict, output: str | None = None) -> Markup:
        """Place the text written for page `origin` on page `output` (by default the same)."""
        placed = which.get(origin)
        if placed is None:
            return Markup("")
        return Markup(fill(placed.fragment, placed.targets, output or origin, citations.mark))

    def _citations(self) -> PageCitations:
        return PageCitations(self.site.content.sources, self.previews, self.site.excerpts)

    def _marks(self, citations: PageCitations, cites) -> Markup:
        return Markup("").join(citations.mark(c.source, c.locator, c.location) for c in cites)

    def entity(self, entity: Entity) -> bytes:
        citations = self._citations()
        summary = self._markdown(entity.output, citations, self.site.summaries)
        figures = self._figure_groups(entity, citations)
        body = self._markdown(entity.output, citations, self.site.bodies)
        related = self._related(entity, citations)
        return self._page(
            "entity.html", entity.output, entity=entity, kind=self.config.kind(entity.kind),
            title=entity.name, summary=summary, figures=figures, body=body, related=related,
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
            local, self.config, self._url_maker(entity.output), f"{entity.name} and its connections",
            f"{entity.name} is connected to {others} other {'page' if others == 1 else 'pages'} of this site; "
            "each box links to its page, and the same connections are listed below in text.",
            current=entity.output, ident="local-map",
        )

    def map(self) -> bytes:
        entities = {e.output: e for e in self.graph.nodes}
        relations = [
            (relation, [(entities[e.source], entities[e.target]) for e in self.graph.edges if e.relation == relation.field])
            for relation in self.config.relations
        ]
        relations = [(r, sorted(pairs, key=lambda p: (p[0].name.lower(), p[1].name.lower()))) for r, pairs in relations if pairs]
        kinds = [k.plural.lower() for k in self.config.kinds]
        kinds_text = ", ".join(kinds[:-1]) + " and " + kinds[-1] if len(kinds) > 1 else "".join(kinds)
        description = (
            f"How the {len(self.graph.nodes)} {kinds_text} on this site are connected: "
            f"{len(self.graph.edges)} connections, each declared and cited on a page."
        )
        svg = render_svg(
            self.graph, self.config, self._url_maker(MAP), "Map of connections",
            description + " Each box links to its page; every connection is also listed in text below the map.",
        )
        return self._page("map.html", MAP, title="Map of connections", description=description, map=svg, relations=relations)

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
                Related(entities[(relation.to_kind, link.target)], link.role, self._marks(citations, link.cites))
                for link in entity.links
                if link.relation == relation.field and (relation.to_kind, link.target) in entities
            ]
            if rows:
                sections.append((relation.label, rows))
        for relation in self.config.relations:
            rows = [
                Related(i.entity, i.link.role, self._marks(citations, i.link.cites))
                for i in self.site.inbound.get(entity.output, ())
                if i.relation is relation
            ]
            if rows:
                sections.append((relation.inverse, rows))
        return sections

    def page(self, page: Page) -> bytes:
        citations = self._citations()
        summary = self._markdown(page.output, citations, self.site.summaries)
        body = self._markdown(page.output, citations, self.site.bodies)
        return self._page(
            "page.html", page.output, page=page, title=page.title, summary=summary, body=body,
            changes=self.site.content.changes if page.show_changes else (),
            description=plain_text(self.site.summaries.get(page.output)) or page.title,
            cited=citations.entries(),
        )

    def _listing(self, output: str, entities: list[Entity], citations: PageCitations) -> list[tuple[Entity, Markup]]:
        """Entities with their summaries, whose citations are numbered on the listing page itself."""
        return [
            (e, self._markdown(e.output, citations, self.site.summaries, output))
            for e in sorted(entities, key=lambda e: e.name.lower())
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
        citations = self._citations()
        sections = []
        for kind in self.config.kinds:
            members = [e for e in self.site.content.entities.values() if e.kind == kind.id]
            sections.append((kind, self._listing(HOME, members, citations)))
        return self._page(
            "home.html", HOME, title=self.config.title, description=self.config.tagline,
            sections=sections, cited=citations.entries(),
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
            "sources.html", SOURCES, title="Sources", groups=groups,
            description=f"Every source cited on {self.config.title}, with the pages that cite it.",
        )

    def data(self, downloads: Sequence) -> bytes:
        return self._page(
            "data.html", DATA, title="Data", downloads=downloads,
            description=f"Every fact on {self.config.title} as data: SQLite, JSON and CSV downloads.",
        )

    def not_found(self) -> bytes:
        return self._page("404.html", NOT_FOUND, title="Page not found", description="Page not found")


def plain_text(placed) -> str:
    """The words of an inline text without its citation marks: for meta descriptions."""
    return placed.fragment.plain if placed is not None else ""

"""The relationship map: entities and the relations between them, drawn as SVG at build time.

The layout is deterministic and needs no script: one column per kind, in the order site.yaml
declares the kinds, and within each column the entities ordered by the mean position of their
neighbours (a few barycentre sweeps), which removes most crossings. Every node is a link to its
page, relative to the page the map is drawn on, so the map works from disk and under a subpath.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property

from markupsafe import Markup, escape

from ..model import Entity, SiteConfig
from ..pickling import by_fields
from ..resolve.site import Site

NODE_WIDTH = 190
NODE_LINE = 15  # px per line of a node's label
NODE_PAD = 8
ROW_GAP = 12
COLUMN_GAP = 110
ARC_ROOM = 56  # to the right of the last column, for arcs between entities of one kind
HEADER = 34  # room for the column headings
LABEL_CHARS = 22  # characters per line of a node's label: fits the box at 13 px, even in wide letters
SWEEPS = 4


@by_fields
@dataclass(frozen=True, slots=True)
class Edge:
    """`source` lists `target` under `relation` (a field of site.yaml's relations)."""

    source: str  # output of the entity declaring the relation
    target: str
    relation: str
    label: str  # "Built, supplied or hosted by"


@dataclass(frozen=True)
class Graph:
    nodes: tuple[Entity, ...]
    edges: tuple[Edge, ...]

    @cached_property
    def touching(self) -> dict[str, list[int]]:
        """Output -> positions in `edges` of the edges from or to it: a page's map reads its own
        edges, not every edge of the site (which made drawing every page's map quadratic)."""
        touching: dict[str, list[int]] = {n.output: [] for n in self.nodes}
        for i, edge in enumerate(self.edges):
            touching[edge.source].append(i)
            if edge.target != edge.source:
                touching[edge.target].append(i)
        return touching

    @cached_property
    def position(self) -> dict[str, int]:
        return {n.output: i for i, n in enumerate(self.nodes)}

    def with_entities(self, saved: dict[str, Entity]) -> Graph:
        """The same graph with some entities' records replaced by newer ones declaring the same
        name and relations (the preview's quick path, `edits.py`)."""
        graph = Graph(tuple(saved.get(n.output, n) for n in self.nodes), self.edges)
        graph.__dict__.update({k: v for k, v in self.__dict__.items() if k in ("touching", "position")})
        return graph


@dataclass(frozen=True)
class PlacedNode:
    entity: Entity
    x: float
    y: float
    lines: tuple[str, ...]

    @property
    def height(self) -> float:
        return len(self.lines) * NODE_LINE + 2 * NODE_PAD


@dataclass(frozen=True)
class Layout:
    width: float
    height: float
    columns: tuple[tuple[str, float], ...]  # (heading, x) of each kind present
    nodes: dict[str, PlacedNode]  # output -> placed node


KIND_COLOURS = 6  # distinct box colours in assets/style.css (`.kind-0` to `.kind-5`); then they repeat


def relation_graph(site: Site) -> Graph:
    """Every entity, and every declared relation whose target exists."""
    content = site.content
    edges = []
    for entity in content.entities.values():
        for link in entity.links:
            target = content.link_target(link)
            if target is not None and target is not entity:
                relation = content.config.relation(link.relation)
                edges.append(Edge(entity.output, target.output, relation.field, relation.phrase or relation.label))
    nodes = sorted(content.entities.values(), key=lambda e: (e.kind, e.name.lower(), e.slug))
    graph = Graph(tuple(nodes), tuple(sorted(set(edges), key=lambda e: (e.source, e.target, e.relation))))
    # Indexed now, in the process the render workers are forked from: built in each worker, they
    # touched every entity and so copied 62 MiB of the parent's memory into it (10,000 entities).
    graph.touching, graph.position
    return graph


def neighbourhood(graph: Graph, output: str) -> Graph:
    """One entity, the entities it relates to in either direction, and the relations among them."""
    edges = graph.edges
    keep = {output} | {end for i in graph.touching[output] for end in (edges[i].source, edges[i].target)}
    among = {i for kept in keep for i in graph.touching[kept] if edges[i].source in keep and edges[i].target in keep}
    return Graph(
        tuple(graph.nodes[i] for i in sorted(graph.position[o] for o in keep)),
        tuple(edges[i] for i in sorted(among)),
    )


def layout(graph: Graph, config: SiteConfig, sweeps: int = SWEEPS) -> Layout:
    """Columns per kind; rows ordered by `sweeps` barycentre sweeps (0: by name), ties broken by name."""
    columns = [[n for n in graph.nodes if n.kind == kind.id] for kind in config.kinds]
    columns = [c for c in columns if c]
    kinds = [c[0].kind for c in columns]
    neighbours: dict[str, list[str]] = {n.output: [] for n in graph.nodes}
    for edge in graph.edges:
        neighbours[edge.source].append(edge.target)
        neighbours[edge.target].append(edge.source)
    lower = {n.output: n.name.lower() for n in graph.nodes}
    columns = [sorted(c, key=lambda n: (lower[n.output], n.output)) for c in columns]
    rank = {n.output: i for column in columns for i, n in enumerate(column)}

    def by_barycentre(node: Entity) -> tuple[float, str]:
        """The mean rank of the node's neighbours (its own rank without any), then its name."""
        others = [rank[o] for o in neighbours[node.output]]
        return (sum(others) / len(others) if others else rank[node.output]), lower[node.output]

    for sweep in range(sweeps):
        order = range(len(columns)) if sweep % 2 == 0 else reversed(range(len(columns)))
        for c in order:
            columns[c] = sorted(columns[c], key=by_barycentre)
            rank.update({n.output: i for i, n in enumerate(columns[c])})
    wrapped = [[_wrap(entity.name) for entity in column] for column in columns]
    tops: list[list[float]] = []
    heights = []
    for lines in wrapped:
        y = float(HEADER)
        tops.append([])
        for node_lines in lines:
            tops[-1].append(y)
            y += len(node_lines) * NODE_LINE + 2 * NODE_PAD + ROW_GAP
        heights.append(y)
    tallest = max(heights, default=HEADER)
    placed: dict[str, PlacedNode] = {}
    for c, column in enumerate(columns):  # centre each column vertically against the tallest
        shift = (tallest - heights[c]) / 2
        x = c * (NODE_WIDTH + COLUMN_GAP)
        for entity, top, node_lines in zip(column, tops[c], wrapped[c]):
            placed[entity.output] = PlacedNode(entity, x, top + shift, node_lines)
    headings = tuple(
        (config.kind(kind).plural, c * (NODE_WIDTH + COLUMN_GAP) + NODE_WIDTH / 2) for c, kind in enumerate(kinds)
    )
    width = max(len(columns) * (NODE_WIDTH + COLUMN_GAP) - COLUMN_GAP, NODE_WIDTH)
    return Layout(width + ARC_ROOM, tallest - ROW_GAP + 2, headings, placed)


def _wrap(name: str) -> tuple[str, ...]:
    lines: list[str] = []
    for word in name.split():
        if lines and len(lines[-1]) + 1 + len(word) <= LABEL_CHARS:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return tuple(lines) or ("",)


def render_svg(
    graph: Graph, config: SiteConfig, url: Callable[[str], str], title: str, description: str,
    current: str | None = None, ident: str = "map", linked: bool = True,
) -> Markup:
    """The map as inline SVG: nodes are links (relative via `url`); `current` is highlighted.
    Not `linked`: a picture only, hidden from screen readers, to sit inside one link (a teaser).

    Written with f-strings, every text passed through `escape` (`_e`): Markup.format took 80 µs
    a call, most of the time of drawing a map on every page of a large site."""
    placed = layout(graph, config)
    kinds = {k.id: k.singular for k in config.kinds}
    # Colours come from a kind's place in site.yaml (`kind-0`, `kind-1`...), not its name; a relation
    # between two entities of one kind is drawn as such (`edge-self`).
    positions = {k.id: n for n, k in enumerate(config.kinds)}
    selfs = frozenset(r.field for r in config.relations if r.from_kind == r.to_kind)
    w, h, i = placed.width, placed.height, _e(ident)
    parts = [
        f'<svg class="relation-map" viewBox="-1 -1 {w:g} {h:g}" width="{w:g}" height="{h:g}" '
        f'aria-labelledby="{i}-title {i}-desc">'
        f'<title id="{i}-title">{_e(title)}</title><desc id="{i}-desc">{_e(description)}</desc>'
        if linked else
        f'<svg class="relation-map" viewBox="-1 -1 {w:g} {h:g}" width="{w:g}" height="{h:g}" aria-hidden="true">'
    ]
    for heading, x in placed.columns:
        parts.append(f'<text class="column" x="{x:g}" y="14" text-anchor="middle">{_e(heading)}</text>')
    parts.append('<g class="edges">')
    for edge in graph.edges:
        parts.append(_edge(edge, placed.nodes[edge.source], placed.nodes[edge.target], edge.relation in selfs))
    parts.append("</g>")
    for output in sorted(placed.nodes, key=lambda o: (placed.nodes[o].x, placed.nodes[o].y)):
        parts.append(_node(placed.nodes[output], url, kinds, positions, output == current, linked))
    parts.append("</svg>")
    return Markup("".join(parts))


def _e(text) -> str:
    """markupsafe's `escape`, the one HTML escape of the engine, as the text an f-string joins."""
    return str(escape(text))


def _edge(edge: Edge, a: PlacedNode, b: PlacedNode, self_relation: bool) -> str:
    ay, by = a.y + a.height / 2, b.y + b.height / 2
    if a.x == b.x:  # same kind: an arc out to the right of the column
        x = a.x + NODE_WIDTH
        bulge = x + min(ARC_ROOM - 4, 20 + abs(by - ay) / 8)
        path = f"M{x:g},{ay:g} C{bulge:g},{ay:g} {bulge:g},{by:g} {x:g},{by:g}"
    else:
        left, right = (a, b) if a.x < b.x else (b, a)
        ly, ry = (ay, by) if left is a else (by, ay)
        x1, x2 = left.x + NODE_WIDTH, right.x
        mid = (x1 + x2) / 2 if x2 - x1 <= NODE_WIDTH + 2 * COLUMN_GAP else x1 + COLUMN_GAP / 2
        mid2 = (x1 + x2) / 2 if x2 - x1 <= NODE_WIDTH + 2 * COLUMN_GAP else x2 - COLUMN_GAP / 2
        path = f"M{x1:g},{ly:g} C{mid:g},{ly:g} {mid2:g},{ry:g} {x2:g},{ry:g}"
    return (
        f'<path class="edge edge-{_e(edge.relation)}{" edge-self" if self_relation else ""}" d="{path}">'
        f"<title>{_e(a.entity.name)} — {_e(edge.label)} — {_e(b.entity.name)}</title></path>"
    )


def _node(
    node: PlacedNode, url: Callable[[str], str], kinds: dict[str, str], positions: dict[str, int], current: bool, linked: bool = True,
) -> str:
    entity = node.entity
    x_text = node.x + NODE_PAD
    text = "".join(
        f'<tspan x="{x_text:g}" dy="{NODE_PAD + NODE_LINE - 3 if i == 0 else NODE_LINE}">{_e(line)}</tspan>'
        for i, line in enumerate(node.lines)
    )
    cls, aria = (" current", ' aria-current="page"') if current else ("", "")
    box = (
        f'<rect x="{node.x:g}" y="{node.y:g}" width="{NODE_WIDTH}" height="{node.height:g}" rx="3"/>'
        f'<text x="{x_text:g}" y="{node.y:g}">{text}</text>'
    )
    kind = f"node-{_e(entity.kind)} kind-{positions[entity.kind] % KIND_COLOURS}"
    if not linked:
        return f'<g class="node {kind}">{box}</g>'
    return (
        f'<a class="node {kind}{cls}" href="{_e(url(entity.output))}"{aria}>'
        f"<title>{_e(entity.name)} ({_e(kinds[entity.kind].lower())})</title>{box}</a>"
    )


__all__ = ["Edge", "Graph", "Layout", "layout", "neighbourhood", "relation_graph", "render_svg"]

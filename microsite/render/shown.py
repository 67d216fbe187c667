"""What the templates are handed besides the site's own records: rows, groups and links made
for them by the renderer (`pages.py`), plain values with nothing left to compute."""
from __future__ import annotations


from dataclasses import dataclass
from functools import cached_property

from markupsafe import Markup

from ..model import Entity, Event, Figure
from ..addresses import figure_anchor
from ..addresses import relative_from_folder, SHARED




@dataclass(frozen=True)
class NavItem:
    title: str
    output: str
    lang: str = ""  # a page's title not translated yet: its own language


@dataclass(frozen=True)
class Related:
    """One line of a 'related' list: the other page, what the relation is, and its marks."""

    entity: Entity
    role: str | None
    marks: Markup
    anchor: str  # its own address on the page: `to-vendors-acme`, `from-vendors-ledger`
    lang: str = ""  # the language of its role: "" for the content's own


@dataclass(frozen=True)
class FigureGroup:
    """Figures sharing a label: more than one value means the sources disagree."""

    label: str
    rows: tuple[tuple[Figure, Markup], ...]

    @property
    def disputed(self) -> bool:
        return len({figure.value for figure, _ in self.rows}) > 1

    @cached_property
    def anchor(self) -> str:
        return figure_anchor(self.rows[0][0].label_of_original or self.label)  # the same in every language

    @property
    def lang(self) -> str:
        """The language of its label: "" for the content's own."""
        return self.rows[0][0].lang


@dataclass(frozen=True)
class Happened:
    """A dated event as its page lists it."""

    event: Event
    marks: Markup
    anchor: str


@dataclass(frozen=True)
class Row:
    """One entity as a row of the table of everything."""

    entity: Entity
    kind: str  # the kind's singular name
    summary: Markup
    related: tuple[tuple[str, Entity], ...]  # (what the relation is, the other entity)
    relations: tuple[str, ...]  # the relation fields it takes part in, either way
    sources: int  # how many sources its page cites


@dataclass(frozen=True)
class Dated:
    """One dated fact of the timeline; `what` says which kind, and the template words it."""

    date: str
    what: str  # "figure", "event", "source" or "change"
    output: str  # the page it is on (the source list for a source)
    name: str  # that page's name
    text: str  # the figure's label, the event, the source's title, the change
    value: str  # the figure's value; the source's publisher
    marks: Markup
    anchor: str  # where on its page, or ""
    lang: str | None = None  # the language of `text` (and a figure's value): "" for the content's own




@dataclass(frozen=True)
class Links:
    """`url(target)` in a template: the link to an output of the page's language, or to a shared
    file (assets, downloads; `shared=True`: a target already where it is, in another language).
    Relative from the page's `folder`; on the 404 page, which a host serves at any depth, from
    the site's folder on its host (`absolute`: `/repo/`), so they never leave the host that
    served the page. Equal for every page of a folder: a fragment keyed by it (`fragments.py`)
    is made once per folder."""

    prefix: str  # the page's language folder ('es/'), '' for the first language
    folder: str  # the page's own folder, its language's included ('es/companies')
    absolute: str | None = None

    def __call__(self, target: str, shared: bool = False) -> str:
        if not shared and self.prefix and not target.startswith(SHARED):
            target = self.prefix + target
        if self.absolute is not None:
            return self.absolute + target
        return relative_from_folder(self.folder, target)

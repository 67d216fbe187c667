"""The typed records every pass works on. Frozen: passes build new values, never mutate.

The kinds made once per value (citations, figures, links, and `errors.Location`, the texts and
places of `content/markdown.py` and `resolve/site.py`) have slots: without, each object unpickled from a
helper got a dict of its own, 40 MiB more for a site of 10,000 entities."""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

from .errors import Location
from .messages import Messages, engine_table
from .addresses import HOME
from .pickling import by_fields


@dataclass(frozen=True)
class KindSpec:
    """A kind of entity declared in site.yaml: a folder of content and a section of the site."""

    id: str
    singular: str
    plural: str
    intro: str


@dataclass(frozen=True)
class RelationSpec:
    """A relation field on one kind listing entities of another, shown on both pages."""

    field: str
    from_kind: str
    to_kind: str
    label: str
    inverse: str
    phrase: str = ""  # the relation inside a sentence: "X *is built by* Y" (site.yaml's `phrase`)
    inverse_phrase: str = ""


@dataclass(frozen=True)
class SourceKind:
    id: str
    label: str
    primary: bool
    plural: str = ""  # the heading of the sources page's group


@dataclass(frozen=True)
class SiteConfig:
    title: str
    tagline: str
    base_url: str
    language: str
    kinds: tuple[KindSpec, ...]
    relations: tuple[RelationSpec, ...]
    source_kinds: tuple[SourceKind, ...]
    require_citations: str = "paragraphs"  # or "off": whether every claim must cite a source
    # The interface's words in the site's language (`messages.py`); part of the config's digest,
    # so an edit to content/i18n/ renders every page again.
    messages: Messages = field(default_factory=lambda: Messages("en", engine_table("en")))
    languages: tuple[str, ...] = ("en",)  # every language of the site, the first at its root
    others: tuple[SiteConfig, ...] = ()  # the same settings in each other language, in order

    def in_language(self, language: str) -> SiteConfig:
        """The settings with their texts in `language` (one of `languages`)."""
        return next((c for c in self.others if c.language == language), self)

    def kind(self, kind_id: str) -> KindSpec:
        return next(k for k in self.kinds if k.id == kind_id)

    def relations_from(self, kind_id: str) -> tuple[RelationSpec, ...]:
        return tuple(r for r in self.relations if r.from_kind == kind_id)

    def relation(self, field: str) -> RelationSpec:
        return self._relations[field]

    @cached_property
    def _relations(self) -> dict[str, RelationSpec]:
        return {r.field: r for r in self.relations}


@by_fields
@dataclass(frozen=True, slots=True)
class Cite:
    """One citation of a source, as written: `[@id, p. 4]` or `cite: "id, p. 4"`."""

    source: str
    locator: str
    location: Location


@by_fields
@dataclass(frozen=True, slots=True)
class Source:
    id: str
    title: str
    publisher: tuple[str, ...]  # the names, each page joining them in its language
    kind: str
    date: str | None
    author: tuple[str, ...] | None  # the names, each page joining them in its language
    url: str | None
    archive_url: str | None
    accessed: str | None
    quotes: tuple[str, ...]
    note: str | None
    location: Location
    archived: str | None = None  # when the archived copy was made
    url_at: Location | None = None  # where `url` is written, for a report that the address is gone
    translated_titles: tuple[tuple[str, str], ...] = ()  # (language, the site's translation of the title)
    language: str | None = None  # the language it is written in (None: the site's first language)
    translated_notes: tuple[tuple[str, str], ...] = ()  # (language, the note in that language)
    # The title is the site's own description (its published one not known): on a page in another
    # language, its translation is the site's words in that language, not a translated title.
    title_is_description: bool = False

    def note_in(self, language: str) -> str | None:
        """The note as a page in `language` shows it: its translation, or the note as written."""
        return dict(self.translated_notes).get(language, self.note)

    def description_in(self, language: str) -> str | None:
        """The site's own description standing for the title, in `language`, when it has one
        there; None for a published title, which a page shows as published."""
        return dict(self.translated_titles).get(language) if self.title_is_description else None
    facts: tuple[str, ...] = ()  # what a source whose text is not held states: numbers are checked against them


@by_fields
@dataclass(frozen=True, slots=True)
class Figure:
    """A structured, cited claim: the value a source gives for something counted."""

    label: str
    value: str
    as_of: str | None
    cites: tuple[Cite, ...]
    note: str | None
    location: Location
    label_of_original: str = ""  # a translated figure: its original label, which names its anchor
    lang: str = ""  # the language of its words: a translation's, or "" for the content's own


@by_fields
@dataclass(frozen=True, slots=True)
class Link:
    """One entry of a relation field: this entity relates to `target` (a slug of the relation's kind)."""

    relation: str
    target: str
    role: str | None
    cites: tuple[Cite, ...]
    location: Location
    lang: str = ""  # the language of its role: a translation's, or "" for the content's own


@by_fields
@dataclass(frozen=True, slots=True)
class Event:
    """A dated event a page declares, for the timeline: what happened, when, and who says so."""

    date: str
    text: str
    cites: tuple[Cite, ...]
    location: Location
    lang: str = ""  # the language of its text: a translation's, or "" for the content's own


@by_fields
@dataclass(frozen=True, slots=True)
class ImageRef:
    """An image a page shows: a file in content/images/ and the words that stand for it."""

    file: str  # relative to content/images/, with '/'
    alt: str
    location: Location  # where `file` was written


@dataclass(frozen=True)
class Document:
    """What entities and free pages share: a Markdown body located in a file."""

    path: str  # the content file, relative to the project root
    body: str  # emptied once prepared (prepare.py): pages show the rendered fragment
    body_line: int
    summary_at: Location  # where the one-line summary was written (its citations are located there)
    summary_line: str  # the text of that line of the file, to place each citation in it


@dataclass(frozen=True)
class Entity(Document):
    kind: str
    slug: str
    name: str
    summary: str
    figures: tuple[Figure, ...]
    links: tuple[Link, ...]
    image: ImageRef | None = None
    events: tuple[Event, ...] = ()

    @cached_property
    def output(self) -> str:
        """Read millions of times in a large build (maps, links, keys): made once."""
        return f"{self.kind}/{self.slug}.html"


@dataclass(frozen=True)
class Page(Document):
    slug: str
    title: str
    summary: str | None
    order: int
    show_changes: bool
    image: ImageRef | None = None
    require_citations: str | None = None  # overrides site.yaml's: "off" for a page about the site itself
    events: tuple[Event, ...] = ()

    @property
    def output(self) -> str:
        return f"{self.slug}.html"


@by_fields
@dataclass(frozen=True, slots=True)
class Change:
    date: str
    text: str  # in the site's first language
    location: Location
    translations: tuple[tuple[str, str], ...] = ()  # (language, text) for the others


@dataclass(frozen=True)
class Content:
    """Everything loaded from content/, validated field by field but not yet cross-checked."""

    config: SiteConfig
    sources: dict[str, Source]
    entities: dict[tuple[str, str], Entity]  # (kind, slug) -> entity
    pages: dict[str, Page]
    changes: tuple[Change, ...]
    unreadable: frozenset[str] = frozenset()  # source ids, "kind/slug"s and "pages/slug"s of files that exist but failed to load

    def link_target(self, link: Link) -> Entity | None:
        """The entity a declared relation points at, if it exists."""
        return self.entities.get((self.config.relation(link.relation).to_kind, link.target))

    def pages_in_order(self) -> list[Page]:
        """The free pages as the navigation lists them: by `order`, then by title. The home
        page's text (`home`) is not one of them: the site's name leads to it."""
        return sorted((p for p in self.pages.values() if p.output != HOME), key=lambda p: (p.order, p.title.lower()))

    @property
    def home(self) -> Page | None:
        """The text of the home page (content/pages/index.md), when the site has one."""
        return next((p for p in self.pages.values() if p.output == HOME), None)

"""The whole investigation as one printed report per language (`build --pdf`): a PDF for readers
on paper or offline, made by WeasyPrint from the resolved site through `templates/report.html`,
the same records the pages are made of, never from the site's HTML.

WeasyPrint, not Chromium's print to PDF: WeasyPrint lays out CSS paged media in full (the page
numbers of the contents by `target-counter`, running heads by `string-set`, bookmarks by
`bookmark-level`), which Chromium's printing does not, and tags the PDF; it is a Python package
that fetches nothing it is not handed (`_nothing_fetched`), where Chromium is a 300 MB browser
to drive. It is installed only for `--pdf` (the `pdf` extra): `make site` stays as light as it was.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from typing import Iterator

from jinja2 import Environment, TemplateError
from markupsafe import Markup, escape

from ..addresses import HOME, MAP, SOURCES, kind_index, language_prefix
from ..errors import ContentErrors
from ..messages import Messages, sort_key
from ..model import Entity, Page, Source
from ..render.citemarks import tally
from ..render.graph import Graph, render_svg
from ..render.slots import fill_slots
from ..render.pages import PageRenderer
from ..render.templates import template_failure
from ..resolve.site import Placed, Site
from .datasets import FOLDER, site_slug

TEMPLATE = "report.html"
MAP_STYLE = "_report_map.css"  # set inside the map's SVG: the document's style sheet does not reach it
INSTALL = "pip install -e '.[pdf]' (make pdf), with Debian's libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core"


def weasyprint_missing() -> str | None:
    """What to install, in one line, when WeasyPrint or the libraries it loads are missing."""
    try:
        import weasyprint  # noqa: F401
    except (ImportError, OSError) as e:  # OSError: the package is there, Pango is not
        return f"build --pdf needs WeasyPrint ({e}); install it: {INSTALL}"
    return None


def report_names(site: Site) -> dict[str, str]:
    """Each language's report, beside the data downloads: `data/<site>.<language>.pdf`."""
    config = site.content.config
    slug = site_slug(config.title)
    return {language: f"{FOLDER}/{slug}.{language}.pdf" for language in config.languages}


def report_outputs(
    site: Site, env: Environment, graphs: dict[str, Graph] | None = None, day: date | None = None,
) -> Iterator[tuple[str, bytes]]:
    """Each language's report, made one at a time."""
    for language, name in report_names(site).items():
        yield name, to_pdf(report_html(site, env, language, graphs, day))


def to_pdf(html: str) -> bytes:
    """The report's HTML as a tagged PDF (its language and title in the metadata), its fonts
    embedded, nothing requested from anywhere (`_nothing_fetched`)."""
    from weasyprint import HTML  # installed only with the `pdf` extra

    document = HTML(string=html, url_fetcher=_nothing_fetched(), base_url="about:report")
    return document.write_pdf(pdf_tags=True)


def _nothing_fetched():
    """WeasyPrint's fetcher refusing every address: the report holds everything it shows (its map
    is inline SVG, its fonts the system's), so making it reads no file and asks no network."""
    from weasyprint.urls import URLFetcher

    class NothingFetched(URLFetcher):
        def fetch(self, url, headers=None):
            raise ValueError(f"the report requests nothing: {url}")

    return NothingFetched()


@dataclass(frozen=True)
class Note:
    """A source cited in a chapter, as its notes list it: number, locators, passages quoted."""

    number: int
    source: Source
    locators: tuple[str, ...]
    excerpts: tuple[str, ...]
    marks: tuple[str, ...]  # the ids of its marks in the text, for the way back


@dataclass
class Notes:
    """A chapter's citations, numbered by source in order of first use (as a page numbers them),
    each mark a link to its note at the chapter's end. `mark` is what the page renderer calls."""

    chapter: str
    excerpts: dict
    sources: dict[str, Source]
    numbers: dict[str, int] = field(default_factory=dict)
    marks: dict[str, list[str]] = field(default_factory=dict)
    locators: dict[str, list[str]] = field(default_factory=dict)
    quoted: dict[str, list[str]] = field(default_factory=dict)

    def mark(self, source_id: str, locator: str = "", at=None) -> Markup:
        if source_id not in self.sources:  # reported when the site was resolved
            return escape(f"[@{source_id}]")
        excerpt = self.excerpts.get(at, "") if at is not None else ""
        number, anchor = tally(self, source_id, locator, excerpt, f"{self.chapter}--")
        return Markup('<a class="note-ref" id="{}" href="#{}--note-{}">{}</a>').format(anchor, self.chapter, number, number)

    def entries(self) -> list[Note]:
        return [
            Note(n, self.sources[s], tuple(self.locators.get(s, ())), tuple(self.quoted.get(s, ())), tuple(self.marks[s]))
            for s, n in sorted(self.numbers.items(), key=lambda item: item[1])
        ]


@dataclass(frozen=True)
class Chapter:
    """One page of the site as a chapter of the report."""

    anchor: str
    title: str
    kicker: str  # the kind's name, over an entity's title
    lang: Markup  # ` lang="en"`: words not translated into the report's language yet
    summary: Markup
    body: Markup
    figures: list = ()
    events: list = ()
    related: list = ()
    changes: tuple = ()
    notes: list[Note] = ()


def chapter_anchor(output: str) -> str:
    """A page's place in the report: `companies/acme.html` -> `c-companies-acme`."""
    return "c-" + output.removesuffix(".html").replace("/", "-")


# An id, or a link to one on the same page, in a rendered text: prefixed with its chapter's,
# since every page's ids meet in one document.
_OWN_IDS = re.compile(r'\b(id="|href="#)(?=[^\x00"])')


class Report:
    """The report of one language: its chapters and where each link of the site leads in it."""

    def __init__(self, site: Site, env: Environment, language: str, graphs: dict[str, Graph] | None):
        self.env = env
        self.pages = PageRenderer(site, env, (), graphs, language)
        self.site = self.pages.site  # as this language shows it
        self.config = self.site.content.config
        self.t: Messages = self.config.messages
        self.prefix = language_prefix(language, self.config.languages)
        self.address = self.config.base_url + self.prefix
        content = self.site.content
        self.kinds = [
            (kind, sorted((e for e in content.entities.values() if e.kind == kind.id), key=lambda e: sort_key(e.name)))
            for kind in self.config.kinds
        ]
        self.free = [p for p in ([content.home] if content.home else []) + content.pages_in_order()]
        self.in_report = {d.output for d in self.free} | {e.output for _, members in self.kinds for e in members}
        self.in_report |= {kind_index(k.id) for k in self.config.kinds}

    def href(self, target: str) -> str:
        """Where a link of the site leads in the report: a chapter, the map, a source; what the
        report leaves out (the timeline, the table, the Data page), on the site itself."""
        page, _, anchor = target.partition("#")
        if page in self.in_report:
            return f"#{chapter_anchor(page)}" + (f"--{anchor}" if anchor else "")
        if page == SOURCES:
            return f"#source-{anchor}" if anchor else "#sources"
        if page == MAP:
            return "#map"
        return self.address + ("" if page == HOME else target)

    def _link(self, target: str, shared: bool = False) -> str:
        """The map's `url`: each box leads to its chapter."""
        return self.href(target)

    def text(self, placed: Placed | None, chapter: str, notes: Notes) -> Markup:
        """A rendered text in a chapter: its ids made the chapter's, its citations notes, its
        links leading within the report, its "link to this" left out (print has no address)."""
        if placed is None:
            return Markup("")
        html = _OWN_IDS.sub(lambda m: f"{m.group(1)}{chapter}--", placed.fragment.html)
        quoted_in = tuple(self.pages.quoted_in(q.sources) for q in placed.fragment.quotations)
        html = fill_slots(html, placed.fragment.cites, placed.targets, notes.mark, self.href, "", quoted_in)
        # A line break of the source as a space: WeasyPrint broke some lines early at one.
        return Markup(html if "<pre" in html else html.replace("\n", " "))

    def notes(self, chapter: str) -> Notes:
        return Notes(chapter, self.site.excerpts, self.site.content.sources)

    def page(self, page: Page) -> Chapter:
        anchor = chapter_anchor(page.output)
        notes = self.notes(anchor)
        summary = self.text(self.site.summaries.get(page.output), anchor, notes)
        body = self.text(self.site.bodies.get(page.output), anchor, notes)
        events = self.pages._events(page, notes)
        changes = self.site.content.changes if page.show_changes else ()
        return Chapter(anchor, page.title, "", self.pages.lang_of(page.output), summary, body, events=events,
                       changes=changes, notes=notes.entries())

    def entity(self, entity: Entity, kind: str) -> Chapter:
        anchor = chapter_anchor(entity.output)
        notes = self.notes(anchor)
        summary = self.text(self.site.summaries.get(entity.output), anchor, notes)
        figures = self.pages._figure_groups(entity, notes)
        body = self.text(self.site.bodies.get(entity.output), anchor, notes)
        events = self.pages._events(entity, notes)
        related = self.pages._related(entity, notes)
        return Chapter(anchor, entity.name, kind, self.pages.lang_of(entity.output), summary, body,
                       figures=figures, events=events, related=related, notes=notes.entries())

    def sources(self) -> list:
        """The sources by kind, as the Sources page groups them, each with the chapters citing it."""
        content = self.site.content
        titles = {d.output: getattr(d, "name", None) or getattr(d, "title", "") for d in self.site.documents()}
        groups = []
        for kind in self.config.source_kinds:
            members = sorted((s for s in content.sources.values() if s.kind == kind.id), key=lambda s: (s.date or "", s.id))
            if members:
                groups.append((kind, [
                    (s, [(self.href(o), titles[o]) for o in self.site.cited_by.get(s.id, ()) if o in self.in_report])
                    for s in members
                ]))
        return groups

    def map(self) -> Markup:
        graph = self.pages.graph
        if not graph.nodes:
            return Markup("")
        title, caption = self.t.text("map_title"), self.t.text("report_map_caption")
        svg = str(render_svg(graph, self.config, self._link, title, caption))
        start = svg.index(">") + 1  # within the <svg> element
        svg = svg[:start] + f"<style>{self.env.get_template(MAP_STYLE).render()}</style>" + svg[start:]
        return Markup(svg)

    def context(self, day: date) -> dict:
        words = self.t.text("report_page", number="\x00").split("\x00")
        return dict(
            site=self.config, t=self.t, address=self.address, built=self.t.date(day.isoformat()),
            free=[self.page(p) for p in self.free],
            kinds=[(kind, chapter_anchor(kind_index(kind.id)), [self.entity(e, kind.singular) for e in members])
                   for kind, members in self.kinds if members],
            map=self.map(), sources=self.sources(), changes=self.site.content.changes,
            lang_attr_for=self.pages.lang_attr_for, page_before=words[0], page_after=words[-1],
            href=self.href, css_string=css_string,
        )


def report_html(
    site: Site, env: Environment, language: str, graphs: dict[str, Graph] | None = None, day: date | None = None,
) -> str:
    """The report of `language` as one HTML document for print (`templates/report.html`)."""
    report = Report(site, env, language, graphs)
    try:
        html = env.get_template(TEMPLATE).render(report.context(day or date.today()))
    except TemplateError as e:
        raise ContentErrors([template_failure(e, TEMPLATE)]) from None
    return _hugged(html)


_BEFORE_MARK = re.compile(r'\s+(?=<a class="note-ref")')
_MARKS_MET = re.compile(r'(<a class="note-ref"[^>]*>[^<]*</a>)(?=<a class="note-ref")')


def _hugged(html: str) -> str:
    """Note numbers set close to the words they back, as print sets them, and those meeting
    parted by a comma: `word.¹,²`."""
    return _MARKS_MET.sub(r'\1<span class="note-sep">,</span>', _BEFORE_MARK.sub("", html))


def css_string(text: str) -> Markup:
    """A text as a CSS string, for the page's margin boxes: quotes and backslashes escaped."""
    return Markup('"{}"'.format("".join(c if c.isalnum() or c in " .,:;-" else f"\\{ord(c):x} " for c in str(text))))

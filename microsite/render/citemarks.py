"""Per-page citation numbering: sources numbered in order of first use, every mark remembered.

The renderer hands `PageCitations.mark` to the Markdown plugin as `env["cite"]`, and calls it for
figures and relations too, in the order the page shows them, so the numbers read 1, 2, 3 down
the page. `entries()` then gives the source list, each with the anchors of its marks for back-links.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from markupsafe import Markup, escape

from ..messages import Messages
from ..errors import Location
from ..model import Source


def tally(book, source_id: str, locator: str, excerpt: str, prefix: str = "") -> tuple[int, str]:
    """Count a citation of `source_id` in `book` (a page's or a printed chapter's citations: its
    `numbers`, `marks`, `locators` and `quoted`): its source's number, in order of first use, and
    the mark's anchor, `cite-NUMBER-PLACE` after `prefix`. Its locator and the excerpt quoted
    beside it are kept once each."""
    number = book.numbers.setdefault(source_id, len(book.numbers) + 1)
    anchors = book.marks.setdefault(source_id, [])
    anchors.append(f"{prefix}cite-{number}-{len(anchors) + 1}")
    if locator and locator not in book.locators.setdefault(source_id, []):
        book.locators[source_id].append(locator)
    if excerpt and excerpt not in book.quoted.setdefault(source_id, []):
        book.quoted[source_id].append(excerpt)
    return number, anchors[-1]


@dataclass(frozen=True)
class CitedSource:
    number: int
    source: Source
    anchors: tuple[str, ...]  # ids of every mark citing it, in page order
    locators: tuple[str, ...]  # distinct locators used on this page ("p. 4")
    excerpts: tuple[str, ...] = ()  # passages quoted on this page, listed in the notes (and in print)

    @property
    def anchor(self) -> str:
        return f"source-{self.number}"


@dataclass
class PageCitations:
    sources: dict[str, Source]
    messages: Messages  # the page's language (dates, words of the preview)
    original: str  # the language sources are written in unless they say (`Source.language`)
    previews: dict[tuple[str, str], Markup] = field(default_factory=dict)  # (source, excerpt) -> preview, shared
    excerpts: dict[Location, str] = field(default_factory=dict)  # citation -> excerpt quoted beside it
    numbers: dict[str, int] = field(default_factory=dict)
    marks: dict[str, list[str]] = field(default_factory=dict)
    locators: dict[str, list[str]] = field(default_factory=dict)
    quoted: dict[str, list[str]] = field(default_factory=dict)  # source id -> excerpts quoted on the page

    def mark(self, source_id: str, locator: str = "", at: Location | None = None) -> Markup:
        """The mark of a citation; its preview shows the excerpt a quotation beside it comes from."""
        source = self.sources.get(source_id)
        if source is None:  # reported by resolve; never rendered as a live link
            return escape(f"[@{source_id}]")
        excerpt = self.excerpts.get(at, "")  # none quoted beside it: ""
        number, anchor = tally(self, source_id, locator, excerpt)
        label = escape(f"{number}, {locator}" if locator else str(number))
        tip = self.previews.get((source_id, excerpt))
        if tip is None:
            tip = self.previews[(source_id, excerpt)] = preview(source, excerpt, self.messages, self.original)
        return Markup(
            f'<span class="citation"><a class="cite" id="{anchor}" href="#source-{number}" '
            f'aria-describedby="{anchor}-tip">[{label}]</a>'
            f'<span class="tip" role="tooltip" id="{anchor}-tip">{tip}</span></span>'
        )

    def entries(self) -> list[CitedSource]:
        return [
            CitedSource(
                n, self.sources[s], tuple(self.marks[s]), tuple(self.locators.get(s, ())), tuple(self.quoted.get(s, ()))
            )
            for s, n in sorted(self.numbers.items(), key=lambda item: item[1])
        ]


def preview(source: Source, excerpt: str, messages: Messages, original: str) -> Markup:
    """The one-glance description shown when a reader hovers or focuses a mark: the source and,
    when the text beside the mark quotes it, the passage quoted, to check the words against. The
    source's own words carry its language when the page's is another."""
    language = source.language or original or messages.language
    lang = Markup(' lang="{}"').format(language) if language != messages.language else Markup("")
    description = source.description_in(messages.language)  # the site's own words, in the page's language
    title = Markup("<strong>{}</strong>").format(description) if description else Markup("<strong{}>{}</strong>").format(lang, source.title)
    parts = [title, escape(messages.join(list(source.publisher)))]
    if source.date:
        parts.append(escape(messages.date(source.date)))
    text = Markup(", ").join(parts)
    if source.archive_url:
        text += escape("; " + (messages.text("archived_copy_of", date=messages.date(source.archived)) if source.archived else messages.text("archived_copy_lower")))
    if excerpt:
        text += Markup(' <q class="excerpt"{}>{}</q>').format(lang, excerpt)
    return text

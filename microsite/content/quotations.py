"""Quotations found in a text while it is parsed: the words between quotation marks.

A quotation is text between double quotation marks in a block of Markdown (a paragraph, a list
item, a table cell, a summary; not a heading, whose marks enclose titles) or in a figure: "…",
“…”, and the marks other languages quote with as CLDR lists them («…», „…“, »…«, ‹…›, 「…」...).
Marks written with a backslash (`\\"a term\\"`, `\\«a term\\»`; shown as plain marks) enclose a
term, a title or the site's own translation of a quotation, not a quotation, and are not found.

The Markdown rule runs before markdown-it joins escapes into the text, while they can still be
told apart, and leaves each block's quotations on its `inline` token; `locate` places them in the
file. Whether each holds to its source is resolve's question (`resolve/quotes.py`).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Callable, Iterable

from markdown_it import MarkdownIt
from markdown_it.rules_core import StateCore

from ..errors import Location, Problems
from ..pickling import by_fields

OPENING, CLOSING, STRAIGHT = "“", "”", '"'
# The double quotation marks of CLDR's locales, each opening mark with the marks that close it
# (single marks are left out: the apostrophe is one of them). A mark met again while its own
# quotation is open was never closed; any other mark inside a quotation quotes inside it.
CLOSERS = {
    STRAIGHT: STRAIGHT + CLOSING, OPENING: STRAIGHT + CLOSING, CLOSING: STRAIGHT + CLOSING,
    "„": "“”", "«": "»", "»": "«»", "‹": "›", "「": "」", "『": "』",
}
REOPENS = {STRAIGHT: OPENING, CLOSING: OPENING}
MARKS = "".join(dict.fromkeys("".join(CLOSERS) + "".join(CLOSERS.values())))
# A backslash before a mark Markdown does not escape (it escapes ASCII marks only) makes it plain too.
_NON_ASCII_MARKS = MARKS.replace(STRAIGHT, "")
_PLAIN = re.compile(r"(\\[" + MARKS + "])")  # a mark made plain in a field that is not Markdown


@by_fields
@dataclass(frozen=True, slots=True)
class Quotation:
    """Quoted words as the reader sees them, where they were written, and the sources cited in
    the same block (the only ones that may hold them)."""

    text: str
    location: Location
    sources: tuple[str, ...]


@by_fields
@dataclass(frozen=True, slots=True)
class Found:
    """A quotation found by the Markdown rule, not yet placed in its file."""

    text: str | None  # None: the mark opens no quotation that closes in its block
    needle: str  # the mark and the words after it, to find it in the file's line
    end: str = ""  # the words before the closing mark and the mark, to move past it
    span: tuple[int, int] = (0, 0)  # where it stands in the block's text, marks included



def quotations_plugin(md: MarkdownIt) -> None:
    """Find each block's quotations before escapes are joined into the text."""
    md.core.ruler.before("text_join", "quotations", _quotations_rule)


def _quotations_rule(state: StateCore) -> None:
    for token in state.tokens:
        if token.type == "inline" and token.children:
            token.children = _escapes(token.children)
            found = scan(_pieces(token.children))
            token.meta = {**(token.meta or {}), "quotations": found, "numbers": _number_pieces(token.children, found)}


def _escapes(children: list) -> list:
    """A backslash before a mark Markdown does not escape (a non-ASCII one) escapes it all the
    same: markdown-it leaves the pair as a `text_special` piece, shown here as the mark alone."""
    for token in children:
        if token.type == "text_special" and len(token.content) == 2 and token.content[1] in _NON_ASCII_MARKS:
            token.content = token.content[1]
    return children


def _number_pieces(children, found: list[Found]) -> list[tuple[str, bool]]:
    """The block's text as `_pieces` gives it, each piece with whether the numbers in it are the
    claim's own: not quoted (the quotation is checked word for word), not code, not a link's text."""
    flags: list[bool] = []
    text, depth = "", 0
    for token in children:
        depth += token.type == "link_open"
        depth -= token.type == "link_close"
        piece = " " if token.type in ("softbreak", "hardbreak") else token.content
        if token.type in ("text", "text_special", "code_inline", "softbreak", "hardbreak"):
            text += piece
            flags += [token.type != "code_inline" and not depth] * len(piece)
    return _unquoted(text, flags, found)


def plain_number_pieces(text: str) -> list[tuple[str, bool]]:
    """`_number_pieces` for a field that is not Markdown (a figure's value, an event)."""
    pieces = _plain_pieces(text)
    joined = "".join(p for p, _ in pieces)
    return _unquoted(joined, [True] * len(joined), scan(pieces))


def _unquoted(text: str, flags: list[bool], found: list[Found]) -> list[tuple[str, bool]]:
    """The text in pieces, each with its flag, quotations flagged False."""
    for item in found:
        start, stop = item.span
        flags[start:stop] = [False] * (stop - start)
    pieces: list[tuple[str, bool]] = []
    for i, (char, flag) in enumerate(zip(text, flags)):
        if pieces and pieces[-1][1] == flag:
            pieces[-1] = (pieces[-1][0] + char, flag)
        else:
            pieces.append((char, flag))
    return pieces


def _pieces(children) -> Iterable[tuple[str, bool]]:
    """The block's text, each piece with whether its quotation marks count (not escaped, not code)."""
    for token in children:
        if token.type == "text":
            yield token.content, True
        elif token.type in ("text_special", "code_inline"):
            yield token.content, False
        elif token.type in ("softbreak", "hardbreak"):
            yield " ", False


def scan(pieces: Iterable[tuple[str, bool]]) -> list[Found]:
    """Pair the quotation marks of a text: an opening mark with one that closes it (“ with ”, « with
    », „ with “...); ” opens when nothing is open, as some sources write it, and a straight mark
    closes what is open or opens a quotation."""
    text, marks = "", []
    for piece, counts in pieces:
        if counts:
            marks += [(len(text) + i, c) for i, c in enumerate(piece) if c in MARKS]
        text += piece
    found, start = [], None
    for at, mark in marks:
        opened = text[start] if start is not None else ""
        if opened and mark in CLOSERS[opened]:
            short = at - start <= 20  # the needle then reaches the closing mark: nothing more to pass
            end = "" if short else text[at - 20 : at + 1]
            found.append(Found(text[start + 1 : at], _needle(text, start, at + 1), end, (start, at + 1)))
            start = None
        elif opened and mark != opened and mark not in REOPENS.get(opened, ""):
            continue  # a mark of another kind: a quotation inside the quotation
        elif mark in CLOSERS:
            if start is not None:
                found.append(Found(None, _needle(text, start), "", (start, len(text))))
            start = at
    if start is not None:
        found.append(Found(None, _needle(text, start), "", (start, len(text))))
    return found


def _needle(text: str, at: int, end: int | None = None) -> str:
    """The mark and up to 20 characters after it (not past `end`), to find it in the file."""
    return text[at : min(at + 21, end or len(text))].split("  ")[0]


def locate(
    found: Iterable[Found], find: Callable[..., Location], sources: tuple[str, ...], problems: Problems
) -> list[Quotation]:
    """Each found quotation placed by `find` (a cursor over the block's lines, left to right).
    A mark that opens nothing that closes is a warning, not an error: a stray mark (an inch, a
    quotation mark shown as a character) must not stop a build, but the writer is told, as the
    words after it are checked against nothing."""
    quotations = []
    for item in found:
        where = find(item.needle, item.needle[:1])
        if item.end:  # past the closing mark, so the next quotation is not looked for at it
            find(item.end.split("\n")[-1].split("  ")[-1], item.end[-1])
        if item.text is None:
            problems.warning(
                where,
                "quotation mark not closed in this paragraph: close the quotation, or write \\\" for a "
                "mark that encloses no quotation",
            )
        else:
            quotations.append(Quotation(" ".join(item.text.split()), where, sources))
    return quotations


def in_plain_text(text: str, where: Location, sources: tuple[str, ...], problems: Problems) -> list[Quotation]:
    """The quotations of a field that is not Markdown (a figure's label, value or note), placed at
    the field; a backslash before a mark makes it plain, as in Markdown."""
    return locate(scan(_plain_pieces(text)), lambda *needles: where, sources, problems)


def _plain_pieces(text: str) -> list[tuple[str, bool]]:
    return [(part, True) if i % 2 == 0 else (part[1:], False) for i, part in enumerate(_PLAIN.split(text))]

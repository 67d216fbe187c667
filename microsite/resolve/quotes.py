"""Quotations checked against the excerpts of the sources cited beside them.

A quotation is text between double quotation marks in a block of Markdown (a paragraph, a list
item, a table cell, a summary; not a heading, whose marks enclose titles) or in a figure: "…",
“…”, and the marks other languages quote with as CLDR lists them («…», „…“, »…«, ‹…›, 「…」...).
It must appear in the `quotes:` of a source cited in the same block, so a quotation changed by
one word fails the check. Marks written with a backslash (`\\"a term\\"`, `\\«a term\\»`; shown
as plain marks) enclose a term, a title or the site's own translation of a quotation, not a
quotation, and are not checked.

Reading content finds each quotation and places it in its file (`content/quotations.py`);
`check`, called by resolve once every source is loaded, compares them with the excerpts.
"""
from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Iterable

from ..content.quotations import Quotation
from ..errors import Problems
from ..model import Source
from ..pickling import by_fields

_SPACE = re.compile(r"\s+")
_WORD = re.compile(r"\S+")
# Every quotation mark and apostrophe compares as one: a quotation inside a quotation swaps double
# marks for single ones, and sources differ in which they use.
_QUOTES = str.maketrans({c: "'" for c in '"“”„‟″‘’‚‛′«»‹›「」『』'})
_ELLIPSIS = re.compile(r"\s*(?:…|\.\s?\.\s?\.)\s*")
_TRAILING = ",.;: "  # a comma or stop inside the closing mark is punctuation style, not a change of words


@by_fields
@dataclass(frozen=True, slots=True)
class Verified:
    """A quotation and the excerpt it was found in: the passage its citation's preview shows."""

    quotation: Quotation
    source: str
    excerpt: str


def normal(text: str) -> str:
    """Text as compared: one quotation mark for all, and for the apostrophe; one ellipsis; single
    spaces."""
    text = _SPACE.sub(" ", text.translate(_QUOTES))
    return _ELLIPSIS.sub(" ... ", text).strip()


@lru_cache(maxsize=4096)
def _normal_excerpt(excerpt: str) -> str:
    """An excerpt as compared, made once: every quotation of every page citing its source is
    looked for in it."""
    return normal(excerpt)


@lru_cache(maxsize=4096)
def _parts(quotation: str) -> tuple[str, ...]:
    """A quotation's words, cut where it leaves words out (an ellipsis), end punctuation aside;
    made once per quotation, which is looked for in each excerpt of its sources."""
    parts = [p.strip(_TRAILING).strip() for p in normal(quotation).split("...")]
    return tuple(p for p in parts if p)


def holds(excerpt: str, quotation: str) -> bool:
    """Whether the quotation is a contiguous part of the excerpt (or parts of it, in order, where
    the quotation marks an omission with an ellipsis)."""
    parts = _parts(quotation)
    if not parts:
        return False
    text, at = _normal_excerpt(excerpt), 0
    for part in parts:
        at = text.find(part, at)
        if at < 0:
            return False
        at += len(part)
    return bool(parts)


def check(quotations: Iterable[Quotation], sources: dict[str, Source], problems: Problems) -> list[Verified]:
    """Each quotation found in an excerpt of a source cited beside it, or an error at the quotation
    naming the sources looked in and the nearest excerpt."""
    verified = []
    for quotation in quotations:
        cited = [sources[s] for s in dict.fromkeys(quotation.sources) if s in sources]
        match = next(((s, q) for s in cited for q in s.quotes if holds(q, quotation.text)), None)
        if match is not None:
            verified.append(Verified(quotation, match[0].id, match[1]))
        elif quotation.sources and not cited:
            continue  # the unknown source is reported at its citation
        else:
            problems.error(quotation.location, _not_found(quotation, cited))
    return verified


def _not_found(quotation: Quotation, cited: list[Source]) -> str:
    shown = quotation.text if len(quotation.text) <= 60 else quotation.text[:57] + "..."
    if not cited:
        return (
            f"quotation \"{shown}\" cites no source: cite the source it quotes in the same paragraph, "
            "or write \\\"...\\\" for words in quotation marks that quote no one"
        )
    names = ", ".join(s.id for s in cited)
    hint = nearest(quotation.text, [q for s in cited for q in s.quotes])
    return (
        f"quotation \"{shown}\" is not in the quotes: of {names}; copy the passage verbatim into the "
        "source's quotes:, correct the quotation, or write \\\"...\\\" if it quotes no one"
        + (f"; nearest excerpt: \"{hint}\"" if hint else "")
    )


# The hint compares characters pairwise, in time that grows with the product of the lengths: it
# compares at most the first NEAREST_QUOTATION characters of a quotation, and of a longer excerpt
# the NEAREST_SPAN characters around the place its words are densest (found in one pass).
NEAREST_QUOTATION = 200
NEAREST_SPAN = 2_000


def nearest(quotation: str, excerpts: list[str]) -> str:
    """The passage of an excerpt closest to the quotation, about as long as it, for a hint."""
    return _nearest(normal(quotation)[:NEAREST_QUOTATION], tuple(excerpts))


@lru_cache(maxsize=1024)
def _nearest(wanted: str, excerpts: tuple[str, ...]) -> str:
    """Once per quotation and excerpts: a text of many identical quotations asks for one hint."""
    best, score = "", -1.0
    if not wanted:
        return best
    for excerpt in excerpts:
        text = _normal_excerpt(excerpt)
        low, high = _densest(text, wanted)
        block = difflib.SequenceMatcher(None, text[low:high], wanted, autojunk=False).find_longest_match(
            0, high - low, 0, len(wanted)
        )
        start = max(0, low + block.a - block.b)
        end = min(len(text), start + len(wanted))
        ratio = difflib.SequenceMatcher(None, text[start:end], wanted, autojunk=False).ratio()
        if ratio > score:
            best, score = _whole_words(text, start, end), ratio
    return best


def _densest(text: str, wanted: str) -> tuple[int, int]:
    """The span of at most NEAREST_SPAN characters of `text` around the run of as many words as
    the quotation has that holds most of its words: counted in one pass, a window sliding word
    by word."""
    if len(text) <= NEAREST_SPAN:
        return 0, len(text)
    vocabulary = set(wanted.split())
    size = max(1, len(wanted.split()))
    words = [(m.start(), m.group() in vocabulary) for m in _WORD.finditer(text)]
    count = best_count = sum(hit for _, hit in words[:size])
    best_at = 0
    for i in range(size, len(words)):
        count += words[i][1] - words[i - size][1]
        if count > best_count:
            best_count, best_at = count, i - size + 1
    middle = words[best_at][0] if words else 0
    low = max(0, min(middle - (NEAREST_SPAN - len(wanted)) // 2, len(text) - NEAREST_SPAN))
    return low, low + NEAREST_SPAN


def _whole_words(text: str, start: int, end: int) -> str:
    """`text[start:end]` widened to whole words, with an ellipsis where it is cut."""
    while start > 0 and text[start - 1] != " ":
        start -= 1
    while end < len(text) and text[end] != " ":
        end += 1
    return ("..." if start else "") + text[start:end].strip() + ("..." if end < len(text) else "")

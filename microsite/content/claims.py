"""The claims of a text whose numbers are checked, gathered while it is parsed.

A claim is a block's words with quotations, code and links' texts left out, each digit run placed
in its file; resolve compares its numbers with the cited sources' records (`resolve/numbers.py`).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Iterable

from ..errors import Location
from ..pickling import by_fields

_DIGITS = re.compile(r"\d+")


@by_fields
@dataclass(frozen=True, slots=True)
class Claim:
    """The words of one cited claim that numbers are checked in (quotations, code and links left
    out), where each of its digit runs was written, and the sources it cites."""

    text: str
    spots: tuple[tuple[int, Location], ...]  # offset in `text` of each digit run -> its place in the file
    sources: tuple[str, ...]
    language: str = ""  # "" : the site's first language

    def location(self, at: int) -> Location:
        return next((where for start, where in reversed(self.spots) if start <= at), self.spots[0][1])



def claim(pieces: Iterable[tuple[str, bool]], sources: tuple[str, ...], locate) -> Claim | None:
    """The claim made of a block's pieces (text, whether numbers in it count); `locate(digits,
    counts)` places each digit run in the file, left to right."""
    text, spots = "", []
    for piece, counts in pieces:
        for m in _DIGITS.finditer(piece):
            where = locate(m.group(), counts)
            if counts:
                spots.append((len(text) + m.start(), where))
        text += piece if counts else " \x00 "  # a left-out piece joins no numbers around it
    if not spots or not sources:
        return None
    return Claim(text, tuple(spots), sources)

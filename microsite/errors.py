"""User-facing problems: located, collected across a whole run, reported once.

A problem in content or configuration is never an exception raised from deep inside a pass:
each pass appends to a `Problems` list and goes on, so one run reports everything that is wrong.
`ContentErrors` is the one exception root the command line catches to print without a traceback.
"""
from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable

from .pickling import by_fields


@by_fields
@dataclass(frozen=True, order=True, slots=True)
class Location:
    """A place in a content file; line and column count from 1 (0 means unknown)."""

    path: str
    line: int = 0
    col: int = 0

    def __str__(self) -> str:
        if not self.line:
            return self.path
        return f"{self.path}:{self.line}:{self.col or 1}"


@dataclass(frozen=True, order=True)
class Problem:
    location: Location
    message: str
    severity: str = "error"  # "error" or "warning"

    def __str__(self) -> str:
        prefix = "warning: " if self.severity == "warning" else ""
        return printable(f"{self.location}: {prefix}{self.message}")


# What a terminal or a CI log would act on rather than show: C0 and C1 controls (ESC starts the
# terminal's commands, OSC 52 writes its clipboard), DEL, line breaks of every kind (a line
# starting `::` is a GitHub Actions workflow command), the bidirectional overrides that reorder
# what is shown, and lone surrogates (a file name that is not UTF-8), which cannot be printed.
_UNPRINTABLE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff]")


def printable(text: str) -> str:
    """`text` as one printed line whatever content it quotes: each character of `_UNPRINTABLE`
    shown as its Python escape (`\\x1b`, `\\n`), so content can neither start a line of its own
    nor send the terminal a control sequence."""
    return _UNPRINTABLE.sub(lambda m: m.group().encode("unicode_escape").decode("ascii"), text)


@dataclass
class Problems:
    """An append-only collector of problems, shared by the passes of one run."""

    items: list[Problem] = field(default_factory=list)

    def error(self, location: Location, message: str) -> None:
        self.items.append(Problem(location, message, "error"))

    def warning(self, location: Location, message: str) -> None:
        self.items.append(Problem(location, message, "warning"))

    @property
    def errors(self) -> list[Problem]:
        return sorted(p for p in self.items if p.severity == "error")

    @property
    def warnings(self) -> list[Problem]:
        return sorted(p for p in self.items if p.severity == "warning")

    def raise_if_errors(self) -> None:
        if self.errors:
            raise ContentErrors(self.errors)


class ContentErrors(Exception):
    """Bad content or configuration: the build stops and nothing is written."""

    def __init__(self, problems: Iterable[Problem]):
        self.problems = sorted(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


def did_you_mean(word: str, choices: Iterable[str], cutoff: float = 0.6) -> str:
    """A ' — did you mean 'x'?' suffix for the closest choice, or '' when none is close."""
    close = difflib.get_close_matches(word, sorted(choices), n=1, cutoff=cutoff)
    return f" — did you mean '{close[0]}'?" if close else ""


def relative_path(path: Path, root: Path) -> str:
    """The path as a reader of the error message knows it: relative to the project, with '/'."""
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return path.as_posix()

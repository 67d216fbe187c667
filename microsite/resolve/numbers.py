"""Numbers checked against what the project records of the sources cited beside them.

Every number, amount, percentage, year and date a cited claim states (a paragraph, a list item, a
table cell, a summary, a figure, an event) must be found in what the site records of a source the
claim cites: its excerpts (`quotes:`), its `facts:` (for a source whose text is not held), its
note, title and date. Both sides are read in their language's own format (CLDR, through Babel):
$41 million = $41M = 41,000,000; 23 de octubre de 2018 = October 23, 2018 = 2018-10-23; 300.000
in Spanish is 300,000 in English. A source's records are read in each of the site's languages.

Not checked: numbers inside a quotation (the quotation itself is checked word for word), in code,
in a link's text or address, written into a word (PIA-032, F-35, 1990s, 1.º), and claims citing
no source (the site's own counts on a page about itself). A list's own numbering is not text.

Reading content leaves each block's `Claim` on its `inline` token (`content/claims.py`); `check`
(called by resolve, once every source is loaded) compares each number with the cited sources' records.
"""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from typing import Iterable

from babel import Locale, UnknownLocaleError

from ..content.claims import Claim
from ..errors import Problems
from ..model import Source

_SPACES = " \u00a0\u202f\u2009"
# A run of digits with the separators a number may hold; a space only before a group of three.
_RUN = re.compile(r"\d+(?:(?:[.,]|[ \u00a0\u202f\u2009](?=\d{3}(?!\d)))\d+)*")
_DIGITS = re.compile(r"\d+")
_URL = re.compile(r"\w+://\S+|www\.\S+")
_BEFORE_WORD = re.compile(r"[\w\-/.,#@]$")  # a number written into a word or an identifier
_AFTER_WORD = re.compile(r"\.?[ºª°]|[^\W\d]")  # an ordinal sign, or a letter that is no scale word


@dataclass(frozen=True)
class Stated:
    """A number as a claim states it: `key` is what it means, `raw` what was written."""

    key: tuple
    raw: str
    at: int
    odd: str = ""  # the locale's way of writing it, when it was written in another's


@lru_cache(maxsize=None)
def _locale(language: str) -> Locale:
    try:
        return Locale.parse(language.replace("-", "_"))
    except (UnknownLocaleError, ValueError):
        return Locale.parse("en")


@lru_cache(maxsize=None)
def _scales(language: str) -> tuple[tuple[str, int], ...]:
    """The words and signs a language writes after a number for thousands, millions... (CLDR's
    compact formats: "million", "M", "millones", "mil millones"), longest first."""
    found: dict[str, int] = {}
    for width in _locale(language)._data.get("compact_decimal_formats", {}).values():
        for forms in width.values():
            for magnitude, pattern in forms.items():
                text = str(getattr(pattern, "pattern", pattern)).split(";")[0]
                word = " ".join(text.replace("0", " ").replace("\u00a0", " ").split())
                zeros = text.count("0")
                if word and zeros and "¤" not in word:
                    found.setdefault(word, int(magnitude) // 10 ** (zeros - 1))
    return tuple(sorted(found.items(), key=lambda kv: -len(kv[0])))


@lru_cache(maxsize=None)
def _months(language: str) -> tuple[re.Pattern, dict[str, int]]:
    names: dict[str, int] = {}
    months = _locale(language).months
    for context in ("format", "stand-alone"):
        for width in ("wide", "abbreviated"):
            for number, name in months[context][width].items():
                names[name.lower().rstrip(".")] = number
    words = "|".join(re.escape(n) for n in sorted(names, key=len, reverse=True))
    little = r"(?:\s+[^\W\d]{1,3})?"  # a short word between day, month and year ("de")
    month = rf"(?P<m>{words})\.?"
    pattern = re.compile(
        rf"(?<![\w\-])(?:(?P<iy>\d{{4}})-(?P<im>\d{{2}})(?:-(?P<id>\d{{2}}))?(?![\w\-])"
        rf"|(?P<d>\d{{1,2}}){little}\s+{month}{little},?\s+(?P<y>\d{{4}})(?!\d)"
        rf"|(?P<m2>{words})\.?\s+(?P<d2>\d{{1,2}}),?\s+(?P<y2>\d{{4}})(?!\d)"
        rf"|(?P<m3>{words})\.?{little}\s+(?P<y3>\d{{4}})(?!\d))",
        re.IGNORECASE,
    )
    return pattern, names


def read(text: str, language: str) -> list[Stated]:
    """Every number and date a text states, as the language writes them."""
    text = _URL.sub(lambda m: " " * len(m.group()), text)
    found: list[Stated] = []
    pattern, names = _months(language)
    taken = [" "] * len(text)
    for m in pattern.finditer(text):
        g = m.groupdict()
        if g["iy"] and g["id"]:
            key = ("date", int(g["iy"]), int(g["im"]), int(g["id"]))
        elif g["iy"]:
            key = ("month", int(g["iy"]), int(g["im"]))
        elif g["d"]:
            key = ("date", int(g["y"]), names[g["m"].lower()], int(g["d"]))
        elif g["d2"]:
            key = ("date", int(g["y2"]), names[g["m2"].lower()], int(g["d2"]))
        else:
            key = ("month", int(g["y3"]), names[g["m3"].lower()])
        if 1 <= key[2] <= 12 and (key[0] == "month" or 1 <= key[3] <= 31):
            found.append(Stated(key, m.group(), m.start()))
            taken[m.start() : m.end()] = ["x"] * (m.end() - m.start())
    for m in _RUN.finditer(text):
        if "x" in taken[m.start() : m.end()] or _BEFORE_WORD.search(text[: m.start()]):
            continue
        after = text[m.end() :]
        value, odd = _value(m.group(), language)
        if value is None:
            continue
        raw, rest = m.group(), after.lstrip(_SPACES)
        if rest.startswith("%"):
            raw, after = raw + after[: len(after) - len(rest) + 1], ""
        else:
            for word, times in _scales(language):
                if rest[: len(word)].lower() == word.lower() and not rest[len(word) : len(word) + 1].isalnum():
                    value, raw, after = value * times, raw + after[: len(after) - len(rest) + len(word)], ""
                    break
        if after and _AFTER_WORD.match(after):
            continue
        found.append(Stated(("number", value.normalize()), raw, m.start(), odd))
    return sorted(found, key=lambda s: s.at)


def _value(run: str, language: str) -> tuple[Decimal | None, str]:
    """A run of digits read in the language's format; and, when it is not written as the language
    writes numbers, how the language writes what it was read as."""
    symbols = _locale(language).number_symbols.get("latn", _locale("en").number_symbols["latn"])
    decimal, group = symbols["decimal"], symbols["group"]
    run = "".join(c for c in run if c not in _SPACES)
    odd = False
    if group in run and decimal in run:
        whole, _, fraction = run.rpartition(decimal)
        odd = group in fraction or not _grouped(whole.split(group))
        number = whole.replace(group, "") + "." + fraction.replace(group, "")
    elif group in run:
        parts = run.split(group)
        if _grouped(parts):
            number = "".join(parts)
        else:  # "36.5" where "." groups: read as the writer meant, said to be written wrong
            number, odd = ".".join(["".join(parts[:-1]), parts[-1]]), True
    elif decimal in run:
        parts = run.split(decimal)
        if len(parts) == 2:
            number = parts[0] + "." + parts[1]
        else:  # "1,000,000" where "," is the decimal sign
            number, odd = "".join(parts), True
    else:
        number = run
    try:
        value = Decimal(number)
    except InvalidOperation:
        return None, ""
    return value, _written(value, language) if odd else ""


def _grouped(parts: list[str]) -> bool:
    return 1 <= len(parts[0]) <= 3 and all(len(p) == 3 for p in parts[1:])


def _written(value: Decimal, language: str) -> str:
    from babel.numbers import format_decimal

    return format_decimal(value, locale=_locale(language), group_separator=True)


def shown(key: tuple, language: str) -> str:
    """A key as the language writes it, for a message."""
    if key[0] == "number":
        return _written(key[1], language)
    return "-".join(f"{n:02d}" if i else str(n) for i, n in enumerate(key[1:]))


def provided(source: Source, languages: tuple[str, ...]) -> frozenset[tuple]:
    """What a source's records state: its excerpts, facts, note and title, read in each of the
    site's languages, and its own date (a day gives its month and its year too)."""
    keys: set[tuple] = set()
    texts = [*source.quotes, *source.facts, source.note or "", source.title]
    for language in languages:
        for text in texts:
            keys.update(s.key for s in read(text, language))
    if source.date:
        parts = [int(p) for p in source.date.split("-")]
        keys.add(("date", *parts) if len(parts) == 3 else ("month", *parts) if len(parts) == 2 else ("number", Decimal(parts[0])))
    for key in list(keys):
        if key[0] in ("date", "month"):
            keys.add(("month", key[1], key[2]))
            keys.add(("number", Decimal(key[1])))
    return frozenset(keys)


def stated(claim: Claim, language: str) -> list[Stated]:
    return read(claim.text, claim.language or language)


def check(
    claims: Iterable[Claim], sources: dict[str, Source], languages: tuple[str, ...], problems: Problems,
    records: dict[str, frozenset] | None = None,
) -> int:
    """Each number of each claim found in the records of a source it cites, or an error at the
    number; the count of numbers checked. `records`: each source's `provided`, kept between calls."""
    records = {} if records is None else records
    broken = {p.location.path for p in problems.items if p.severity == "error"}
    count = 0
    for claim in claims:
        cited = [sources[s] for s in dict.fromkeys(claim.sources) if s in sources]
        if len(cited) < len(set(claim.sources)) or any(s.location.path in broken for s in cited):
            continue  # an unknown source, or one whose file has an error, is reported there first
        known = set()
        for source in cited:
            if source.id not in records:
                records[source.id] = provided(source, languages)
            known |= records[source.id]
        language = claim.language or languages[0]
        for number in read(claim.text, language):
            count += 1
            if number.key in known:
                if number.odd:
                    problems.error(
                        claim.location(number.at),
                        f"the number '{number.raw}' is not written as '{language}' writes numbers; "
                        f"write {number.odd}",
                    )
                continue
            names = ", ".join(s.id for s in cited)
            read_as = f" (read as {shown(number.key, language)} in '{language}')" if number.odd else ""
            problems.error(
                claim.location(number.at),
                f"the number '{number.raw}'{read_as} is not in what {names} record; correct it, cite the "
                "source that gives it, or copy the passage that gives it into the source's quotes: "
                "(facts: for a source whose text the site does not hold)",
            )
    return count


def counted(claims: Iterable[Claim], language: str) -> Counter:
    """The numbers a page's claims state, by what they mean, for comparing two languages."""
    return Counter(s.key for c in claims for s in read(c.text, c.language or language))

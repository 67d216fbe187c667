"""Field-by-field checks of YAML values, each reporting at the value's own line and column.

A `Field` both validates a value and explains itself, so `build.py new` writes its ready-to-fill
files from the same table the loaders check against: the two cannot drift apart.
"""
from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from typing import Any, Callable

from ..errors import Problems, did_you_mean
from ..model import Cite
from ..yamlfile import YamlDoc

SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
DATE = re.compile(r"(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?")
SAFE_SCHEMES = ("https:", "http:", "mailto:")

Checker = Callable[[YamlDoc, tuple, Problems], Any]


@dataclass(frozen=True)
class Field:
    name: str
    check: Checker
    required: bool
    help: str
    example: str = ""


def read_fields(
    doc: YamlDoc, fields: tuple[Field, ...], problems: Problems, prefix: tuple = (),
    explain: Callable[[str], str] | None = None,
) -> dict:
    """Check a mapping against `fields`: required present, none unknown, each value valid.
    `explain` may say why an unknown field is not here (it belongs to another kind of file)."""
    mapping = raw(doc, prefix)
    if not isinstance(mapping, dict):
        problems.error(doc.where(*prefix), "expected fields written as 'name: value'")
        return {}
    known = {f.name for f in fields}
    for key in mapping:
        if key not in known:
            reason = explain(key) if explain else ""
            problems.error(
                doc.where_key(*prefix, key),
                f"unknown field '{key}'" + (f": {reason}" if reason else did_you_mean(key, known) or _listing(known)),
            )
    values = {}
    for f in fields:
        if mapping.get(f.name) is None:
            if f.required and f.name in mapping:
                problems.error(doc.where_key(*prefix, f.name), f"'{f.name}' is empty: write {f.help} after the ':'")
            elif f.required:
                problems.error(doc.where(*prefix), f"missing required field '{f.name}' ({f.help})")
            values[f.name] = None
            continue
        values[f.name] = f.check(doc, prefix + (f.name,), problems)
    return values


def _listing(names: set[str]) -> str:
    return f"; the fields here are: {', '.join(sorted(names))}"


def raw(doc: YamlDoc, keys: tuple) -> Any:
    value = doc.data
    for key in keys:
        value = value[key]
    return value


def text(doc: YamlDoc, keys: tuple, problems: Problems) -> str | None:
    """A single line of plain text."""
    value = raw(doc, keys)
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        problems.error(doc.where(*keys), f"'{keys[-1]}' must be text, not {_kind_of(value)}")
        return None
    value = str(value).strip()
    if not value:
        problems.error(doc.where(*keys), f"'{keys[-1]}' is empty")
        return None
    return value


def localized_text(doc: YamlDoc, keys: tuple, problems: Problems) -> str | dict[str, str] | None:
    """A text the same in every language, or a mapping by language code (`{en: ..., es: ...}`);
    which languages it must give is checked where the site's languages are known (`config.py`)."""
    value = raw(doc, keys)
    if not isinstance(value, dict):
        return text(doc, keys, problems)
    texts = {str(lang): text(doc, keys + (lang,), problems) for lang in value}
    return None if None in texts.values() else texts


def integer(doc: YamlDoc, keys: tuple, problems: Problems) -> int | None:
    value = raw(doc, keys)
    if isinstance(value, bool) or not isinstance(value, int):
        problems.error(doc.where(*keys), f"'{keys[-1]}' must be a whole number")
        return None
    return value


def boolean(doc: YamlDoc, keys: tuple, problems: Problems) -> bool | None:
    value = raw(doc, keys)
    if not isinstance(value, bool):
        problems.error(doc.where(*keys), f"'{keys[-1]}' must be true or false")
        return None
    return value


def date_text(doc: YamlDoc, keys: tuple, problems: Problems) -> str | None:
    """YYYY-MM-DD, YYYY-MM or YYYY: sources often give only the month or year."""
    value = raw(doc, keys)
    value = str(value).strip() if isinstance(value, (str, int)) and not isinstance(value, bool) else None
    if value is None or not DATE.fullmatch(value):
        problems.error(
            doc.where(*keys),
            f"bad date '{raw(doc, keys)}': write YYYY-MM-DD, YYYY-MM or YYYY (for example 2018-10-23)",
        )
        return None
    wrong = no_such_date(value)
    if wrong:
        problems.error(doc.where(*keys), f"bad date '{value}': {wrong}; check the date in the source")
        return None
    return value


def no_such_date(value: str) -> str:
    """Why a date written YYYY-MM-DD (or YYYY-MM) does not exist, or '' when it does."""
    year, month, day = (int(g) if g else 1 for g in DATE.fullmatch(value).groups())
    if year < 1:
        return "there is no year 0000"
    if not 1 <= month <= 12:
        return f"there is no month {month:02}"
    if day < 1:
        return "there is no day 00"
    days = calendar.monthrange(year, month)[1]
    if day > days:
        return f"{calendar.month_name[month]} {year} has no day {day:02}, only {days} days"
    return ""


CITATION_RULES = ("paragraphs", "off")


def citation_rule(doc: YamlDoc, keys: tuple, problems: Problems) -> str | None:
    """`paragraphs` (every claim cites a source) or `off`; YAML reads a bare `off` as false."""
    value = raw(doc, keys)
    if value is False:
        return "off"
    if isinstance(value, str) and value.strip() in CITATION_RULES:
        return value.strip()
    problems.error(
        doc.where(*keys),
        f"'{keys[-1]}' is 'paragraphs' (every paragraph, list item, quotation, table cell, summary and "
        "relation cites a source) or 'off' (nothing is required)",
    )
    return None


def url(doc: YamlDoc, keys: tuple, problems: Problems) -> str | None:
    """An absolute web address; anything a browser could run as code is refused."""
    value = text(doc, keys, problems)
    if value is None:
        return None
    if not is_safe_external(value):
        problems.error(doc.where(*keys), f"unsafe link '{value[:60]}': a source address must start with https:// or http://")
        return None
    return value


def site_address(doc: YamlDoc, keys: tuple, problems: Problems) -> str | None:
    """The address the site is published at: a whole web address, not a link of a source."""
    value = text(doc, keys, problems)
    if value is None:
        return None
    if not is_safe_external(value):
        problems.error(
            doc.where(*keys),
            f"'{keys[-1]}' is not a web address: '{value[:60]}'; write the address the site is published at, "
            "in full, such as https://your-org.github.io/repository/",
        )
        return None
    return value


def is_safe_external(href: str) -> bool:
    return href.lower().startswith(("https://", "http://")) and not any(c.isspace() for c in href)


def text_list(doc: YamlDoc, keys: tuple, problems: Problems) -> tuple[str, ...]:
    value = raw(doc, keys)
    if not isinstance(value, list):
        problems.error(doc.where(*keys), f"'{keys[-1]}' must be a list, one item per line starting with '- '")
        return ()
    return tuple(v for i in range(len(value)) if (v := text(doc, keys + (i,), problems)) is not None)


# An excerpt is shown in full beside every mark of a citation that quotes it (and checked against
# every quotation of its sources): a pasted article would be copied into every page that quotes it.
MAX_EXCERPT = 2_000


def excerpts(doc: YamlDoc, keys: tuple, problems: Problems) -> tuple[str, ...]:
    """A source's `quotes:`, each of at most MAX_EXCERPT characters."""
    texts = text_list(doc, keys, problems)
    items = raw(doc, keys)
    for i, item in enumerate(items if isinstance(items, list) else ()):
        if isinstance(item, str) and len(item) > MAX_EXCERPT:
            problems.error(
                doc.where(*keys, i),
                f"the excerpt has more than {MAX_EXCERPT:,} characters ({len(item):,}); quote only the passage the site cites",
            )
    return tuple(t for t in texts if len(t) <= MAX_EXCERPT)


def names(doc: YamlDoc, keys: tuple, problems: Problems) -> tuple[str, ...] | None:
    """One name, or a list of them (`author: [Ana Ruiz, Bea Soto]`): each page joins them in its
    own language ('and', 'y'), which a name list written as one text could not."""
    value = raw(doc, keys)
    if isinstance(value, list):
        return text_list(doc, keys, problems) or None
    one = text(doc, keys, problems)
    return (one,) if one is not None else None


def cites(doc: YamlDoc, keys: tuple, problems: Problems) -> tuple[Cite, ...]:
    """`cite: id`, `cite: "id, p. 4"` or a list of those; a leading '@' is allowed."""
    value = raw(doc, keys)
    items = value if isinstance(value, list) else [value]
    result = []
    for i, item in enumerate(items):
        where = doc.where(*keys, i) if isinstance(value, list) else doc.where(*keys)
        if not isinstance(item, str) or not item.strip():
            problems.error(where, "a citation is a source id, such as 'quartz-2018-10-23'")
            continue
        source, _, locator = item.partition(",")
        result.append(Cite(source.strip().lstrip("@"), locator.strip(), where))
    if not items:
        problems.error(doc.where(*keys), "'cite' is empty: name at least one source")
    return tuple(result)


def _kind_of(value: Any) -> str:
    if isinstance(value, dict):
        return "a group of fields"
    if isinstance(value, list):
        return "a list"
    if value is None:
        return "empty"
    return type(value).__name__

"""The words of the interface, by language: every word a reader sees that is not content.

The engine ships a table per language (`microsite/messages/<lang>.yaml`); a site overrides any
message in `content/i18n/<lang>.yaml` with the same key and the same {placeholders}. A message
given as a mapping (`one`, `other`...) is chosen by number with the language's CLDR plural rules;
dates and numbers are written by Babel in the language's own style.
"""
from __future__ import annotations

import string
import unicodedata
from datetime import date
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Mapping

import yaml
from babel import Locale, UnknownLocaleError
from babel.dates import format_date
from babel.numbers import format_decimal
from markupsafe import EscapeFormatter, Markup, escape

from .confine import confined
from .errors import Location, Problems, did_you_mean
from .yamlfile import decode_text, parse_yaml

ENGINE_TABLES = Path(__file__).parent / "messages"
# The messages assets/search.js shows, passed to it in its form's `data-messages`.
SEARCH_MESSAGES = ("search_failed", "search_loading", "search_none", "search_count", "search_first", "search_keys")
PLURAL_FORMS = ("zero", "one", "two", "few", "many", "other")

Message = str | Mapping[str, str]


def placeholders(message: Message) -> frozenset[str]:
    """The {names} a message takes (over all its plural forms)."""
    texts = message.values() if isinstance(message, Mapping) else (message,)
    return frozenset(name for text in texts for _, name, _, _ in string.Formatter().parse(text) if name)


def placeholder_fault(text: str) -> str | None:
    """What is wrong with a message's placeholders, or None. A placeholder is a bare name: a format
    (`{title:>10}`, `{title:1000000000}`), a conversion or an index would run at every page, where
    it can fail or fill memory; a brace that opens or closes nothing cannot be filled at all."""
    try:
        fields = [(name, spec, conversion) for _, name, spec, conversion in string.Formatter().parse(text) if name is not None]
    except ValueError:
        return "a brace opens or closes no placeholder: write {name} for a placeholder, {{ or }} for a brace itself"
    for name, spec, conversion in fields:
        if spec or conversion or not name.isidentifier():
            shown = "{" + name + ("!" + conversion if conversion else "") + (":" + spec if spec else "") + "}"
            return f"placeholder '{shown}' is not a bare name: write it as {{name}}, with no format, conversion, index or attribute"
    return None


@lru_cache(maxsize=None)
def engine_table(language: str) -> dict[str, Message]:
    """The engine's own table for a language; the English one for a language it has none for."""
    path = ENGINE_TABLES / f"{language}.yaml"
    if not path.is_file():
        path = ENGINE_TABLES / "en.yaml"
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def known_locale(language: str) -> Locale | None:
    try:
        return Locale.parse(language.replace("-", "_"))
    except (UnknownLocaleError, ValueError):
        return None


@lru_cache(maxsize=None)
def _locale(language: str) -> Locale:
    """Parsed once per language: a page asks for it with every date it shows."""
    return known_locale(language) or Locale.parse("en")


@lru_cache(maxsize=4096)
def _formatted_date(value: str, pattern: str, language: str) -> str:
    """A date written once per pattern and language: a page shows its sources' dates, and the
    same sources are cited on many pages."""
    parts = value.split("-")
    day = date(int(parts[0]), int(parts[1]), int(parts[2]) if len(parts) == 3 else 1)
    return format_date(day, pattern, locale=_locale(language))


@lru_cache(maxsize=1024)
def _formatted_number(kind: type, value: int | float, language: str) -> str:
    """A number written once per language (a neighbourhood map's count on every entity page)."""
    return format_decimal(value, locale=_locale(language))


_VALUES = EscapeFormatter(Markup.escape)  # how Markup.format writes a value, for the rare kinds below


@lru_cache(maxsize=None)
def _compiled(message: str) -> Markup | tuple[str, ...] | None:
    """A message escaped and cut at its placeholders, so filling it costs a join, not Markup.format
    (a page fills about fifty): a Markup when it has none; else (text, name, text, ..., text); None
    when a placeholder has a conversion, a format or an index (Markup.format fills those)."""
    parts, text = [], ""
    for literal, name, spec, conversion in string.Formatter().parse(escape(message)):
        text += literal
        if name is None:
            continue
        if spec or conversion or not name.isidentifier():
            return None
        parts += [text, name]
        text = ""
    return tuple(parts) + (text,) if parts else Markup(text)


def _filled(parts: tuple[str, ...], values: dict) -> Markup:
    """`parts` (`_compiled`) with each placeholder's value as Markup.format writes it: text escaped,
    Markup as it is."""
    out = [parts[0]]
    for i in range(1, len(parts), 2):
        value = values[parts[i]]
        kind = type(value)
        if kind is str or kind is Markup or kind is int:
            out.append(escape(value))
        else:  # Markup.format's way (`__html_format__`), which escape alone does not take
            out.append(_VALUES.format_field(value, ""))
        out.append(parts[i + 1])
    return Markup("".join(out))


@dataclass(frozen=True)
class Messages:
    """One language's messages, and its way of writing dates, numbers and plurals."""

    language: str
    table: Mapping[str, Message]

    @property
    def locale(self) -> Locale:
        return _locale(self.language)

    def __call__(self, key: str, count: int | None = None, **values) -> Markup:
        """The message `key` with its {placeholders} filled: escaped text, where a value that is
        Markup (a link the template made) goes in as it is. With `count`, the plural form for it."""
        message = self.table[key]
        if type(message) is not str and isinstance(message, Mapping):
            form = self.locale.plural_form(count if count is not None else 1)
            message = message.get(form, message["other"])
        if count is not None:
            values["count"] = self.number(count)
        parts = _compiled(message)
        if type(parts) is Markup:
            return parts
        if parts is None:
            return Markup(escape(message)).format(**values)
        return _filled(parts, values)

    def text(self, key: str, count: int | None = None, **values) -> str:
        """The message as plain text (for a title, a card, an attribute built in Python)."""
        return self(key, count, **values).unescape()

    def script(self, keys: tuple[str, ...]) -> dict[str, Message]:
        """Messages as they are, for a script to fill in (given by the page, never written in it)."""
        return {key: self.table[key] for key in keys}

    def number(self, value: int | float) -> str:
        return _formatted_number(type(value), value, self.language)

    def date(self, value: str) -> str:
        """'2018-10-23' as readers of the language write it: '23 October 2018', '23 de octubre
        de 2018'; '2018-10' as the month and year; '2018' as it is."""
        dashes = value.count("-")
        if not dashes:
            return value
        return _formatted_date(value, str(self.table["date_month" if dashes == 1 else "date_day"]), self.language)

    def join(self, items: list[str]) -> str:
        """'a, b and c' in the language."""
        if len(items) < 2:
            return "".join(items)
        return self.text("list_and", first=", ".join(items[:-1]), last=items[-1])


def language_name(language: str) -> str:
    """A language's name in itself, as a switcher shows it: 'English', 'Español'."""
    locale = known_locale(language)
    name = locale.get_display_name(locale) if locale is not None else None
    return (name[:1].upper() + name[1:]) if name else language


def sort_key(name: str) -> tuple[str, str]:
    """A name's place in a list: accents folded and case ignored, so 'Cárcel' comes before
    'Centro'; the name itself breaks ties, so the order is total."""
    folded = "".join(c for c in unicodedata.normalize("NFKD", name) if not unicodedata.combining(c))
    return folded.casefold(), name


def load_messages(root: Path, language: str, problems: Problems) -> Messages:
    """The engine's table for `language` with the site's overrides from content/i18n/<lang>.yaml:
    an unknown key, a message missing a plural form or with other {placeholders} is an error."""
    if known_locale(language) is None:
        problems.error(Location("content/site.yaml"), f"unknown language code '{language}': use a code such as en, es, pt-BR")
    table = dict(engine_table(language))
    path = f"content/i18n/{language}.yaml"
    file = root / path
    if not file.is_file() or not confined(file, root / "content", path, problems):
        return Messages(language, table)
    text = decode_text(path, file.read_bytes(), problems)
    doc = parse_yaml(text, path, problems) if text is not None else None
    if doc is None:
        return Messages(language, table)
    if not isinstance(doc.data, dict):
        problems.error(Location(path, 1), "an interface table is a mapping of message names to texts, such as `skip: \"Skip to content\"`")
        return Messages(language, table)
    for key, value in doc.data.items():
        where = doc.where_key(key)
        if key not in table:
            problems.error(where, f"unknown interface message '{key}'{did_you_mean(str(key), table)}: the names are those of microsite/messages/en.yaml")
            continue
        if isinstance(table[key], Mapping):
            if not isinstance(value, dict) or "other" not in value or not set(value) <= set(PLURAL_FORMS) or not all(isinstance(v, str) for v in value.values()):
                problems.error(where, f"message '{key}' is chosen by number: give it as a mapping of plural forms with at least 'other' (one, other...)")
                continue
        elif not isinstance(value, str):
            problems.error(where, f"message '{key}' must be a text in quotes")
            continue
        texts = value.items() if isinstance(value, dict) else [(None, value)]
        faults = [(form, fault) for form, text in texts if (fault := placeholder_fault(text))]
        for form, fault in faults:
            problems.error(doc.where(key, form) if form else doc.where(key), f"message '{key}': {fault}")
        if faults:
            continue
        if placeholders(value) != placeholders(table[key]):
            wanted = ", ".join(f"{{{n}}}" for n in sorted(placeholders(table[key]))) or "none"
            problems.error(where, f"message '{key}' has other placeholders than the engine's; it takes: {wanted}")
            continue
        table[key] = value
    return Messages(language, table)

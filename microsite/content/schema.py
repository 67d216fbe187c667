"""The fields each kind of content file may give, with what each holds: what loading checks a
file against (`load.py`), and what `new` writes into a starter file (`scaffold.py`)."""
from __future__ import annotations

from . import fields as F
from .fields import Field
from ..errors import Problems
from ..model import SiteConfig
from ..yamlfile import YamlDoc


def _any(doc: YamlDoc, keys: tuple, problems: Problems):
    return F.raw(doc, keys)


def source_fields(config: SiteConfig) -> tuple[Field, ...]:
    kinds = ", ".join(k.id for k in config.source_kinds)
    return (
        Field("title", F.text, True, "the headline or title, as published", '"Headline as published"'),
        Field("publisher", F.names, True, "who published it: a newspaper, an agency, an organisation; several: [A, B]", "Quartz"),
        Field("kind", F.text, True, f"one of: {kinds}", config.source_kinds[0].id if config.source_kinds else ""),
        Field("date", F.date_text, False, "publication date: YYYY-MM-DD, YYYY-MM or YYYY", "2018-10-23"),
        Field("author", F.names, False, "one name, or a list of names: [Ana Ruiz, Bea Soto]; leave out when not confirmed"),
        Field("url", F.url, False, "the address of the original; leave out when not confirmed"),
        Field("archive_url", F.url, False, "an archived copy, for when the original disappears"),
        Field("archived", F.date_text, False, "when the archived copy was made: YYYY-MM-DD"),
        Field("accessed", F.date_text, False, "when the address was last checked: YYYY-MM-DD"),
        Field("quotes", F.excerpts, False, "verbatim excerpts, one per line starting with '- '"),
        Field("facts", F.text_list, False,
              "what a source whose text the site does not hold states, in its words: one per line starting with '- '"),
        Field("note", F.text, False, "what a reader should know: what is not confirmed, which version"),
        Field("translated_title", lambda d, k, p: _translations(d, k, config, p), False,
              "the site's own translation of the title, by language: {es: \"...\"}"),
        Field("title_is_description", F.boolean, False,
              "true when the title is this site's description of the source, its published title not being known"),
        Field("translated_note", lambda d, k, p: _translations(d, k, config, p), False,
              "the note in the site's other languages, by language: {es: \"...\"}"),
        Field("language", lambda d, k, p: _language(d, k, config, p), False,
              "the language the source is written in, when not the site's first: a code such as en, es"),
    )


FIGURE_FIELDS = (
    Field("label", F.text, True, "what is counted; give two figures the same label when sources disagree"),
    Field("value", F.text, True, "the value as the source gives it, in quotes"),
    Field("as_of", F.date_text, False, "the date the value applies to: YYYY-MM-DD, YYYY-MM or YYYY"),
    Field("cite", F.cites, True, "the source id, or a list of them"),
    Field("note", F.text, False, "a short qualification"),
)
LINK_FIELDS = (
    Field("id", F.text, True, "the slug of the related page"),
    Field("role", F.text, False, "what the relation is, in a few words"),
    Field("cite", F.cites, False, "the source that says so"),
)
IMAGE_FIELDS = (
    Field("file", F.text, True, "the image's file name in content/images/", "acme-logo.png"),
    Field("alt", F.text, True, "what the image shows, for readers who cannot see it", '"Acme\'s logo"'),
)
EVENT_FIELDS = (
    Field("date", F.date_text, True, "when it happened: YYYY-MM-DD, YYYY-MM or YYYY"),
    Field("text", F.text, True, "what happened, in one sentence"),
    Field("cite", F.cites, True, "the source that says so, or a list of them"),
)
EVENTS_FIELD = Field("events", _any, False, "dated events for the timeline: date, text, cite")
IMAGE_FIELD = Field("image", _any, False, "an image shown on the page: 'file' in content/images/ and 'alt', what it shows")
PAGE_FIELDS = (
    Field("title", F.text, True, "the page's title", '"About this site"'),
    Field("summary", F.text, False, "one sentence under the title"),
    Field("order", F.integer, False, "position in the navigation: smaller comes first", "10"),
    Field("show_changes", F.boolean, False, "true to list content/changes.yaml on this page", "false"),
    Field("require_citations", F.citation_rule, False, "off for a page about the site itself, whose paragraphs need no source"),
    IMAGE_FIELD,
    EVENTS_FIELD,
)
CHANGE_FIELDS = (
    Field("date", F.date_text, True, "YYYY-MM-DD"),
    Field("text", F.localized_text, True, "what changed: one text, or one per language ({en: ..., es: ...})"),
)


def entity_fields(config: SiteConfig, kind: str) -> tuple[Field, ...]:
    relation_fields = tuple(
        Field(r.field, _any, False, f"{r.label}: slugs of {config.kind(r.to_kind).plural.lower()}")
        for r in config.relations_from(kind)
    )
    return (
        Field("name", F.text, True, "the name readers know it by", '"Name"'),
        Field("summary", F.text, True, "one sentence saying what it is, with a citation such as [@source-id]"),
        Field("figures", _any, False, "cited numbers: label, value, as_of, cite"),
        IMAGE_FIELD,
        EVENTS_FIELD,
    ) + relation_fields


def _translations(doc: YamlDoc, keys: tuple, config: SiteConfig, problems: Problems) -> tuple[tuple[str, str], ...]:
    """`translated_title: {es: "..."}`: texts by language, each one of the site's other languages."""
    value = F.raw(doc, keys)
    if not isinstance(value, dict):
        problems.error(doc.where(*keys), f"'{keys[-1]}' gives a text per language: {{es: \"...\"}}")
        return ()
    found = []
    for language in value:
        if language not in config.languages[1:]:
            problems.error(doc.where_key(*keys, language), f"'{language}' is not one of the site's other languages ({', '.join(config.languages[1:]) or 'none'})")
        elif (text := F.text(doc, keys + (language,), problems)) is not None:
            found.append((language, text))
    return tuple(found)


def _language(doc: YamlDoc, keys: tuple, config: SiteConfig, problems: Problems) -> str | None:
    """`language: en`: a language code, so its title and quotations carry their own `lang`."""
    from ..messages import known_locale

    value = F.text(doc, keys, problems)
    if value is not None and known_locale(value) is None:
        problems.error(doc.where(*keys), f"unknown language code '{value}': use a code such as en, es, pt-BR")
        return None
    return value

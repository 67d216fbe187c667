"""Load content/site.yaml: the site's settings and its content model (kinds and relations)."""
from __future__ import annotations

import re
from dataclasses import fields, replace
from pathlib import Path
from urllib.parse import urlsplit

from . import fields as F
from ..confine import confined
from ..errors import Location, Problems, did_you_mean
from .fields import Field
from ..messages import load_messages
from ..model import KindSpec, RelationSpec, SiteConfig, SourceKind
from ..yamlfile import YamlDoc, decode_text, parse_yaml

SITE_FIELDS = (
    Field("title", F.localized_text, True, "the site's name"),
    Field("tagline", F.localized_text, False, "one line under the title"),
    Field("base_url", F.site_address, True, "the published address, used for canonical links and the sitemap"),
    Field("language", F.text, False, "the language code of the content, such as en (one language)"),
    Field("languages", F.text_list, False, "the site's languages, such as [en, es]: the first at the root, each other under its code"),
    Field("kinds", lambda d, k, p: F.raw(d, k), True, "the kinds of entity"),
    Field("relations", lambda d, k, p: F.raw(d, k), False, "the relations between kinds"),
    Field("source_kinds", lambda d, k, p: F.raw(d, k), True, "the kinds of source"),
    Field("require_citations", F.citation_rule, False, "'paragraphs' (the default): every claim cites a source; 'off'"),
)
KIND_FIELDS = (
    Field("singular", F.localized_text, True, "the name of one, such as Company"),
    Field("plural", F.localized_text, True, "the name of many, such as Companies"),
    Field("intro", F.localized_text, False, "one sentence shown on the kind's index page"),
)
RELATION_FIELDS = (
    Field("from", F.text, True, "the kind whose files carry the field"),
    Field("to", F.text, True, "the kind the field lists"),
    Field("label", F.localized_text, True, "the heading on the 'from' page"),
    Field("inverse", F.localized_text, True, "the heading on the 'to' page"),
    Field("phrase", F.localized_text, False, "the relation inside a sentence, 'X is built by Y' (default: the label)"),
    Field("inverse_phrase", F.localized_text, False, "the inverse inside a sentence (default: the inverse)"),
)
SOURCE_KIND_FIELDS = (
    Field("label", F.localized_text, True, "the name shown to readers"),
    Field("plural", F.localized_text, False, "the name of many, a heading on the sources page (default: the label)"),
    Field("primary", F.boolean, True, "true for records of the matter itself, false for reporting on it"),
)
RESERVED_KIND_NAMES = {"sources", "pages", "assets", "search", "data", "images", "cards"}
# Stand-in addresses a template ships with: the domains reserved for examples (RFC 2606: the
# `example` domains under .com, .net and .org, the `.example` top-level domain, and every name
# under them) and GitHub's `example` user. A site published under one of them links to a stranger.
PLACEHOLDER_HOSTS = ("example.com", "example.net", "example.org", "example", "example.github.io")
# What a base URL may hold besides letters and digits: RFC 3986's unreserved characters, the
# sub-delimiters that need no escaping in an HTML attribute or XML text, '%' escapes, and the
# delimiters of a scheme, host and path.
_URL_CHARACTERS = frozenset("-._~!$&()*+,;=%:/@[]")


def normal_base_url(value: str) -> str:
    """The address, ending in '/' (added when missing); ValueError saying why it is not usable.

    It ends up in every absolute link the site publishes (canonical, sitemap, feed, downloads):
    an absolute http(s) address of a folder, with nothing a browser would send elsewhere (no user
    name, query or fragment) and nothing that would need escaping in HTML or XML."""
    try:
        parts = urlsplit(value)
        parts.port  # a port that is not a number raises here
    except ValueError:
        raise ValueError("it is not a web address") from None
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        raise ValueError("it must be an absolute address starting with https:// or http://")
    if parts.username is not None or "?" in value or "#" in value:
        raise ValueError("it must be the address of the site's folder, with no user name, '?' or '#'")
    if any(not (c.isascii() and c.isalnum()) and c not in _URL_CHARACTERS for c in value):
        raise ValueError("it holds spaces, quotes or other characters an address cannot hold (write them as %XX)")
    return value if value.endswith("/") else value + "/"


def is_placeholder(base_url: str) -> bool:
    """Whether the address is one of PLACEHOLDER_HOSTS or a name under one."""
    host = (urlsplit(base_url).hostname or "").rstrip(".")
    return any(host == h or host.endswith("." + h) for h in PLACEHOLDER_HOSTS)


def load_config(root: Path, problems: Problems, base_url: str | None = None) -> SiteConfig | None:
    """The site's settings; `base_url`, when given (`build --base-url`), replaces site.yaml's."""
    path = "content/site.yaml"
    file = root / path
    if not file.is_file():
        problems.error(Location(path), "missing content/site.yaml: the site's settings and content model")
        return None
    if not confined(file, root / "content", path, problems):
        return None
    text = decode_text(path, file.read_bytes(), problems)
    doc = parse_yaml(text, path, problems) if text is not None else None
    if doc is None:
        return None
    values = F.read_fields(doc, SITE_FIELDS, problems)
    if not values:
        return None
    languages = _languages(doc, values, problems)
    for name in ("title", "tagline"):
        _complete(doc, (name,), values[name], languages, problems)
    kinds = _kinds(doc, languages, problems)
    kind_ids = {k.id for k in kinds}
    relations = _relations(doc, kind_ids, languages, problems) if values.get("relations") is not None else ()
    source_kinds = _source_kinds(doc, languages, problems)
    if base_url is None:
        base_url = values["base_url"] or ""
        if is_placeholder(base_url):
            problems.warning(
                doc.where("base_url"),
                f"base_url '{base_url}' is a placeholder: canonical links, sitemap, feed, social cards and "
                "downloads would point at someone else's site; set the site's address here, or build with "
                "--base-url URL (publish.yml does so on GitHub Pages)",
            )
    configs = [
        SiteConfig(
            title=_pick(values["title"], language) or "",
            tagline=_pick(values["tagline"], language) or "",
            base_url=base_url if base_url.endswith("/") else base_url + "/",
            language=language,
            kinds=tuple(_in_language(k, language) for k in kinds),
            relations=tuple(_in_language(r, language) for r in relations),
            source_kinds=tuple(_in_language(k, language) for k in source_kinds),
            require_citations=values.get("require_citations") or "paragraphs",
            messages=load_messages(root, language, problems),
            languages=languages,
        )
        for language in languages
    ]
    return replace(configs[0], others=tuple(configs[1:]))


def _languages(doc: YamlDoc, values: dict, problems: Problems) -> tuple[str, ...]:
    """The site's languages: `languages`, or the one `language`, or English."""
    if values.get("languages") is not None and values.get("language") is not None:
        problems.error(doc.where_key("language"), "give either 'language' (one) or 'languages' (a list), not both")
    languages = values.get("languages") or ((values["language"],) if values.get("language") else ("en",))
    for i, language in enumerate(languages):
        if not LANGUAGE_CODE.fullmatch(language):
            key = ("languages", i) if values.get("languages") else ("language",)
            problems.error(doc.where(*key), f"'{language}' is not a language code: write one such as en, es or pt-BR")
    if len({language.lower() for language in languages}) != len(languages):  # pt-BR/ and pt-br/: one folder on macOS
        problems.error(doc.where("languages"), "a language is listed twice in 'languages'")
    return tuple(dict.fromkeys(languages)) or ("en",)


LANGUAGE_CODE = re.compile(r"[a-z]{2,3}(?:-[A-Za-z0-9]{2,8})*")


def _complete(doc: YamlDoc, keys: tuple, value, languages: tuple[str, ...], problems: Problems) -> None:
    """A text given by language gives one for each of the site's languages, and no other."""
    if not isinstance(value, dict):
        return
    for language in languages:
        if language not in value:
            problems.error(
                doc.where(*keys),
                f"'{keys[-1]}' has no text for language '{language}': add `{language}: ...` to it, or write one text for every language",
            )
    for language in value:
        if language not in languages:
            problems.error(
                doc.where_key(*keys, language),
                f"'{language}' is not one of the site's languages ({', '.join(languages)}); remove it or add it to 'languages'",
            )


def _pick(value, language: str):
    return value.get(language) if isinstance(value, dict) else value


def _in_language(spec, language: str):
    """A kind, relation or source kind with each of its texts in `language`."""
    return replace(spec, **{f.name: _pick(getattr(spec, f.name), language) for f in fields(spec)})


def _named_groups(doc: YamlDoc, key: str, problems: Problems) -> list[str]:
    groups = doc.data.get(key)
    if not isinstance(groups, dict) or not groups:
        problems.error(doc.where(key), f"'{key}' must list at least one entry, each with its fields")
        return []
    names = []
    for name in groups:
        if not F.SLUG.fullmatch(name.replace("_", "-")):
            problems.error(doc.where_key(key, name), f"bad name '{name}': use lower-case letters, digits, - and _")
        else:
            names.append(name)
    return names


def _kinds(doc: YamlDoc, languages: tuple[str, ...], problems: Problems) -> tuple[KindSpec, ...]:
    kinds = []
    for name in _named_groups(doc, "kinds", problems):
        if name in RESERVED_KIND_NAMES:
            problems.error(doc.where_key("kinds", name), f"'{name}' is used by the site itself; choose another name")
            continue
        if name in languages[1:]:  # es/acme.html: a page of kind 'es', or the Spanish page acme?
            problems.error(
                doc.where_key("kinds", name),
                f"kind '{name}' is named like the language '{name}', whose pages are under {name}/; choose another name",
            )  # kept all the same: the relations and files naming it are checked as usual
        v = F.read_fields(doc, KIND_FIELDS, problems, ("kinds", name))
        for f in KIND_FIELDS:
            _complete(doc, ("kinds", name, f.name), v.get(f.name), languages, problems)
        if v:
            kinds.append(KindSpec(name, v["singular"] or name, v["plural"] or name, v["intro"] or ""))
    return tuple(kinds)


def _relations(doc: YamlDoc, kind_ids: set[str], languages: tuple[str, ...], problems: Problems) -> tuple[RelationSpec, ...]:
    relations = []
    for name in _named_groups(doc, "relations", problems):
        v = F.read_fields(doc, RELATION_FIELDS, problems, ("relations", name))
        if not v:
            continue
        for f in RELATION_FIELDS[2:]:
            _complete(doc, ("relations", name, f.name), v.get(f.name), languages, problems)
        for end in ("from", "to"):
            if v[end] is not None and v[end] not in kind_ids:
                problems.error(
                    doc.where("relations", name, end),
                    f"unknown kind '{v[end]}'{did_you_mean(v[end], kind_ids)}",
                )
        if name in ("name", "summary", "figures"):
            problems.error(doc.where_key("relations", name), f"'{name}' is a field every entity has; choose another name")
        relations.append(RelationSpec(
            name, v["from"], v["to"], v["label"], v["inverse"], v["phrase"] or v["label"], v["inverse_phrase"] or v["inverse"],
        ))
    return tuple(relations)


def _source_kinds(doc: YamlDoc, languages: tuple[str, ...], problems: Problems) -> tuple[SourceKind, ...]:
    result = []
    for name in _named_groups(doc, "source_kinds", problems):
        v = F.read_fields(doc, SOURCE_KIND_FIELDS, problems, ("source_kinds", name))
        for f in SOURCE_KIND_FIELDS[:2]:
            _complete(doc, ("source_kinds", name, f.name), v.get(f.name), languages, problems)
        if v:
            result.append(SourceKind(name, v["label"] or name, bool(v["primary"]), v["plural"] or v["label"] or name))
    return tuple(result)

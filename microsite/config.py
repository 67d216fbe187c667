"""Load content/site.yaml: the site's settings and its content model (kinds and relations)."""
from __future__ import annotations

from pathlib import Path

from . import fields as F
from .confine import confined
from .errors import Location, Problems, did_you_mean
from .fields import Field
from .model import KindSpec, RelationSpec, SiteConfig, SourceKind
from .yamlfile import YamlDoc, parse_yaml

SITE_FIELDS = (
    Field("title", F.text, True, "the site's name"),
    Field("tagline", F.text, False, "one line under the title"),
    Field("base_url", F.url, True, "the published address, used for canonical links and the sitemap"),
    Field("language", F.text, False, "the language code of the content, such as en"),
    Field("kinds", lambda d, k, p: F.raw(d, k), True, "the kinds of entity"),
    Field("relations", lambda d, k, p: F.raw(d, k), False, "the relations between kinds"),
    Field("source_kinds", lambda d, k, p: F.raw(d, k), True, "the kinds of source"),
)
KIND_FIELDS = (
    Field("singular", F.text, True, "the name of one, such as Company"),
    Field("plural", F.text, True, "the name of many, such as Companies"),
    Field("intro", F.text, False, "one sentence shown on the kind's index page"),
)
RELATION_FIELDS = (
    Field("from", F.text, True, "the kind whose files carry the field"),
    Field("to", F.text, True, "the kind the field lists"),
    Field("label", F.text, True, "the heading on the 'from' page"),
    Field("inverse", F.text, True, "the heading on the 'to' page"),
)
SOURCE_KIND_FIELDS = (
    Field("label", F.text, True, "the name shown to readers"),
    Field("primary", F.boolean, True, "true for records of the matter itself, false for reporting on it"),
)
RESERVED_KIND_NAMES = {"sources", "pages", "assets", "search", "data", "images", "cards"}


def load_config(root: Path, problems: Problems) -> SiteConfig | None:
    path = "content/site.yaml"
    file = root / path
    if not file.is_file():
        problems.error(Location(path), "missing content/site.yaml: the site's settings and content model")
        return None
    if not confined(file, root / "content", path, problems):
        return None
    doc = parse_yaml(file.read_text(encoding="utf-8"), path, problems)
    if doc is None:
        return None
    values = F.read_fields(doc, SITE_FIELDS, problems)
    if not values:
        return None
    kinds = _kinds(doc, problems)
    kind_ids = {k.id for k in kinds}
    relations = _relations(doc, kind_ids, problems) if values.get("relations") is not None else ()
    source_kinds = _source_kinds(doc, problems)
    base_url = values["base_url"] or ""
    return SiteConfig(
        title=values["title"] or "",
        tagline=values["tagline"] or "",
        base_url=base_url if base_url.endswith("/") else base_url + "/",
        language=values["language"] or "en",
        kinds=kinds,
        relations=relations,
        source_kinds=source_kinds,
    )


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


def _kinds(doc: YamlDoc, problems: Problems) -> tuple[KindSpec, ...]:
    kinds = []
    for name in _named_groups(doc, "kinds", problems):
        if name in RESERVED_KIND_NAMES:
            problems.error(doc.where_key("kinds", name), f"'{name}' is used by the site itself; choose another name")
            continue
        v = F.read_fields(doc, KIND_FIELDS, problems, ("kinds", name))
        if v:
            kinds.append(KindSpec(name, v["singular"] or name, v["plural"] or name, v["intro"] or ""))
    return tuple(kinds)


def _relations(doc: YamlDoc, kind_ids: set[str], problems: Problems) -> tuple[RelationSpec, ...]:
    relations = []
    for name in _named_groups(doc, "relations", problems):
        v = F.read_fields(doc, RELATION_FIELDS, problems, ("relations", name))
        if not v:
            continue
        for end in ("from", "to"):
            if v[end] is not None and v[end] not in kind_ids:
                problems.error(
                    doc.where("relations", name, end),
                    f"unknown kind '{v[end]}'{did_you_mean(v[end], kind_ids)}",
                )
        if name in ("name", "summary", "figures"):
            problems.error(doc.where_key("relations", name), f"'{name}' is a field every entity has; choose another name")
        relations.append(RelationSpec(name, v["from"], v["to"], v["label"], v["inverse"]))
    return tuple(relations)


def _source_kinds(doc: YamlDoc, problems: Problems) -> tuple[SourceKind, ...]:
    result = []
    for name in _named_groups(doc, "source_kinds", problems):
        v = F.read_fields(doc, SOURCE_KIND_FIELDS, problems, ("source_kinds", name))
        if v:
            result.append(SourceKind(name, v["label"] or name, bool(v["primary"])))
    return tuple(result)

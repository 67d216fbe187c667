"""Translations: `content/<folder>/<slug>.<lang>.md` beside its original `<slug>.md`.

A translation gives the original's texts in another language (name or title, summary, body)
and records which version of the original it translates: `translates:`, the first 16 hex
digits of the SHA-256 of the original file's bytes. When the original changes, `check` warns
at that line and the translated page says so, linking to the original; relations, figures'
dates, images and citations stay the original's. An original that gained or lost a figure, an
event or a relation since leaves its translation stale, not wrong: whoever edits only the original
is never stopped by a file they did not touch, and that list is shown in the original's words,
marked with its language, until the translation is brought up to date.
"""
from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, replace
from pathlib import Path

from . import fields as F
from ..errors import Location, Problems
from .fields import Field
from .load import _front_matter, is_editor_leftover, is_translation
from ..model import Entity, Page, SiteConfig


DIGEST = re.compile(r"[0-9a-f]{16}")
FIELDS = (
    Field("translates", F.text, True, "the first 16 hex digits of the SHA-256 of the original file (`python build.py new translation` writes it)"),
    Field("name", F.text, False, "the name in this language (default: the original's)"),
    Field("title", F.text, False, "a page's title in this language"),
    Field("summary", F.text, False, "the summary, translated, with the original's citations"),
    Field("figures", lambda d, k, p: F.raw(d, k), False, "the figures' label, value and note, translated, in the original's order"),
    Field("roles", lambda d, k, p: F.raw(d, k), False, "the translated role of each relation, by field then slug"),
    Field("events", lambda d, k, p: F.raw(d, k), False, "each event's text, translated, in the original's order"),
)


@dataclass(frozen=True)
class Translation:
    path: str  # content/companies/acme.es.md
    original: str  # content/companies/acme.md
    language: str
    translates: str
    translates_at: Location
    name: str | None
    title: str | None
    summary: str | None
    summary_at: Location
    summary_line: str
    body: str
    body_line: int
    digest: str  # of the file's bytes: what pages of its language read (`deps.py`)
    figures: object = None  # as written: a list of {label, value, note}
    roles: object = None  # {relation: {slug: role}}
    events: object = None  # a list of {text}
    where: tuple[tuple[str, Location], ...] = ()  # where each of those is written
    items_at: tuple[tuple[str, int, Location], ...] = ()  # where each figure and event is written: its errors are the translation's


def original_digest(data: bytes) -> str:
    """What `translates:` holds: `sha256sum FILE | cut -c1-16`."""
    return hashlib.sha256(data).hexdigest()[:16]


def translation_files(root: Path, config: SiteConfig) -> list[Path]:
    """Every translation file of the site, in a fixed order."""
    content = root / "content"
    found = []
    for folder in [*(k.id for k in config.kinds), "pages"]:
        directory = content / folder
        if directory.is_dir() and not directory.is_symlink():
            found += [
                p for p in sorted(directory.iterdir())
                if not is_editor_leftover(p.name) and is_translation(p.name, config.languages) and p.is_file() and not p.is_symlink()
            ]
    return found


def load_translations(root: Path, config: SiteConfig, problems: Problems) -> list[Translation]:
    result = []
    for path in translation_files(root, config):
        name = f"content/{path.parent.name}/{path.name}"
        stem = path.name.rpartition(".")[0]
        slug, _, language = stem.rpartition(".")
        original = root / "content" / path.parent.name / f"{slug}.md"
        data = path.read_bytes()
        if not original.is_file():
            problems.error(Location(name, 1, 1), f"translation of a page that does not exist: no content/{path.parent.name}/{slug}.md beside it")
            continue
        _, doc, body, body_line = _front_matter(name, data, problems)
        if doc is None:
            continue
        v = F.read_fields(doc, FIELDS, problems)
        if not v or not v.get("translates"):
            continue
        if not DIGEST.fullmatch(v["translates"]):
            problems.error(doc.where("translates"), "'translates' must be 16 hex digits: the first 16 of `sha256sum` of the original file")
            continue
        result.append(Translation(
            name, f"content/{path.parent.name}/{slug}.md", language, v["translates"], doc.where("translates"),
            v.get("name"), v.get("title"), v.get("summary"), doc.where("summary"), doc.line_text(doc.where("summary")),
            body, body_line, original_digest(data),
            v.get("figures"), v.get("roles"), v.get("events"),
            tuple((key, doc.where(key)) for key in ("figures", "roles", "events") if v.get(key) is not None),
            tuple((key, i, doc.where(key, i)) for key in ("figures", "events") if isinstance(v.get(key), list) for i in range(len(v[key]))),
        ))
    return result


def stale_translations(root: Path, translations: list[Translation], problems: Problems) -> set[str]:
    """The translations whose original changed since (warned at their `translates:` line)."""
    stale = set()
    for t in translations:
        now = original_digest((root / t.original).read_bytes())
        if now != t.translates:
            stale.add(t.path)
            problems.warning(
                t.translates_at,
                f"the original {t.original} has changed since this was translated: bring the translation up to date, "
                f"then set 'translates: {now}'",
            )
    return stale


def starter(root: Path, original: str, language: str) -> tuple[str, str]:
    """`new translation companies/acme es`: the file to write and its text, from the original's
    front matter (name, summary) and body, with the digest of the original."""
    source = root / "content" / f"{original}.md"
    data = source.read_bytes()
    text = data.decode("utf-8")
    head, body = "", text
    if text.startswith("---"):
        end = text.find("\n---", 3)
        head, body = text[3:end], text[end + 4 :].lstrip("\n")
    keep = [line for line in head.splitlines() if line.startswith(("name:", "title:", "summary:"))]
    lines = [
        "---",
        f"# Translation into '{language}' of content/{original}.md: translate the texts below and the",
        "# body, keeping every citation. 'translates' records the version of the original translated.",
        f"translates: {original_digest(data)}",
        *keep,
        *_figures_and_roles(head),
        "---",
        "",
    ]
    return f"content/{original}.{language}.md", "\n".join(lines) + body


def _figures_and_roles(head: str) -> list[str]:
    """The original's figures (label, value, note, in order) and relations' roles, to translate:
    left out, the translated page would show them in the original's language, and `check` could
    not tell."""
    import yaml

    try:
        meta = yaml.safe_load(head)
    except yaml.YAMLError:
        return []
    if not isinstance(meta, dict):
        return []
    part: dict = {}
    figures = [f for f in meta.get("figures") or [] if isinstance(f, dict)]
    if figures:
        part["figures"] = [{k: f[k] for k in ("label", "value", "note") if k in f} for f in figures]
    roles = {
        field: {item["id"]: item["role"] for item in items if isinstance(item, dict) and "id" in item and item.get("role")}
        for field, items in meta.items() if isinstance(items, list)
    }
    roles = {field: by_slug for field, by_slug in roles.items() if by_slug}
    if roles:
        part["roles"] = roles
    if not part:
        return []
    return yaml.safe_dump(part, allow_unicode=True, sort_keys=False, width=1000).splitlines()


def translated_record(document: Entity | Page, t: Translation, problems: Problems, stale: bool = False) -> Entity | Page:
    """The original's record with the translated figures (label, value, note), roles and events'
    texts: as many, in the same order; dates, citations and targets stay the original's. Once the
    original has changed (`stale`), a list that no longer matches it is left as the original's:
    which translated item stood for which original one is no longer known."""
    where = dict(t.where)
    item_at = {(key, i): at for key, i, at in t.items_at}
    changes = {}
    figures = getattr(document, "figures", ())
    if t.figures is not None:
        items = _items(t.figures, len(figures), ("label", "value", "note"), "figures", where, problems, stale)
        if items is not None:
            changes["figures"] = tuple(
                replace(f, label_of_original=f.label, lang=t.language, location=item_at[("figures", i)], **{k: str(v) for k, v in item.items()})
                for i, (f, item) in enumerate(zip(figures, items))
            )
    if t.events is not None:
        items = _items(t.events, len(document.events), ("text",), "events", where, problems, stale)
        if items is not None:
            changes["events"] = tuple(
                replace(e, lang=t.language, location=item_at[("events", i)], **{k: str(v) for k, v in item.items()})
                for i, (e, item) in enumerate(zip(document.events, items))
            )
    if t.roles is not None and isinstance(document, Entity):
        roles = t.roles if isinstance(t.roles, dict) else {}
        known = {(link.relation, link.target) for link in document.links}
        shaped = isinstance(t.roles, dict) and all(isinstance(by_slug, dict) for by_slug in roles.values())
        wrong = [f"{field}: {slug}" for field, by_slug in roles.items() for slug in (by_slug if isinstance(by_slug, dict) else {None: 0})
                 if (field, slug) not in known]
        if not shaped or (wrong and not stale):  # a relation since taken from a changed original: its role is not shown
            problems.error(where["roles"], f"'roles' gives a role by relation then slug, for the original's relations only ({', '.join(wrong) or 'not a mapping'})")
        else:
            changes["links"] = tuple(
                replace(link, role=str(roles[link.relation][link.target]), lang=t.language)
                if link.target in roles.get(link.relation, {}) else link
                for link in document.links
            )
    return replace(document, **changes) if changes else document


def _items(value, count: int, keys: tuple[str, ...], name: str, where: dict, problems: Problems, stale: bool) -> list[dict] | None:
    shaped = isinstance(value, list) and all(isinstance(i, dict) and set(i) <= set(keys) for i in value)
    if shaped and len(value) == count:
        return value
    if not (shaped and stale):  # a stale translation's count is the original's as it was
        problems.error(
            where[name],
            f"'{name}' must list as many items as the original's ({count}), in the same order, each giving only {', '.join(keys)}",
        )
    return None

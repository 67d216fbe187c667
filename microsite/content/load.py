"""Pass 1: load every content file into typed records, collecting every problem on the way.

Only shapes are checked here (fields, types, dates, slugs); whether a cited source or a related
entity exists is the resolve pass's business, once everything is loaded.
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from . import fields as F
from .config import load_config
from ..confine import confined
from ..errors import Location, Problems, did_you_mean, relative_path
from .schema import CHANGE_FIELDS, EVENT_FIELDS, FIGURE_FIELDS, IMAGE_FIELDS, LINK_FIELDS, PAGE_FIELDS, entity_fields, source_fields
from ..model import Change, Content, Entity, Event, Figure, ImageRef, Link, Page, SiteConfig, Source
from ..addresses import GENERATED, HOME, LONGEST_SLUG, kind_index
from ..yamlfile import YamlDoc, check_markdown_characters, decode_text, parse_yaml, split_front_matter

MARKDOWN_SUFFIXES = (".md", ".markdown")
IMAGES_FOLDER = "content/images"
IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".webp", ".gif")


@dataclass(frozen=True)
class ContentFile:
    """One file of content/ to load: `folder` says what it holds (sources, pages or a kind's id)."""

    folder: str
    path: Path
    name: str  # relative to the project root, as problems show it


def content_files(root: Path, config: SiteConfig, problems: Problems) -> list[ContentFile]:
    """Every file to load, in a fixed order: sources, then each kind's entities, then pages."""
    folders = [("sources", (".yaml", ".yml")), *((k.id, MARKDOWN_SUFFIXES) for k in config.kinds)]
    folders.append(("pages", MARKDOWN_SUFFIXES))
    files = [
        ContentFile(folder, path, f"content/{folder}/{path.name}")
        for folder, suffixes in folders
        for path in _files(root, folder, suffixes, problems)
        if folder == "sources" or not is_translation(path.name, config.languages)
    ]
    _one_file_per_source(files, problems)
    return _one_file_per_page(files, problems)


def _one_file_per_source(files: list[ContentFile], problems: Problems) -> None:
    """`x.yaml` beside `x.yml` would be one source read from either: both are reported."""
    by_id: dict[str, list[str]] = {}
    for file in files:
        if file.folder == "sources":
            by_id.setdefault(file.path.stem, []).append(file.name)
    for source, names in by_id.items():
        for name in names if len(names) > 1 else ():
            others = ", ".join(n for n in names if n != name)
            problems.error(
                Location(name, 1, 1),
                f"two files for source '{source}': this one and {others}; keep one of them",
            )


def _one_file_per_page(files: list[ContentFile], problems: Problems) -> list[ContentFile]:
    """`x.markdown` beside `x.md` is one page in two files: told once, at the one left out, and
    the .md one is read (links and translations name it), so the page's links, relations and
    citations are not each told as well."""
    stems = {(f.folder, f.path.stem) for f in files if f.folder != "sources" and f.path.suffix == ".md"}
    kept = []
    for file in files:
        twin = f"content/{file.folder}/{file.path.stem}.md"
        if file.path.suffix != ".md" and (file.folder, file.path.stem) in stems:
            problems.error(
                Location(file.name, 1, 1),
                f"two files for one page: {twin} and {file.name}; keep one of them, the .md one "
                "(links and translations name it)",
            )
            continue
        kept.append(file)
    return kept


def is_translation(name: str, languages: tuple[str, ...]) -> bool:
    """`acme.es.md` for a site publishing in `es` (not its first language): loaded with the
    translations (`translations.py`), not as a page of its own."""
    stem, _, suffix = name.rpartition(".")
    return suffix in ("md", "markdown") and "." in stem and stem.rpartition(".")[2] in languages[1:]


def is_editor_leftover(name: str) -> bool:
    """A file an editor or the system leaves beside the one being edited: hidden files (`.#x.md`,
    `.x.md.swp`, `.DS_Store`), backups (`x.md~`) and Emacs's autosaves (`#x.md#`)."""
    return name.startswith(".") or name.endswith("~") or (name.startswith("#") and name.endswith("#"))


def load_file(
    root: Path, file: ContentFile, data: bytes, config: SiteConfig, problems: Problems
) -> Source | Entity | Page | None:
    """One file into its record; only what the file alone (and content/images/) can tell is checked."""
    if file.folder == "sources":
        return load_source(file.path, file.name, data, config, problems)
    if file.folder == "pages":
        return load_page(root, file.path, file.name, data, problems)
    return load_entity(root, file.path, file.name, data, file.folder, config, problems)


def assemble(
    root: Path, config: SiteConfig, loaded: list[tuple[ContentFile, Source | Entity | Page | None]], problems: Problems
) -> Content:
    """The loaded records as one Content, each output path claimed by one file only."""
    sources, unreadable, entities, pages = {}, set(), {}, {}
    claimed = {name: "the site itself" for name in made_by_the_site(config)}
    for file, record in loaded:
        if file.folder == "sources":
            if record:
                sources[record.id] = record
            else:
                unreadable.add(file.path.stem)
        elif file.folder == "pages":
            if record is None:
                unreadable.add(f"pages/{file.path.stem}")
            elif _claim(claimed, record.output, record.path, problems):
                pages[record.slug] = record
        elif record is None:
            unreadable.add(f"{file.folder}/{file.path.stem}")
        elif _claim(claimed, record.output, record.path, problems):
            entities[(file.folder, record.slug)] = record
    changes = _load_changes(root, problems, config.languages)
    return Content(config, sources, entities, pages, changes, frozenset(unreadable))


def made_by_the_site(config: SiteConfig) -> tuple[str, ...]:
    """The pages the site makes itself, which no content file may also write: all but the home
    page, whose text content/pages/index.md may give."""
    return tuple(n for n in GENERATED if n != HOME) + tuple(kind_index(k.id) for k in config.kinds)


def load_content(root: Path, problems: Problems) -> Content | None:
    """Read content/ under `root`; None when site.yaml itself cannot be used."""
    config = load_config(root, problems)
    if config is None:
        return None
    loaded = [(f, load_file(root, f, f.path.read_bytes(), config, problems)) for f in content_files(root, config, problems)]
    return assemble(root, config, loaded, problems)


def _claim(claimed: dict[str, str], output: str, path: str, problems: Problems) -> bool:
    """Reserve an output path for one file; two files writing one page is an error."""
    if output in claimed:
        problems.error(
            Location(path, 1, 1),
            f"two files write {output}: this one and {claimed[output]}; rename one of them",
        )
        return False
    claimed[output] = path
    return True


def _files(root: Path, folder: str, suffixes: tuple[str, ...], problems: Problems) -> list[Path]:
    content = root / "content"
    directory = content / folder
    if not directory.is_dir() or not confined(directory, content, f"content/{folder}", problems):
        return []
    found = []
    for path in sorted(directory.iterdir()):
        if is_editor_leftover(path.name):
            continue
        # Only a link can lead out of a folder already confined: a plain file is inside it, and
        # asking costs a realpath (an lstat per part of the path), 10,000 a build at that size.
        if path.is_symlink() and not confined(path, content, f"content/{folder}/{path.name}", problems):
            continue
        if path.suffix not in suffixes or not path.is_file():
            problems.error(
                Location(relative_path(path, root), 1, 1),
                f"unexpected file in content/{folder}/: only {' or '.join(suffixes)} files belong here",
            )
            continue
        found.append(path)
    return found


def _read(root: Path, path: Path, problems: Problems) -> tuple[str, str | None]:
    name = relative_path(path, root)
    return name, decode_text(name, path.read_bytes(), problems)


def _slug(path: Path, name: str, problems: Problems) -> str | None:
    slug = path.stem
    if not F.SLUG.fullmatch(slug):
        suggestion = "-".join("".join(c if c.isalnum() else " " for c in slug.lower()).split())
        problems.error(
            Location(name, 1, 1),
            f"bad slug '{slug}': file names use only a-z, 0-9 and '-'"
            + (f"; rename it to '{suggestion}{path.suffix}'" if suggestion and suggestion.isascii() else ""),
        )
        return None
    if len(slug) > LONGEST_SLUG:  # ASCII: a byte a character
        problems.error(
            Location(name, 1, 1),
            f"file name too long: its slug has {len(slug)} characters, and a page's file name can hold"
            f" {LONGEST_SLUG}; rename it to a shorter slug",
        )
        return None
    return slug


def load_source(path: Path, name: str, data: bytes, config: SiteConfig, problems: Problems) -> Source | None:
    text = decode_text(name, data, problems)
    slug = _slug(path, name, problems)
    if text is None:
        return None
    doc = parse_yaml(text, name, problems)
    if doc is None or slug is None:
        return None
    if doc.data is None:
        problems.error(
            Location(name, 1, 1),
            "the file is empty: a source has at least 'title', 'publisher' and 'kind'; "
            "copy them from another file of content/sources/ and fill them in",
        )
        return None
    v = F.read_fields(doc, source_fields(config), problems)
    if not v:
        return None
    kinds = {k.id for k in config.source_kinds}
    if v["kind"] is not None and v["kind"] not in kinds:
        problems.error(doc.where("kind"), f"unknown source kind '{v['kind']}'{did_you_mean(v['kind'], kinds)}; use one of: {', '.join(sorted(kinds))}")
    return Source(
        id=slug,
        title=v["title"] or slug,
        publisher=v["publisher"] or (),
        kind=v["kind"] or "",
        date=v["date"],
        author=v["author"],
        url=v["url"],
        archive_url=v["archive_url"],
        accessed=v["accessed"],
        quotes=v["quotes"] or (),
        note=v["note"],
        facts=v["facts"] or (),
        location=Location(name, 1, 1),
        archived=v["archived"],
        url_at=doc.where("url") if v["url"] else None,
        translated_titles=v.get("translated_title") or (),
        title_is_description=bool(v.get("title_is_description")),
        language=v.get("language"),
        translated_notes=v.get("translated_note") or (),
    )


def _front_matter(name: str, data: bytes, problems: Problems) -> tuple[str, YamlDoc | None, str, int]:
    text = decode_text(name, data, problems)
    if text is None:
        return name, None, "", 1
    parts = split_front_matter(text, name, problems)
    check_markdown_characters(parts.body, name, parts.body_line, problems)
    if parts.yaml_text is None:
        return name, None, parts.body, parts.body_line
    doc = parse_yaml(parts.yaml_text, name, problems, line_offset=1)
    if doc is not None and doc.data is None:
        problems.error(Location(name, 2, 1), "the front matter is empty: write the fields between the two '---' lines")
        doc = None
    if doc is not None and not isinstance(doc.data, dict):
        problems.error(Location(name, 2, 1), "the front matter must be fields written 'name: value'")
        doc = None
    return name, doc, parts.body, parts.body_line


def load_entity(
    root: Path, path: Path, name: str, data: bytes, kind: str, config: SiteConfig, problems: Problems
) -> Entity | None:
    name, doc, body, body_line = _front_matter(name, data, problems)
    slug = _slug(path, name, problems)
    if doc is None or slug is None:
        return None
    v = F.read_fields(doc, entity_fields(config, kind), problems, explain=_declared_elsewhere(config, kind, slug))
    figures = _figures(doc, problems) if v.get("figures") is not None else ()
    links = tuple(
        link
        for relation in config.relations_from(kind)
        if v.get(relation.field) is not None
        for link in _links(doc, relation.field, problems)
    )
    return Entity(
        path=name, body=body, body_line=body_line, summary_at=doc.where("summary"),
        summary_line=doc.line_text(doc.where("summary")), kind=kind, slug=slug,
        name=v.get("name") or slug, summary=v.get("summary") or "", figures=figures, links=links,
        image=_image(root, doc, problems) if v.get("image") is not None else None,
        events=_events(doc, problems) if v.get("events") is not None else (),
    )


def _declared_elsewhere(config: SiteConfig, kind: str, slug: str):
    """Why an unknown field of an entity is not written here, when site.yaml's relations say: the
    relation is declared on one side only, and the other side's list is made from it."""

    def word(text: str) -> str:
        return "_".join("".join(c if c.isalnum() else " " for c in text.lower()).split())

    def names(kind_id: str) -> tuple[str, str]:
        spec = next((k for k in config.kinds if k.id == kind_id), None)
        return (spec.singular.lower(), spec.plural.lower()) if spec else (kind_id, kind_id)

    def explain(key: str) -> str:
        for r in config.relations:
            (one, many), (_, targets) = names(r.from_kind), names(r.to_kind)
            if r.to_kind == kind and word(key) in (word(r.field), word(r.inverse), word(r.from_kind)):
                return (
                    f"the '{r.inverse}' list of this page is made from the '{r.field}' field of {many}; "
                    f"add '{slug}' to '{r.field}' in the file of each {one} instead"
                )
            if r.from_kind != kind and word(key) == word(r.field):
                return f"'{r.field}' is a field of {many}, listing {targets}; write it in the file of a {one}"
        return ""

    return explain


def _list_of(doc: YamlDoc, key: str, problems: Problems) -> list:
    value = doc.data[key]
    if not isinstance(value, list):
        problems.error(doc.where(key), f"'{key}' must be a list, one item per line starting with '- '")
        return []
    return value


def _figures(doc: YamlDoc, problems: Problems) -> tuple[Figure, ...]:
    figures = []
    for i, _ in enumerate(_list_of(doc, "figures", problems)):
        v = F.read_fields(doc, FIGURE_FIELDS, problems, ("figures", i))
        if v and v["label"] and v["value"] and v["cite"]:
            figures.append(Figure(v["label"], v["value"], v["as_of"], v["cite"], v["note"], doc.where("figures", i)))
    return tuple(figures)


def _events(doc: YamlDoc, problems: Problems) -> tuple[Event, ...]:
    events = []
    for i, _ in enumerate(_list_of(doc, "events", problems)):
        v = F.read_fields(doc, EVENT_FIELDS, problems, ("events", i))
        if v and v["date"] and v["text"] and v["cite"]:
            events.append(Event(v["date"], v["text"], v["cite"], doc.where("events", i)))
    return tuple(events)


def _links(doc: YamlDoc, field: str, problems: Problems) -> list[Link]:
    links = []
    for i, item in enumerate(_list_of(doc, field, problems)):
        where = doc.where(field, i)
        if isinstance(item, dict):
            v = F.read_fields(doc, LINK_FIELDS, problems, (field, i))
            if v and v["id"]:
                links.append(Link(field, v["id"], v["role"], v["cite"] or (), where))
        elif isinstance(item, str) and item.strip():
            links.append(Link(field, item.strip(), None, (), where))
        else:
            problems.error(where, f"each entry of '{field}' is a slug, or fields 'id', 'role', 'cite'")
    return links


def _image(root: Path, doc: YamlDoc, problems: Problems) -> ImageRef | None:
    """`image: {file, alt}`: the file must exist in content/images/ and be a picture the build reads."""
    v = F.read_fields(doc, IMAGE_FIELDS, problems, ("image",))
    if not v or not v["file"] or not v["alt"]:
        return None
    where = doc.where("image", "file")
    folder = root / IMAGES_FOLDER
    path = Path(os.path.normpath(folder / v["file"]))
    if not path.is_relative_to(folder) or path == folder or "\\" in v["file"]:
        problems.error(where, f"image '{v['file']}' must be a file inside {IMAGES_FOLDER}/, named from there")
        return None
    if not confined(path, root / "content", f"{IMAGES_FOLDER}/{path.relative_to(folder).as_posix()}", problems):
        return None
    if path.suffix.lower() not in IMAGE_SUFFIXES:
        problems.error(where, f"image '{v['file']}' is not a picture the site can show: use {', '.join(IMAGE_SUFFIXES)}")
        return None
    if not path.is_file():
        names = [p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()] if folder.is_dir() else []
        problems.error(where, f"image file {IMAGES_FOLDER}/{v['file']} does not exist{did_you_mean(v['file'], names)}")
        return None
    return ImageRef(path.relative_to(folder).as_posix(), v["alt"], where)


def load_page(root: Path, path: Path, name: str, data: bytes, problems: Problems) -> Page | None:
    name, doc, body, body_line = _front_matter(name, data, problems)
    slug = _slug(path, name, problems)
    if doc is None or slug is None:
        return None
    v = F.read_fields(doc, PAGE_FIELDS, problems)
    return Page(
        path=name, body=body, body_line=body_line, summary_at=doc.where("summary"),
        summary_line=doc.line_text(doc.where("summary")), slug=slug, title=v.get("title") or slug,
        summary=v.get("summary"), order=v.get("order") or 0, show_changes=bool(v.get("show_changes")),
        image=_image(root, doc, problems) if v.get("image") is not None else None,
        require_citations=v.get("require_citations"),
        events=_events(doc, problems) if v.get("events") is not None else (),
    )


def _load_changes(root: Path, problems: Problems, languages: tuple[str, ...] = ("en",)) -> tuple[Change, ...]:
    path = root / "content" / "changes.yaml"
    if not path.is_file() or not confined(path, root / "content", "content/changes.yaml", problems):
        return ()
    name, text = _read(root, path, problems)
    doc = parse_yaml(text, name, problems) if text is not None else None
    if doc is None or doc.data is None:
        return ()
    if not isinstance(doc.data, list):
        problems.error(doc.where(), "changes.yaml is a list of entries, each '- date: ...' then 'text: ...'")
        return ()
    changes = []
    for i in range(len(doc.data)):
        v = F.read_fields(doc, CHANGE_FIELDS, problems, (i,))
        if v and v["date"] and v["text"]:
            texts = v["text"] if isinstance(v["text"], dict) else {language: v["text"] for language in languages}
            missing = [language for language in languages if language not in texts]
            if missing:
                problems.error(doc.where(i, "text"), f"'text' has no text for language '{missing[0]}': add `{missing[0]}: ...` to it, or write one text for every language")
                continue
            changes.append(Change(v["date"], texts[languages[0]], doc.where(i), tuple((lang, texts[lang]) for lang in languages[1:])))
    return tuple(sorted(changes, key=lambda c: c.date, reverse=True))

"""`build.py new KIND NAME`: a ready-to-fill content file, every field present and explained.

The comments come from the same `Field` tables the loaders validate against.
"""
from __future__ import annotations

import json
import re
import unicodedata
from pathlib import Path

from ..addresses import LONGEST_SLUG
from .config import load_config
from ..confine import confined, first_link
from ..errors import ContentErrors, Problems, did_you_mean
from .fields import Field
from .load import made_by_the_site
from .schema import FIGURE_FIELDS, LINK_FIELDS, PAGE_FIELDS, entity_fields, source_fields


class ScaffoldError(Exception):
    pass


def slugify(name: str) -> str:
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-")


def new_translation(root: Path, original: str, language: str) -> Path:
    """`new translation companies/acme es`: a translation starter beside the original, with
    its digest, the texts to translate and the body copied; never overwriting."""
    from .translations import starter

    problems = Problems()
    config = load_config(root, problems)
    if config is None:
        raise ContentErrors(problems.errors)
    original = original.removeprefix("content/").removesuffix(".md")
    if language not in config.languages[1:]:
        others = ", ".join(config.languages[1:]) or "none: add one to 'languages' in content/site.yaml"
        raise ScaffoldError(f"'{language}' is not a language this site translates into; its other languages: {others}")
    folder, _, slug = original.partition("/")
    source = root / "content" / f"{original}.md"
    if folder not in [*(k.id for k in config.kinds), "pages"] or ".." in original.split("/") or not source.is_file():
        raise ScaffoldError(f"no page content/{original}.md to translate: name it as kind/slug, such as companies/acme")
    if not confined(source, root / "content", f"content/{original}.md", problems):
        raise ContentErrors(problems.errors)
    name, text = starter(root, original, language)
    return _write_new(root, root / name, text)


def new_file(root: Path, kind: str, name: str) -> Path:
    problems = Problems()
    config = load_config(root, problems)
    if config is None:
        raise ContentErrors(problems.errors)
    slug = slugify(name)[:LONGEST_SLUG].rstrip("-")  # a long name: as much of it as a page's file name holds
    if not slug:
        raise ScaffoldError(f"cannot make a file name from '{name}': use letters or digits")
    aliases = {"source": "sources", "sources": "sources", "page": "pages", "pages": "pages"}
    for k in config.kinds:
        for alias in (k.id, k.singular.lower(), k.singular.lower().split()[-1]):
            aliases[alias] = k.id
    folder = aliases.get(kind.lower())
    if folder is None:
        raise ScaffoldError(f"unknown kind '{kind}'{did_you_mean(kind.lower(), aliases)}; use one of: {', '.join(sorted(set(aliases)))}")
    output = f"{slug}.html" if folder == "pages" else f"{folder}/{slug}.html"
    if folder != "sources" and output in made_by_the_site(config):
        raise ScaffoldError(
            f"'{name}' would be the page {output}, which the site makes itself; choose another name"
        )
    suffix = ".yaml" if folder == "sources" else ".md"
    path = root / "content" / folder / f"{slug}{suffix}"
    if folder == "sources":
        text = _yaml_block(source_fields(config), {"title": name if name != slug else ""})
    elif folder == "pages":
        text = "---\n" + _yaml_block(PAGE_FIELDS, {"title": name}) + "---\n" + _PAGE_BODY
    else:
        fields = entity_fields(config, folder)
        text = "---\n" + _yaml_block(fields, {"name": name}) + "---\n" + _ENTITY_BODY
    return _write_new(root, path, text)


def _write_new(root: Path, path: Path, text: str) -> Path:
    """Write `text` to a new file at `path`, never over a file and never through a symbolic link
    (a dangling one included: content/ may come from a stranger's pull request, and its link
    would have `new` write any file of the machine its user may write)."""
    name = path.relative_to(root).as_posix()
    link = first_link(path, root)
    if link is not None:
        what = "file" if link == path else "folder"
        raise ScaffoldError(
            f"{link.relative_to(root).as_posix()} is a symbolic link, and `new` never writes through one: "
            f"replace it with the {what} itself, or delete it"
        )
    if path.exists():
        raise ScaffoldError(f"{name} already exists; not overwriting it")
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        with open(path, "x", encoding="utf-8") as file:  # O_EXCL: not through a link made meanwhile
            file.write(text)
    except FileExistsError:
        raise ScaffoldError(f"{name} already exists; not overwriting it") from None
    return path


def _yaml_block(fields: tuple[Field, ...], given: dict[str, str]) -> str:
    lines = []
    for f in fields:
        lines.append(f"# {f.help}{' (required)' if f.required else ' (optional: delete the line if unknown)'}")
        if f.name == "figures":
            lines += [f"{f.name}: []", *_commented_list(FIGURE_FIELDS)]
        elif f.help.count(": slugs of"):
            lines += [f"{f.name}: []", *_commented_list(LINK_FIELDS)]
        elif f.name == "image":
            lines += ["#  To show one, remove the '#' at the start of these three lines and fill them in:",
                      "#image:", "#  file: acme-logo.png    # a file you put in content/images/", '#  alt: "What the image shows"']
        elif f.name == "quotes":
            lines += [f"{f.name}: []", '#  - "A sentence exactly as the source wrote it."']
        else:
            value = given.get(f.name)
            example = f"    # for example: {f.example}" if f.example and not value else ""
            lines.append(f"{f.name}: {json.dumps(value, ensure_ascii=False) if value else ''}".rstrip() + example)
    return "\n".join(lines) + "\n"


def _commented_list(fields: tuple[Field, ...]) -> list[str]:
    """An example list item, commented out: replace `[]` above with items like it."""
    lines = ["#  Replace [] with items like this one:"]
    for i, f in enumerate(fields):
        lines.append(f"#  {'- ' if i == 0 else '  '}{f.name}: ...    # {f.help}")
    return lines


_ENTITY_BODY = """\
Replace this paragraph with the narrative, in Markdown. Put a citation after every claim, such
as `[@source-id]`, or `[@source-id, p. 4]` with a page. Link to other pages by their file, such
as `[Another page](../kind/another-page.md)`.
"""

_PAGE_BODY = """\
Replace this paragraph with the page, in Markdown. Cite sources as `[@source-id]`.
"""

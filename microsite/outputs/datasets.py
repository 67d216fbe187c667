"""Every fact of the site as data: one table per kind of fact, written as CSV, JSON and SQLite.

Researchers can check, count and join what the pages say without scraping them. The same rows feed
all three formats, so they cannot disagree. The SQLite file is ready for Datasette: primary keys,
foreign keys between the tables, and the column names below. Rows are in a fixed order and the
database is compacted with VACUUM INTO, so two builds give the same bytes.
"""
from __future__ import annotations

import csv
import io
import json
import re
import sqlite3
import tempfile
from pathlib import Path
from dataclasses import dataclass
from typing import Iterator

from ..model import Cite, Entity
from ..tables import FOLDER, TABLES, Table
from ..render.facts import plain_text
from ..resolve.site import Site
from ..content.scaffold import slugify

# A spreadsheet opening a CSV file runs a cell that starts with one of these as a formula
# (`=HYPERLINK(...)`, `@SUM(...)`, `-2+3`). As OWASP advises, such a cell is written with a quote
# in front, which the spreadsheet shows as text; JSON and SQLite keep the value as it is.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# A row's values joined after a NUL each: a match is a value that may start a formula (or a
# negative number, which `_csv_cell` leaves as it is). Most rows have none, and are written as
# they are: checked one by one in Python, every cell of 10,000 entities' tables took seconds.
_MAY_START_A_FORMULA = re.compile("\0[" + re.escape("".join(FORMULA_STARTS)) + "]")


def database_name(site: Site) -> str:
    return f"{FOLDER}/{site_slug(site.content.config.title)}.sqlite"


def json_name(site: Site) -> str:
    return f"{FOLDER}/{site_slug(site.content.config.title)}.json"


def site_slug(title: str) -> str:
    """"Who's Watching" -> whos-watching: apostrophes vanish rather than split a word."""
    return slugify(title.replace("'", "").replace("\u2019", "")) or "site"


def dataset_names(site: Site) -> list[str]:
    """The files `dataset_outputs` writes, known without making them."""
    return [t.csv_path for t in TABLES] + [json_name(site), database_name(site)]


def dataset_outputs(site: Site) -> Iterator[tuple[str, bytes]]:
    """Each file of `dataset_names`, made one at a time: a caller writing each as it comes holds
    one file, not all seven (70 MB at 10,000 entities)."""
    rows = table_rows(site)
    for table in TABLES:
        yield table.csv_path, to_csv(table, rows[table.name])
    yield json_name(site), to_json(site, rows)
    yield database_name(site), to_sqlite(rows)


def table_rows(site: Site) -> dict[str, list[tuple]]:
    """The rows of every table, in a fixed order: entities by id, then what each page says in order."""
    content = site.content
    config = content.config
    entities = sorted(content.entities.values(), key=lambda e: (e.kind, e.slug))
    relations_spec = {r.field: r for r in config.relations}
    rows: dict[str, list[tuple]] = {t.name: [] for t in TABLES}
    rows["entities"] = [
        (_id(e), e.kind, e.slug, e.name, plain_text(site.summaries.get(e.output)), e.output, config.base_url + e.output)
        for e in entities
    ]
    rows["sources"] = [
        (s.id, s.title, config.messages.join(list(s.publisher)), s.kind, s.date, config.messages.join(list(s.author)) if s.author else None, s.url, s.archive_url, s.accessed, s.note,
         json.dumps(list(s.quotes), ensure_ascii=False) if s.quotes else None)
        for s in sorted(content.sources.values(), key=lambda s: s.id)
    ]
    citations = rows["citations"]

    def cite(c: Cite, page: str, entity: str | None, part: str, figure=None, relation=None) -> None:
        citations.append((len(citations) + 1, c.source, page, entity, part, figure, relation,
                          c.locator or None, c.location.path, c.location.line or None))

    for document in sorted(site.documents(), key=lambda d: d.output):
        entity = _id(document) if isinstance(document, Entity) else None
        for part, parsed in (("summary", site.summaries.get(document.output)), ("text", site.bodies.get(document.output))):
            for c in parsed.cites if parsed else ():
                cite(c, document.output, entity, part)
        for event in document.events:  # dated events a page shows (and the timeline) cite their sources too
            for c in event.cites:
                cite(c, document.output, entity, "event")
        if not isinstance(document, Entity):
            continue
        for figure in document.figures:
            rows["figures"].append((len(rows["figures"]) + 1, entity, figure.label, figure.value, figure.as_of, figure.note))
            for c in figure.cites:
                cite(c, document.output, entity, "figure", figure=len(rows["figures"]))
        for link in document.links:
            spec = relations_spec[link.relation]
            rows["relations"].append((len(rows["relations"]) + 1, link.relation, entity, f"{spec.to_kind}/{link.target}",
                                      spec.label, spec.inverse, link.role))
            for c in link.cites:
                cite(c, document.output, entity, "relation", relation=len(rows["relations"]))
    return rows


def _id(entity: Entity) -> str:
    return f"{entity.kind}/{entity.slug}"


def to_csv(table: Table, rows: list[tuple]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")  # RFC 4180
    writer.writerow(c.name for c in table.columns)
    # csv writes None as an empty cell, as `_csv_cell` does.
    writer.writerows(
        [_csv_cell(v) for v in row] if _MAY_START_A_FORMULA.search("\0" + "\0".join(map(str, row))) else row
        for row in rows
    )
    return out.getvalue().encode("utf-8")


def _csv_cell(value: str | int | None) -> str | int:
    if value is None:
        return ""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def to_json(site: Site, rows: dict[str, list[tuple]]) -> bytes:
    """`{"site": ..., table: [row as an object, ...], ...}`, compact: json's C encoder only runs
    without indentation, five times faster on a large site; browsers and jq show the file
    indented anyway. Written a thousand rows at a time: every row a dict at once, the file of
    10,000 entities took 80 MB more to make."""
    config = site.content.config
    out = io.BytesIO()
    out.write(b'{"site":' + _json({"title": config.title, "url": config.base_url}).encode("utf-8"))
    for table in TABLES:
        names = [c.name for c in table.columns]
        out.write(f",{_json(table.name)}:[".encode("utf-8"))
        table_rows = rows[table.name]
        for start in range(0, len(table_rows), 1000):
            objects = [dict(zip(names, row)) for row in table_rows[start : start + 1000]]
            out.write(("," if start else "").encode() + _json(objects)[1:-1].encode("utf-8"))
        out.write(b"]")
    out.write(b"}\n")
    return out.getvalue()


def _json(value) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def to_sqlite(rows: dict[str, list[tuple]]) -> bytes:
    """Built in memory, then compacted into a file with VACUUM INTO: the same rows, the same bytes."""
    db = sqlite3.connect(":memory:")
    try:
        for table in TABLES:
            db.execute(_create(table))
            marks = ", ".join("?" for _ in table.columns)
            db.executemany(f"INSERT INTO {table.name} VALUES ({marks})", rows[table.name])
        db.commit()
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "facts.sqlite"
            db.execute("VACUUM INTO ?", (str(path),))
            return path.read_bytes()
    finally:
        db.close()


def _create(table: Table) -> str:
    key, *rest = table.columns
    lines = [f"{key.name} {key.type} PRIMARY KEY"]
    lines += [
        f"{c.name} {c.type}" + (f" REFERENCES {c.references.split('.')[0]}({c.references.split('.')[1]})" if c.references else "")
        for c in rest
    ]
    return f"CREATE TABLE {table.name} (\n  " + ",\n  ".join(lines) + "\n)"


@dataclass(frozen=True)
class Download:
    """One file offered on the Data page; `description` is a key of the message tables."""

    path: str
    format: str
    description: str
    size: int
    table: Table | None = None

    @property
    def size_unit(self) -> tuple[str, float]:
        """The message key of its size's unit, and the size in that unit."""
        if self.size < 1024:
            return "size_bytes", self.size
        if self.size < 1024 * 1024:
            return "size_kb", round(self.size / 1024)
        return "size_mb", round(self.size / 1024 / 1024, 1)


def downloads(site: Site, sizes: dict[str, int]) -> list[Download]:
    """What the Data page lists: the database, the JSON file, then one CSV file per table, each
    with its size in bytes (`sizes`, by path)."""
    database, whole = database_name(site), json_name(site)
    return [
        Download(database, "SQLite", "data_download_sqlite", sizes[database]),
        Download(whole, "JSON", "data_download_json", sizes[whole]),
        *(Download(t.csv_path, "CSV", t.description, sizes[t.csv_path], t) for t in TABLES),
    ]


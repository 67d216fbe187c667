"""The tables of the data downloads: their names and columns, which the downloads are written
with (`outputs/datasets.py`) and the Data page describes (its anchors among them, `resolve/anchors.py`)."""
from __future__ import annotations

from dataclasses import dataclass

FOLDER = "data"


@dataclass(frozen=True)
class Column:
    name: str
    type: str  # SQLite type: TEXT or INTEGER
    description: str  # the key of its description in the message tables (`messages.py`)
    references: str | None = None  # "table.column" for a foreign key


@dataclass(frozen=True)
class Table:
    name: str
    description: str  # the key of its description in the message tables
    columns: tuple[Column, ...]  # the first is the primary key

    @property
    def csv_path(self) -> str:
        return f"{FOLDER}/{self.name}.csv"


TABLES = (
    Table("entities", "data_table_entities", (
        Column("id", "TEXT", "data_entities_id"),
        Column("kind", "TEXT", "data_entities_kind"),
        Column("slug", "TEXT", "data_entities_slug"),
        Column("name", "TEXT", "data_entities_name"),
        Column("summary", "TEXT", "data_entities_summary"),
        Column("page", "TEXT", "data_entities_page"),
        Column("url", "TEXT", "data_entities_url"),
    )),
    Table("sources", "data_table_sources", (
        Column("id", "TEXT", "data_sources_id"),
        Column("title", "TEXT", "data_sources_title"),
        Column("publisher", "TEXT", "data_sources_publisher"),
        Column("kind", "TEXT", "data_sources_kind"),
        Column("date", "TEXT", "data_sources_date"),
        Column("author", "TEXT", "data_sources_author"),
        Column("url", "TEXT", "data_sources_url"),
        Column("archive_url", "TEXT", "data_sources_archive_url"),
        Column("accessed", "TEXT", "data_sources_accessed"),
        Column("note", "TEXT", "data_sources_note"),
        Column("quotes", "TEXT", "data_sources_quotes"),
    )),
    Table("relations", "data_table_relations", (
        Column("id", "INTEGER", "data_relations_id"),
        Column("relation", "TEXT", "data_relations_relation"),
        Column("from_entity", "TEXT", "data_relations_from_entity", "entities.id"),
        Column("to_entity", "TEXT", "data_relations_to_entity", "entities.id"),
        Column("label", "TEXT", "data_relations_label"),
        Column("inverse_label", "TEXT", "data_relations_inverse_label"),
        Column("role", "TEXT", "data_relations_role"),
    )),
    Table("figures", "data_table_figures", (
        Column("id", "INTEGER", "data_figures_id"),
        Column("entity", "TEXT", "data_figures_entity", "entities.id"),
        Column("label", "TEXT", "data_figures_label"),
        Column("value", "TEXT", "data_figures_value"),
        Column("as_of", "TEXT", "data_figures_as_of"),
        Column("note", "TEXT", "data_figures_note"),
    )),
    Table("citations", "data_table_citations", (
        Column("id", "INTEGER", "data_citations_id"),
        Column("source", "TEXT", "data_citations_source", "sources.id"),
        Column("page", "TEXT", "data_citations_page"),
        Column("entity", "TEXT", "data_citations_entity", "entities.id"),
        Column("part", "TEXT", "data_citations_part"),
        Column("figure", "INTEGER", "data_citations_figure", "figures.id"),
        Column("relation", "INTEGER", "data_citations_relation", "relations.id"),
        Column("locator", "TEXT", "data_citations_locator"),
        Column("content_file", "TEXT", "data_citations_content_file"),
        Column("line", "INTEGER", "data_citations_line"),
    )),
)

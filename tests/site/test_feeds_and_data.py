"""Sitemap, feed, robots.txt, link-preview tags and the data downloads, on the real investigation."""
from __future__ import annotations

import csv
import io
import json
import re
import sqlite3
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path

import pytest
from markupsafe import escape

from microsite.build import build
from microsite.content.load import load_content
from microsite.errors import Problems
from tests import real_content
from tests.conftest import REPO, make_project
from tests.engine.outputs.test_images import add_image, gps_photo

BASE = real_content.base_url()
DATA = f"data/{real_content.slug()}"
ATOM = "{http://www.w3.org/2005/Atom}"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


@pytest.fixture(scope="module")
def content():
    return load_content(REPO, Problems())


def html_pages(site: Path) -> list[str]:
    return sorted(p.relative_to(site).as_posix() for p in site.rglob("*.html"))


def test_sitemap_lists_every_page_by_absolute_address(real_site: Path):
    root = ET.parse(real_site / "sitemap.xml").getroot()
    locs = [e.text for e in root.iter(f"{SITEMAP}loc")]
    homes = {"index.html", *(f"{lang}/index.html" for lang in real_content.site().content.config.languages)}
    expected = [BASE + (p.removesuffix("index.html") if p in homes else p) for p in html_pages(real_site) if not p.endswith("404.html")]
    assert sorted(locs) == sorted(expected)
    assert (real_site / "robots.txt").read_text().splitlines()[-1] == f"Sitemap: {BASE}sitemap.xml"


def test_feed_is_atom_with_one_entry_per_change(real_site: Path, content):
    feed = ET.parse(real_site / "feed.xml").getroot()
    changes_page = next((p.output for p in content.pages.values() if p.show_changes), "")
    assert feed.tag == f"{ATOM}feed"
    entries = feed.findall(f"{ATOM}entry")
    assert len(entries) == len(content.changes) >= 1
    for entry in entries:
        assert entry.find(f"{ATOM}id").text.startswith(BASE)
        assert entry.find(f"{ATOM}link").get("href") == BASE + changes_page
        assert re.fullmatch(r"\d{4}-\d{2}-\d{2}T00:00:00Z", entry.find(f"{ATOM}updated").text)
    assert [e.find(f"{ATOM}content").text for e in entries] == [c.text for c in content.changes]
    assert [e.find(f"{ATOM}updated").text[:len(c.date)] for e, c in zip(entries, content.changes)] == [c.date for c in content.changes]
    assert len({e.find(f"{ATOM}id").text for e in entries}) == len(entries)
    assert 'type="application/atom+xml"' in (real_site / "index.html").read_text()


def test_every_page_has_link_preview_tags_pointing_at_its_card(real_site: Path):
    for name in html_pages(real_site):
        html = (real_site / name).read_text()
        assert '<meta name="twitter:card" content="summary_large_image">' in html, name
        assert '<meta property="og:title" content="' in html, name
        if name.endswith("404.html"):
            continue
        [image] = re.findall(r'<meta property="og:image" content="([^"]+)">', html)
        assert image.startswith(BASE), name
        assert (real_site / image.removeprefix(BASE)).is_file(), name


def test_sqlite_download_holds_every_fact(real_site: Path, content):
    db = sqlite3.connect(real_site / f"{DATA}.sqlite")
    count = lambda table: db.execute(f"SELECT count(*) FROM {table}").fetchone()[0]  # noqa: E731
    entities = content.entities.values()
    assert count("entities") == len(content.entities) >= 1
    assert count("sources") == len(content.sources)
    assert count("relations") == sum(len(e.links) for e in entities)
    assert count("figures") == sum(len(e.figures) for e in entities)
    for entity in entities:
        found = db.execute("SELECT name FROM entities WHERE id = ?", (f"{entity.kind}/{entity.slug}",)).fetchone()
        assert found == (entity.name,), entity.path
    # Every citation mark a reader sees on a content page is one row: the page's own citations,
    # plus those of the relations other pages declare with it (shown on both sides).
    for page in [e.output for e in entities] + [p.output for p in content.pages.values()]:
        marks = (real_site / page).read_text().count('<a class="cite" id="cite-')
        own = db.execute("SELECT count(*) FROM citations WHERE page = ?", (page,)).fetchone()[0]
        inbound = db.execute(
            "SELECT count(*) FROM citations JOIN relations ON citations.relation = relations.id "
            "JOIN entities ON relations.to_entity = entities.id WHERE entities.page = ?", (page,)
        ).fetchone()[0]
        assert marks == own + inbound, page
    db.execute("PRAGMA foreign_keys = ON")
    assert db.execute("PRAGMA foreign_key_check").fetchall() == []
    keys = db.execute("SELECT * FROM pragma_foreign_key_list('citations')").fetchall()
    assert {(k[2], k[3]) for k in keys} == {("sources", "source"), ("entities", "entity"), ("figures", "figure"), ("relations", "relation")}


def test_citation_rows_match_the_build_count(tmp_path: Path):
    project = make_project(tmp_path / "project")
    result = build(project)
    db_bytes = result.outputs["data/mini-investigation.sqlite"]
    path = tmp_path / "mini.sqlite"
    path.write_bytes(db_bytes)
    db = sqlite3.connect(path)
    assert db.execute("SELECT count(*) FROM citations").fetchone()[0] == result.citations == 13


def test_csv_json_and_sqlite_agree(real_site: Path):
    db = sqlite3.connect(real_site / f"{DATA}.sqlite")
    data = json.loads((real_site / f"{DATA}.json").read_text())
    for table in ("entities", "sources", "relations", "figures", "citations"):
        rows = list(csv.DictReader(io.StringIO((real_site / f"data/{table}.csv").read_text(encoding="utf-8"))))
        columns = [c[1] for c in db.execute(f"PRAGMA table_info({table})")]
        assert list(rows[0]) == columns == list(data[table][0])
        from_db = [["" if v is None else str(v) for v in row] for row in db.execute(f"SELECT * FROM {table}")]
        assert [list(r.values()) for r in rows] == from_db, table
        assert [["" if v is None else str(v) for v in r.values()] for r in data[table]] == from_db, table


def test_data_page_is_in_the_navigation_and_links_every_download(real_site: Path):
    data = real_content.site().content.config.messages.text("nav_data")
    assert f'<a href="data.html">{escape(data)}</a>' in (real_site / "index.html").read_text()
    html = (real_site / "data.html").read_text()
    links = re.findall(r'<a href="(data/[^"]+)" download>', html)
    assert sorted(links) == sorted(p.relative_to(real_site).as_posix() for p in (real_site / "data").iterdir())
    for column in ("from_entity", "inverse_label", "archive_url", "locator"):
        assert f"<code>{column}</code>" in html


def test_two_builds_give_identical_downloads_cards_images_and_zip(tmp_path: Path):
    """Two projects, two caches: every byte is made twice and must come out the same."""
    results = []
    for n in (1, 2):
        project = make_project(tmp_path / f"p{n}")
        add_image(project, "photo.jpg", gps_photo(size=(700, 400)))
        result = build(project, offline=True)
        results.append((result.outputs, result.offline.read_bytes()))
    (first, zip1), (second, zip2) = results
    assert first == second
    assert zip1 == zip2
    assert any(n.startswith("cards/") for n in first) and "data/mini-investigation.sqlite" in first


def test_offline_zip_holds_the_site_in_one_folder_with_fixed_dates(tmp_path: Path):
    project = make_project(tmp_path / "project")
    result = build(project, offline=True)
    assert result.offline == tmp_path / "project" / "mini-investigation.zip"
    with zipfile.ZipFile(result.offline) as archive:
        names = archive.namelist()
        assert names == sorted(names)
        assert all(n.startswith("mini-investigation/") for n in names)
        assert {i.date_time for i in archive.infolist()} == {(1980, 1, 1, 0, 0, 0)}
        inside = {n.removeprefix("mini-investigation/") for n in names}
        assert {"index.html", "companies/acme.html", "assets/style.css", "data/entities.csv"} <= inside
        assert not {"404.html", ".nojekyll", "robots.txt"} & inside
        assert not any(n.startswith("cards/") for n in inside)
        assert archive.read("mini-investigation/index.html") == result.outputs["index.html"]


def test_an_events_citation_is_a_row_of_the_downloads(tmp_path):
    """A dated event's citation is a mark on its page like any other: the downloads hold it."""
    from tests.conftest import run

    project = make_project(tmp_path / "project", "dos")
    assert run(project, "build")[0] == 0
    [database] = project.site.rglob("*.sqlite")
    db = sqlite3.connect(database)
    rows = db.execute("SELECT page, source FROM citations WHERE part = 'event'").fetchall()
    assert ("systems/ledger.html", "report-2020") in rows

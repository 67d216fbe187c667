"""An incremental build, after any series of edits, is byte for byte the clean build of the same
content: the cache and the dependency graph may only save time, never change a page."""
from __future__ import annotations

import hashlib
import io

import os
import shutil
import sys
from pathlib import Path
from typing import Callable

import pytest
from PIL import Image

from microsite import project as build_module

from microsite.outputs import feeds

from microsite import parallel
from microsite.store import cache, stamps
from microsite.pipeline import load
from microsite.content import cached
from microsite.preview.session import Session
from microsite.build import BuildState, Project, build, check
from microsite.content.cached import PreparedCache
from microsite.preview.edits import apply_saves
from microsite.errors import ContentErrors
from microsite.render.graph import relation_graph
from microsite.render.facts import translated_view
from microsite.render.templates import make_environment
from microsite.outputs.lunr_index import TermCounter
from tests.conftest import FIXTURES, make_project, tree, write
from tests.engine.outputs.test_images import add_image


def clean_build(project: Project, out: Path) -> dict[str, bytes]:
    build(project, out, state=BuildState(PreparedCache(None), None))
    return tree(out)


def edit(project: Project, relative: str, old: str, new: str) -> None:
    path = project.root / relative
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {relative}"
    path.write_text(text.replace(old, new), encoding="utf-8")


def rename_agency(project: Project) -> None:
    old = project.root / "content/agencies/agency-one.md"
    old.rename(project.root / "content/agencies/agency-two.md")
    edit(project, "content/systems/ledger.md", "operators: [agency-one]", "operators: [agency-two]")
    edit(project, "content/systems/ledger.md", "agencies/agency-one.md", "agencies/agency-two.md")


NEW_SYSTEM = """---
name: Zeta Index
summary: A newer system. [@report-2020]
vendors: [acme]
operators: [agency-two]
---
Zeta is run by [an agency](../agencies/agency-two.md), says the report [@report-2020, p. 9].
"""

HOME_TEXT = """---
title: What we found
summary: Acme holds the records. [@daily-2020-01-02]
---
## Findings

- **200 million records** are held by [Acme](../companies/acme.md). [@daily-2020-01-02]
"""

EDITS = [
    ("narrative", lambda p: edit(p, "content/companies/acme.md", "The report calls Acme", "The report names Acme")),
    ("entity name", lambda p: edit(p, "content/companies/acme.md", "name: Acme Corp", "name: Acme Holdings")),
    ("linking entity renamed", lambda p: edit(p, "content/systems/ledger.md", "name: Ledger", "name: Ledger Two")),
    ("relation role", lambda p: edit(p, "content/systems/ledger.md", "role: Builds and hosts it", "role: Builds it")),
    ("relation target renamed", rename_agency),
    ("entity added", lambda p: write(p, "content/systems/zeta.md", NEW_SYSTEM)),
    ("source title", lambda p: edit(p, "content/sources/report-2020.yaml", 'title: "The Report"', 'title: "The Full Report"')),
    ("site.yaml", lambda p: edit(p, "content/site.yaml", "title:", "title: New")),
    ("free page title", lambda p: edit(p, "content/pages/about.md", "title: About", "title: About us")),
    ("entity deleted", lambda p: (p.root / "content/systems/zeta.md").unlink()),
    ("home page text added", lambda p: write(p, "content/pages/index.md", HOME_TEXT)),
    ("home page finding", lambda p: edit(p, "content/pages/index.md", "200 million records", "200,000,000 records")),
    ("home page lead (its card)", lambda p: edit(p, "content/pages/index.md", "Acme holds the records.", "Acme holds them.")),
    ("event declared", lambda p: edit(p, "content/systems/ledger.md", "operators: [agency-two]\n", "operators: [agency-two]\nevents:\n  - date: 2019-05\n    text: Ledger opened.\n    cite: report-2020\n")),
    ("figure's date", lambda p: edit(p, "content/companies/acme.md", "as_of: 2020-03", "as_of: 2020-02")),
    ("a second language", lambda p: edit(p, "content/site.yaml", "language: en", "languages: [en, es]")),
    ("translation added", lambda p: write(p, "content/companies/acme.es.md", translation_of_acme(p))),
    ("translation edited", lambda p: edit(p, "content/companies/acme.es.md", "vende", "ofrece")),
    ("original edited: the translation is stale", lambda p: edit(p, "content/companies/acme.md", "The report names Acme", "The report calls Acme")),
    ("translation deleted", lambda p: (p.root / "content/companies/acme.es.md").unlink()),
]


def translation_of_acme(project: Project) -> str:
    digest = hashlib.sha256((project.root / "content/companies/acme.md").read_bytes()).hexdigest()[:16]
    return f"---\ntranslates: {digest}\nname: Acme Corporación\nsummary: Una empresa que vende. [@daily-2020-01-02]\n---\nAcme vende el [Ledger](../systems/ledger.md). [@daily-2020-01-02]\n"


@pytest.mark.parametrize("long_lived", [False, True], ids=["each build anew", "one preview process"])
def test_incremental_builds_equal_clean_builds(tmp_path, monkeypatch, long_lived):
    monkeypatch.setattr(parallel, "MIN_PARALLEL", 1)  # the fixture is small: use the pool anyway
    project = make_project(tmp_path / "project")
    state = BuildState.on_disk(project)
    for name, change in [("first build", lambda p: None), *EDITS]:
        change(project)
        result = build(project, workers=2, state=state if long_lived else None)
        assert tree(project.site) == clean_build(project, tmp_path / f"clean-{len(name)}"), f"after: {name}"
        if name == "narrative":  # one page shows the narrative: only it is rendered again
            assert result.rendered == 1
    unchanged = build(project, workers=2, state=state if long_lived else None)
    assert (unchanged.rendered, unchanged.written) == (0, 0)


def test_broken_then_fixed_file(project, tmp_path):
    build(project)
    before = tree(project.site)
    acme = project.root / "content/companies/acme.md"
    good = acme.read_text(encoding="utf-8")
    acme.write_text(good.replace("[@daily-2020-01-02]", "[@daily-2020]", 1), encoding="utf-8")
    with pytest.raises(ContentErrors, match="unknown source 'daily-2020'"):
        build(project)
    assert tree(project.site) == before  # a failed build leaves site/ as it was
    acme.write_text(good.replace("sells a database", "sells databases"), encoding="utf-8")
    build(project)
    assert tree(project.site) == clean_build(project, tmp_path / "clean")


def test_a_file_changed_by_hand_in_site_is_put_back(project, tmp_path):
    build(project)
    (project.site / "companies/acme.html").write_text("edited by hand")
    (project.site / "stray.html").write_text("left over")
    build(project)
    assert tree(project.site) == clean_build(project, tmp_path / "clean")


def test_the_cache_keeps_one_entry_per_file(project):
    build(project)
    acme = project.root / "content/companies/acme.md"
    for n in range(3):
        acme.write_text(acme.read_text(encoding="utf-8") + f"\nEdit {n}.\n", encoding="utf-8")
        build(project)
    entries = [p for p in (project.root / ".cache/prepared").rglob("*") if p.is_file()]
    files = [p for p in (project.root / "content").rglob("*") if p.suffix in (".md", ".yaml") and p.parent.name != "content"]
    assert len(entries) == len(files)


def test_a_build_counts_the_search_terms_of_changed_texts_only(project, tmp_path, monkeypatch):
    """Each text's terms are kept in .cache/search/ by the text's digest: the next build counts
    the edited text alone, and its index is still the clean build's (EDITS: a source's title, a
    translation, a second language)."""
    build(project)
    counted: list[str] = []
    count = TermCounter._count
    monkeypatch.setattr(TermCounter, "_count", lambda self, text: counted.append(text) or count(self, text))
    edit(project, "content/companies/acme.md", "The report calls Acme", "The report names Acme")
    build(project)
    assert len(counted) == 1 and "The report names Acme" in counted[0], counted
    assert tree(project.site) == clean_build(project, tmp_path / "clean")


def test_the_sitemap_is_made_again_only_when_the_pages_change(project, tmp_path, monkeypatch):
    """Kept in .cache/sitemap/ by a digest of the pages' addresses: an edited text reuses it, an
    added page makes it again (EDITS: renames, a deleted entity, a second language)."""
    build(project)
    made: list[int] = []
    make = feeds._sitemap
    monkeypatch.setattr(feeds, "_sitemap", lambda *args: made.append(1) or make(*args))
    edit(project, "content/companies/acme.md", "The report calls Acme", "The report names Acme")
    build(project)
    assert made == []
    write(project, "content/systems/zeta.md", NEW_SYSTEM.replace("agency-two", "agency-one"))
    build(project)
    assert made == [1]
    assert tree(project.site) == clean_build(project, tmp_path / "clean")
    assert len(list((project.root / ".cache/sitemap").iterdir())) == 1  # the last one only


def test_the_preview_shows_an_edit_first_and_its_search_index_and_downloads_right_after(project, tmp_path):
    state = Session.on_disk(project)  # as `build.py serve` keeps it
    out = tmp_path / "preview"
    state.build(project, out)
    data = out / "data/mini-investigation.json"
    data_page = (out / "data.html").read_text()
    edit(project, "content/companies/acme.md", "The report calls Acme", "The report names Acme")
    edit(project, "content/companies/acme.md", '"200 million"', '"200 million or more, by one count"')
    result = state.build(project, out)
    assert "names Acme" in (out / "companies/acme.html").read_text()
    assert "or more, by one count" in (out / "companies/acme.html").read_text()
    assert b"names" not in (out / "assets/search-index.js").read_bytes()  # not yet
    assert "or more" not in data.read_text()
    for work in result.pending:
        work()
    assert "or more, by one count" in data.read_text()
    assert (out / "data.html").read_text() != data_page  # the JSON file's size, as listed
    clean = tmp_path / "clean"
    build(project, clean, preview=True, state=BuildState(PreparedCache(None), None))
    assert tree(out) == tree(clean)
    assert state.build(project, out).rendered == 0


def test_a_preview_whose_folder_was_deleted_is_made_again_in_full(project, tmp_path):
    out = tmp_path / "preview"
    first = Session.on_disk(project)
    first.build(project, out)
    shutil.rmtree(out)  # the manifest in .cache/build/ remains
    state = Session.on_disk(project)
    result = state.build(project, out)
    assert result.pending == ()
    clean = tmp_path / "clean"
    build(project, clean, preview=True, state=BuildState(PreparedCache(None), None))
    assert tree(out) == tree(clean)


def test_a_build_with_nothing_changed_reads_no_content_file(project, monkeypatch):
    monkeypatch.setattr(stamps, "SETTLED_NS", 0)  # as if every file were saved long ago
    build(project)
    read: list[str] = []
    real = Path.read_bytes
    monkeypatch.setattr(Path, "read_bytes", lambda self: read.append(self.name) or real(self))
    assert build(project).rendered == 0
    assert [name for name in read if name.endswith((".md", ".yaml")) and name not in ("changes.yaml", "site.yaml")] == []


def test_an_edit_that_keeps_the_size_and_the_modification_time_is_still_seen(project, monkeypatch):
    monkeypatch.setattr(stamps, "SETTLED_NS", 0)
    build(project)
    acme = project.root / "content/companies/acme.md"
    before = acme.stat()
    edit(project, "content/companies/acme.md", "The report calls Acme", "The report names Acme")
    os.utime(acme, ns=(before.st_atime_ns, before.st_mtime_ns))  # as some copy tools leave it
    assert acme.stat().st_size == before.st_size and acme.stat().st_mtime_ns == before.st_mtime_ns
    build(project)
    assert "names Acme" in (project.root / "site/companies/acme.html").read_text()


def test_the_preview_shows_a_template_edit(project, tmp_path):
    templates = project.root / "templates"  # the fixture's own copy: this test edits it
    out = tmp_path / "preview"
    state = started_preview(project, out)
    base = templates / "base.html"
    base.write_text(base.read_text(encoding="utf-8").replace("<body>", "<body><!-- edited template -->", 1), encoding="utf-8")
    state.build(project, out)
    assert "<!-- edited template -->" in (out / "companies/acme.html").read_text()


def started_preview(project: Project, out: Path) -> Session:
    """The state `build.py serve` keeps, after its first build."""
    state = Session.on_disk(project)  # as `build.py serve` keeps it
    state.build(project, out)
    return state


def preview_save(project: Project, out: Path, state: Session, *paths: str):
    """What `build.py serve` does on a save: the quick path when it can tell, else a full build;
    then the work left for after the reload. Returns the result and whether it was quick."""
    result = apply_saves(project, out, state, {project.root / p for p in paths})
    quick = result is not None
    if result is None:
        result = state.build(project, out)
    for work in result.pending:
        work()
    return result, quick


ACME, LEDGER, REPORT = "content/companies/acme.md", "content/systems/ledger.md", "content/sources/report-2020.yaml"
HOME, ABOUT = "content/pages/index.md", "content/pages/about.md"
ACME_ES = "content/companies/acme.es.md"
SAVES = [  # (what, the files saved, the edit, whether the quick path can take it)
    ("narrative", [ACME], lambda p: edit(p, ACME, "The report calls Acme", "The report names Acme"), True),
    ("a citation of another source", [ACME], lambda p: edit(p, ACME, '"the backbone" [@daily-2020-01-02]', '"the backbone" [@report-2020, p. 8]'), True),
    ("a figure", [ACME], lambda p: edit(p, ACME, '"200 million"', '"more than 200 million"'), True),
    ("a relation's citation", [LEDGER], lambda p: edit(p, LEDGER, "cite: daily-2020-01-02", "cite: report-2020"), False),
    ("a citation of a source the page did not cite", [LEDGER], lambda p: edit(
        p, LEDGER, "[@report-2020, ch. 2]", "[@report-2020, ch. 2; @daily-2020-01-02]"), True),
    ("that source no longer cited by the page (other pages still cite it)", [LEDGER], lambda p: edit(
        p, LEDGER, "[@report-2020, ch. 2; @daily-2020-01-02]", "[@report-2020, ch. 2]"), True),
    ("a figure added to an entity others relate to", [LEDGER], lambda p: edit(
        p, LEDGER, "operators: [agency-one]\n", 'operators: [agency-one]\nfigures:\n  - label: Records\n    value: "9 million"\n    cite: report-2020\n'), True),
    ("a source's title", [REPORT], lambda p: edit(p, REPORT, 'title: "The Report"', 'title: "The Full Report"'), True),
    ("two files at once", [ACME, LEDGER], lambda p: (
        edit(p, ACME, "names Acme", "calls Acme"), edit(p, LEDGER, "holds records", "keeps records")), True),
    ("two files at once, each citing once more", [ACME, LEDGER], lambda p: (
        edit(p, ACME, "The report calls Acme", "Acme is large [@report-2020, p. 9]. The report calls Acme"),
        edit(p, LEDGER, "Ledger keeps records", "Ledger, a database [@report-2020], keeps records")), True),
    ("a free page", ["content/pages/about.md"], lambda p: edit(p, "content/pages/about.md", "a test fixture", "a fixture"), True),
    ("a free page's summary removed", [ABOUT], lambda p: edit(p, ABOUT, "summary: What this fixture is. [@report-2020]\n", ""), False),
    ("a free page without a summary", [ABOUT], lambda p: edit(p, ABOUT, "a fixture", "a small fixture"), True),
    ("an editor's scratch file", [ACME, "content/companies/4913"], lambda p: edit(p, ACME, "Acme builds the", "Acme runs the"), True),
    ("nothing new", [ACME], lambda p: None, True),
    ("a summary (shown in lists)", [ACME], lambda p: edit(p, ACME, "sells a database.", "sells databases."), False),
    ("an entity's name", [ACME], lambda p: edit(p, ACME, "name: Acme Corp", "name: Acme Holdings"), False),
    ("a page's title (the navigation)", ["content/pages/about.md"], lambda p: edit(p, "content/pages/about.md", "title: About", "title: About us"), False),
    ("a new entity", ["content/systems/zeta.md"], lambda p: write(p, "content/systems/zeta.md", NEW_SYSTEM.replace("agency-two", "agency-one")), False),
    ("a new source, cited by nothing", ["content/sources/memo.yaml"], lambda p: write(
        p, "content/sources/memo.yaml", 'title: "A memo"\npublisher: An agency\ndate: 2021-05\nkind: report\n'), False),
    ("its first citation (the warning goes)", [ACME], lambda p: edit(p, ACME, "[@report-2020, p. 8]", "[@memo, p. 2]"), False),
    ("narrative after the full path", [LEDGER], lambda p: edit(p, LEDGER, "keeps records", "holds records"), True),
    ("a quotation shortened", [ACME], lambda p: edit(p, ACME, '"the backbone"', '"backbone"'), True),
    ("a quotation added (the counts the preview reports)", [ACME], lambda p: edit(
        p, ACME, "system [@daily-2020-01-02; @report-2020, p. 7].",
        'system [@daily-2020-01-02; @report-2020, p. 7]. It is "the backbone" [@daily-2020-01-02].'), True),
    ("a source's excerpts (every quotation of it checked again)", ["content/sources/daily-2020-01-02.yaml"], lambda p: edit(
        p, "content/sources/daily-2020-01-02.yaml", '"Acme is the backbone."', '"Acme is the backbone of it."'), False),
    ("a figure's date (the timeline)", [ACME], lambda p: edit(p, ACME, "as_of: 2020-03", "as_of: 2019-12"), True),
    ("an event declared", [LEDGER], lambda p: edit(
        p, LEDGER, "operators: [agency-one]\n", "operators: [agency-one]\nevents:\n  - date: 2019-05\n    text: Ledger opened.\n    cite: report-2020\n"), True),
    ("the home page's text added", [HOME], lambda p: write(p, HOME, HOME_TEXT), False),
    ("a finding on the home page", [HOME], lambda p: edit(p, HOME, "200 million records", "200,000,000 records"), True),
    ("a second language", ["content/site.yaml"], lambda p: edit(p, "content/site.yaml", "language: en", "languages: [en, es]"), False),
    ("a narrative, shown in both languages", [LEDGER], lambda p: edit(p, LEDGER, "holds records", "keeps records"), True),
    ("a translation added", [ACME_ES], lambda p: write(p, ACME_ES, translation_of_acme(p)), False),
    ("a translation edited", [ACME_ES], lambda p: edit(p, ACME_ES, "vende", "ofrece"), False),
    ("its original edited (the translation is stale)", [ACME], lambda p: edit(p, ACME, "Acme runs the", "Acme builds the"), False),
]


def counts(result) -> tuple[int, ...]:
    """What a build prints of the site: pages, sources, citations, quotations and numbers checked."""
    return result.pages, result.sources, result.citations, result.quotations, result.numbers


def test_the_preview_applies_a_save_to_the_last_build_as_a_clean_build_would(project, tmp_path):
    out = tmp_path / "preview"
    state = started_preview(project, out)
    for n, (what, paths, change, can_be_quick) in enumerate(SAVES):
        change(project)
        result, quick = preview_save(project, out, state, *paths)
        assert quick == can_be_quick, what
        if quick:  # what it keeps for the next save is what a full build would have made
            site, _ = check(project, BuildState(PreparedCache(None), None))
            assert state.last.checked.site == site, what
            # every language's graph, the names in that language: a page drawn from a stale one shows an old name
            assert set(state.last.graphs) == set(site.content.config.languages), what
            for language, graph in state.last.graphs.items():
                assert graph == relation_graph(translated_view(site, language)), (what, language)
        clean = tmp_path / f"clean-{n}"
        made = build(project, clean, preview=True, state=BuildState(PreparedCache(None), None))
        assert tree(out) == tree(clean), f"after: {what}"
        assert counts(result) == counts(made), f"the counts printed after: {what}"
        if what == "narrative":  # its own page, nothing else
            assert result.rendered == 1
        if what == "nothing new":
            assert result.rendered == 0
    # A new preview afterwards finds the output as the last save and the work after it left it,
    # and recorded: it stops once it has read the inputs.
    restarted = Session.on_disk(project).build(project, out)
    assert [phase for phase, _ in restarted.phases] == ["read"] and restarted.rendered == restarted.written == 0


def test_the_quick_path_leaves_errors_to_the_full_build(project, tmp_path):
    out = tmp_path / "preview"
    state = started_preview(project, out)
    edit(project, ACME, "[@daily-2020-01-02]\n", "[@daily-2020-01-03]\n")
    assert apply_saves(project, out, state, {project.root / ACME}) is None
    with pytest.raises(ContentErrors, match="unknown source 'daily-2020-01-03'"):
        state.build(project, out)


def test_the_quick_path_leaves_a_changed_quotation_to_the_full_build(project, tmp_path):
    out = tmp_path / "preview"
    state = started_preview(project, out)
    edit(project, ACME, '"the backbone"', '"the spine"')
    assert apply_saves(project, out, state, {project.root / ACME}) is None
    with pytest.raises(ContentErrors, match='quotation "the spine" is not in the quotes: of daily-2020-01-02'):
        state.build(project, out)


def test_a_save_before_the_last_ones_search_index_is_made_does_not_wait_for_it(project, tmp_path):
    out = tmp_path / "preview"
    state = started_preview(project, out)
    edit(project, ACME, "The report calls Acme", "The report names Acme")
    first = apply_saves(project, out, state, {project.root / ACME})
    edit(project, ACME, "The report names Acme", "The report dubs Acme")
    second = apply_saves(project, out, state, {project.root / ACME})  # quick, with the first's work not done
    assert first is not None and second is not None
    index = (out / "assets/search-index.js").read_bytes()
    for work in first.pending:
        work()
    assert (out / "assets/search-index.js").read_bytes() == index  # superseded: writes nothing
    for work in second.pending:
        work()
    assert b"dub" in (out / "assets/search-index.js").read_bytes()
    clean = tmp_path / "clean"
    build(project, clean, preview=True, state=BuildState(PreparedCache(None), None))
    assert tree(out) == tree(clean)


def test_a_save_on_either_side_of_the_templates_overlay_builds_as_a_clean_build_would(tmp_path, monkeypatch):
    engine = tmp_path / "engine"  # the engine's templates/ and assets/, to edit: a copy
    for part in ("templates", "assets"):
        shutil.copytree(build_module.ENGINE_HOME / part, engine / part)
    monkeypatch.setattr(build_module, "ENGINE_HOME", engine)
    project = Project(tmp_path / "project")
    shutil.copytree(FIXTURES / "mini" / "content", project.root / "content")
    state = BuildState.on_disk(project)
    own = project.root / "templates/entity.html"

    def override(p: Project) -> None:
        own.parent.mkdir(exist_ok=True)
        own.write_text((engine / "templates/entity.html").read_text().replace("<h1>", "<h1>Own ", 1))

    def engine_edit(relative: str, old: str, new: str) -> Callable[[Project], None]:
        def change(p: Project) -> None:
            path = engine / relative
            path.write_text(path.read_text().replace(old, new, 1))
        return change

    steps = [
        ("first build", lambda p: None, None),
        ("own entity.html", override, "<h1>Own "),
        ("engine's base.html", engine_edit("templates/base.html", "<body>", "<body><!-- engine -->"), "<!-- engine -->"),
        ("engine's entity.html, overridden", engine_edit("templates/entity.html", "<h1>", "<h1>Engine "), "<h1>Own "),
        ("own entity.html deleted", lambda p: own.unlink(), "<h1>Engine "),
    ]
    for name, change, shown in steps:
        change(project)
        build(project, state=state)
        assert tree(project.site) == clean_build(project, tmp_path / f"clean-{len(name)}"), f"after: {name}"
        if shown:
            assert shown in (project.site / "companies/acme.html").read_text(), f"after: {name}"
    engine_edit("assets/style.css", "", "/* engine */\n")(project)
    build(project, state=state)
    assert (project.site / "assets/style.css").read_bytes() == (engine / "assets/style.css").read_bytes()


def test_a_late_output_deleted_by_hand_is_made_again_with_no_input_changed(project, tmp_path):
    """The search index and the sitemap are made after the pages and keyed by their own bytes: one
    deleted from the output, nothing else changed, is made and written again."""
    out = tmp_path / "site"
    build(project, out)
    for name in ("assets/search-index.js", "sitemap.xml"):
        made = (out / name).read_bytes()
        (out / name).unlink()
        build(project, out)
        assert (out / name).read_bytes() == made, name
    assert tree(out) == clean_build(project, tmp_path / "clean")


def test_what_no_page_reads_is_written_only_when_its_bytes_change(project, tmp_path):
    """A narrative edited twice: the sitemap and the downloads, which no narrative reaches, stay
    the files the first build wrote (kept, the same inode), on the command line and in the
    preview's work after the reload; the search index, which holds the words, is written anew."""
    kept, changed = ("sitemap.xml", "data/entities.csv"), "assets/search-index.js"
    out = tmp_path / "site"
    build(project, out)
    first = {name: (out / name).stat().st_ino for name in (*kept, changed)}
    for word in ("names", "calls"):
        edit(project, ACME, "The report calls Acme" if word == "names" else "The report names Acme", f"The report {word} Acme")
        build(project, out)
    assert {name: (out / name).stat().st_ino for name in kept} == {name: first[name] for name in kept}
    assert (out / changed).stat().st_ino != first[changed]

    preview = tmp_path / "preview"
    session = started_preview(project, preview)
    before = {name: (preview / name).stat() for name in kept}
    edit(project, ACME, "The report calls Acme", "The report depicts Acme")
    result, quick = preview_save(project, preview, session, ACME)
    assert quick
    assert {name: (preview / name).stat() for name in kept} == before


def test_a_preview_stopped_before_its_work_after_the_reload_is_built_whole_next_time(project, tmp_path):
    """A save shows its page at once and leaves the search index for after the reload: stopped
    in between, the next preview must not take the output for finished."""
    preview = tmp_path / "preview"
    session = started_preview(project, preview)
    edit(project, ACME, "The report calls Acme", "The report depicts Acme")
    result = apply_saves(project, preview, session, {project.root / ACME})
    assert result is not None and result.pending  # the quick path, its work after the reload not done
    assert b"[\"depict\"," not in (preview / "assets/search-index.js").read_bytes()  # as lunr stems it
    restarted = Session.on_disk(project).build(project, preview)  # the preview started again
    for work in restarted.pending:  # which shows its pages first too
        work()
    assert b"[\"depict\"," in (preview / "assets/search-index.js").read_bytes()


def test_a_new_preview_after_a_quick_save_only_reads(project, tmp_path):
    """The quick path records the saved file's new key among the inputs: a preview started again
    finds the site as the save left it and stops once it has read the inputs."""
    preview = tmp_path / "preview"
    session = started_preview(project, preview)
    edit(project, ACME, "The report calls Acme", "The report depicts Acme")
    _, quick = preview_save(project, preview, session, ACME)
    assert quick
    again = Session.on_disk(project).build(project, preview)
    assert [phase for phase, _ in again.phases] == ["read"]


def test_a_new_engine_renders_every_page_again(project, tmp_path, monkeypatch):
    """Any change to the engine's code may change any page: after an upgrade, nothing kept."""
    out = tmp_path / "site"
    first = build(project, out)
    old_engine, new_engine = cache.engine_digest, lambda: "another engine"
    for name, module in list(sys.modules.items()):
        if name.startswith("microsite.") and getattr(module, "engine_digest", None) is old_engine:
            monkeypatch.setattr(module, "engine_digest", new_engine)
    assert build(project, out).rendered == first.rendered > 0


def test_a_folder_the_preview_wrote_is_built_as_a_clean_build_would(project, tmp_path):
    """The preview's pages carry its reload script: a build into the same folder replaces them all."""
    out = tmp_path / "site"
    build(project, out, preview=True)
    build(project, out)
    assert tree(out) == clean_build(project, tmp_path / "clean")


def test_a_new_entry_in_the_change_log_reaches_every_page_that_shows_it(project, tmp_path):
    out = tmp_path / "site"
    build(project, out)
    log = project.root / "content/changes.yaml"
    log.write_text(log.read_text(encoding="utf-8") + "- date: 2020-05-01\n  text: Second edition.\n", encoding="utf-8")
    build(project, out)
    assert tree(out) == clean_build(project, tmp_path / "clean")


def test_a_photo_saved_again_without_its_tags_leaves_the_site_folder_alone(project):
    """What is published of a photo is its pixels: saved again without its camera's comment, it
    changes no output, the search index and sitemap included, so nothing is written and the
    folder is not replaced (a server started in it keeps serving it)."""
    image = Image.new("RGB", (400, 300), (200, 30, 30))

    def saved(**tags) -> bytes:
        out = io.BytesIO()
        image.save(out, "JPEG", quality=90, **tags)
        return out.getvalue()

    add_image(project, "photo.jpg", saved(comment=b"taken with a phone"))
    build(project)
    folder, before = os.stat(project.site).st_ino, tree(project.site)
    (project.root / "content/images/photo.jpg").write_bytes(saved())
    again = build(project)
    assert [phase for phase, _ in again.phases][-1] != "read"  # the build looked: its input changed
    assert again.rendered == again.written == 0
    assert os.stat(project.site).st_ino == folder and tree(project.site) == before


def test_each_output_folder_keeps_its_own_record_of_what_it_holds(project, tmp_path):
    """`make serve` between two `make site` leaves nothing to do for the second: the preview's
    folder has a record of its own."""
    site, preview = tmp_path / "site", tmp_path / "preview"
    build(project, site)
    build(project, preview, preview=True)
    again = build(project, site)
    assert again.rendered == again.written == 0


def test_a_save_after_the_cache_was_deleted_is_shown(project, tmp_path):
    """`.cache/` deleted while the preview runs (to free space, or by `make clean`): the next save's
    quick path finds no old entry to remove, and shows the save all the same."""
    preview = tmp_path / "preview"
    session = started_preview(project, preview)
    shutil.rmtree(project.cache / "prepared")
    edit(project, ACME, "The report calls Acme", "The report names Acme")
    _, quick = preview_save(project, preview, session, ACME)
    assert quick and "names Acme" in (preview / "companies/acme.html").read_text()


def test_the_preview_compiles_its_templates_once(project, tmp_path, monkeypatch):
    """Compiling the templates again was a third of a save's time: a save the quick path leaves
    to a full build uses the templates the preview compiled at its start."""
    from microsite import pipeline

    compiled = []
    monkeypatch.setattr(pipeline, "make_environment", lambda *a: compiled.append(a) or make_environment(*a))
    preview = tmp_path / "preview"
    session = started_preview(project, preview)
    edit(project, ACME, "name: Acme Corp", "name: Acme Holdings")
    _, quick = preview_save(project, preview, session, ACME)
    assert not quick and len(compiled) == 1


def test_a_preview_started_on_the_last_builds_cache_prepares_only_the_saved_file(project, tmp_path, monkeypatch):
    """What the preview's first build read from `.cache/` it keeps in memory: a save prepares the
    saved file alone, and reads no other file's entry from `.cache/` again."""
    monkeypatch.setattr(stamps, "SETTLED_NS", 0)
    build(project)
    preview = tmp_path / "preview"
    session = started_preview(project, preview)
    prepared: list[str] = []
    real_prepare = load.prepare
    monkeypatch.setattr(load, "prepare", lambda root, file, *rest: prepared.append(file.path.name) or real_prepare(root, file, *rest))
    entries_read: list[str] = []
    real_read = cached.read_entry
    monkeypatch.setattr(cached, "read_entry", lambda path: entries_read.append(path) or real_read(path))
    edit(project, ACME, "The report calls Acme", "The report names Acme")
    session.build(project, preview)
    assert prepared == ["acme.md"]
    assert len(entries_read) <= 1  # the saved file's new entry, not there yet
    assert "names Acme" in (preview / "companies/acme.html").read_text()


def test_a_translation_edit_reaches_a_language_whose_code_ends_in_x(project, tmp_path):
    """A regional code such as `es-MX` names its translations' input in full: trimmed of its last
    letter, the pages of that language would not read their translations' fingerprint, and an
    edited translation would not be shown."""
    edit(project, "content/site.yaml", "language: en", "languages: [en, es-MX]")
    write(project, "content/companies/acme.es-MX.md", translation_of_acme(project))
    build(project)
    edit(project, "content/companies/acme.es-MX.md", "vende", "ofrece")
    build(project)
    assert "ofrece" in (project.site / "es-MX/companies/acme.html").read_text(encoding="utf-8")
    assert tree(project.site) == clean_build(project, tmp_path / "clean")

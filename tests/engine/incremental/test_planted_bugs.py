"""Each test here stands for a mistake a change to the engine could make that no other test saw:
a stale page after an incremental build, a false "link to missing page", a site/ that is missing
while a build swaps it, a did-you-mean for an unrelated word, sources listed out of page order.
Each was planted in the engine and seen to fail this file (tests/README.md lists them)."""
from __future__ import annotations

import re
from pathlib import Path

from microsite.build import BuildState, Project, build
from microsite.content.cached import PreparedCache
from tests.conftest import run, write
from tests.engine.incremental.test_incremental import clean_build, edit, tree

ACME, LEDGER = "content/companies/acme.md", "content/systems/ledger.md"
MEMO = 'title: "A memo"\npublisher: An agency\ndate: 2021-05\nkind: report\nfacts: ["Acme holds 200 million records."]\n'


def _retitled_memo_reaches_every_page(project: Project, tmp_path: Path, page: str) -> None:
    """Build, retitle the memo, build again: the page shows the new title, as a clean build does."""
    build(project)
    assert "A memo" in (project.site / page).read_text()
    edit(project, "content/sources/memo.yaml", 'title: "A memo"', 'title: "The leaked memo"')
    build(project)
    assert "The leaked memo" in (project.site / page).read_text(), f"{page} kept the old title"
    assert tree(project.site) == clean_build(project, tmp_path / "clean")


def test_a_source_cited_only_by_a_figure_is_an_input_of_the_page(project, tmp_path):
    write(project, "content/sources/memo.yaml", MEMO)
    edit(project, ACME, "cite: daily-2020-01-02", "cite: memo")  # the figure, and nothing else, cites it
    _retitled_memo_reaches_every_page(project, tmp_path, "companies/acme.html")


def test_a_source_cited_only_by_an_inbound_relation_is_an_input_of_its_target(project, tmp_path):
    write(project, "content/sources/memo.yaml", MEMO)
    edit(project, LEDGER, "cite: daily-2020-01-02", "cite: memo")  # ledger -> acme: shown on acme's page
    _retitled_memo_reaches_every_page(project, tmp_path, "companies/acme.html")


def test_a_source_cited_only_by_the_summary_is_an_input_of_the_page(project, tmp_path):
    write(project, "content/sources/memo.yaml", MEMO)
    edit(project, "content/agencies/agency-one.md", "summary: A government agency. [@report-2020]", "summary: An agency. [@memo]")
    _retitled_memo_reaches_every_page(project, tmp_path, "agencies/agency-one.html")


def test_a_source_cited_only_by_the_narrative_is_an_input_of_the_page(project, tmp_path):
    write(project, "content/sources/memo.yaml", MEMO)
    edit(project, "content/agencies/agency-one.md", "Agency One runs Ledger. [@report-2020]", "Agency One runs Ledger. [@memo]")
    _retitled_memo_reaches_every_page(project, tmp_path, "agencies/agency-one.html")


def test_relative_html_links_in_markdown_resolve_from_the_page(project, capsys, tmp_path):
    edit(project, ACME, "Acme builds the [Ledger](../systems/ledger.md)", "Acme builds the [Ledger](../systems/ledger.html)")
    write(project, "content/systems/vault.md", (
        "---\nname: Vault\nsummary: Another system. [@report-2020]\n---\n"
        "Beside [Ledger](ledger.html) and [the sources](/sources.html#report-2020). [@report-2020]\n"
    ))
    status, _, err = run(project, "build", capsys=capsys)
    assert (status, err) == (0, ""), err
    acme = (project.site / "companies/acme.html").read_text()
    vault = (project.site / "systems/vault.html").read_text()
    assert 'href="../systems/ledger.html"' in acme
    assert 'href="ledger.html"' in vault and 'href="../sources.html#report-2020"' in vault


def test_a_citation_of_an_unrelated_word_gets_no_suggestion(project, capsys):
    edit(project, ACME, "[@daily-2020-01-02]\n", "[@zzqx]\n")
    status, _, err = run(project, "check", capsys=capsys)
    assert status == 1
    assert "unknown source 'zzqx'\n" in err, err  # nothing after the message: no did-you-mean


def test_the_source_list_follows_the_order_of_first_citation(project, tmp_path):
    # The report (r...) is cited before the daily (d...): sorted by id the list would start with it.
    write(project, "content/pages/order.md", (
        "---\ntitle: Order\nsummary: Two sources.\n---\n"
        "First the report [@report-2020], then the daily [@daily-2020-01-02], the report again [@report-2020].\n"
    ))
    build(project, state=BuildState(PreparedCache(None), None))
    html = (project.site / "order.html").read_text()
    listed = re.findall(r'<li id="source-(\d+)" value="\d+">.*?<cite class="source-title">(?:<a [^>]*>)?([^<]*)', html, re.S)
    assert listed == [("1", "The Report"), ("2", "Acme sells a database")], listed


def test_a_free_page_without_a_summary_builds(project):
    write(project, "content/pages/plain.md", "---\ntitle: Plain\n---\nNo summary here. [@report-2020]\n")
    build(project)
    assert "No summary here." in (project.site / "plain.html").read_text()

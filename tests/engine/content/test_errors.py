"""Each kind of bad input gives `path:line:col: message`, exits 1, and never a traceback."""
from __future__ import annotations

import pytest

from tests.conftest import run, write

ACME = "content/companies/acme.md"


def check(project, capsys) -> list[str]:
    status, _, err = run(project, "check", capsys=capsys)
    assert status == 1
    assert "Traceback" not in err
    lines = err.strip().splitlines()
    assert lines[-1].endswith("; nothing was written")
    return lines[:-1]


def test_unknown_source_names_place_and_suggests(project, capsys):
    write(project, ACME, "---\nname: Acme\nsummary: Sells. [@daily-2020-01-02]\n---\nA claim [@daily-2020-01-03].\n")
    assert check(project, capsys) == [
        f"{ACME}:5:10: unknown source 'daily-2020-01-03' — did you mean 'daily-2020-01-02'?"
    ]



def test_a_citation_in_a_project_with_no_source_yet_says_where_to_add_one(project, capsys):
    for source in (project.root / "content/sources").iterdir():
        source.unlink()
    found = check(project, capsys)
    assert f"{ACME}:14:56: unknown source 'daily-2020-01-02'; add it as a file in content/sources/" in found, found

def test_unknown_source_in_figure_cite(project, capsys):
    write(project, ACME, (
        "---\nname: Acme\nsummary: Sells. [@report-2020]\nfigures:\n"
        "  - label: Records\n    value: \"3\"\n    cite: \"reprot-2020, p. 2\"\n---\nBody [@daily-2020-01-02].\n"
    ))
    assert check(project, capsys) == [f"{ACME}:7:11: unknown source 'reprot-2020' — did you mean 'report-2020'?"]


def test_unknown_entity_reference(project, capsys):
    path = "content/systems/ledger.md"
    text = (project.root / path).read_text().replace("operators: [agency-one]", "operators: [agency-on]")
    write(project, path, text)
    assert check(project, capsys) == [f"{path}:8:13: unknown agency 'agency-on' in operators — did you mean 'agency-one'?"]


def test_every_unknown_entity_of_a_relation_is_reported_even_after_a_broken_one(project, capsys):
    path = "content/systems/ledger.md"
    text = (project.root / path).read_text()
    write(project, path, text.replace("operators: [agency-one]", "operators: [agency-on, agency-tw]"))
    assert check(project, capsys) == [
        f"{path}:8:13: unknown agency 'agency-on' in operators — did you mean 'agency-one'?",
        f"{path}:8:24: unknown agency 'agency-tw' in operators — did you mean 'agency-one'?",
    ]
    write(project, path, text.replace("operators: [agency-one]", "operators: [agency-one, agency-tw]"))
    write(project, "content/agencies/agency-one.md", "---\nname: [Agency\n---\nRuns.\n")
    found = check(project, capsys)
    assert found[0].startswith("content/agencies/agency-one.md:3:1: invalid YAML"), found
    assert found[1:] == [f"{path}:8:25: unknown agency 'agency-tw' in operators"]


def test_an_entity_related_to_itself_is_an_error_at_the_relation(project, capsys):
    config = (project.root / "content/site.yaml").read_text()
    feeds = '  feeds:\n    from: systems\n    to: systems\n    label: "Feeds"\n    inverse: "Fed by"\n    phrase: "feeds"\n    inverse_phrase: "fed by"\n'
    write(project, "content/site.yaml", config.replace("relations:\n", "relations:\n" + feeds, 1))
    path = "content/systems/ledger.md"
    write(project, path, (project.root / path).read_text().replace("operators: [agency-one]", "operators: [agency-one]\nfeeds: [ledger, ledgr]"))
    assert check(project, capsys) == [
        f"{path}:9:9: 'ledger' cannot be related to itself",
        f"{path}:9:17: unknown data system 'ledgr' in feeds — did you mean 'ledger'?",
    ]


def test_malformed_yaml(project, capsys):
    write(project, ACME, "---\nname: Acme\nsummary: Sells: things [@report-2020]\n---\nBody [@report-2020].\n")
    [line] = check(project, capsys)
    assert line.startswith(f"{ACME}:3:15: invalid YAML: mapping values are not allowed")
    assert line.endswith("(a value containing ': ' must be in quotes)")


def test_malformed_yaml_in_source_file(project, capsys):
    write(project, "content/sources/report-2020.yaml", 'title: "The Report\npublisher: X\nkind: report\n')
    [line] = check(project, capsys)
    assert line.startswith("content/sources/report-2020.yaml:4:1: invalid YAML:")


def test_duplicate_key(project, capsys):
    write(project, ACME, "---\nname: Acme\nsummary: Sells. [@report-2020]\nname: Acme Corp\n---\nBody [@daily-2020-01-02].\n")
    assert check(project, capsys) == [f"{ACME}:4:1: duplicate key 'name' (first given on line 2); keep only one"]


def test_missing_required_field(project, capsys):
    write(project, ACME, "---\nname: Acme\n---\nBody [@report-2020] [@daily-2020-01-02].\n")
    assert check(project, capsys) == [
        f"{ACME}:2:1: missing required field 'summary' (one sentence saying what it is, with a citation such as [@source-id])"
    ]


def test_unknown_field_suggests(project, capsys):
    write(project, ACME, "---\nname: Acme\nsummery: Sells. [@report-2020]\nsummary: S [@daily-2020-01-02]\n---\nBody.\n")
    assert check(project, capsys) == [f"{ACME}:3:1: unknown field 'summery' — did you mean 'summary'?"]


def test_bad_slug(project, capsys):
    source = project.root / ACME
    source.rename(project.root / "content/companies/Acme Corp.md")
    lines = check(project, capsys)
    assert lines[0] == "content/companies/Acme Corp.md:1:1: bad slug 'Acme Corp': file names use only a-z, 0-9 and '-'; rename it to 'acme-corp.md'"


@pytest.mark.parametrize("value, why", [
    ("23 October 2018", "write YYYY-MM-DD, YYYY-MM or YYYY (for example 2018-10-23)"),
    # Written right, but no such day: telling the writer how to write a date would mislead.
    ("2018-13-01", "there is no month 13; check the date in the source"),
    ("2018-02-30", "February 2018 has no day 30, only 28 days; check the date in the source"),
    ("2019-02-29", "February 2019 has no day 29, only 28 days; check the date in the source"),
])
def test_bad_date(project, capsys, value, why):
    write(project, "content/sources/report-2020.yaml", f'title: "The Report"\npublisher: X\nkind: report\ndate: "{value}"\n')
    assert check(project, capsys) == [f"content/sources/report-2020.yaml:4:7: bad date '{value}': {why}"]


def test_two_files_one_output(project, capsys):
    write(project, "content/companies/acme.markdown", "---\nname: Acme again\nsummary: S [@report-2020]\n---\nB [@report-2020]\n")
    assert check(project, capsys) == [
        "content/companies/acme.markdown:1:1: two files for one page: content/companies/acme.md and "
        "content/companies/acme.markdown; keep one of them, the .md one (links and translations name it)"
    ]


def test_page_named_like_a_generated_page(project, capsys):
    write(project, "content/pages/sources.md", "---\ntitle: Sources\n---\nB [@report-2020]\n")
    assert check(project, capsys) == [
        "content/pages/sources.md:1:1: two files write sources.html: this one and the site itself; rename one of them"
    ]


@pytest.mark.parametrize("href", ["javascript:alert(1)", "JAVASCRIPT:alert(1)", "data:text/html,<script>alert(1)</script>", "vbscript:x"])
def test_unsafe_link_in_markdown(project, capsys, href):
    write(project, ACME, f"---\nname: Acme\nsummary: Sells. [@report-2020]\n---\nSee [this]({href}) [@daily-2020-01-02].\n")
    [line] = check(project, capsys)
    assert line.startswith(f"{ACME}:5:12: unsafe link '")
    assert line.endswith("only https:, http:, mailto: and links to pages of this site are allowed")


def test_unsafe_source_url(project, capsys):
    write(project, "content/sources/report-2020.yaml", 'title: T\npublisher: X\nkind: report\nurl: "javascript:alert(1)"\n')
    assert check(project, capsys) == [
        "content/sources/report-2020.yaml:4:6: unsafe link 'javascript:alert(1)': a source address must start with https:// or http://"
    ]


def test_link_to_missing_page_suggests(project, capsys):
    write(project, ACME, "---\nname: Acme\nsummary: Sells. [@report-2020]\n---\nSee [L](../systems/ledgr.md) [@daily-2020-01-02].\n")
    assert check(project, capsys) == [
        f"{ACME}:5:9: link to missing page '../systems/ledgr.md' — did you mean '../systems/ledger.md'?"
    ]


def test_a_file_that_fails_to_load_is_reported_once_not_at_every_link_to_it(project, capsys):
    """A contributor who breaks one file's YAML sees that error, not one "missing page" per page
    linking to it: the relation, a Markdown link to its file and one to its page."""
    write(project, ACME, "---\nname: [Acme\nsummary: Sells. [@report-2020]\n---\nBody [@daily-2020-01-02].\n")
    ledger = "content/systems/ledger.md"
    text = (project.root / ledger).read_text().replace("[@report-2020", "[A](../companies/acme.md) [B](/about.html) [@report-2020", 1)
    write(project, ledger, text)
    write(project, "content/pages/about.md", "---\ntitle: [About\n---\nText.\n")
    lines = check(project, capsys)
    assert [line.split(": ", 1)[0] for line in lines] == [f"{ACME}:3:8", "content/pages/about.md:3:1"], lines
    assert all("invalid YAML" in line for line in lines)


def test_every_problem_in_one_run(project, capsys):
    write(project, ACME, "---\nname: Acme\nsummary: Sells. [@nope]\n---\nA [@nada] and [x](javascript:x).\n")
    write(project, "content/sources/report-2020.yaml", 'title: T\npublisher: X\nkind: report\ndate: "2020-99"\n')
    lines = check(project, capsys)
    assert [line.split(": ", 1)[0] for line in lines] == [
        f"{ACME}:3:18", f"{ACME}:5:4", f"{ACME}:5:19", "content/sources/report-2020.yaml:4:7",
    ]


def test_uncited_source_is_a_warning_not_an_error(project, capsys):
    write(project, "content/sources/spare.yaml", "title: Spare\npublisher: X\nkind: news\n")
    status, out, err = run(project, "check", capsys=capsys)
    assert status == 0
    assert "content/sources/spare.yaml:1:1: warning: source 'spare' is cited by nothing; cite it or delete the file" in err
    status, _, _ = run(project, "check", "--strict", capsys=capsys)
    assert status == 1

"""A contributor's mistakes that used to pass `check` (or were told wrongly): each is now found by
`check`, at its file, line and column, in words that say what to do."""
from __future__ import annotations

import re

import pytest

from tests.conftest import run, write

ACME = "content/companies/acme.md"
LEDGER = "content/systems/ledger.md"
FRONT = "---\nname: Acme\nsummary: Sells. [@report-2020]\n---\n"
CITE_FIX = "put its source after the claim, such as [@source-id] (every claim is cited)"
HTML_FIX = "is shown as text, not as HTML: write it in Markdown instead, or put it between backticks (`) to show it as code"


def errors(project, capsys) -> list[str]:
    status, _, err = run(project, "check", capsys=capsys)
    assert status == 1, err
    assert "Traceback" not in err
    lines = [line for line in err.strip().splitlines() if ": hint: " not in line]  # the require_citations hint: tests/engine/content/test_contributor_messages.py
    assert lines[-1].endswith("; nothing was written")
    return [line for line in lines[:-1] if ": warning: " not in line]


def warnings(project, capsys) -> list[str]:
    status, _, err = run(project, "check", capsys=capsys)
    assert status == 0, err
    return [line for line in err.strip().splitlines() if ": warning: " in line]


def edit(project, relative: str, old: str, new: str) -> None:
    path = project.root / relative
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new, 1))


def citations_required(project) -> None:
    """The fixture as a site that keeps the default (every claim cited), its one uncited claim cited."""
    edit(project, "content/site.yaml", "require_citations: off\n", "")
    edit(project, LEDGER, "operators: [agency-one]", "operators:\n  - id: agency-one\n    cite: report-2020")


# Citations -------------------------------------------------------------------------------------

def test_an_unclosed_citation_is_an_error_not_published_text(project, capsys):
    write(project, ACME, "---\nname: Acme\nsummary: Sells. [@report-2020\n---\nA claim [@daily-2020-01-02.\n")
    assert errors(project, capsys) == [
        f"{ACME}:3:17: citation '[@report-2020' is not closed: close it with ']', as in [@id]",
        f"{ACME}:5:9: citation '[@daily-2020-01-02.' is not closed: close it with ']', as in [@id]",
    ]
    assert not (project.root / "site").exists()


def test_an_unclosed_citation_is_the_one_error_of_its_paragraph(project, capsys):
    """The paragraph's citation, never closed, is not read: its paragraph seemed uncited and its
    quotation and number seemed to cite no source. The cause is told, not what follows from it."""
    citations_required(project)
    write(project, ACME, FRONT + (
        "Acme is cited here [@daily-2020-01-02].\n\n"
        "Acme holds 200 million records, which the newspaper calls, in its words, \"the backbone\"\n"
        "of the trade. [@daily-2020-01-02\n"
    ))
    found = errors(project, capsys)
    assert found[0] == f"{ACME}:8:15: citation '[@daily-2020-01-02' is not closed: close it with ']', as in [@id]"
    assert found == found[:1]


def test_a_summary_whose_citation_is_unclosed_is_not_also_uncited(project, capsys):
    citations_required(project)
    write(project, ACME, "---\nname: Acme\nsummary: Sells. [@report-2020\n---\nA claim [@daily-2020-01-02].\n")
    assert errors(project, capsys) == [
        f"{ACME}:3:17: citation '[@report-2020' is not closed: close it with ']', as in [@id]",
    ]


def test_a_citation_that_cannot_be_read_is_an_error(project, capsys):
    write(project, ACME, FRONT + "A claim [@report-2020; daily-2020-01-02].\n")
    assert errors(project, capsys) == [
        f"{ACME}:5:9: citation '[@report-2020; daily-2020-01-02]' cannot be read: write [@id], [@a; @b] or [@id, p. 4]"
    ]


def test_an_escaped_bracket_or_code_is_not_a_citation(project, capsys):
    write(project, ACME, FRONT + "Write \\[@id to cite, or `[@id` [@report-2020].\n")
    assert run(project, "check", capsys=capsys)[0] == 0


def test_every_claim_is_cited_by_default_each_located(project, capsys):
    citations_required(project)
    write(project, ACME, (
        "---\nname: Acme\nsummary: Sells a database.\n---\n"
        "Cited [@report-2020].\n\nNot cited.\n\n"  # line 7
        "- an item [@report-2020]\n- an item without one\n"  # line 10
        "- a list\n  - whose inner item is cited [@report-2020]\n\n"
        "> A quotation.\n\n"  # line 14
        "## A heading is not a claim\n\n"
        "| Who | What |\n|---|---|\n| Acme [@report-2020] | builds it |\n"  # its row: line 20
    ))
    assert errors(project, capsys) == [
        f"{ACME}:3:10: summary without a citation: {CITE_FIX}",
        f"{ACME}:7:1: paragraph without a citation: {CITE_FIX}",
        f"{ACME}:10:1: list item without a citation: {CITE_FIX}",
        f"{ACME}:14:1: paragraph without a citation: {CITE_FIX}",
        f"{ACME}:20:1: table cell without a citation: {CITE_FIX}",
    ]


def test_a_claim_is_what_has_words_of_its_own_code_included(project, capsys):
    citations_required(project)
    write(project, ACME, FRONT + (
        "&nbsp;\n\n"  # line 5: a spacer has no words
        "`ledger --all`\n\n"  # line 7: code is words
        "- Sells data [@report-2020].\n  ## A heading in the item\n\n"  # line 9: which keeps its citation
        "* Sells data.\n  #\n\n"  # line 12: an empty heading in the item keeps its words
        "+ Cited [@report-2020].\n  + not cited\n"  # line 16: shown at its own column
    ))
    assert errors(project, capsys) == [
        f"{ACME}:7:1: paragraph without a citation: {CITE_FIX}",
        f"{ACME}:12:1: list item without a citation: {CITE_FIX}",
        f"{ACME}:16:3: list item without a citation: {CITE_FIX}",
    ]


def test_a_relation_without_a_citation_is_an_uncited_claim(project, capsys):
    edit(project, "content/site.yaml", "require_citations: off\n", "")
    assert errors(project, capsys) == [
        f"{LEDGER}:8:13: relation to 'agency-one' without a citation: write it as '- id: agency-one' "
        "with 'cite: source-id' under it (every claim is cited)"
    ]


def test_site_yaml_can_turn_the_rule_off_and_a_free_page_can_leave_it(project, capsys):
    citations_required(project)
    write(project, "content/pages/about.md", "---\ntitle: About\nrequire_citations: off\n---\nWho we are.\n")
    write(project, "content/pages/team.md", "---\ntitle: Team\n---\nWho we are.\n")
    assert errors(project, capsys) == [f"content/pages/team.md:4:1: paragraph without a citation: {CITE_FIX}"]
    edit(project, "content/site.yaml", "title:", "require_citations: off\ntitle:")
    assert run(project, "check", capsys=capsys)[0] == 0


def test_a_bad_citation_rule_says_its_values(project, capsys):
    citations_required(project)
    edit(project, "content/site.yaml", "title:", "require_citations: always\ntitle:")
    assert errors(project, capsys) == [
        "content/site.yaml:1:20: 'require_citations' is 'paragraphs' (every paragraph, list item, quotation, "
        "table cell, summary and relation cites a source) or 'off' (nothing is required)"
    ]


# Files -----------------------------------------------------------------------------------------

def test_a_source_in_two_files_names_both(project, capsys):
    write(project, "content/sources/report-2020.yml", "title: Other\npublisher: X\nkind: report\n")
    assert errors(project, capsys) == [
        "content/sources/report-2020.yaml:1:1: two files for source 'report-2020': this one and "
        "content/sources/report-2020.yml; keep one of them",
        "content/sources/report-2020.yml:1:1: two files for source 'report-2020': this one and "
        "content/sources/report-2020.yaml; keep one of them",
    ]


def test_one_page_in_two_files_is_told_first_and_alone(project, capsys):
    """`acme.markdown` beside `acme.md`: the cause is told, not every link and relation it breaks;
    the .md one (the name links and translations give) is read meanwhile."""
    (project.root / "content/companies/acme.markdown").write_bytes((project.root / ACME).read_bytes())
    found = errors(project, capsys)
    assert found[0] == (
        "content/companies/acme.markdown:1:1: two files for one page: content/companies/acme.md and "
        "content/companies/acme.markdown; keep one of them, the .md one (links and translations name it)"
    )
    assert len(found) <= 2


@pytest.mark.parametrize("leftover", ["acme.md~", "#acme.md#", ".#acme.md", ".acme.md.swp", ".DS_Store"])
def test_editor_leftovers_are_ignored(project, capsys, leftover):
    for folder in ("companies", "sources", "pages"):
        (project.root / "content" / folder / leftover).write_text("half a save: [unclosed\n")
    status, out, err = run(project, "build", capsys=capsys)
    assert status == 0, err
    assert "unexpected file" not in err


@pytest.mark.parametrize("kind, name, output", [
    ("page", "Sources", "sources.html"), ("page", "Map", "map.html"),
    ("page", "data", "data.html"), ("company", "Index", "companies/index.html"),
])
def test_new_refuses_a_name_the_site_uses_itself(project, capsys, kind, name, output):
    before = sorted(p.name for p in (project.root / "content").rglob("*"))
    status, _, err = run(project, "new", kind, name, capsys=capsys)
    assert status == 2
    assert err == f"error: '{name}' would be the page {output}, which the site makes itself; choose another name\n"
    assert sorted(p.name for p in (project.root / "content").rglob("*")) == before


# Links and HTML --------------------------------------------------------------------------------

def test_a_link_to_a_missing_anchor_is_an_error(project, capsys):
    write(project, "content/pages/about.md", "---\ntitle: About\n---\n## How we work\n\nText.\n")
    write(project, ACME, FRONT + (
        "## Part one\n\n"
        "[a](#part-on) [b](../pages/about.md#how-we-wrk) [c](/about.html#nothing) [d](/sources.html#report-202)\n"
    ))
    assert errors(project, capsys) == [
        f"{ACME}:7:5: link to missing anchor '#part-on' on this page — did you mean 'part-one'?",
        f"{ACME}:7:19: link to missing anchor '#how-we-wrk' on '../pages/about.md' — did you mean 'how-we-work'?",
        f"{ACME}:7:53: link to missing anchor '#nothing' on '/about.html'; its anchors are: how-we-work, main",
        f"{ACME}:7:78: link to missing anchor '#report-202' on '/sources.html' — did you mean 'report-2020'?",
    ]


def test_anchors_of_headings_and_sources_lead_there(project, capsys):
    write(project, "content/pages/about.md", "---\ntitle: About\n---\n## How we work\n\nText.\n\n## How we work\n")
    write(project, ACME, FRONT + (
        "## Part one\n\n[a](#part-one) [b](../pages/about.md#how-we-work-1) [c](/sources.html#report-2020)\n"
    ))
    status, _, err = run(project, "build", capsys=capsys)
    assert status == 0, err
    acme = (project.root / "site/companies/acme.html").read_text()
    assert '<h2 id="part-one">Part one</h2>' in acme
    assert '<a href="#part-one">a</a>' in acme
    assert '<a href="../about.html#how-we-work-1">b</a>' in acme
    assert '<a href="../sources.html#report-2020">c</a>' in acme
    about = (project.root / "site/about.html").read_text()
    assert '<h2 id="how-we-work">' in about and '<h2 id="how-we-work-1">' in about


def test_a_missing_anchor_on_a_page_the_site_makes_is_an_error(project, capsys):
    write(project, ACME, FRONT + (
        "[m](../map.html#nope) [s](../sources.html#nope) [e](/explore.html#list-title) [k](index.html#x)\n"
    ))
    assert errors(project, capsys) == [
        f"{ACME}:5:5: link to missing anchor '#nope' on '../map.html'; its anchors are: list-title, main",
        f"{ACME}:5:27: link to missing anchor '#nope' on '../sources.html'; its anchors are: "
        "daily-2020-01-02, kind-news, kind-report, main, report-2020",
        f"{ACME}:5:53: link to missing anchor '#list-title' on '/explore.html'; its anchors are: "
        "explore-caption, filter-kind, filter-relation, filter-status, filter-text, main",
        f"{ACME}:5:83: link to missing anchor '#x' on 'index.html'; its anchors are: main",
    ]


# What rendering numbers (citation marks, the list of sources under a page), a paragraph's own anchor, the
# search box's parts and a map's title and description: not anchors a link is checked against.
NOT_LINKED = re.compile(r"^(cite-|source-\d|page-sources-title|p-[0-9a-f]+|search-)|-tip$|^(local-)?map-(title|desc)$")


def test_every_anchor_a_built_page_has_may_be_linked_to(project, capsys):
    """The anchors `check` accepts are the ids the pages are built with: each id of every page of
    the fixture, linked to from a page, passes `check` (and a site with events, so their ids too)."""
    write(project, "content/pages/about.md", (
        "---\ntitle: About\nshow_changes: true\nevents:\n  - date: 2019-05\n    text: The Ledger opened.\n"
        "    cite: report-2020\n---\n## How we work\n\nText. [@report-2020]\n"
    ))
    status, _, err = run(project, "build", capsys=capsys)
    assert status == 0, err
    links = []
    for page in sorted((project.root / "site").rglob("*.html")):
        output = page.relative_to(project.root / "site").as_posix()
        if output.split("/")[0] in ("es", "assets"):
            continue
        ids = set(re.findall(r' id="([^"]+)"', page.read_text())) - {""}
        links += [f"[{output} {i}](/{output}#{i})" for i in sorted(ids) if not NOT_LINKED.search(i)]
    assert any("year-2019" in link for link in links) and any("from-vendors-ledger" in link for link in links)
    write(project, "content/pages/links.md", "---\ntitle: Links\n---\n" + "\n".join(links) + "\n")
    status, _, err = run(project, "check", capsys=capsys)
    assert status == 0, err


def test_raw_html_is_a_warning_at_its_place(project, capsys):
    write(project, ACME, FRONT + "A <span class=x>claim</span> [@report-2020].\n\n<div>\nblock\n</div>\n\n`<code>` &lt;b&gt;\n")
    assert warnings(project, capsys) == [
        f"{ACME}:5:3: warning: HTML '<span class=x>' {HTML_FIX}",
        f"{ACME}:5:22: warning: HTML '</span>' {HTML_FIX}",
        f"{ACME}:7:1: warning: HTML '<div>' {HTML_FIX}",
        f"{ACME}:9:1: warning: HTML '</div>' {HTML_FIX}",
    ]


def test_a_tag_written_again_is_warned_at_its_own_place(project, capsys):
    write(project, ACME, FRONT + "A <b>one</b> and <b>two</b>,\n<b>three</b> [@report-2020].\n")
    places = [(5, 3, "<b>"), (5, 9, "</b>"), (5, 18, "<b>"), (5, 24, "</b>"), (6, 1, "<b>"), (6, 9, "</b>")]
    assert warnings(project, capsys) == [f"{ACME}:{line}:{col}: warning: HTML '{tag}' {HTML_FIX}" for line, col, tag in places]


def test_did_you_mean_offers_a_link_that_works(project, capsys):
    """A path relative to the writer's file, not '/other.md', which is itself refused."""
    write(project, "content/companies/other.md", FRONT.replace("Acme", "Other"))
    write(project, ACME, FRONT + "See [O](othr.md) [@report-2020].\n")
    assert errors(project, capsys) == [f"{ACME}:5:9: link to missing page 'othr.md' — did you mean 'other.md'?"]


def test_a_link_in_a_summary_is_checked_as_in_the_text(project, capsys):
    write(project, "content/companies/other.md", FRONT.replace("Acme", "Other"))
    write(project, ACME, "---\nname: Acme\nsummary: Sells to [O](othr.md). [@report-2020]\n---\nSells.\n")
    assert errors(project, capsys) == [f"{ACME}:3:23: link to missing page 'othr.md' — did you mean 'other.md'?"]


# Messages that used to mislead -----------------------------------------------------------------

def test_an_over_indented_field_is_told_about_its_indentation(project, capsys):
    write(project, ACME, "---\nname: Acme\n  summary: Sells. [@report-2020]\n---\n")
    [line] = errors(project, capsys)
    assert line.startswith(f"{ACME}:3:10: invalid YAML:")
    assert line.endswith(
        "(this line is indented more than the field above it: indent it as the other fields; "
        "only the fields of a group or the items of a list go further in)"
    )


def test_a_colon_in_a_value_is_still_told_to_quote_it(project, capsys):
    write(project, ACME, "---\nname: Acme\nsummary: Sells: things [@report-2020]\n---\n")
    [line] = errors(project, capsys)
    assert line.endswith("(a value containing ': ' must be in quotes)")


def test_an_empty_field_is_called_empty_at_its_own_line(project, capsys):
    write(project, ACME, "---\nname: Acme\nfigures: []\nsummary:\n---\n")
    assert errors(project, capsys) == [
        f"{ACME}:4:1: 'summary' is empty: write one sentence saying what it is, with a citation such as "
        "[@source-id] after the ':'"
    ]


@pytest.mark.parametrize("field", ["supplies", "vendors", "Supplies", "systems"])
def test_a_relation_written_on_the_wrong_side_says_where_it_belongs(project, capsys, field):
    write(project, ACME, FRONT.replace("[@report-2020]\n", f"[@report-2020]\n{field}: [ledger]\n"))
    assert errors(project, capsys) == [
        f"{ACME}:4:1: unknown field '{field}': the 'Supplies' list of this page is made from the 'vendors' "
        "field of data systems; add 'acme' to 'vendors' in the file of each data system instead"
    ]


def test_a_field_of_another_kind_names_that_kind(project, capsys):
    write(project, ACME, FRONT.replace("summary:", "operators: [agency-one]\nsummary:"))
    assert errors(project, capsys) == [
        f"{ACME}:3:1: unknown field 'operators': 'operators' is a field of data systems, listing agencies; "
        "write it in the file of a data system"
    ]


def test_a_bad_base_url_is_called_the_sites_address(project, capsys):
    edit(project, "content/site.yaml", 'base_url: "https://investigation.test/mini/"', "base_url: example.org/mini/")
    assert errors(project, capsys) == [
        "content/site.yaml:3:11: 'base_url' is not a web address: 'example.org/mini/'; write the address the "
        "site is published at, in full, such as https://your-org.github.io/repository/"
    ]


@pytest.mark.parametrize("text", ["", "\n", "# only a comment\n"])
def test_an_empty_source_file_says_it_is_empty(project, capsys, text):
    write(project, "content/sources/blank.yaml", text)
    assert errors(project, capsys) == [
        "content/sources/blank.yaml:1:1: the file is empty: a source has at least 'title', 'publisher' and "
        "'kind'; copy them from another file of content/sources/ and fill them in"
    ]


def test_empty_front_matter_says_it_is_empty(project, capsys):
    write(project, ACME, "---\n---\nText.\n")
    assert errors(project, capsys) == [
        f"{ACME}:2:1: the front matter is empty: write the fields between the two '---' lines"
    ]


def test_a_kind_named_like_a_language_is_told_at_site_yaml(project, capsys):
    """Kind 'es' in a site in English and Spanish: check passed and build crashed (StopIteration)."""
    edit(project, "content/site.yaml", "language: en", "languages: [en, es]")
    edit(project, "content/site.yaml", "  agencies:\n", "  es:\n")
    edit(project, "content/site.yaml", "to: agencies", "to: es")
    (project.root / "content/agencies").rename(project.root / "content/es")
    edit(project, LEDGER, "../agencies/", "../es/")
    message = "content/site.yaml:13:3: kind 'es' is named like the language 'es', whose pages are under es/; choose another name"
    assert errors(project, capsys) == [message]
    status, _, err = run(project, "build", capsys=capsys)
    assert status == 1 and message in err and "Traceback" not in err


@pytest.mark.parametrize("length", [241, 252])
def test_a_slug_too_long_for_a_file_name_is_told_by_check(project, capsys, length):
    """A 252-character slug passed check, then its page (slug + .html) could not be written."""
    slug = "a" * length
    write(project, f"content/companies/{slug}.md", FRONT)
    assert errors(project, capsys) == [
        f"content/companies/{slug}.md:1:1: file name too long: its slug has {length} characters, and a page's "
        "file name can hold 240; rename it to a shorter slug"
    ]


def test_the_longest_slug_builds(project, capsys):
    slug = "a" * 240
    write(project, f"content/companies/{slug}.md", FRONT)
    status, _, err = run(project, "build", capsys=capsys)
    assert status == 0, err
    assert (project.root / f"site/companies/{slug}.html").is_file()
    assert (project.root / f"site/cards/companies/{slug}.png").is_file()


def test_a_language_listed_twice_in_other_case_is_told(project, capsys):
    """pt-BR and pt-br are two languages to Python and one folder (pt-br/) on macOS."""
    edit(project, "content/site.yaml", "language: en", "languages: [en, pt-BR, pt-br]")
    assert "content/site.yaml:4:12: a language is listed twice in 'languages'" in errors(project, capsys)


def test_new_shortens_a_name_too_long_for_a_file_name(project, capsys):
    """A 300-letter name made a file name the disk refused, with a traceback."""
    status, out, err = run(project, "new", "company", "Acme " * 60, capsys=capsys)
    assert status == 0, err
    [written] = [p for p in (project.root / "content/companies").glob("acme-acme*.md")]
    assert len(written.stem) <= 240 and not written.stem.endswith("-")
    assert out.startswith(f"wrote content/companies/{written.name}")

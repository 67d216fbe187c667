"""The pure helpers whose mistakes publish wrong pages, tested on their own rather than only through
a whole build or the golden files: relative addresses, link resolution, did-you-mean, citation
numbering, and the swap of a new site/ into place."""
from __future__ import annotations

import os
import posixpath
import re
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from microsite import write
from microsite.errors import ContentErrors, Location, Problems, did_you_mean
from microsite.content.markdown import LinkRef, make_markdown, prepare_block, prepare_inline
from microsite.resolve.links import LinkContext, resolve_link
from microsite.render.slots import fill
from microsite.addresses import relative_url, split_language
from tests.conftest import REPO, ended_pid


# relative_url ----------------------------------------------------------------------------------

@pytest.mark.parametrize("from_output, to_output, expected", [
    ("a/b/c/page.html", "sources.html", "../../../sources.html"),
    ("a/b/c/page.html", "sources.html#report-2020", "../../../sources.html#report-2020"),
    ("a/b/c/page.html", "a/b/x/other.html#s-2", "../x/other.html#s-2"),
    ("a/b/c/page.html", "a/b/c/page.html#source-1", "page.html#source-1"),
    ("a/b/c/page.html", "a/b/c/d/deeper.html", "d/deeper.html"),
    ("a/b/c/page.html", "#top", "#top"),
    ("index.html", "a/b/c/page.html#f", "a/b/c/page.html#f"),
    ("companies/acme.html", "assets/style.css", "../assets/style.css"),
    ("a/b/c/page.html", "ab/b/c/x.html", "../../../ab/b/c/x.html"),  # a shared prefix is not a shared folder
])
def test_relative_url(from_output, to_output, expected):
    assert relative_url(from_output, to_output) == expected


segment = st.sampled_from(["a", "b", "ab", "c"])
output_name = st.lists(segment, max_size=3).map(lambda folders: "/".join([*folders, "page.html"]))


@settings(max_examples=300, deadline=None)
@given(output_name, output_name, st.sampled_from(["", "#s-1"]))
def test_relative_url_is_relpath_without_the_file_system(from_output, to_output, fragment):
    start = posixpath.dirname(from_output) or "."
    assert relative_url(from_output, to_output + fragment) == posixpath.relpath(to_output, start) + fragment


# resolve_link ----------------------------------------------------------------------------------

PAGES_BY_FILE = {
    "content/companies/acme.md": "companies/acme.html",
    "content/companies/other.md": "companies/other.html",
    "content/systems/ledger.md": "systems/ledger.html",
    "content/pages/about.md": "about.html",
}
OUTPUTS = frozenset([*PAGES_BY_FILE.values(), "sources.html", "index.html", "companies/index.html"])


def resolved(
    href: str, content_path: str = "content/companies/acme.md", pages_by_file: dict[str, str] = PAGES_BY_FILE,
    unreadable: frozenset[str] = frozenset(), anchors: dict[str, frozenset[str]] | None = None,
) -> tuple[str | None, list[str]]:
    problems = Problems()
    output = pages_by_file.get(content_path, "index.html")
    ctx = LinkContext(content_path, output, pages_by_file, OUTPUTS, unreadable, anchors)
    target = resolve_link(LinkRef(href, Location(content_path, 9, 3)), ctx, problems)
    return target, [p.message for p in problems.items]


@pytest.mark.parametrize("href, expected", [
    ("other.html", "companies/other.html"),  # beside the page
    ("../systems/ledger.html", "systems/ledger.html"),
    ("../systems/ledger.html#vendors", "systems/ledger.html#vendors"),
    ("/sources.html", "sources.html"),  # from the site's root
    ("/systems/ledger.html#x", "systems/ledger.html#x"),
    ("index.html", "companies/index.html"),
    ("../about.html", "about.html"),
    ("../systems/ledger.md", "systems/ledger.html"),  # a content file, relative to this one
    ("other.md#y", "companies/other.html#y"),
    ("../pages/about.md", "about.html"),
    ("#here", "companies/acme.html#here"),
])
def test_resolve_link_finds_the_page(href, expected):
    assert resolved(href) == (expected, [])


def test_resolve_link_from_a_free_page_at_the_root():
    assert resolved("companies/acme.html", "content/pages/about.md") == ("companies/acme.html", [])
    assert resolved("../companies/acme.md", "content/pages/about.md") == ("companies/acme.html", [])


@pytest.mark.parametrize("href", ["ledger.html", "/ledger.html", "../systems/ledgr.html", "systems/ledger.html", "ledger.md"])
def test_resolve_link_reports_a_missing_page(href):
    target, messages = resolved(href)
    assert target is None
    assert len(messages) == 1 and messages[0].startswith(f"link to missing page '{href}'"), messages


def test_a_missing_link_suggests_a_near_sibling_only_when_very_close():
    assert resolved("../systems/ledgr.md")[1] == ["link to missing page '../systems/ledgr.md' — did you mean '../systems/ledger.md'?"]
    # 'content/systems/zzzzzz.md' is 0.76 alike 'content/systems/ledger.md': close enough for a
    # field name's did-you-mean (0.6), not for a link's (0.8).
    assert resolved("../systems/zzzzzz.md")[1] == [
        "link to missing page '../systems/zzzzzz.md'; link to a content file, relative to this one, such as ../pages/about.md"
    ]


def test_a_link_to_a_markdown_file_of_either_extension_finds_its_page():
    files = {"content/pages/about.md": "about.html", "content/pages/notes.markdown": "notes.html"}
    assert resolved("notes.markdown#later", "content/pages/about.md", files) == ("notes.html#later", [])


@pytest.mark.parametrize("href", ["broken.html", "/companies/broken.html", "broken.md"])
def test_a_link_to_a_file_that_failed_to_load_is_not_a_second_error(href):
    """The file's own error says what is wrong; its links are not each reported missing too."""
    files = {"content/companies/acme.md": "companies/acme.html"}
    assert resolved(href, "content/companies/acme.md", files, frozenset({"companies/broken"})) == (None, [])
    assert resolved("gone.html", "content/pages/about.md", {}, frozenset({"pages/gone"})) == (None, [])


def test_a_long_missing_link_is_quoted_to_its_80th_character():
    """An address pasted whole (a search result's, hundreds of characters) keeps the error one line."""
    href = "x" * 79 + "yz" + "/more" * 40
    assert resolved(href)[1][0].startswith(f"link to missing page '{'x' * 79}y';")


def test_a_missing_anchor_lists_twelve_of_the_pages_anchors_at_most():
    anchors = {"companies/other.html": frozenset(f"part-{n:02}" for n in range(20))}
    listed = ", ".join(f"part-{n:02}" for n in range(12))
    assert resolved("other.html#zzzzzz", anchors=anchors) == (None, [f"link to missing anchor '#zzzzzz' on 'other.html'; its anchors are: {listed}"])


def test_a_long_missing_anchor_is_quoted_to_its_60th_character():
    anchors = {"companies/other.html": frozenset({"main"})}
    message = resolved("other.html#" + "a" * 59 + "bc" * 50, anchors=anchors)[1][0]
    assert message.startswith(f"link to missing anchor '#{'a' * 59}b' on 'other.html'")


def test_a_missing_link_is_shown_an_example_from_the_sites_own_files():
    """From another folder where there is one, else from its own, else a made-up one."""
    same_folder = {"content/companies/acme.md": "companies/acme.html", "content/companies/other.md": "companies/other.html"}
    assert resolved("zzzzzz.md", "content/companies/other.md", same_folder)[1] == [
        "link to missing page 'zzzzzz.md'; link to a content file, relative to this one, such as acme.md"
    ]
    assert resolved("zzzzzz.md", "content/index.md", {})[1] == [
        "link to missing page 'zzzzzz.md'; link to a content file, relative to this one, such as ../folder/page.md"
    ]


# did_you_mean ----------------------------------------------------------------------------------

SOURCE_IDS = ["report-2020", "daily-2020-01-02", "quartz-2018-10-23"]


@pytest.mark.parametrize("word", ["zzqx", "x", "amazon", "2020", "report-of-the-committee-on-things"])
def test_did_you_mean_stays_silent_for_unrelated_words(word):
    assert did_you_mean(word, SOURCE_IDS) == ""


@pytest.mark.parametrize("word, suggestion", [
    ("report-2021", "report-2020"), ("daily-2020", "daily-2020-01-02"), ("quartz-2018-10-32", "quartz-2018-10-23"),
])
def test_did_you_mean_suggests_the_closest(word, suggestion):
    assert did_you_mean(word, SOURCE_IDS) == f" — did you mean '{suggestion}'?"


def test_did_you_mean_with_nothing_to_choose_from():
    assert did_you_mean("report-2020", []) == ""


def test_did_you_mean_honours_a_stricter_cutoff():
    # 'ledger' and 'ledgxy' are 2/3 alike: close enough by default, not for a link's 0.8.
    assert did_you_mean("ledger", ["ledgxy"]) == " — did you mean 'ledgxy'?"
    assert did_you_mean("ledger", ["ledgxy"], cutoff=0.8) == ""


# located problems ------------------------------------------------------------------------------

def test_a_location_reads_file_line_column_and_column_one_when_unknown():
    assert [str(Location("a.md", 3, 7)), str(Location("a.md", 3)), str(Location("a.md"))] == ["a.md:3:7", "a.md:3:1", "a.md"]


def test_content_errors_list_every_problem_one_a_line_in_order():
    problems = Problems()
    problems.error(Location("b.md", 2, 1), "second")
    problems.warning(Location("a.md", 9, 1), "a warning")
    problems.error(Location("a.md", 1, 4), "first")
    assert [p.severity for p in problems.items] == ["error", "warning", "error"]
    with pytest.raises(ContentErrors) as raised:
        problems.raise_if_errors()
    assert str(raised.value) == "a.md:1:4: first\nb.md:2:1: second"


# the swap --------------------------------------------------------------------------------------

OLD = {"index.html": b"old", "companies/acme.html": b"old acme"}
NEW = {"index.html": b"new", "companies/acme.html": b"new acme", "systems/ledger.html": b"new ledger"}


def files(root: Path) -> dict[str, bytes] | None:
    if not root.is_dir():
        return None
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and p.name != write.STAMP  # the mark of a tree the tool made, not an output
    }


class Watch:
    """Records what `target` holds before and after every call that moves or removes a folder."""

    def __init__(self, target: Path):
        self.target, self.seen = target, []

    def wrap(self, name: str, call):
        def watched(*args, **kwargs):
            self.seen.append((f"before {name}", files(self.target)))
            result = call(*args, **kwargs)
            self.seen.append((f"after {name}", files(self.target)))
            return result
        return watched


def watch_swap(monkeypatch, tmp_path: Path, renameat2: bool) -> Watch:
    target = tmp_path / "site"
    write.write_site(OLD, target)
    watch = Watch(target)
    real_function = write.function
    if renameat2:
        assert real_function("renameat2") is not None, "this C library has no renameat2"
        monkeypatch.setattr(write, "function", lambda name: watch.wrap(name, real_function(name)))
    else:
        monkeypatch.setattr(write, "function", lambda name: None)
    monkeypatch.setattr(write.os, "rename", watch.wrap("rename", write.os.rename))
    monkeypatch.setattr(write.os, "replace", watch.wrap("replace", write.os.replace))
    monkeypatch.setattr(write.shutil, "rmtree", watch.wrap("rmtree", write.shutil.rmtree))
    write.write_site(NEW, target)
    monkeypatch.undo()
    assert files(target) == NEW
    assert [p.name for p in tmp_path.iterdir()] == ["site"]  # nothing left beside it
    return watch


def test_updating_in_place_writes_keeps_and_prunes(tmp_path):
    target = tmp_path / "not" / "yet" / "preview"  # its parents are made too
    write.update_in_place(OLD.items(), (), target)
    assert files(target) == OLD
    stats = write.update_in_place([("index.html", None), ("systems/ledger.html", b"new ledger")], ["companies/acme.html"], target)
    assert files(target) == {**OLD, "systems/ledger.html": b"new ledger"}
    assert sorted(stats) == sorted(files(target))
    write.update_in_place([("index.html", b"new")], (), target)  # what is neither written nor kept goes
    assert files(target) == {"index.html": b"new"}
    write.update_in_place([("about.html", b"about")], (), target, prune=False, present=write.tree_stats(target))
    assert files(target) == {"index.html": b"new", "about.html": b"about"}
    present = write.tree_stats(target)  # as the caller just listed it
    stats = write.update_in_place([("index.html", None)], (), target, present=present)
    assert files(target) == {"index.html": b"new"} and stats == {"index.html": present["index.html"]}


def test_the_swap_never_leaves_the_site_missing_or_mixed(monkeypatch, tmp_path):
    watch = watch_swap(monkeypatch, tmp_path, renameat2=True)
    for step, held in watch.seen:
        assert held in (OLD, NEW), f"{step}: site/ holds {held}"
    assert any(step == "before renameat2" for step, _ in watch.seen)


def test_the_swap_without_renameat2_keeps_the_old_tree_whole_at_every_step(monkeypatch, tmp_path):
    """Without renameat2 two renames cannot be one step: between them site/ is absent for an
    instant, while the old tree, whole, sits beside it. Never is site/ partly old, partly new."""
    watch = watch_swap(monkeypatch, tmp_path, renameat2=False)
    missing = [step for step, held in watch.seen if held is None]
    assert missing == ["after rename", "before rename"], watch.seen  # the one instant between the two
    for step, held in watch.seen:
        assert held in (OLD, NEW, None), f"{step}: site/ holds {held}"


# A build without renameat2, killed as soon as its swap has moved site/ aside.
KILLED_BETWEEN_THE_RENAMES = """
import os, sys
from pathlib import Path
from microsite import write

write.function = lambda name: None
rename = os.rename
os.rename = lambda a, b: (rename(a, b), os._exit(9))
write.write_site({"index.html": b"new"}, Path(sys.argv[1]))
"""


def test_a_build_killed_between_the_two_renames_loses_no_site(tmp_path):
    """Killed after `site/` was moved aside and before the new tree took its place: the next build
    finds the previous site where the swap put it, and puts it back whole instead of clearing it away."""
    target = tmp_path / "site"
    write.write_site(OLD, target)
    killed = subprocess.run([sys.executable, "-c", KILLED_BETWEEN_THE_RENAMES, str(target)], cwd=REPO)
    assert killed.returncode == 9 and not target.exists()
    write.remove_leftovers(target)
    assert files(target) == OLD
    assert [p.name for p in tmp_path.iterdir()] == ["site"]


# Markdown: located citations and links, words and plain text -------------------------------------

def block(text: str, first_line: int = 5) -> tuple[object, list[str]]:
    problems = Problems()
    fragment = prepare_block(make_markdown(), text, first_line, "content/companies/acme.md", problems)
    return fragment, [str(p) for p in problems.items]


def test_citations_are_located_at_their_own_line_and_column_across_paragraphs():
    fragment, _ = block("One [@a] and [@a, p. 2].\n\nTwo [@b].\n\n- three [@a]\n")
    assert [(c.source, c.locator, c.location.line, c.location.col) for c in fragment.cites] == [
        ("a", "", 5, 6), ("a", "p. 2", 5, 15), ("b", "", 7, 6), ("a", "", 9, 10),
    ]


def test_a_link_problem_is_located_at_the_link_in_its_own_paragraph():
    _, problems = block("First [x](javascript:alert(1)).\n\nThen [y](javascript:alert(1)).\n")
    assert [p.split(": unsafe")[0] for p in problems] == ["content/companies/acme.md:5:11", "content/companies/acme.md:7:10"]


def test_an_unsafe_link_is_quoted_to_its_60th_character():
    href = "javascript:alert(1)//" + "x" * 80
    _, problems = block(f"See [it]({href}).\n")
    assert [p.split(": ", 1)[1] for p in problems] == [
        f"unsafe link '{href[:60]}': only https:, http:, mailto: and links to pages of this site are allowed"
    ]


def test_the_sources_of_unclosed_citations_are_kept_from_every_paragraph():
    fragment, problems = block("One [@a\n\nTwo [@b\n")
    assert fragment.unread == ("a", "b") and len(problems) == 2
    fragment, problems = block("One [@a *and* two [@b\n")  # two texts of one paragraph, apart
    assert fragment.unread == ("a", "b") and len(problems) == 2


@pytest.mark.parametrize("text, found", [
    ("A <b>bold</b> claim [@a b].\n", ["5:3: warning: HTML '<b>'", "5:10: warning: HTML '</b>'", "5:21: citation '[@a b]' cannot"]),
    ("&#91;@a b] and [@c d].\n", ["5:16: citation '[@c d]' cannot"]),  # an entity is text by choice
    ("Write \\[@a] then [@b c].\n", ["5:18: citation '[@b c]' cannot"]),  # so is a backslash
    ("Write \\<b> then <i>x</i>.\n", ["5:17: warning: HTML '<i>'", "5:21: warning: HTML '</i>'"]),
    ("A <b" + " c" * 50 + "> tag.\n", ["5:3: warning: HTML '<b" + " c" * 29 + "' is shown"]),  # quoted to 60 characters
    ("One [@a&amp;b\n", ["5:5: citation '[@a&b' is not closed"]),
])
def test_every_unread_citation_and_tag_of_a_text_is_found_in_its_order(text, found):
    _, problems = block(text)
    shown = [p.removeprefix("content/companies/acme.md:") for p in problems]
    assert len(shown) == len(found) and all(s.startswith(f) for s, f in zip(shown, found)), shown


def test_an_unread_citation_names_each_source_it_meant_without_its_trailing_mark():
    fragment, problems = block("See [@a: b], [@c. d] and [@BOX: e\n")
    assert fragment.unread == ("a", "c", "BOX") and len(problems) == 3


@pytest.mark.parametrize("end, fault", [(" b]", "cannot be read"), ("", "is not closed")])
def test_an_unread_citation_is_quoted_to_its_80th_character(end, fault):
    written = "[@" + "a" * 100 + end
    _, problems = block(f"See {written}\n")
    assert len(problems) == 1 and problems[0].startswith(f"content/companies/acme.md:5:5: citation '{written[:80]}' {fault}")


def test_a_headings_id_is_its_words_with_code_and_without_punctuation_as_github_makes_it():
    fragment, _ = block("## Uses `grep`, daily?\n\n## Uses `grep`, daily?\n\n## Uses `grep`, daily?\n\n## ¿?\n")
    assert fragment.anchors == ("uses-grep-daily", "uses-grep-daily-1", "uses-grep-daily-2", "section")


def test_a_paragraphs_anchor_is_made_from_what_it_cites_or_else_its_first_six_words():
    """The addresses readers have shared: the same for the same basis, whatever the engine's
    version (a change here breaks every shared link to a paragraph)."""
    def anchor(text: str) -> str:
        return re.search(r'<p id="([^"]+)"', block(text)[0].html).group(1)

    assert anchor("Acme sells data to the agency, says the report.\n") == "p-d3726f"
    assert anchor("ACME sells  data to the agency, wrote the paper.\n") == "p-d3726f"  # case, spacing, the 7th word on
    assert anchor("Acme sells [@a, p. 4] data [@b].\n") == "p-b40968"
    assert anchor("Acme buys [@a, p. 4] nothing [@b].\n") == "p-b40968"
    same = block("Acme [@a, p. 4] [@b].\n\nIt buys [@a, p. 4] [@b].\n\nAnd sells [@a, p. 4] [@b].\n")[0].html
    assert re.findall(r'<p id="([^"]+)"', same) == ["p-b40968", "p-b40968-2", "p-b40968-3"]  # told apart by their order


def test_a_tables_column_alignment_is_a_class_not_a_style():
    """The pages' CSP (style-src 'self') blocks a style attribute: the stylesheet aligns by class."""
    html = block("| a | b | c | d |\n|:--|:-:|--:|---|\n| 1 | 2 | 3 | 4 |\n")[0].html
    assert "style=" not in html
    for cell in ("th", "td"):
        assert re.findall(f'<{cell}( class="[^"]*")?>', html) == [' class="align-left"', ' class="align-center"', ' class="align-right"', ""]


def test_a_paragraph_and_a_list_item_get_a_link_to_share_them_and_a_heading_or_table_cell_none():
    """A tight list item's words, its second paragraph included, share the item's one link."""
    fragment, _ = block(
        "## Heading\n\nA paragraph.\n\n- an item\n  ```\n  code\n  ```\n  its second paragraph\n\nThe last one.\n\n"
        "| a | b |\n|---|---|\n| c | d |\n"
    )
    assert [tag for tag, _ in re.findall(r'<(\w+) id="(p-[0-9a-f]+)">', fragment.html)] == ["p", "li", "p"]
    assert fragment.html.count('class="claim-link"') == 3


def test_internal_links_are_collected_with_their_place():
    fragment, problems = block("See [it](../systems/ledger.md) and [that](%2E%2E/about.md#x), [none]().\n")
    assert problems == []
    assert [(link.href, str(link.location)) for link in fragment.links] == [
        ("../systems/ledger.md", "content/companies/acme.md:5:10"), ("../about.md#x", "content/companies/acme.md:5:43"),
        ("", "content/companies/acme.md:5:68"),  # no address: shown where it would be written
    ]


def test_the_words_of_a_text_for_search_keep_code_and_line_breaks_and_part_paragraphs():
    fragment, _ = block("Use `grep` here,  \nthen *rest*.\n\nNext paragraph.\n")
    assert fragment.words == "Use grep here, then rest. Next paragraph."


def marked(text: str, languages: tuple[str, ...]) -> str:
    """The text's HTML on a page with its quotations marked as in `languages`, one each, and each
    citation mark shown as [n]."""
    return fill(block(text)[0], (), "companies/acme.html", lambda *cite: "[n]", "", languages)


def test_each_quotation_is_marked_in_its_language_exactly_wherever_it_stands():
    """Its words and marks, no more: at the paragraph's start, after a line break, right after a
    link, inside an emphasis, around one it crosses, after code, after a hard break, right before a
    citation, at the paragraph's end; one crossing out of an emphasis is not marked (a tag cannot
    cross)."""
    html = marked(
        '"Opening words" here [@a],\nthen "after a break" [@a], [a link](https://e.org)"after it" and *"inside"*, '
        '*"partly* inside" and "half *in" it* and `code` "after code"  \n"after a hard break" and "before a mark"[@a]\n\n'
        'Then "the last words"\n', ("en",) * 9 + ("fr",),
    )
    en = '<span lang="en">'
    assert [p.split(">", 1)[1].split(" <a class")[0] for p in html.split("</p>")[:2]] == [
        f"{en}&quot;Opening words&quot;</span> here [n],\nthen {en}&quot;after a break&quot;</span> [n], "
        f'<a href="https://e.org" rel="noopener noreferrer">a link</a>{en}&quot;after it&quot;</span> and '
        f"<em>{en}&quot;inside&quot;</span></em>, {en}<em>&quot;partly</em> inside&quot;</span> and "
        f"&quot;half <em>in&quot; it</em> and <code>code</code> {en}&quot;after code&quot;</span><br />\n"
        f"{en}&quot;after a hard break&quot;</span> and {en}&quot;before a mark&quot;</span>[n]",
        'Then <span lang="fr">&quot;the last words&quot;</span>',  # the text's tenth quotation, not its second paragraph's first
    ]


def test_a_quotation_crossing_into_an_emphasis_leaves_the_next_one_marked():
    html = marked('A "*first""second"* b.\n', ("en", "fr"))
    assert 'A &quot;<em>first&quot;<span lang="fr">&quot;second&quot;</span></em> b.' in html


def test_a_summary_is_rendered_inline_with_its_plain_text():
    problems = Problems()
    line = "summary: A *big* `db` firm. [@a]"
    fragment = prepare_inline(make_markdown(), line[9:], Location("content/companies/acme.md", 3, 10), line, problems)
    assert problems.items == []
    assert fragment.plain == "A big db firm."
    assert "<em>big</em>" in fragment.html and "<code>db</code>" in fragment.html
    assert [(c.source, str(c.location)) for c in fragment.cites] == [("a", "content/companies/acme.md:3:30")]


def test_each_quotation_of_a_summary_is_marked_in_its_own_language():
    line = 'summary: Called "the spine" [@a] and "the hub". [@b]'
    fragment = prepare_inline(make_markdown(), line[9:], Location("content/companies/acme.md", 3, 10), line, Problems())
    html = fill(fragment, (), "companies/acme.html", lambda *cite: "[n]", "", ("en", "fr"))
    assert html == 'Called <span lang="en">&quot;the spine&quot;</span> [n] and <span lang="fr">&quot;the hub&quot;</span>. [n]'


def test_a_problem_in_a_summary_is_located_in_its_line():
    problems = Problems()
    line = "summary: Bad [x](javascript:x)."
    prepare_inline(make_markdown(), line[9:], Location("content/companies/acme.md", 3, 10), line, problems)
    assert [str(p).split(": unsafe")[0] for p in problems.items] == ["content/companies/acme.md:3:18"]


def test_an_image_in_markdown_is_a_located_error_and_is_never_loaded():
    fragment, problems = block("A logo: ![Acme](https://cdn.example.org/acme.png) here.\n\n![B](b%20c.png)\n")
    assert problems == [
        "content/companies/acme.md:5:17: image 'https://cdn.example.org/acme.png': images are not yet supported "
        "in Markdown; a picture loaded from another site would reveal readers to it",
        "content/companies/acme.md:7:4: image 'b c.png': images are not yet supported "  # at its '](' if not found as written
        "in Markdown; a picture loaded from another site would reveal readers to it",
    ]
    assert "cdn.example.org" not in fragment.html and "b%20c" not in fragment.html and fragment.html.count('src=""') == 2
    _, problems = block("No address: ![A]().\n")
    assert [p.split(": images are")[0] for p in problems] == ["content/companies/acme.md:5:16: image ''"]  # at its ']('


def test_a_same_page_anchor_is_kept_to_be_checked():
    """`#x` names a heading of the page itself: kept as a link whose anchor resolve checks."""
    fragment, problems = block("See [this](#figures).\n")
    assert problems == [] and [link.href for link in fragment.links] == ["#figures"]


@pytest.mark.parametrize("href, rendered", [
    ("https://example.org/a", '<a href="https://example.org/a" rel="noopener noreferrer">'),
    ("mailto:desk@example.org", '<a href="mailto:desk@example.org" rel="noopener noreferrer">'),
])
def test_anchors_and_safe_external_links_are_kept(href, rendered):
    fragment, problems = block(f"See [this]({href}).\n")
    assert problems == [] and fragment.links == ()
    assert rendered in fragment.html


@pytest.mark.parametrize("href", ["//evil.example.org/x", "javascript:alert(1)", "ftp://example.org/f"])
def test_other_links_with_a_scheme_or_a_host_are_refused(href):
    fragment, problems = block(f"See [this]({href}).\n")
    assert problems == [f"content/companies/acme.md:5:12: unsafe link '{href}': only https:, http:, mailto: and links to pages of this site are allowed"]
    assert '<a href="#">' in fragment.html


def test_raw_html_in_markdown_is_shown_as_text():
    fragment, _ = block("A <b>bold</b> claim <script>x()</script>.\n\n<div>block</div>\n")
    assert "<b>" not in fragment.html and "<script>" not in fragment.html and "<div>" not in fragment.html
    assert "&lt;b&gt;bold&lt;/b&gt;" in fragment.html


def test_a_link_is_located_where_it_is_written_even_when_its_address_is_not():
    _, problems = block(
        "x [@b]\n[@a] y [@b] and [p](java&#115;cript:p)\n[q\n](java&#115;cript:q) and [r][ref]\n\n[ref]: javascript:r\n"
    )
    assert [p.split(": unsafe")[0].removeprefix("content/companies/acme.md:") for p in problems] == [
        "6:19",  # the address decoded is not in the line: at its '](' instead
        "8:1",  # a '](' that starts a line
        "8:1",  # a reference defined elsewhere: at the start of the line reached
    ]


def test_citations_on_later_lines_are_never_located_on_earlier_ones():
    fragment, _ = block("x [@b]\n[@a] y [@b]\n")
    assert [(c.source, c.location.line, c.location.col) for c in fragment.cites] == [("b", 5, 4), ("a", 6, 2), ("b", 6, 9)]


def test_a_long_image_address_is_cut_in_the_message():
    src = "https://example.org/" + "x" * 80 + ".png"
    _, problems = block(f"![a]({src})\n")
    assert f"image '{src[:60]}':" in problems[0]


def test_a_summary_may_run_over_lines():
    problems = Problems()
    fragment = prepare_inline(make_markdown(), "one\ntwo", Location("content/pages/x.md", 3, 10), "summary: one", problems)
    assert fragment.html == "one\ntwo"


def test_the_trees_of_killed_builds_are_removed_and_those_of_running_ones_kept(tmp_path):
    dead = ended_pid()
    # Hangups as a terminal's process takes them, even where the tests run under nohup.
    running = subprocess.Popen([sys.executable, "-c", "import signal, time; signal.signal(signal.SIGHUP, signal.SIG_DFL); "
                                "print('ready', flush=True); time.sleep(60)"], stdout=subprocess.PIPE)
    running.stdout.readline()
    try:
        target = tmp_path / "site"
        names = [f".site.new-{dead}-a", f".site.old-{dead}-b", f".site.new-{running.pid}-c",
                 f".site.new-{os.getpid()}-d", ".site.new-x-e", ".other.new-1-f"]
        for name in names:
            (tmp_path / name / "sub").mkdir(parents=True)
        write.remove_leftovers(target)
        assert sorted(p.name for p in tmp_path.iterdir()) == sorted(names[2:])
        with pytest.raises(subprocess.TimeoutExpired):  # asked whether it runs, not sent a signal
            running.wait(timeout=0.5)
    finally:
        running.kill()
        running.wait()


def test_a_build_makes_its_tree_beside_the_site_under_a_name_the_next_build_knows(tmp_path):
    """Made elsewhere, the tree could not be renamed into place across disks; named otherwise, a
    killed build's would never be removed."""

    target = tmp_path / "site"
    beside: list[str] = []

    def outputs():
        beside.extend(p.name for p in tmp_path.iterdir() if p.name.startswith(f".site.new-{os.getpid()}-"))
        yield "index.html", b"<p>x</p>"

    write.update_site(outputs(), (), target)
    assert len(beside) == 1 and (target / "index.html").read_bytes() == b"<p>x</p>"


def test_the_tree_of_another_users_build_is_kept(tmp_path, monkeypatch):
    """The system will not say whether another user's process runs (EPERM): it may, so its tree stays."""

    def not_yours(pid, signal):
        raise PermissionError(1, "Operation not permitted")

    (tmp_path / ".site.new-4242-a").mkdir()
    monkeypatch.setattr(os, "kill", not_yours)
    write.remove_leftovers(tmp_path / "site")
    assert (tmp_path / ".site.new-4242-a").is_dir()


def test_a_link_in_place_of_a_site_left_aside_is_not_put_back(tmp_path):
    """Put back, it would make `site/` a link out of the project, for the next build to write through."""
    outside = tmp_path / "outside"
    outside.mkdir()
    aside = tmp_path / f".site.old-{ended_pid()}-a"
    aside.mkdir()
    (aside / "site").symlink_to(outside)
    write.remove_leftovers(tmp_path / "site")
    assert not os.path.lexists(tmp_path / "site") and outside.is_dir()


def test_a_leftover_that_cannot_be_removed_does_not_stop_the_build(tmp_path, monkeypatch):
    """Removing a killed build's tree is tidying up: a disk that refuses it fails no build."""
    stuck = tmp_path / f".site.new-{ended_pid()}-a"
    stuck.mkdir()
    rmdir = os.rmdir

    def refused(path, *args, **kwargs):
        if Path(path) == stuck:
            raise PermissionError(13, "Permission denied", str(path))
        return rmdir(path, *args, **kwargs)

    monkeypatch.setattr(os, "rmdir", refused)
    write.write_site(NEW, tmp_path / "site")
    assert files(tmp_path / "site") == NEW


def test_a_link_in_the_preview_folder_is_removed_not_followed(tmp_path):
    """The preview removes what it did not write; a link there (not the build's: someone made it)
    goes, and what it leads to stays."""
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "keep.html").write_bytes(b"someone's")
    target = tmp_path / "preview"
    write.update_in_place(OLD.items(), (), target)
    (target / "companies" / "linked").symlink_to(outside)
    (target / "dangling").symlink_to(tmp_path / "nowhere")
    write.update_in_place(OLD.items(), (), target)
    assert files(target) == OLD and not os.path.lexists(target / "companies" / "linked")
    assert not os.path.lexists(target / "dangling")
    assert (outside / "keep.html").read_bytes() == b"someone's"


def test_a_folder_that_cannot_be_listed_hides_only_its_own_files(tmp_path, monkeypatch):
    """Gone as it is listed, or closed to us: the files of the other folders are still found."""
    for name in ("a/1.html", "b/2.html", "c/3.html"):
        (tmp_path / name).parent.mkdir()
        (tmp_path / name).write_bytes(b"x")
    scandir, refused = os.scandir, []

    def the_first_subfolder_refused(path):
        if Path(path) != tmp_path and not refused:
            refused.append(Path(path).name)
            raise PermissionError(13, "Permission denied", str(path))
        return scandir(path)

    monkeypatch.setattr(os, "scandir", the_first_subfolder_refused)
    found = write.tree_stats(tmp_path)
    assert sorted(found) == sorted(f"{n}/{i}.html" for i, n in enumerate("abc", 1) if n not in refused)
    assert len(found) == 2


def test_only_the_other_languages_codes_are_read_as_a_pages_language():
    """The first language's pages are at the root: a folder that happens to bear its code is a
    folder of that language, not a second copy of it."""
    languages = ("en", "es")
    assert split_language("es/companies/acme.html", languages) == ("es/", "companies/acme.html")
    assert split_language("en/notes.html", languages) == ("", "en/notes.html")
    assert split_language("es.html", languages) == ("", "es.html")

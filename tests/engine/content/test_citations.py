"""The citation plugin: Pandoc's syntax parsed by an inline rule, rendered by the page."""
from __future__ import annotations

import pytest
from markdown_it import MarkdownIt
from markdown_it.rules_inline import StateInline

from microsite.errors import Problems
from microsite.content.citations import citation_rule, citations_plugin, parse_group
from microsite.content.markdown import make_markdown, prepare_block
from tests.conftest import least_cpu_seconds

md = MarkdownIt("commonmark", {"html": False}).use(citations_plugin)


def cites(text: str) -> list[tuple[str, str]]:
    return [
        (t.meta["source"], t.meta["locator"])
        for block in md.parse(text)
        for t in (block.children or [])
        if t.type == "citation"
    ]


@pytest.mark.parametrize(
    "text, expected",
    [
        ("A claim [@quartz-2018-10-23].", [("quartz-2018-10-23", "")]),
        ("Two [@a; @b].", [("a", ""), ("b", "")]),
        ("Paged [@report-2018, p. 12].", [("report-2018", "p. 12")]),
        ("Mixed [@a, ch. 2; @b, pp. 3-4].", [("a", "ch. 2"), ("b", "pp. 3-4")]),
        ("Spaces [ @a ;  @b ]", [("a", ""), ("b", "")]),
        ("Ends a sentence [@report-2018.]", [("report-2018", "")]),
        ("In a list:\n\n- item [@x]\n", [("x", "")]),
    ],
)
def test_citations_are_parsed(text, expected):
    assert cites(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "[not a citation]",
        "an email a@b.org",
        "[@bad id with spaces]",
        "`[@in-code]`",
        "[@]",
        "[@a; not-a-cite]",
    ],
)
def test_non_citations_are_left_alone(text):
    assert cites(text) == []


def test_a_link_is_still_a_link():
    html = md.render("[text](https://example.org) and [@a]", {"cite": lambda s, l: f"<{s}>"})
    assert '<a href="https://example.org">text</a>' in html
    assert "<a>" in html


def test_rendering_is_delegated_to_the_page():
    seen = []
    html = md.render("X [@a, p. 2; @b].", {"cite": lambda s, l: seen.append((s, l)) or f"[{len(seen)}]"})
    assert seen == [("a", "p. 2"), ("b", "")]
    assert html == "<p>X [1][2].</p>\n"


def test_without_a_renderer_the_text_is_shown_escaped():
    assert md.render("[@a<b>]") == "<p>[@a&lt;b&gt;]</p>\n"


def test_parse_group_rejects_trailing_text():
    assert parse_group("@a, p. 3; @b") == [("a", "p. 3"), ("b", "")]
    assert parse_group("see @a") is None


@pytest.mark.parametrize("piece, end", [("[@a ", ""), ("&#91;@a ", ""), ("[@a ", "]")])  # typed; from an entity; closed at the end
def test_many_unclosed_citations_take_time_in_proportion_to_the_text(piece, end):
    """20,000 unclosed `[@a ` took four times as long as 10,000: the rule and the check each
    looked for a `]` through the rest of the text after every one."""
    md = make_markdown()

    def took(n: int) -> float:
        return least_cpu_seconds(lambda _: prepare_block(md, piece * n + end, 1, "x.md", Problems()))

    small, large = took(4000), took(16000)
    assert large < 7 * small + 0.1, (small, large)  # four times the text; sixteen times the time before


def test_an_unclosed_citation_is_still_reported_where_it_is():
    problems = Problems()
    prepare_block(make_markdown(), "Text [@a and\nmore [@b, p. 4; c] end.", 3, "x.md", problems)
    assert [str(p) for p in problems.errors] == [
        "x.md:3:6: citation '[@a' is not closed: close it with ']', as in [@id]",
        "x.md:4:6: citation '[@b, p. 4; c]' cannot be read: write [@id], [@a; @b] or [@id, p. 4]",
    ]


@pytest.mark.parametrize("end", ["", "]"])
def test_the_citation_rule_reads_a_text_of_many_brackets_once(end):
    """At each `[` the rule looked for its `]` through the rest of the text (and copied what lay
    between): fast in C, but 2,000,000 `[@a ` in a file of 8 MB would take hours."""
    def took(n: int) -> float:
        src = "[@a " * n + end
        state = StateInline(src, MarkdownIt(), {}, [])

        def read_every_bracket(_):
            for pos in range(0, len(src) - len(end), 4):
                state.pos = pos
                citation_rule(state, True)
        return least_cpu_seconds(read_every_bracket)

    small, large = took(25_000), took(100_000)
    assert large < 7 * small + 0.05, (small, large)  # four times the text; sixteen times the time before

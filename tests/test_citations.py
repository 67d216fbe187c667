"""The citation plugin: Pandoc's syntax parsed by an inline rule, rendered by the page."""
from __future__ import annotations

import pytest
from markdown_it import MarkdownIt

from microsite.render.citations import citations_plugin, parse_group

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

"""A citation's mark and the preview it shows: the source's own words keep the language they are
written in, whatever the page's."""
from __future__ import annotations

from dataclasses import replace

from microsite.errors import Location
from microsite.messages import Messages, engine_table
from microsite.render.citemarks import PageCitations
from tests.engine.test_helpers import source

QUOTED_AT = Location("content/companies/x.md", 3, 5)


def marked(page_language: str, original: str, **fields) -> str:
    citations = PageCitations(
        {"a": replace(source("a"), **fields)}, excerpts={QUOTED_AT: "the passage"},
        messages=Messages(page_language, engine_table(page_language)), original=original,
    )
    return citations.mark("a", "", QUOTED_AT)


def test_a_source_in_the_sites_first_language_keeps_it_on_a_page_in_another():
    tip = marked("es", original="en")
    assert '<strong lang="en">Title of a</strong>' in tip
    assert '<q class="excerpt" lang="en">the passage</q>' in tip


def test_a_source_naming_its_own_language_keeps_that_one():
    tip = marked("es", original="en", language="de")
    assert '<strong lang="de">Title of a</strong>' in tip and 'lang="en"' not in tip


def test_on_a_page_in_the_sources_language_nothing_is_marked():
    tip = marked("en", original="en")
    assert "<strong>Title of a</strong>" in tip and "lang=" not in tip


def test_a_citation_quoting_nothing_shows_no_passage():
    citations = PageCitations({"a": source("a")}, excerpts={QUOTED_AT: "the passage"})
    assert "excerpt" not in citations.mark("a", "", Location("content/companies/x.md", 9, 1))
    assert citations.entries()[0].excerpts == ()

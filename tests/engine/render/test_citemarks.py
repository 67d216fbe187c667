"""A page's citations: sources numbered in order of first use, and the preview each mark shows,
in which the source's own words keep the language they are written in, whatever the page's."""
from __future__ import annotations

from microsite.errors import Location
from microsite.messages import Messages, engine_table
from microsite.model import Source
from microsite.render.citemarks import PageCitations

QUOTED_AT = Location("content/companies/x.md", 3, 5)


def source(id: str, **fields) -> Source:
    return Source(
        id=id, title=f"Title of {id}", publisher=("P",), kind="report", date=None, author=None, url=None,
        archive_url=None, accessed=None, quotes=(), note=None, location=Location(f"content/sources/{id}.yaml"),
        **fields,
    )


def page_citations(sources: dict[str, Source], page_language: str = "en", original: str = "en", **more) -> PageCitations:
    return PageCitations(sources, Messages(page_language, engine_table(page_language)), original, **more)


def test_sources_are_numbered_and_listed_in_order_of_first_citation():
    citations = page_citations({s: source(s) for s in ("a", "m", "z")})
    marks = [citations.mark("z"), citations.mark("a", "p. 4"), citations.mark("z", "ch. 2"), citations.mark("m"), citations.mark("a", "p. 4")]
    assert ['href="#source-1"' in marks[0], 'href="#source-2"' in marks[1], 'href="#source-1"' in marks[2]] == [True] * 3
    assert ">[2, p. 4]<" in marks[1] and ">[1, ch. 2]<" in marks[2] and ">[3]<" in marks[3]
    entries = citations.entries()
    assert [(e.number, e.source.id) for e in entries] == [(1, "z"), (2, "a"), (3, "m")]
    assert [e.anchors for e in entries] == [("cite-1-1", "cite-1-2"), ("cite-2-1", "cite-2-2"), ("cite-3-1",)]
    assert [e.locators for e in entries] == [("ch. 2",), ("p. 4",), ()]
    assert [e.anchor for e in entries] == ["source-1", "source-2", "source-3"]


def test_an_unknown_source_is_shown_as_written_and_not_numbered():
    citations = page_citations({"a": source("a")})
    assert citations.mark("nope") == "[@nope]"
    assert citations.mark("a").count('href="#source-1"') == 1
    assert [e.source.id for e in citations.entries()] == ["a"]


def marked(page_language: str, original: str, **fields) -> str:
    citations = page_citations({"a": source("a", **fields)}, page_language, original, excerpts={QUOTED_AT: "the passage"})
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
    citations = page_citations({"a": source("a")}, excerpts={QUOTED_AT: "the passage"})
    assert "excerpt" not in citations.mark("a", "", Location("content/companies/x.md", 9, 1))
    assert citations.entries()[0].excerpts == ()


def test_a_title_that_is_the_sites_own_description_is_shown_in_the_pages_language():
    described = {"title_is_description": True, "translated_titles": (("es", "Descripción de a"),)}
    tip = marked("es", original="en", **described)
    assert "<strong>Descripción de a</strong>" in tip and "Title of a" not in tip


def test_a_published_title_is_shown_as_published_whatever_its_translation():
    tip = marked("es", original="en", translated_titles=(("es", "Título de a"),))
    assert '<strong lang="en">Title of a</strong>' in tip and "Título" not in tip

"""The real investigation: every claim on an entity page is cited, every source is used."""
from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from markupsafe import escape

from microsite.addresses import GENERATED, kind_index
from microsite.build import Project, check
from tests import real_content
from tests.conftest import REPO, make_project, run

ENTITY_PAGES = real_content.entity_pages_listed()  # not `check`ed here: a content error fails one test, not collection


class Claims(HTMLParser):
    """Splits an entity page into the units a reader reads as claims: the summary, each narrative
    paragraph or list item, each figure value, each relation line; notes whether each has a mark."""

    UNITS = {"p", "li", "dd", "blockquote", "td"}

    def __init__(self):
        super().__init__()
        self.in_article = False
        self.stack: list[list] = []  # [tag, text, cited]
        self.claims: list[tuple[str, bool]] = []
        self.skip = 0

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "article":
            self.in_article = True
        if not self.in_article:
            return
        if tag == "span" and attrs.get("class") == "tip":
            self.skip += 1
        if "cite" == attrs.get("class", "") and tag == "a" and self.stack:
            self.stack[-1][2] = True
        # Not claims: the kind above the name, and the link on to the whole timeline below a page's dates.
        if tag in self.UNITS and not (tag == "p" and attrs.get("class") in ("kicker", "more")):
            self.stack.append([tag, "", False])
        elif tag == "span" and self.skip:
            pass

    def handle_endtag(self, tag):
        if tag == "article":
            self.in_article = False
        if tag == "span" and self.skip:
            self.skip -= 1
        if self.stack and self.stack[-1][0] == tag:
            unit_tag, text, cited = self.stack.pop()
            if text.strip():
                self.claims.append((" ".join(text.split()), cited))
            if self.stack and cited:
                self.stack[-1][2] = True

    def handle_data(self, data):
        if self.stack and not self.skip:
            self.stack[-1][1] += data


def test_the_investigation_has_no_warnings():
    # Checked as publish.yml builds it, with the address GitHub Pages gives: site.yaml's base_url
    # may be a placeholder, which `check` rightly warns about (tests/site/test_base_url.py).
    _, warnings = check(Project(REPO, base_url="https://pages.test/investigation/"))  # here, not at import
    assert [str(w) for w in warnings] == []


def test_every_content_file_and_kind_has_its_page(real_site: Path):
    content = real_content.site().content
    assert ENTITY_PAGES, "content/ declares no entity"
    pages = [d.output for d in content.pages.values()] + [kind_index(k.id) for k in content.config.kinds]
    for page in (*ENTITY_PAGES, *pages, *GENERATED, ".nojekyll"):
        assert (real_site / page).is_file(), page


@pytest.mark.parametrize("output", ENTITY_PAGES)
def test_every_claim_on_an_entity_page_is_cited(real_site: Path, output: str):
    parser = Claims()
    parser.feed((real_site / output).read_text())
    uncited = [text for text, cited in parser.claims if not cited]
    assert parser.claims, f"{output}: no claims found"
    if real_content.site().content.config.require_citations == "off":
        return  # the content asks for no citation on every claim (site.yaml)
    assert uncited == [], f"{output}: uncited, yet `make check` passed"


def test_every_source_is_cited_somewhere(real_site: Path):
    sources = sorted(real_content.site().content.sources)
    html = (real_site / "sources.html").read_text()
    for source in sources:
        (cited_on,) = re.findall(rf'<li id="{re.escape(source)}">.*?<span class="cited-by">(.*?)</span>', html, re.S)
        assert "no page yet" not in cited_on and "<a href=" in cited_on, source


def test_disagreeing_sources_are_shown_side_by_side(real_site: Path, tmp_path: Path):
    """In the real site, whatever figures its sources give differently, and always in the fixture,
    whose sources disagree on one: each value is shown with its own citation."""
    fixture = make_project(tmp_path / "fixture")
    assert run(fixture, "build")[0] == 0
    fixture_site, _ = check(fixture)
    shown_in = [(real_site, real_content.site(), real_content.disputed()),
                (fixture.site, fixture_site, real_content.disputed(fixture_site))]
    assert shown_in[1][2], "the fixture's sources disagree on a figure"
    for folder, site, found in shown_in:
        differ = str(site.content.config.messages("sources_differ"))
        for entity, label, values in found:
            html = (folder / entity.output).read_text()
            groups = html.split('<div class="figure disputed">')[1:]
            [shown] = [g.split("</div>")[0] for g in groups if escape(label) in g.split("</dt>")[0]]
            assert escape(differ) in shown, entity.output
            assert all(escape(value) in shown for value in values), entity.output
            assert shown.count('class="cite"') >= len(values), entity.output


def test_the_claim_finder_catches_an_uncited_paragraph():
    parser = Claims()
    parser.feed(
        '<article><p class="kicker">K</p><p>Cited <span class="citation"><a class="cite">[1]</a>'
        '<span class="tip">tip</span></span></p><p>Not cited.</p><dl><dd>"3"</dd></dl></article>'
    )
    assert parser.claims == [("Cited [1]", True), ("Not cited.", False), ('"3"', False)]

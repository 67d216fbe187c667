"""The real investigation: every claim on an entity page is cited, every source is used."""
from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from microsite.build import Project, check
from tests.conftest import REPO

ENTITY_PAGES = sorted(
    p.relative_to(REPO / "content").with_suffix(".html").as_posix()
    for kind in ("companies", "systems", "agencies")
    for p in (REPO / "content" / kind).glob("*.md")
)


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
        if tag in self.UNITS and not (tag == "p" and attrs.get("class") == "kicker"):
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
    _, warnings = check(Project(REPO))  # here, not at import: a content error fails this test alone
    assert [str(w) for w in warnings] == []


def test_every_kind_and_the_named_pages_exist(real_site: Path):
    for page in (
        "companies/amazon.html", "companies/palantir.html", "companies/microsoft.html", "companies/salesforce.html",
        "systems/falcon-search-and-analysis.html", "systems/investigative-case-management.html",
        "systems/ident.html", "systems/hart.html", "agencies/ice.html", "agencies/dhs.html", "agencies/cbp.html",
        "report.html", "about.html", "methodology.html", "sources.html", "index.html", "404.html", ".nojekyll",
    ):
        assert (real_site / page).is_file(), page


@pytest.mark.parametrize("output", ENTITY_PAGES)
def test_every_claim_on_an_entity_page_is_cited(real_site: Path, output: str):
    parser = Claims()
    parser.feed((real_site / output).read_text())
    uncited = [text for text, cited in parser.claims if not cited]
    assert parser.claims, "no claims found"
    assert uncited == []


def test_every_source_is_cited_somewhere(real_site: Path):
    sources = sorted(p.stem for p in (REPO / "content/sources").glob("*.yaml"))
    html = (real_site / "sources.html").read_text()
    for source in sources:
        (cited_on,) = re.findall(rf'<li id="{re.escape(source)}">.*?<span class="cited-by">(.*?)</span>', html, re.S)
        assert "no page yet" not in cited_on and "<a href=" in cited_on, source


def test_disagreeing_sources_are_shown_side_by_side(real_site: Path):
    html = (real_site / "companies/amazon.html").read_text()
    disputed = html.split('<div class="figure disputed">')[1].split("</div>")[0]
    assert "Sources differ" in disputed
    assert "200 million" in disputed and "230 million" in disputed
    assert disputed.count('class="cite"') >= 2


def test_the_claim_finder_catches_an_uncited_paragraph():
    parser = Claims()
    parser.feed(
        '<article><p class="kicker">K</p><p>Cited <span class="citation"><a class="cite">[1]</a>'
        '<span class="tip">tip</span></span></p><p>Not cited.</p><dl><dd>"3"</dd></dl></article>'
    )
    assert parser.claims == [("Cited [1]", True), ("Not cited.", False), ('"3"', False)]

"""Links to a single claim: every paragraph, figure and relation line of a page has an anchor that
unrelated edits leave where it was, so an address shared last month still leads to its sentence."""
from __future__ import annotations

import re

from microsite.addresses import event_anchors, figure_anchor
from microsite.errors import Location
from microsite.model import Event
from microsite.build import build
from tests.conftest import write

ACME = "content/companies/acme.md"
PARAGRAPHS = """---
name: Acme Corp
summary: A company that sells a database. [@daily-2020-01-02]
---
Acme builds the Ledger system. [@report-2020, p. 7]

The report calls Acme the backbone. [@daily-2020-01-02]
"""


def anchors(html: str) -> dict[str, str]:
    """Each paragraph's anchor -> its words (up to its first citation)."""
    found = {}
    for anchor, text in re.findall(r'<p id="([^"]+)">(.*?)</p>', html, re.S):
        found[anchor] = text.split("<span")[0].strip()
        assert f'<a class="claim-link" href="#{anchor}">' in text  # its "link to this", in the paragraph
    return found


def paragraph_anchors(project) -> dict[str, str]:
    build(project)
    return anchors((project.site / "companies/acme.html").read_text())


def anchor_of(found: dict[str, str], words: str) -> str:
    return next(a for a, t in found.items() if t.startswith(words))


def test_a_paragraph_keeps_its_anchor_when_its_words_change_or_one_is_added_above(project):
    write(project, ACME, PARAGRAPHS)
    before = paragraph_anchors(project)
    backbone = anchor_of(before, "The report calls Acme")
    ledger = anchor_of(before, "Acme builds")
    assert len(set(before)) == 2

    write(project, ACME, PARAGRAPHS.replace("calls Acme the backbone", "names Acme as the backbone of it all"))
    assert anchor_of(paragraph_anchors(project), "The report names Acme") == backbone

    added = PARAGRAPHS.replace("---\nAcme builds", "---\nA new first paragraph. [@report-2020, p. 1]\n\nAcme builds")
    write(project, ACME, added)
    after = paragraph_anchors(project)
    assert len(after) == 3
    assert anchor_of(after, "The report calls Acme") == backbone
    assert anchor_of(after, "Acme builds") == ledger


def test_paragraphs_citing_the_same_sources_get_anchors_of_their_own(project):
    write(project, ACME, PARAGRAPHS.replace("[@report-2020, p. 7]", "[@daily-2020-01-02]"))
    found = paragraph_anchors(project)
    assert len(found) == 2 and len(set(found)) == 2


def test_figures_and_relation_lines_have_anchors_and_links(project):
    build(project)
    acme = (project.site / "companies/acme.html").read_text()
    ledger = (project.site / "systems/ledger.html").read_text()
    for html in (acme, ledger):
        ids = re.findall(r'<(?:dt|li) id="((?:fig|to|from)-[^"]+)"', html)
        assert ids, "no figure or relation anchor"
        for anchor in ids:
            assert f'href="#{anchor}"' in html
    assert 'id="fig-records-held"' in acme
    assert 'id="to-vendors-acme"' in ledger and 'id="from-vendors-ledger"' in acme


def test_a_long_labels_anchor_is_cut_at_60_characters_with_no_dangling_hyphen():
    """An address stays short enough to read and share, and never ends in a dangling hyphen."""
    label = "Records held in the shared database across all of the field offices, by year"
    assert figure_anchor(label) == "fig-records-held-in-the-shared-database-across-all-of-the-field"
    assert figure_anchor("Records held, 2019") == "fig-records-held-2019"
    # A label with no letter or digit still has an address, and the same one in every version.
    assert figure_anchor("—") == "fig-x"


def test_events_of_one_date_each_have_their_own_anchor_and_the_first_keeps_the_dates():
    dates = ["2019-05", "2020", "2019-05", "2019-05"]
    events = [Event(date, "What happened.", (), Location("content/systems/ledger.md", n)) for n, date in enumerate(dates, 1)]
    assert event_anchors(events) == ["event-2019-05", "event-2020", "event-2019-05-2", "event-2019-05-3"]

"""The front door: the home page's own text, the table of everyone, the timeline, and the events a
page declares. Engine tests on the fixture; the last ones read the real site's expectations from
its content."""
from __future__ import annotations

import re
from pathlib import Path

from microsite.build import ENGINE_HOME, BuildState, build, check
from microsite.content.cached import PreparedCache
from microsite.outputs.page_list import site_pages
from microsite.render.text import first_sentence
from microsite.render.facts import dated_facts
from tests import real_content
from tests.conftest import REPO, run, write

HOME_TEXT = """---
title: What we found
summary: Acme holds 200 million records for U.S. agencies. Nobody else comes close. [@daily-2020-01-02]
---
## Findings

- **200 million records** are held by [Acme](../companies/acme.md). [@daily-2020-01-02]
- **A page** of the report says so too. [@report-2020, p. 4]
"""
LEDGER = "content/systems/ledger.md"
EVENT = "operators: [agency-one]\nevents:\n  - date: 2019-05\n    text: Ledger opened.\n    cite: report-2020\n"


def read(project, output: str) -> str:
    return (project.site / output).read_text()


def test_the_home_page_leads_with_its_own_cited_text(project):
    write(project, "content/pages/index.md", HOME_TEXT)
    build(project)
    home = read(project, "index.html")
    assert "<h1>What we found</h1>" in home
    lead = home.split('<p class="lead">')[1].split("</p>")[0]
    assert lead.startswith("Acme holds 200 million records") and 'class="cite"' in lead
    findings = re.findall(r"<li id=\"p-[0-9a-f]+\">(.*?)</li>", home, re.S)
    assert len(findings) == 2 and all('class="cite"' in f for f in findings)
    assert 'id="page-sources-title"' in home  # numbered, with the list at the foot
    # Not a page of its own: not in the navigation, once in the sitemap.
    assert ">What we found</a></li>" not in read(project, "about.html")
    assert read(project, "sitemap.xml").count("<loc>https://") == len(site_pages(check(project)[0]))
    assert not (project.site / "pages").exists()


def test_the_home_pages_card_and_description_carry_its_lead(project):
    write(project, "content/pages/index.md", HOME_TEXT)
    build(project)
    site, _ = check(project)
    [home] = [p for p in site_pages(site) if p.output == "index.html"]
    assert home.lead == "Acme holds 200 million records for U.S. agencies."
    assert '<meta property="og:description" content="Acme holds 200 million records' in read(project, "index.html")
    assert first_sentence("One. Two.") == "One." and first_sentence("The U.S. agency said so") == "The U.S. agency said so"


def test_a_finding_citing_an_unknown_source_is_an_error_at_its_line(project, capsys):
    write(project, "content/pages/index.md", HOME_TEXT.replace("[@report-2020, p. 4]", "[@report-2021, p. 4]"))
    status, _, err = run(project, "check", capsys=capsys)
    assert status == 1 and "Traceback" not in err
    assert "content/pages/index.md:8:42: unknown source 'report-2021' — did you mean 'report-2020'?" in err


def test_an_event_is_listed_on_its_page_and_on_the_timeline(project):
    path = project.root / LEDGER
    path.write_text(path.read_text().replace("operators: [agency-one]\n", EVENT))
    build(project)
    ledger = read(project, "systems/ledger.html")
    assert re.search(r'<li id="event-2019-05"><time datetime="2019-05">May 2019</time>: Ledger opened\. <span class="citation">', ledger)
    timeline = read(project, "timeline.html")
    assert 'href="systems/ledger.html#event-2019-05"' in timeline
    years = re.findall(r'<h2 id="year-(\d{4})">', timeline)
    assert years == sorted(set(years)) and years[0] == "2019"


def test_an_event_without_a_source_is_an_error_at_its_line(project, capsys):
    path = project.root / LEDGER
    path.write_text(path.read_text().replace("operators: [agency-one]\n", EVENT.replace("    cite: report-2020\n", "")))
    status, _, err = run(project, "check", capsys=capsys)
    assert status == 1 and "Traceback" not in err
    assert re.search(rf"{LEDGER}:10:5: missing required field 'cite'", err), err


def test_the_timeline_holds_every_dated_fact_in_order(project):
    build(project)
    site, _ = check(project, BuildState(PreparedCache(None), None))
    timeline = read(project, "timeline.html")
    dates = re.findall(r'<time datetime="([0-9-]+)">', timeline)
    assert dates == sorted(dates)
    content = site.content
    expected = [f.as_of for e in content.entities.values() for f in e.figures if f.as_of]
    expected += [s.date for s in content.sources.values() if s.date] + [c.date for c in content.changes]
    assert sorted(dates) == sorted(expected) == sorted(d.date for d, _ in dated_facts(site))
    for entity in content.entities.values():
        for figure in entity.figures:
            assert f'href="{entity.output}#fig-' in timeline


def test_the_table_has_a_row_per_entity_with_its_connections_and_sources(project):
    build(project)
    site, _ = check(project)
    table = read(project, "explore.html")
    rows = re.findall(r'<tr data-kind="([a-z-]+)" data-relations="([a-z_ -]*)" data-name="[^"]*" data-sources="(\d+)">', table)
    assert len(rows) == len(site.content.entities)
    cited = {output: sum(output in pages for pages in site.cited_by.values()) for output in (e.output for e in site.content.entities.values())}
    assert sorted(int(n) for _, _, n in rows) == sorted(cited.values())
    assert '<form class="table-filter" hidden' in table and 'src="assets/explore.js"' in table


def test_the_real_home_page_cites_every_finding_and_ask(real_site: Path):
    """Every item the home page lists (this site's findings and asks) carries a citation mark,
    where the content asks for citations (site.yaml's require_citations)."""
    content = real_content.site().content
    if content.home is None or content.config.require_citations == "off":
        return  # nothing the home page must cite
    text = (REPO / content.home.path).read_text()
    items = re.findall(r"^(?:- |\d\. )", text.split("---", 2)[2], re.M)
    parts = (real_site / "index.html").read_text().split('<div class="narrative home-text">')[1:]
    home = "".join(part.split("</div>")[0] for part in parts)
    marked = re.findall(r"<li id=\"p-[^\"]+\">.*?</li>", home, re.S)
    assert len(marked) == len(items)
    assert all('class="cite"' in item for item in marked)


def test_an_event_citing_an_unknown_source_is_an_error_at_its_citation(project, capsys):
    path = project.root / LEDGER
    path.write_text(path.read_text().replace("operators: [agency-one]\n", EVENT.replace("cite: report-2020", "cite: reprot-2020")))
    status, _, err = run(project, "check", capsys=capsys)
    assert status == 1 and "Traceback" not in err
    assert f"{LEDGER}:12:11: unknown source 'reprot-2020' — did you mean 'report-2020'?" in err, err


def test_the_home_pages_card_shows_its_lead_not_the_tagline():
    from microsite.outputs.cards import FONT_FOLDER, draw_card
    from microsite.outputs.page_list import PageInfo

    fonts = ENGINE_HOME / "assets" / FONT_FOLDER
    with_lead = draw_card(PageInfo("index.html", "Site", "", "Acme holds 200 million records."), "Site", "A tagline", fonts)
    without = draw_card(PageInfo("index.html", "Site", "", ""), "Site", "A tagline", fonts)
    tagline_only = draw_card(PageInfo("index.html", "Site", "", "A tagline"), "Site", "A tagline", fonts)
    assert with_lead != without and without == tagline_only


def test_the_home_pages_map_teaser_is_one_link_to_the_map(project):
    write(project, "content/pages/index.md", HOME_TEXT + "\n## What it asks\n\nMore records. [@report-2020]\n")
    build(project)
    home = read(project, "index.html")
    # Between the findings (the text's first section) and the rest.
    assert home.index(">Findings</h2>") < home.index('class="map-teaser"') < home.index(">What it asks</h2>")
    teaser = home.split('<a class="map-teaser" href="map.html">')[1].split("</a>")[0]
    svg = teaser.split("</svg>")[0]
    assert svg.startswith('<svg class="relation-map"') and 'aria-hidden="true"' in svg
    assert "<a " not in svg and 'class="node node-companies kind-0"' in svg  # drawn, without links of its own

"""The built site in headless Chromium, as a reader opens it: from disk and under a subpath."""
from __future__ import annotations

from pathlib import Path

import pytest

from microsite.messages import sort_key
from tests import real_content

pytestmark = pytest.mark.browser


def test_citations_work_from_disk(page, real_site: Path):
    entity = real_content.most_cited()
    page.goto((real_site / entity.output).as_uri())
    assert page.title().startswith(entity.name)
    marks = page.locator("article a.cite")
    assert marks.count() >= 1
    first = marks.first
    assert first.inner_text() == "[1]"
    first.click()
    assert page.evaluate("location.hash") == "#source-1"
    entry = page.locator("#source-1")
    assert entry.is_visible()
    # The entry links out to the source itself...
    assert entry.locator("cite a[href^='http']").count() + entry.locator(".unknown").count() == 1
    # ...and back to every place it is cited.
    backlinks = entry.locator(".backlinks a")
    assert backlinks.count() == page.locator("a.cite[href='#source-1']").count()
    backlinks.first.click()
    assert page.evaluate("location.hash") == "#cite-1-1"
    # Every mark points at an entry that exists on the page.
    targets = page.eval_on_selector_all("a.cite", "els => els.map(e => e.getAttribute('href'))")
    for target in set(targets):
        assert page.locator(target).count() == 1, target


def test_stylesheet_and_links_work_under_a_subpath(page, subpath_server: str):
    failed: list[str] = []
    page.on("requestfailed", lambda r: failed.append(r.url))
    page.on("response", lambda r: failed.append(f"{r.status} {r.url}") if r.status >= 400 else None)
    page.goto(subpath_server + real_content.most_cited().output)
    assert page.eval_on_selector("header.masthead", "e => getComputedStyle(e).borderBottomStyle") == "solid"
    hrefs = page.eval_on_selector_all("a[href]", "els => els.map(e => new URL(e.getAttribute('href'), location.href).href)")
    internal = sorted({h.split("#")[0] for h in hrefs if h.startswith(subpath_server)})
    assert len(internal) > 10
    for url in internal:
        response = page.request.get(url)
        assert response.status == 200, url
    assert failed == []


def test_citation_preview_shows_on_focus_without_script(browser, real_site: Path):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto((real_site / real_content.most_cited().output).as_uri())
    mark = page.locator("article a.cite").first
    tip = page.locator(f"#{mark.get_attribute('aria-describedby')}")
    assert not tip.is_visible()
    mark.focus()
    assert tip.is_visible()
    # The tip names the source the mark leads to, as the page's source list does.
    title = page.locator(mark.get_attribute("href")).locator("cite").inner_text()
    assert tip.inner_text().startswith(f"{title}, "), (tip.inner_text(), title)
    context.close()


def _shown(page) -> list[str]:
    return page.eval_on_selector_all("table.explore tbody tr:not([hidden]) th a", "els => els.map(e => e.textContent)")


def test_the_table_filters_sorts_and_restores_a_shared_view_from_disk(browser, real_site: Path):
    context = browser.new_context()
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    address = (real_site / "explore.html").as_uri()
    page.goto(address)
    rows = page.locator("table.explore tbody tr")
    everyone = _shown(page)
    entities = real_content.entities()
    assert sorted(everyone) == sorted(e.name for e in entities) and rows.count() == len(entities) > 1
    kind = page.eval_on_selector("#filter-kind option:nth-child(2)", "o => o.value")
    page.select_option("#filter-kind", kind)
    of_kind = _shown(page)
    assert sorted(of_kind) == sorted(e.name for e in entities if e.kind == kind)  # a site of one kind shows them all
    assert all(r.get_attribute("data-kind") == kind for r in rows.all() if r.is_visible())
    status = real_content.messages().text("explore_status", shown=len(of_kind), total=len(everyone))
    assert page.inner_text("#filter-status") == status
    # Typed words narrow it further, and the view is kept in the address.
    name = of_kind[-1]
    page.fill("#filter-text", name.split()[0])
    assert name in _shown(page) and len(_shown(page)) <= len(of_kind)
    page.click("th[data-sort='sources'] button")
    counts = page.eval_on_selector_all("table.explore tbody tr:not([hidden])", "rs => rs.map(r => +r.dataset.sources)")
    assert counts == sorted(counts, reverse=True)
    assert page.get_attribute("th[data-sort='sources']", "aria-sort") == "descending"
    shared = page.url
    assert "kind=" in shared and "q=" in shared and "sort=sources" in shared
    view = _shown(page)
    # Opened afresh from the shared address, the page shows the same view.
    other = context.new_page()
    other.goto(shared)
    assert _shown(other) == view
    assert other.input_value("#filter-kind") == kind
    # Sorting by name puts the rows in order of their names.
    other.select_option("#filter-kind", "")
    other.fill("#filter-text", "")
    other.click("th[data-sort='name'] button")
    names = _shown(other)
    assert names == sorted(names, key=sort_key) and len(names) == len(everyone)  # accents folded, as the site sorts
    assert errors == []
    context.close()


def test_the_table_reads_as_a_table_without_script(browser, real_site: Path):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto((real_site / "explore.html").as_uri())
    assert not page.locator(".table-filter").is_visible()
    rows = page.locator("table.explore tbody tr")
    assert rows.count() > 1 and all(r.is_visible() for r in rows.all())
    assert page.locator("table.explore thead th").count() == 5
    context.close()


def test_the_lead_and_the_first_finding_fit_a_phones_first_screen(browser, real_site: Path):
    context = browser.new_context(viewport={"width": 375, "height": 812})
    page = context.new_page()
    page.goto((real_site / "index.html").as_uri())
    bottom = "e => e.getBoundingClientRect().bottom"
    # Without content/pages/index.md the home page opens with the site's tagline, and has no findings.
    findings = real_content.home_findings()
    assert page.eval_on_selector(".hero .lead" if findings is not None else ".hero .tagline", bottom) <= 812
    if findings and "<li" in findings:  # a home page whose findings are a list
        assert page.eval_on_selector(".home-text li", bottom) <= 812
    context.close()

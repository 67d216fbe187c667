"""The built site in headless Chromium, as a reader opens it: from disk and under a subpath."""
from __future__ import annotations

from pathlib import Path

import pytest

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

"""What a reader meets: search (from disk and under a subpath), the relationship map, citation
previews on a phone and on a desktop, and the printed page."""
from __future__ import annotations

import posixpath
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from tests import real_content

WORD, FOUND = real_content.searchable()  # a word of one page's name, and that page
TARGET = FOUND.output
CITED = real_content.most_cited().output


class MapLinks(HTMLParser):
    """The hrefs of the links inside each relation map of a page, and which node is the page itself."""

    def __init__(self):
        super().__init__()
        self.maps: list[list[str]] = []
        self.current: list[str] = []
        self.depth = 0

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "svg" and attrs.get("class") == "relation-map":
            self.maps.append([])
            self.depth += 1
        elif self.depth and tag == "a":
            self.maps[-1].append(attrs["href"])
            if "current" in attrs.get("class", ""):
                self.current.append(attrs["href"])

    def handle_endtag(self, tag):
        if tag == "svg" and self.depth:
            self.depth -= 1


def map_links(site: Path, output: str) -> MapLinks:
    parser = MapLinks()
    parser.feed((site / output).read_text())
    return parser


def target(output: str, href: str) -> str:
    return posixpath.normpath(posixpath.join(posixpath.dirname(output), href))


def entity_pages(site: Path) -> list[str]:
    return real_content.entity_pages()


def test_map_page_draws_every_entity_and_each_box_opens_its_page(real_site: Path):
    parser = map_links(real_site, "map.html")
    [links] = parser.maps
    targets = sorted(target("map.html", href) for href in links)
    assert targets == entity_pages(real_site)  # every entity once, by a relative link
    assert all(not re.match(r"^[a-z]+:|^/", href) for href in links)
    assert all((real_site / t).is_file() for t in targets)
    # The map is reachable from every page's navigation.
    assert 'href="../map.html"' in (real_site / TARGET).read_text()


def test_each_entity_page_maps_its_own_connections(real_site: Path):
    page = CITED
    html = (real_site / page).read_text()
    [links] = map_links(real_site, page).maps
    drawn = {target(page, href) for href in links}
    related = html.split('id="related-title"')[1].split("</section>")[0]
    listed = {target(page, href) for href in re.findall(r'<li[^>]*><a href="([^"#]+)"', related)}
    assert drawn == listed | {page}  # the page itself and exactly the pages its connections list
    assert map_links(real_site, page).current == [posixpath.basename(page)]
    site = real_content.site()
    for entity in real_content.entities():  # each entity with a connection has its map
        connected = bool(entity.links or site.inbound.get(entity.output))
        assert len(map_links(real_site, entity.output).maps) == connected, entity.output


def test_the_search_index_is_a_script_naming_every_page_and_source(real_site: Path):
    script = (real_site / "assets/search-index.js").read_text()
    assert script.count("window.SEARCH_INDEX = ") == 1
    for output in entity_pages(real_site):
        assert f'"{output}":' in script
    for source in real_content.site().content.sources:
        assert f'"sources.html#{source}":' in script


@pytest.mark.browser
@pytest.mark.parametrize("start", ["index.html", CITED])
def test_search_from_disk_leads_to_the_page(page, real_site: Path, start: str):
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto((real_site / start).as_uri())
    _search_and_follow(page, WORD)
    assert page.url == (real_site / TARGET).as_uri()
    assert errors == []


@pytest.mark.browser
def test_search_under_a_subpath_leads_to_the_page(page, subpath_server: str):
    failed: list[str] = []
    page.on("response", lambda r: failed.append(f"{r.status} {r.url}") if r.status >= 400 else None)
    page.on("requestfailed", lambda r: failed.append(r.url))
    page.goto(subpath_server + CITED)
    _search_and_follow(page, WORD[:-1])  # a word still being typed
    assert page.url == subpath_server + TARGET
    assert failed == []


def _search_and_follow(page, query: str) -> None:
    words = real_content.messages()
    box = page.get_by_role("searchbox", name=words.text("search_label"))
    box.click()
    box.press_sequentially(query)
    first = page.locator(".search-results a").first
    first.wait_for()
    assert FOUND.name in first.inner_text()
    assert page.locator("#search-status").inner_text().endswith(words.text("search_keys"))  # said when results are listed
    box.press("ArrowDown")
    assert page.evaluate("document.activeElement.closest('.search-results') !== null")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(re.escape(TARGET) + "$"))
    assert page.locator("h1").inner_text() == FOUND.name


@pytest.mark.browser
def test_without_script_the_search_box_stays_hidden_and_the_sections_remain(browser, real_site: Path):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto((real_site / "index.html").as_uri())
    assert page.locator("form.search").is_hidden()
    words = real_content.messages()
    sections = page.get_by_role("navigation", name=words.text("nav_sections"))
    assert sections.get_by_role("link", name=words.text("nav_map")).is_visible()
    context.close()


@pytest.mark.browser
@pytest.mark.parametrize("width", [375, 1280])
def test_previews_stay_on_screen_and_go_when_focus_moves(browser, real_site: Path, width: int):
    context = browser.new_context(java_script_enabled=False, viewport={"width": width, "height": 800})
    page = context.new_page()
    page.goto((real_site / CITED).as_uri())
    marks = page.locator("main a.cite")
    count = marks.count()
    assert count >= 2
    for i in range(0, count, 3):  # a spread of marks, near both edges of the column
        mark = marks.nth(i)
        mark.focus()
        tip = page.locator(f"#{mark.get_attribute('aria-describedby')}")
        box = tip.bounding_box()
        assert box is not None and tip.is_visible(), i
        assert box["x"] >= 0 and box["x"] + box["width"] <= width, (i, box)
        if width == 375:  # on a phone: a sheet at the foot of the screen, in view
            assert box["y"] >= 0 and box["y"] + box["height"] <= 800, (i, box)
    page.keyboard.press("Tab")  # moving focus on dismisses the preview
    last = marks.nth(count - 1 - (count - 1) % 3)
    assert page.locator(f"#{last.get_attribute('aria-describedby')}").is_hidden()
    context.close()


@pytest.mark.browser
def test_print_turns_marks_into_numbered_notes_with_full_sources(page, real_site: Path):
    page.goto((real_site / CITED).as_uri())
    page.emulate_media(media="print")
    assert all(nav.is_hidden() for nav in page.locator("header nav").all())  # the sections and the languages
    assert page.locator("form.search").is_hidden()
    mark = page.locator("main a.cite").first
    assert mark.inner_text() == "[1]"
    notes = page.locator(".source-list > li")
    assert notes.count() == len(set(page.eval_on_selector_all("main a.cite", "els => els.map(e => e.hash)")))
    first = page.locator("#source-1")
    assert first.is_visible()
    text = first.inner_text()
    [source] = [s for s in real_content.site().content.sources.values() if s.title in text]
    assert real_content.site().content.config.messages.join(list(source.publisher)) in text  # and its date, when known
    assert not source.date or real_content.site().content.config.messages.date(source.date) in text
    linked = page.locator(".source-list > li cite a[href^='http']")
    assert linked.count() >= 1
    for i in range(linked.count()):
        address = linked.nth(i).get_attribute("href")
        shown = linked.nth(i).evaluate("a => getComputedStyle(a, '::after').content")
        assert address in shown  # the full address, on paper
    # Previews are never printed over the text.
    mark.focus()
    assert page.locator(f"#{mark.get_attribute('aria-describedby')}").is_hidden()


def test_map_rows_are_ordered_to_cross_less_than_alphabetical_order():
    from microsite.render import graph
    from microsite.build import Project, check
    from tests.conftest import REPO

    site, _ = check(Project(REPO))
    relations = graph.relation_graph(site)

    def crossings(layout: graph.Layout) -> int:
        """Pairs of lines between the same two columns whose ends come in opposite orders."""
        ends = []
        for edge in relations.edges:
            a, b = sorted((layout.nodes[edge.source], layout.nodes[edge.target]), key=lambda n: n.x)
            if a.x != b.x:
                ends.append((a.x, b.x, a.y, b.y))
        return sum(
            1 for i, p in enumerate(ends) for q in ends[i + 1:]
            if p[:2] == q[:2] and (p[2] - q[2]) * (p[3] - q[3]) < 0
        )

    ordered = graph.layout(relations, site.content.config)
    alphabetical = graph.layout(relations, site.content.config, sweeps=0)
    before, after = crossings(alphabetical), crossings(ordered)
    assert after <= before and (before == 0 or after < before / 2)  # a map with no crossing keeps none
    assert graph.layout(relations, site.content.config) == ordered  # the same every build


def test_every_page_names_its_icon_relatively_so_no_request_leaves_a_subpath(real_site: Path):
    """Without an icon link, browsers fetch /favicon.ico from the host's root: under a project
    subpath, that is outside the site (the test server logged it as a 404)."""
    for page in sorted(real_site.rglob("*.html")):
        name = page.relative_to(real_site).as_posix()
        if name.rpartition("/")[2] == "404.html":  # every language's 404 page
            continue  # served at any address, so its links are absolute
        [href] = re.findall(r'<link rel="icon" href="([^"]+)"', page.read_text())
        assert not href.startswith(("/", "http")), name
        assert (page.parent / href).resolve().is_file(), name

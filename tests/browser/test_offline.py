"""The offline copy as a reader gets it: the zip unzipped into a new folder and opened from disk."""
from __future__ import annotations

import zipfile
from pathlib import Path
from urllib.parse import unquote, urlparse

import pytest

from microsite.build import Project, build
from tests import real_content
from tests.conftest import REPO, make_project
from tests.engine.outputs.test_images import add_image, gps_photo

pytestmark = pytest.mark.browser


def unzip(archive: Path, where: Path) -> Path:
    where.mkdir()
    with zipfile.ZipFile(archive) as z:
        z.extractall(where)
    [folder] = where.iterdir()
    return folder


def watch(page) -> list[str]:
    failed: list[str] = []
    page.on("requestfailed", lambda r: failed.append(f"{r.url} {r.failure}"))
    page.on("console", lambda m: failed.append(m.text) if m.type == "error" else None)
    return failed


@pytest.fixture(scope="module")
def offline_site(tmp_path_factory) -> Path:
    tmp = tmp_path_factory.mktemp("offline")
    result = build(Project(REPO), tmp / "site", offline=True)
    assert result.offline == tmp / f"{real_content.slug()}.zip"
    return unzip(result.offline, tmp / "elsewhere")


def test_offline_copy_opens_from_index_and_citations_work(page, offline_site: Path):
    failed = watch(page)
    page.goto((offline_site / "index.html").as_uri())
    entity = real_content.most_cited()
    kind = real_content.site().content.config.kind(entity.kind)
    page.click(f"nav >> text={kind.plural}")
    assert page.url.endswith(f"/{entity.kind}/index.html")
    page.click(f"main >> a[href='{entity.slug}.html']")
    assert page.url.endswith(f"/{entity.output}")
    assert page.eval_on_selector("header.masthead", "e => getComputedStyle(e).borderBottomStyle") == "solid"
    page.locator("article a.cite").first.click()
    assert page.evaluate("location.hash") == "#source-1"
    assert page.locator("#source-1").is_visible()
    page.click("nav >> a[href$='data.html']")
    assert page.url.endswith("/data.html")
    hrefs = page.eval_on_selector_all("a[href]", "els => els.map(e => e.href)")
    local = sorted({h.split("#")[0] for h in hrefs if h.startswith("file:")})
    assert any(h.endswith(".sqlite") for h in local)
    for href in local:  # every link of the Data page names a file in the copy
        assert Path(unquote(urlparse(href).path)).is_file(), href
    assert failed == []


def test_every_link_in_the_offline_copy_names_a_file_in_it(page, offline_site: Path):
    for html in sorted(offline_site.rglob("*.html")):
        page.goto(html.as_uri())
        hrefs = page.eval_on_selector_all("a[href], link[href]:not([rel=canonical]):not([rel=alternate])",
                                          "els => els.map(e => new URL(e.getAttribute('href'), location.href).href)")
        for href in {h.split("#")[0] for h in hrefs if h.startswith("file:")}:  # map boxes (SVG) too
            assert Path(unquote(urlparse(href).path)).is_file(), (html.name, href)


def test_offline_images_load_from_disk(page, tmp_path: Path):
    project = make_project(tmp_path / "project")
    add_image(project, "photo.jpg", gps_photo())
    result = build(project, offline=True)
    folder = unzip(result.offline, tmp_path / "elsewhere")
    failed = watch(page)
    page.goto((folder / "companies/acme.html").as_uri())
    image = page.locator("img.page-image")
    assert image.evaluate("img => img.complete && img.naturalWidth") == 320
    assert image.get_attribute("alt") == "Acme's logo, a red square"
    assert failed == []

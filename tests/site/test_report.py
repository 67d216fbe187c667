"""The printed report (`build --pdf`) as a reader gets it: the PDF of each language read back, its
headings, sources, bookmarks, page numbers, links and language; and `make site` without any of it."""
from __future__ import annotations

import http.server
import re
import shutil
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from microsite.build import Project, build
from microsite.messages import engine_table
from microsite.outputs.report import INSTALL, report_names, to_pdf, weasyprint_missing
from microsite.render.facts import translated_view
from tests import real_content
from tests.conftest import REPO, make_project, require, run


def needs_weasyprint() -> None:
    require(weasyprint_missing() is None, "WeasyPrint", INSTALL)


def page_texts(pdf: Path) -> list[str]:
    """Each page's text, as poppler's pdftotext reads it in drawing order (-raw keeps the hyphen
    where an address breaks): pypdf read some of WeasyPrint's font subsets as two bytes a
    character once the report held more glyphs."""
    require(shutil.which("pdftotext") is not None, "pdftotext", "apt-get install poppler-utils")
    text = subprocess.run(["pdftotext", "-raw", "-enc", "UTF-8", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    return text.split("\f")[:-1]


def squeezed(text: str) -> str:
    """Without white space: a heading or an address wrapped over two lines is found whole."""
    return re.sub(r"\s+", "", text)


@pytest.fixture(scope="module")
def reports(tmp_path_factory) -> dict[str, Path]:
    """The real investigation built with --pdf once: each language's PDF."""
    needs_weasyprint()
    out = tmp_path_factory.mktemp("report") / "site"
    build(Project(REPO, pdf=True), out)
    return {language: out / name for language, name in report_names(real_content.site()).items()} | {"": out}


def outline_titles(reader) -> list[str]:
    def walk(items):
        for item in items:
            if isinstance(item, list):
                yield from walk(item)
            else:
                yield item.title

    return list(walk(reader.outline))


@pytest.mark.parametrize("language", real_content.site().content.config.languages)
def test_each_language_has_a_report_with_every_page_source_bookmark_and_page_number(reports, language):
    from pypdf import PdfReader

    site = translated_view(real_content.site(), language)
    content, config = site.content, site.content.config
    reader = PdfReader(reports[language])
    pages = page_texts(reports[language])
    assert len(pages) == len(reader.pages)
    text = squeezed(" ".join(pages))
    titles = [e.name for e in content.entities.values()] + [p.title for p in content.pages.values()]
    titles += [k.plural for k in config.kinds]
    for title in titles:
        assert squeezed(title) in text, title
    for source in content.sources.values():
        for address in (source.url, source.archive_url):
            if address:
                assert squeezed(address) in text, address
        assert squeezed(config.messages.join(source.publisher)) in text, source.publisher  # names joined in the page's words
    bookmarks = [squeezed(t) for t in outline_titles(reader)]
    for title in titles:
        assert squeezed(title) in bookmarks, title
    # Page numbers in the page's language, at the foot of every page but the cover.
    words = engine_table(language)["report_page"]
    for number in (2, len(pages) // 2, len(pages)):
        assert squeezed(words.format(number=number)) in squeezed(pages[number - 1]), number
    # Tagged, in the report's language, under the site's title in it.
    catalog = reader.trailer["/Root"]
    assert catalog["/Lang"] == language and "/StructTreeRoot" in catalog
    assert reader.metadata.title == config.title


def test_links_between_pages_stay_inside_the_report(reports):
    """A link the site makes between its pages leads to its chapter (a destination in the PDF),
    never to an address relative to a site the reader of the PDF does not have."""
    from pypdf import PdfReader

    reader = PdfReader(reports[real_content.site().content.config.language])
    internal, external = 0, []
    for page in reader.pages:
        for annotation in page.get("/Annots") or ():
            action = annotation.get_object().get("/A", {})
            if "/URI" in action:
                external.append(str(action["/URI"]))
            elif "/Dest" in annotation.get_object() or action.get("/S") == "/GoTo":
                internal += 1
    assert internal > len(real_content.site().content.entities)
    assert all(re.match(r"https?://", uri) for uri in external), [u for u in external if not re.match(r"https?://", u)]


def test_home_and_data_pages_link_the_report_of_their_language(reports):
    site_folder = reports[""]
    for language, name in report_names(real_content.site()).items():
        prefix = "" if language == real_content.site().content.config.language else f"{language}/"
        for page in ("index.html", "data.html"):
            html = (site_folder / prefix / page).read_text()
            assert f'href="{"../" if prefix else ""}{name}"' in html, (language, page)


def test_the_report_requests_nothing(tmp_path):
    """An address in the report (an image, a style sheet) is never requested: not from the network,
    not from the disk."""
    needs_weasyprint()
    asked: list[str] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            asked.append(self.path)
            self.send_response(404)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    secret = tmp_path / "secret.png"
    secret.write_bytes(b"not read")
    try:
        address = f"http://127.0.0.1:{server.server_address[1]}"
        data = to_pdf(
            f'<html lang="en"><link rel="stylesheet" href="{address}/style.css"><p><img src="{address}/a.png">'
            f'<img src="{secret.as_uri()}"><span style="background: url({address}/b.png)">x</span></p></html>'
        )
    finally:
        server.shutdown()
    assert data.startswith(b"%PDF") and asked == []


def test_without_weasyprint_pdf_says_what_to_install_and_exits_2(tmp_path, monkeypatch, capsys):
    monkeypatch.setitem(sys.modules, "weasyprint", None)  # `import weasyprint` fails
    status, out, err = run(make_project(tmp_path / "p"), "build", "--pdf", capsys=capsys)
    assert status == 2 and out == ""
    assert err.count("\n") == 1 and "'.[pdf]'" in err and "libpango-1.0-0" in err
    assert not (tmp_path / "p" / "site").exists()


def test_a_build_without_pdf_makes_no_report_and_loads_no_weasyprint(tmp_path):
    project = make_project(tmp_path / "p")
    script = (
        "import sys; from pathlib import Path; from microsite.build import Project, build; "
        f"build(Project(Path({str(project.root)!r}))); print('weasyprint' in sys.modules)"
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=REPO, timeout=120)
    assert result.stdout.strip() == "False", result.stderr
    site = project.root / "site"
    assert not list(site.rglob("*.pdf"))
    assert 'class="report-link"' not in (site / "index.html").read_text()


def test_a_build_with_pdf_then_without_removes_the_report_and_its_links(tmp_path):
    needs_weasyprint()
    project = make_project(tmp_path / "p")
    build(Project(project.root, pdf=True))
    site = project.root / "site"
    assert list(site.rglob("*.pdf")) and 'class="report-link"' in (site / "index.html").read_text()
    build(project)
    assert not list(site.rglob("*.pdf")) and 'class="report-link"' not in (site / "index.html").read_text()


def test_the_map_names_every_connected_page(reports):
    """The map is drawn as vectors with its boxes' names (WeasyPrint once left them out)."""
    from pypdf import PdfReader

    site = real_content.site()
    caption = squeezed(engine_table(site.content.config.language)["report_map_caption"])
    pages = [squeezed(p) for p in page_texts(reports[site.content.config.language])]
    [page] = [p for p in pages if caption in p]
    linked = {link.target for e in site.content.entities.values() for link in e.links} | {
        e.slug for e in site.content.entities.values() if e.links
    }
    for entity in site.content.entities.values():
        if entity.slug in linked:
            assert squeezed(entity.name)[:12] in page, entity.name

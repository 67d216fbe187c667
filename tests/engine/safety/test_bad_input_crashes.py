"""Input that used to crash the build (a segfault, a traceback) or publish broken files: each ends
in a located error, exit 1 and the previous site/ untouched, or in a site that is still right.

The builds run in a subprocess, so that a crash of the interpreter (libyaml overflowing the C stack)
is a failing test rather than a dead test run."""
from __future__ import annotations

import csv
import io
import json
import re
import sqlite3
import struct
import subprocess
import sys
import time
import urllib.request
import xml.etree.ElementTree as ET
import zlib
from pathlib import Path

import pytest
from PIL import Image

from microsite.outputs import datasets
from microsite.build import Project
from tests.conftest import REPO, run, write
from tests.engine.outputs.test_images import project_with_own_assets
from tests.engine.safety.test_robustness import digest

LOCATED = re.compile(r"^content/[^:]+:\d+:\d+: ")


def build_in_subprocess(project: Project) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, str(REPO / "build.py"), "--root", str(project.root), "build"],
        capture_output=True, text=True, timeout=120,
    )


def assert_refused(project: Project, before: dict[str, str], expected: str) -> None:
    """The build stops with `expected` as its first, located message and leaves site/ as it was."""
    result = build_in_subprocess(project)
    assert result.returncode == 1, (result.returncode, result.stderr[-2000:])
    assert "Traceback" not in result.stderr, result.stderr
    first = result.stderr.splitlines()[0]
    assert LOCATED.match(first) and expected in first, first
    assert digest(project.root / "site") == before


@pytest.fixture
def built(project: Project, capsys) -> dict[str, str]:
    """The project built once: what site/ holds before a bad edit."""
    status, _, err = run(project, "build", capsys=capsys)
    assert status == 0, err
    return digest(project.root / "site")


DEEP = 25_000
DEEP_YAML = {
    "flow-sequence-in-a-source": (
        "content/sources/deep.yaml", "title: " + "[" * DEEP + "]" * DEEP + "\n", "content/sources/deep.yaml:1:72: "),
    "flow-mapping-in-front-matter": (
        "content/companies/deep.md", "---\nname: " + "{a: " * DEEP + "1" + "}" * DEEP + "\n---\nText.\n",
        "content/companies/deep.md:2:263: "),
    "block-sequence-in-changes": ("content/changes.yaml", "- " * DEEP + "x\n", "content/changes.yaml:1:131: "),
    "unclosed-brackets-in-site-yaml": ("content/site.yaml", "title: " + "[" * DEEP + "\n", "content/site.yaml:1:72: "),
}


@pytest.mark.parametrize("relative, text, where", DEEP_YAML.values(), ids=DEEP_YAML.keys())
def test_yaml_nested_thousands_deep_is_a_located_error_not_a_crash(project, built, relative, text, where):
    write(project, relative, text)
    assert_refused(project, built, where + "YAML nested deeper than 64 levels")


NOT_UTF8 = {
    "site-yaml": ("content/site.yaml", "content/site.yaml:1:"),
    "changes": ("content/changes.yaml", "content/changes.yaml:1:"),
    "source": ("content/sources/report-2020.yaml", "content/sources/report-2020.yaml:1:"),
    "page": ("content/pages/about.md", "content/pages/about.md:1:"),
}


@pytest.mark.parametrize("relative, where", NOT_UTF8.values(), ids=NOT_UTF8.keys())
def test_a_content_file_that_is_not_utf8_is_a_located_error(project, built, relative, where):
    path = project.root / relative
    path.write_bytes(b"# caf\xe9\n" + path.read_bytes())
    assert_refused(project, built, where + "6: not UTF-8 text (byte 0xE9); save the file as UTF-8")


def picture(fmt: str, size=(700, 500)) -> bytes:
    image = Image.new("RGB", size)
    image.putdata([(x % 256, y % 256, (x ^ y) % 256) for y in range(size[1]) for x in range(size[0])])
    out = io.BytesIO()
    image.save(out, fmt)
    return out.getvalue()


def png_header_only(width: int, height: int) -> bytes:
    """A PNG of a few bytes that declares `width` x `height` pixels: a decompression bomb."""
    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\0" * 64)) + chunk(b"IEND", b"")


BAD_PICTURES = {
    **{f"{fmt.lower()}-cut-at-{cut}": (name, lambda fmt=fmt, cut=cut: picture(fmt)[: int(len(picture(fmt)) * cut)],
                                       "the file is damaged|not an image the build can read")
       for fmt, name in (("PNG", "cut.png"), ("JPEG", "cut.jpg"), ("GIF", "cut.gif"), ("WEBP", "cut.webp"))
       for cut in (0.005, 0.3, 0.9)},
    "bomb-refused-by-pillow": ("bomb.png", lambda: png_header_only(100_000, 100_000), "more than 64,000,000 pixels"),
    "bomb-pillow-only-warns-of": ("big.png", lambda: png_header_only(9_000, 9_000), "more than 64,000,000 pixels"),
}


@pytest.mark.parametrize("name, make, expected", BAD_PICTURES.values(), ids=BAD_PICTURES.keys())
def test_a_damaged_or_huge_page_image_is_a_located_error(project, built, capsys, name, make, expected):
    (project.root / "content/images").mkdir()
    (project.root / "content/images" / name).write_bytes(make())
    acme = project.root / "content/companies/acme.md"
    acme.write_text(acme.read_text().replace("figures:", f'image:\n  file: {name}\n  alt: "A picture"\nfigures:', 1))
    status, _, err = run(project, "build", capsys=capsys)
    assert status == 1, err
    assert err.startswith(f"content/companies/acme.md:5:9: cannot read image content/images/{name}: "), err
    assert re.search(expected, err.splitlines()[0]), err
    assert digest(project.root / "site") == built


def test_check_reports_a_damaged_image_beside_every_other_problem(project, capsys):
    """`check` decodes the pictures as `build` does, in the same pass as the rest: one run lists
    the damaged image and a content error together, rather than the image only once all else is fixed."""
    (project.root / "content/images").mkdir()
    (project.root / "content/images/cut.png").write_bytes(picture("PNG")[:3000])
    acme = project.root / "content/companies/acme.md"
    acme.write_text(acme.read_text().replace("figures:", 'image:\n  file: cut.png\n  alt: "A picture"\nfigures:', 1))
    ledger = project.root / "content/systems/ledger.md"
    ledger.write_text(ledger.read_text().replace("[@report-2020", "[@no-such-source", 1))
    for command in ("check", "build"):
        status, _, err = run(project, command, capsys=capsys)
        assert status == 1, err
        assert "content/companies/acme.md:5:9: cannot read image content/images/cut.png: the file is damaged" in err, err
        assert "unknown source 'no-such-source'" in err, err


@pytest.mark.parametrize("make, expected", [
    (lambda: picture("PNG")[:3000], "the file is damaged"),
    (lambda: png_header_only(100_000, 100_000), "more than 64,000,000 pixels"),
], ids=["truncated", "bomb"])
def test_a_damaged_or_huge_asset_image_is_an_error_naming_it(tmp_path, capsys, make, expected):
    project = project_with_own_assets(tmp_path)
    (project.root / "assets/texture.png").write_bytes(make())
    status, _, err = run(project, "build", capsys=capsys)
    assert status == 1, err
    assert err.startswith("assets/texture.png: cannot read image: "), err
    assert expected in err.splitlines()[0]


def xml_outputs(site: Path) -> dict[str, bytes]:
    """Every XML document the site publishes: the feed, the sitemap and the map's SVG."""
    found = {p.name: p.read_bytes() for p in site.glob("*.xml")}
    found["map.svg"] = re.search(rb"<svg .*?</svg>", (site / "map.html").read_bytes(), re.S).group()
    return found


CONTROL_ESCAPES = {
    "change": ("content/changes.yaml", "- date: 2020-04-01\n  text: \"First\\x01 edition.\"\n",
               "content/changes.yaml:2:9: an escape in this value gives character U+0001"),
    "source-title": ("content/sources/report-2020.yaml", "title: \"The\\eReport\"\npublisher: P\nkind: report\n",
                     "content/sources/report-2020.yaml:1:8: an escape in this value gives character U+001B"),
    "company-name": ("content/companies/acme.md", "---\nname: \"Acme\\u007F\"\nsummary: S. [@report-2020]\n---\n",
                     "content/companies/acme.md:2:7: an escape in this value gives character U+007F"),
    "site-title": ("content/site.yaml", None, "content/site.yaml:1:8: an escape in this value gives character U+0008"),
    "markdown-body": ("content/companies/acme.md", "---\nname: Acme\nsummary: S. [@report-2020]\n---\nText\x0b.\n",
                      "content/companies/acme.md:5:5: character U+000B is not allowed in Markdown"),
}


@pytest.mark.parametrize("relative, text, expected", CONTROL_ESCAPES.values(), ids=CONTROL_ESCAPES.keys())
def test_control_characters_are_a_located_error_not_an_ill_formed_feed(project, built, capsys, relative, text, expected):
    path = project.root / relative
    if text is None:
        text = "title: \"Mini\\b\"\n" + path.read_text().split("\n", 1)[1]
    path.write_text(text)
    status, _, err = run(project, "build", capsys=capsys)
    for name, data in xml_outputs(project.root / "site").items():
        ET.fromstring(data)  # before the fix, the feed written with U+0001 was not XML at all
    assert status == 1, err
    assert err.splitlines()[0].startswith(expected), err
    assert digest(project.root / "site") == built


def test_escapes_for_printable_characters_still_reach_the_feed(project, capsys):
    write(project, "content/changes.yaml", "- date: 2020-04-01\n  text: \"Tab\\there, caf\\u00e9, \\\"quoted\\\".\"\n")
    status, _, err = run(project, "build", capsys=capsys)
    assert status == 0, err
    xml = xml_outputs(project.root / "site")
    [entry] = ET.fromstring(xml["feed.xml"]).iter("{http://www.w3.org/2005/Atom}content")
    assert entry.text == "Tab\there, café, \"quoted\"."
    for data in xml.values():
        ET.fromstring(data)


TABLE = "| left | centre | right | plain |\n|:--|:--:|--:|---|\n| a | b | c | d |\n\n[@report-2020]\n"


@pytest.mark.browser
def test_table_alignment_holds_under_the_pages_csp(project, browser, capsys):
    """markdown-it aligns a column with a style attribute, which style-src 'self' blocks: the
    column showed left-aligned, with a CSP violation in the console."""
    acme = project.root / "content/companies/acme.md"
    acme.write_text(acme.read_text() + "\n" + TABLE)
    status, _, err = run(project, "build", capsys=capsys)
    assert status == 0, err
    html = (project.root / "site/companies/acme.html").read_text()
    assert not re.search(r"<[^>]+\sstyle=", html)
    context = browser.new_context()
    page = context.new_page()
    console: list[str] = []
    page.on("console", lambda message: console.append(message.text))
    page.goto((project.root / "site/companies/acme.html").as_uri())
    aligned = page.evaluate("""() => [...document.querySelectorAll('main table tr > *')]
        .map(cell => getComputedStyle(cell).textAlign)""")
    context.close()
    assert aligned == ["left", "center", "right", "left"] * 2
    assert not [m for m in console if "Content Security Policy" in m], console


FORMULAS = ["=HYPERLINK(A1)", "+1+2", "-2+3", "@SUM(A1:A2)"]


def test_csv_cells_that_a_spreadsheet_would_run_start_with_a_quote(project, capsys):
    """OWASP's advice for CSV injection, in the CSV downloads only: JSON and SQLite keep the value."""
    acme = project.root / "content/companies/acme.md"
    figures = "".join(
        f"  - label: {json.dumps(text)}\n    value: {json.dumps(text)}\n    note: {json.dumps(text)}\n"
        f"    cite: report-2020\n" for text in FORMULAS + ["A = B, - and @ inside"]
    )
    acme.write_text(acme.read_text().replace("figures:\n", "figures:\n" + figures, 1))
    report = project.root / "content/sources/report-2020.yaml"  # the formulas' numbers, recorded
    report.write_text(report.read_text() + '  - "1, 2 and 3"\n')
    status, _, err = run(project, "build", capsys=capsys)
    assert status == 0, err
    data = project.root / "site/data"
    with open(data / "figures.csv", newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    written = [[row[c] for c in ("label", "value", "note")] for row in rows[: len(FORMULAS) + 1]]
    assert written == [["'" + text] * 3 for text in FORMULAS] + [["A = B, - and @ inside"] * 3]
    db = sqlite3.connect(data / "mini-investigation.sqlite")
    assert [r[0] for r in db.execute("SELECT value FROM figures ORDER BY id")][: len(FORMULAS)] == FORMULAS
    [name] = data.glob("*.json")
    assert [r["note"] for r in json.loads(name.read_text())["figures"]][: len(FORMULAS)] == FORMULAS
    # The loaders trim a field's spaces, so a cell starting with a tab or a line end only comes
    # from code; it is quoted all the same.
    [table] = [t for t in datasets.TABLES if t.name == "figures"]
    cells = next(csv.reader(io.StringIO(datasets.to_csv(table, [(1, "\tx", "\ry", None, 7, "ok")]).decode().split("\r\n", 1)[1])))
    assert cells == ["1", "'\tx", "'\ry", "", "7", "ok"]


def test_the_preview_survives_yaml_nested_thousands_deep(project, tmp_path):
    """The same parse runs in `serve` on every save: a crash there ended the preview."""
    from tests.browser.test_serve import free_port, wait_for

    port = free_port()
    log = tmp_path / "serve.log"
    with open(log, "w") as stderr:
        server = subprocess.Popen(
            [sys.executable, str(REPO / "build.py"), "--root", str(project.root), "serve", "--port", str(port)],
            stdout=subprocess.DEVNULL, stderr=stderr,
        )
    try:
        url = f"http://127.0.0.1:{port}/companies/acme.html"
        wait_for(lambda: b"Acme Corp" in urllib.request.urlopen(url, timeout=2).read(), 60)
        time.sleep(1.5)  # the watcher's first poll records the files as they are
        relative, text, where = DEEP_YAML["flow-sequence-in-a-source"]
        write(project, relative, text)
        wait_for(lambda: where + "YAML nested deeper" in log.read_text() or server.poll() is not None, 60)
        assert server.poll() is None, log.read_text()[-2000:]
        assert b"Acme Corp" in urllib.request.urlopen(url, timeout=5).read()
    finally:
        server.terminate()
        server.wait(timeout=30)

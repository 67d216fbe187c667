"""Content cannot inject script: every payload is escaped or refused with a located error."""
from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path

from tests.conftest import run, write

PAYLOAD = '<script>alert(1)</script><img src=x onerror=alert(2)>"\'><svg onload=alert(3)>'


class Live(HTMLParser):
    """Collects what a browser would run: script elements, event handlers, script URLs."""

    def __init__(self):
        super().__init__()
        self.found: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "iframe", "object", "embed", "svg", "img") and not (
            tag == "script" and dict(attrs).get("src", "").endswith(".js") and "assets/" in dict(attrs).get("src", "")
        ) and not (tag == "svg" and dict(attrs).get("class") == "relation-map"):  # the build's own map
            self.found.append(f"<{tag}>")
        for name, value in attrs:
            if name.startswith("on"):
                self.found.append(f"{tag}[{name}]")
            if name in ("href", "src", "action", "formaction") and value and value.strip().lower().startswith(("javascript:", "data:", "vbscript:")):
                self.found.append(f"{tag}[{name}={value[:20]}]")


def live_code(site: Path) -> list[str]:
    found = []
    for page in sorted(site.rglob("*.html")):
        parser = Live()
        parser.feed(page.read_text())
        found += [f"{page.relative_to(site)}: {item}" for item in parser.found]
    return found


def test_payloads_in_every_field_are_escaped(project, capsys):
    write(project, "content/sources/report-2020.yaml", (
        f"title: '{PAYLOAD.replace(chr(39), chr(39) * 2)}'\npublisher: '{PAYLOAD.replace(chr(39), chr(39) * 2)}'\n"
        f"kind: report\nquotes:\n  - '{PAYLOAD.replace(chr(39), chr(39) * 2)}'\n"
        f"note: '{PAYLOAD.replace(chr(39), chr(39) * 2)}'\n"
    ))
    write(project, "content/companies/acme.md", (
        f"---\nname: '{PAYLOAD.replace(chr(39), chr(39) * 2)}'\nsummary: 'S {PAYLOAD.replace(chr(39), chr(39) * 2)} [@report-2020]'\n"
        f"figures:\n  - label: '{PAYLOAD.replace(chr(39), chr(39) * 2)}'\n    value: '{PAYLOAD.replace(chr(39), chr(39) * 2)}'\n"
        f"    cite: 'report-2020, {PAYLOAD.replace(chr(39), chr(39) * 2).replace(',', ' ')}'\n---\n"
        f"{PAYLOAD}\n\n<div onclick=alert(4)>raw</div>\n\nA claim [@report-2020, <b onmouseover=alert(5)>p. 4</b>].\n"
        "\n[@daily-2020-01-02]\n"
    ))
    status, out, err = run(project, "build", capsys=capsys)
    assert status == 0, err
    assert live_code(project.root / "site") == []
    acme = (project.root / "site/companies/acme.html").read_text()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in acme  # shown to the reader as text


def test_script_links_never_reach_a_page(project, capsys):
    write(project, "content/companies/acme.md", (
        "---\nname: Acme\nsummary: 'S [x](javascript:alert(1)) [@report-2020]'\n---\n"
        "[a](javascript:alert(1)) [b](data:text/html;base64,PHNjcmlwdD4=) <javascript:alert(1)> [@daily-2020-01-02]\n"
    ))
    status, _, err = run(project, "build", capsys=capsys)
    assert status == 1
    assert err.count("unsafe link") == 4
    assert not (project.root / "site").exists()


def test_external_links_carry_noopener_noreferrer(project, capsys):
    write(project, "content/companies/acme.md", (
        "---\nname: Acme\nsummary: S [@report-2020]\n---\nSee [the site](https://example.com/x) [@daily-2020-01-02].\n"
    ))
    assert run(project, "build", capsys=capsys)[0] == 0
    html = (project.root / "site/companies/acme.html").read_text()
    assert '<a href="https://example.com/x" rel="noopener noreferrer">the site</a>' in html
    assert '<a href="https://news.example.org/acme" rel="noopener noreferrer">' in html

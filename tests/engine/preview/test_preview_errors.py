"""The preview, in process: a content error is printed and shown over every page of the last good
build, replaced (never stacked) by the next one, and gone once mended; warnings and the summary
are printed on each rebuild; a save rebuilt from the saved files gives a clean build's pages."""
from __future__ import annotations

import re

from markupsafe import escape

from microsite.preview.serve import Preview, error_banner, with_banner
from tests.conftest import run, tree, write

BANNER = re.compile(rb'<pre role="alert" class="preview-errors">(.*?)</pre>', re.S)


def banner(lines: list[str]) -> bytes:
    """The banner the errors printed as `lines` should make, written out here, not by the engine."""
    noun = "content error" if len(lines) == 1 else "content errors"
    return (
        f'<pre role="alert" class="preview-errors">{len(lines)} {noun}; fix them and save:\n'
        + "\n".join(str(escape(line)) for line in lines) + "</pre>"
    ).encode()


def pages_with_banner(good: dict[str, bytes], lines: list[str]) -> dict[str, bytes]:
    """The last good build with the errors' banner right after each page's <body>."""
    return {n: d.replace(b"<body>", b"<body>" + banner(lines), 1) if n.endswith(".html") else d for n, d in good.items()}


def test_each_error_is_shown_over_the_last_good_pages_until_it_is_mended(project, capsys):
    preview = Preview(project, project.root / ".cache" / "preview")
    write(project, "content/pages/about.md", "---\ntitle: About\n---\nA page with code:\n\n```\nx < y\n```\n")
    assert preview.rebuild()
    good = tree(preview.out)
    company = project.root / "content/companies/acme.md"
    working = company.read_text()

    company.write_text(working + "\nSee [@nowhere].\n")
    assert preview.rebuild() is False
    first = f"content/companies/acme.md:{working.count(chr(10)) + 2}:6: unknown source 'nowhere'"
    assert capsys.readouterr().err.splitlines() == [first, "1 error: the preview shows them until they are fixed"]
    assert tree(preview.out) == pages_with_banner(good, [first])

    # The next save's errors replace the banner; the page under it is still the last good one.
    company.write_text(working + "\nSee [@nowhere] and [@elsewhere].\n")
    assert preview.rebuild({company}) is False
    err = capsys.readouterr().err.splitlines()
    assert len(err) == 3 and err[0] == first and err[2] == "2 errors: the preview shows them until they are fixed"
    assert tree(preview.out) == pages_with_banner(good, err[:2])

    company.write_text(working)
    assert preview.rebuild({company})
    assert tree(preview.out) == good


def test_an_error_before_any_good_build_is_shown_on_a_page_of_its_own(project, capsys):
    write(project, "content/systems/ledger.md", "---\nname: Ledger\nsummary: [@nowhere]\n---\n")
    preview = Preview(project, project.root / ".cache" / "preview")
    assert preview.rebuild() is False
    (line,) = capsys.readouterr().err.splitlines()[:-1]
    shown = tree(preview.out)
    assert shown.pop(".microsite-output")  # the mark that the folder is the build's
    assert shown == {
        "index.html": b"<!doctype html><html><head><meta charset=utf-8></head><body>"
        + banner([line]) + b"</body></html>",
    }


def test_a_page_without_a_body_tag_gets_the_banner_first():
    assert with_banner(b"<p>text</p>", b"<pre>banner</pre>") == b"<pre>banner</pre><p>text</p>"


def test_the_banner_counts_and_escapes_every_error():
    class Problem:
        def __init__(self, text):
            self.text = text

        def __str__(self):
            return self.text

    banner = error_banner([Problem("a.md:1:1: <script>"), Problem("b.md:2:1: & more")])
    assert BANNER.fullmatch(banner).group(1) == (
        b"2 content errors; fix them and save:\na.md:1:1: &lt;script&gt;\nb.md:2:1: &amp; more"
    )


def test_a_rebuild_prints_its_warnings_and_its_summary(project, capsys):
    preview = Preview(project, project.root / ".cache" / "preview")
    write(project, "content/pages/about.md", "---\ntitle: About\n---\nA <b>bold</b> claim.\n")
    assert preview.rebuild()
    out, err = capsys.readouterr()
    status, built, warned = run(project, "build", capsys=capsys)
    assert status == 0 and err == warned and "about.md" in err
    summary = re.fullmatch(r"(built .*) in [0-9.]+ s \(rebuilt in ([0-9.]+) s\)\n", out)
    assert summary and summary.group(1) == re.match(r"(built .*) in [0-9.]+ s", built).group(1)
    assert float(summary.group(2)) < 60


def test_a_save_leaves_the_preview_a_fresh_one_makes_search_index_included(project, tmp_path):
    """The quick path renders the saved page and leaves the search index and the downloads for
    after the reload; without a server loop it makes them at once."""
    preview = Preview(project, project.root / ".cache" / "preview")
    assert preview.rebuild()
    company = project.root / "content/companies/acme.md"
    company.write_text(company.read_text().replace("Acme builds the", "Acme now sells the"))
    assert preview.rebuild({company})
    fresh = Preview(project, tmp_path / "fresh")
    assert fresh.rebuild()
    assert tree(preview.out) == tree(fresh.out)
    assert b"now sells" in (preview.out / "assets/search-index.js").read_bytes()

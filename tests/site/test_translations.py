"""A site in two languages: every page in each, translations beside their originals, and a
translation that cannot silently go stale (`translations.py`)."""
from __future__ import annotations

import re

from tests.conftest import run, write

ACME = "content/companies/acme.md"
ACME_ES = "content/companies/acme.es.md"


def bilingual(project) -> None:
    site = project.root / "content/site.yaml"
    text = site.read_text().replace("language: en", "languages: [en, es]")
    write(project, "content/site.yaml", text.replace('title: "Mini Investigation"', 'title: {en: "Mini Investigation", es: "Investigación mínima"}'))


def read(project, output: str) -> str:
    return (project.root / "site" / output).read_text(encoding="utf-8")


def translate_acme(project, capsys) -> None:
    assert run(project, "new", "translation", "companies/acme", "es", capsys=capsys)[0] == 0
    path = project.root / ACME_ES
    text = path.read_text().replace("name: Acme Corp", "name: Acme Corporación")
    text = text.replace("A company that sells a database.", "Una empresa que vende una base de datos.")
    path.write_text(text.replace("Acme builds the", "Acme construye el"))


def test_every_page_is_published_in_each_language_with_alternates(project, capsys):
    bilingual(project)
    assert run(project, "build", capsys=capsys)[0] == 0
    english = sorted(p.relative_to(project.root / "site").as_posix() for p in (project.root / "site").rglob("*.html") if not p.relative_to(project.root / "site").as_posix().startswith("es/"))
    for output in english:
        assert (project.root / "site/es" / output).is_file(), output
    page = read(project, "es/companies/acme.html")
    assert page.startswith('<!doctype html>\n<html lang="es">')
    assert '<link rel="alternate" hreflang="en" href="https://investigation.test/mini/companies/acme.html">' in page
    assert '<link rel="alternate" hreflang="x-default" href="https://investigation.test/mini/companies/acme.html">' in page
    assert '<a href="../../companies/acme.html" hreflang="en" lang="en">English</a>' in page
    assert '<link rel="alternate" hreflang="es" href="https://investigation.test/mini/es/companies/acme.html">' in read(project, "companies/acme.html")
    # Not translated yet: the original's words, marked as such and with their own language.
    assert 'class="not-translated"' in page and '<p class="summary" lang="en">' in page
    assert "Cifras clave" in page and "Key figures" not in page
    assert re.search(r"<a href=\"../about.html\" lang=\"en\">[^<]+</a>", page)  # a page title not translated yet
    # The pages the engine makes are in the page's language: no notice; what they show of an
    # untranslated file is marked with its own language.
    listing = read(project, "es/companies/index.html")
    assert 'class="not-translated"' not in listing and '<span class="summary" lang="en">' in listing
    assert 'class="not-translated"' not in read(project, "es/sources.html")


def test_a_translation_is_shown_and_a_changed_original_is_flagged(project, capsys):
    bilingual(project)
    translate_acme(project, capsys)
    assert run(project, "check", "--strict", capsys=capsys)[0] == 0
    assert run(project, "build", capsys=capsys)[0] == 0
    page = read(project, "es/companies/acme.html")
    assert "<h1>Acme Corporación</h1>" in page and "Una empresa que vende una base de datos." in page
    assert "Acme construye el" in page and 'class="not-translated"' not in page
    assert '<a class="name" href="acme.html">Acme Corporación</a> <span class="summary">' in read(project, "es/companies/index.html")
    assert "Acme Corporación" not in read(project, "companies/acme.html")

    original = project.root / ACME
    original.write_text(original.read_text() + "\nA new paragraph. [@daily-2020-01-02]\n")
    status, _, err = run(project, "check", capsys=capsys)
    line = next(i for i, t in enumerate((project.root / ACME_ES).read_text().splitlines(), 1) if t.startswith("translates:"))
    assert status == 0
    assert re.search(rf"{ACME_ES}:{line}:13: warning: the original {ACME} has changed since this was translated: "
                     r"bring the translation up to date, then set 'translates: [0-9a-f]{16}'", err), err
    assert run(project, "check", "--strict", capsys=capsys)[0] == 1
    assert run(project, "build", capsys=capsys)[0] == 0
    notice = read(project, "es/companies/acme.html")
    assert '<a href="../../companies/acme.html" hreflang="en">original</a>' in notice


def test_new_translation_never_overwrites_and_names_a_bad_language(project, capsys):
    bilingual(project)
    translate_acme(project, capsys)
    before = (project.root / ACME_ES).read_bytes()
    status, _, err = run(project, "new", "translation", "companies/acme", "es", capsys=capsys)
    assert status == 2 and "already exists; not overwriting it" in err
    assert (project.root / ACME_ES).read_bytes() == before
    status, _, err = run(project, "new", "translation", "companies/acme", "fr", capsys=capsys)
    assert status == 2 and "'fr' is not a language this site translates into; its other languages: es" in err


def test_changes_and_source_titles_in_each_language(project, capsys):
    bilingual(project)
    write(project, "content/changes.yaml", '- date: 2020-04-01\n  text: {en: "First edition.", es: "Primera edición."}\n')
    report = project.root / "content/sources/report-2020.yaml"
    report.write_text(report.read_text() + 'translated_title: {es: "El informe"}\n')
    assert run(project, "build", capsys=capsys)[0] == 0
    assert "Primera edición." in read(project, "es/about.html") and "First edition." in read(project, "about.html")
    assert '<span class="translated-title">El informe (traducción de este sitio)</span>' in read(project, "es/sources.html")
    assert "translated-title" not in read(project, "sources.html")
    write(project, "content/changes.yaml", '- date: 2020-04-01\n  text: {en: "First edition."}\n')
    status, _, err = run(project, "check", capsys=capsys)
    assert status == 1 and "content/changes.yaml:2:9: 'text' has no text for language 'es'" in err, err


def test_figures_are_translated_in_the_originals_order_and_keep_their_anchors(project, capsys):
    bilingual(project)
    translate_acme(project, capsys)
    path = project.root / ACME_ES
    figures = 'figures:\n  - label: Registros\n    value: "200 millones"\n  - label: Registros\n    value: "230 millones"\n'
    starter = re.sub(r"(?m)^figures:\n(?:[- ] .*\n)*", "", path.read_text())  # the starter's own, still in English
    text = starter.replace("\nname:", "\n" + figures + "name:", 1)
    path.write_text(text)
    assert run(project, "build", capsys=capsys)[0] == 0, capsys.readouterr().err
    page = read(project, "es/companies/acme.html")
    english = read(project, "companies/acme.html")
    assert "230 millones" in page and "Registros" in page and "230 million" in english
    anchor = re.search(r'<dt id="(fig-[^"]+)">', english).group(1)
    assert f'<dt id="{anchor}">Registros' in page  # the anchor stays the original's
    path.write_text(text.replace('  - label: Registros\n    value: "230 millones"\n', "", 1))
    status, _, err = run(project, "check", capsys=capsys)
    assert status == 1 and "'figures' must list as many items as the original's (2), in the same order" in err, err


def test_a_translation_citing_other_sources_is_warned_about_where_it_starts(project, capsys):
    bilingual(project)
    translate_acme(project, capsys)
    path = project.root / ACME_ES
    text = path.read_text()
    path.write_text(text.replace("[@daily-2020-01-02; @report-2020, p. 7]", "[@daily-2020-01-02]"))
    status, _, err = run(project, "check", capsys=capsys)
    body_line = text.split("\n").index("---", 1) + 2
    assert status == 0
    assert f"{ACME_ES}:{body_line}:1: warning: the body cites other sources than the original's: missing report-2020" in err, err
    assert "the summary cites" not in err


def test_a_sources_note_is_shown_translated_and_its_own_words_keep_their_language(project, capsys):
    bilingual(project)
    report = project.root / "content/sources/report-2020.yaml"
    report.write_text(report.read_text() + 'translated_note: {es: "Dirección no confirmada."}\n')
    assert run(project, "build", capsys=capsys)[0] == 0
    listing = read(project, "es/sources.html")
    assert '<span class="note">Dirección no confirmada.</span>' in listing and "Address not confirmed." not in listing
    assert '<span class="note">Address not confirmed.</span>' in read(project, "sources.html")
    assert "Direcci\\u00f3n no confirmada." in read(project, "assets/search-index.es.js")  # as JSON writes it
    assert "Address not confirmed." not in read(project, "assets/search-index.es.js")
    # A title in the site's first language, shown on a page in another, is marked as such.
    assert '<cite class="source-title" lang="en">The Report</cite>' in listing
    assert '<cite class="source-title">The Report</cite>' in read(project, "sources.html")
    report.write_text(report.read_text() + "language: es\n")
    assert run(project, "build", capsys=capsys)[0] == 0
    assert '<cite class="source-title">The Report</cite>' in read(project, "es/sources.html")
    assert '<cite class="source-title" lang="es">The Report</cite>' in read(project, "sources.html")


def test_the_real_sites_source_notes_are_all_translated(real_site):
    from tests import real_content

    for language in real_content.site().content.config.languages[1:]:
        assert 'class="note" lang=' not in (real_site / language / "sources.html").read_text(encoding="utf-8")


def test_a_byline_is_joined_in_each_language_and_a_described_title_is_no_quoted_translation(project, capsys):
    bilingual(project)
    daily = project.root / "content/sources/daily-2020-01-02.yaml"
    daily.write_text(daily.read_text().replace("author: A. Writer", "author: [A. Writer, B. Reporter]"))
    report = project.root / "content/sources/report-2020.yaml"
    text = report.read_text().replace("publisher: Research Group", "publisher: [Research Group, Policy Lab]")
    report.write_text(text.replace('title: "The Report"', 'title: "A report on Acme (title not confirmed)"')
                      + 'title_is_description: true\ntranslated_title: {es: "Un informe sobre Acme (título no confirmado)"}\n')
    status, _, err = run(project, "build", capsys=capsys)
    assert status == 0, err
    spanish, english = read(project, "es/sources.html"), read(project, "sources.html")
    assert "Por A. Writer y B. Reporter." in spanish and "By A. Writer and B. Reporter." in english
    assert "Research Group y Policy Lab, marzo de 2020." in spanish and "Research Group and Policy Lab, March 2020." in english
    assert "Publicado por Research Group y Policy Lab:" in read(project, "es/timeline.html")
    # The site's own description of a source, not its published title: in the page's language,
    # with no mark that would call it a translation of the source's words.
    assert '<cite class="source-title">Un informe sobre Acme (título no confirmado)</cite>.' in spanish
    assert "A report on Acme" not in spanish and "traducción de este sitio" not in spanish
    assert '<cite class="source-title">A report on Acme (title not confirmed)</cite>.' in english

"""Numbers are checked against what the site records of the sources cited beside them
(`numbers.py`), and quotations in every language's marks against the excerpts (`quotes.py`)."""
from __future__ import annotations

import pytest

from microsite.resolve.numbers import read
from microsite.content.quotations import scan
from tests.conftest import make_project, run, write
from tests.site.test_translations import bilingual

ACME = "content/companies/acme.md"
HEAD = "---\nname: Acme\nsummary: Sells. [@daily-2020-01-02]\n---\n"


def keys(text: str, language: str = "en") -> list[tuple]:
    return [s.key for s in read(text, language)]


@pytest.mark.parametrize(
    "a, la, b, lb",
    [
        ("$41 million", "en", "$41M", "en"),
        ("$41 million", "en", "41,000,000", "en"),
        ("$6.8 billion", "en", "6800 millones de dólares", "es"),
        ("2018-10-23", "en", "October 23, 2018", "en"),
        ("23 October 2018", "en", "23 de octubre de 2018", "es"),
        ("300,000", "en", "300.000", "es"),
        ("300,000", "en", "300\u00a0000", "es"),
        ("36.5 million", "en", "36,5 millones", "es"),
        ("10 percent", "en", "10 %", "es"),
        ("July 2018", "en", "julio de 2018", "es"),
    ],
)
def test_a_number_is_read_the_same_in_each_way_of_writing_it(a, la, b, lb):
    assert keys(a, la) == keys(b, lb) != []


@pytest.mark.parametrize("text", ["PIA-032", "F-35", "the 1990s", "1.º", "x2", "https://e.org/2018/10/a"])
def test_numbers_written_into_words_and_addresses_are_not_claims(text):
    assert keys(text, "es" if "º" in text else "en") == []


def errors(project, capsys) -> list[str]:
    status, _, err = run(project, "check", capsys=capsys)
    assert status == 1 and "Traceback" not in err
    return err.strip().splitlines()[:-1]


def test_a_number_no_cited_source_records_is_an_error_at_the_number(project, capsys):
    write(project, ACME, HEAD + "Text first.\nAcme holds 250 million records [@daily-2020-01-02].\n")
    assert errors(project, capsys) == [
        f"{ACME}:6:12: the number '250 million' is not in what daily-2020-01-02 record; correct it, cite "
        "the source that gives it, or copy the passage that gives it into the source's quotes: (facts: for "
        "a source whose text the site does not hold)"
    ]


def test_a_number_in_a_summary_is_checked(project, capsys):
    write(project, ACME, "---\nname: Acme\nsummary: Holds 250 million records. [@daily-2020-01-02]\n---\nSells.\n")
    (line,) = errors(project, capsys)
    assert line.startswith(f"{ACME}:3:16: the number '250 million' is not in what daily-2020-01-02 record")


def test_a_figure_stating_no_number_has_nothing_to_check(project, capsys):
    text = (project.root / ACME).read_text()
    write(project, ACME, text.replace('value: "200 million"', 'value: "Most of them"'))
    status, out, err = run(project, "build", capsys=capsys)
    assert status == 0 and "Traceback" not in err, err


def test_a_number_the_sources_record_in_another_form_passes_and_is_counted(project, capsys):
    write(project, ACME, HEAD + "Acme holds 200,000,000 records, it said on 2 January 2020 [@daily-2020-01-02].\n")
    status, out, err = run(project, "build", capsys=capsys)
    assert status == 0, err
    assert "(0 quotations and 2 numbers checked)" in out


def test_numbers_in_quotations_links_code_list_markers_and_uncited_text_are_not_checked(project, capsys):
    write(project, ACME, HEAD + (
        'Acme says it is "the backbone." [@daily-2020-01-02]\n\n'
        "1. Sells [version 99](https://example.org/v/98), `code 97` [@daily-2020-01-02].\n"
        "2. Sells more [@daily-2020-01-02].\n"
    ))
    write(project, "content/pages/about.md", "---\ntitle: About\nrequire_citations: off\n---\nWe read 96 articles.\n")
    assert run(project, "check", capsys=capsys)[0] == 0


def test_a_number_in_a_figure_and_an_event_is_checked(project, capsys):
    text = (project.root / "content/companies/acme.md").read_text()
    text = text.replace('value: "200 million"', 'value: "201 million"')
    text = text.replace("---\nAcme builds", "events:\n  - date: 2019-05-02\n    text: Opens.\n    cite: daily-2020-01-02\n---\nAcme builds", 1)
    write(project, ACME, text)
    found = errors(project, capsys)
    assert [e.split(": the number ")[1].split(" is not")[0] for e in found] == ["'201 million'", "'2019-05-02'"]


def test_a_spanish_quotation_in_its_own_marks_is_checked(tmp_path, capsys):
    project = make_project(tmp_path / "p", "cuatro")
    page = "content/centros/centro-sur.md"
    text = (project.root / page).read_text()
    write(project, page, text.replace("abrió en 2019", "es «la columna dorsal»"))
    (line,) = errors(project, capsys)
    assert line.startswith(f"{page}:5:18: quotation \"la columna dorsal\" is not in the quotes: of diario-2020-01-02")
    write(project, page, text.replace("abrió en 2019", "es «la columna vertebral»"))
    assert run(project, "check", capsys=capsys)[0] == 0


def test_the_sites_own_translation_in_escaped_marks_is_no_quotation(tmp_path, capsys):
    project = make_project(tmp_path / "p", "cuatro")
    page = "content/centros/centro-sur.md"
    text = (project.root / page).read_text()
    write(project, page, text.replace("abrió en 2019", 'abrió en 2019 (traducción: \\«opened in 2019\\»)'))
    assert run(project, "build", capsys=capsys)[0] == 0
    html = (project.root / "site/centros/centro-sur.html").read_text()
    assert "(traducción: «opened in 2019»)" in html


def test_a_number_in_another_locales_format_is_read_in_the_pages_own(tmp_path, capsys):
    project = make_project(tmp_path / "p", "cuatro")
    page = "content/empresas/acme.md"
    write(project, page, (project.root / page).read_text().replace('"200 millones"', '"200,000,000"'))
    (line,) = errors(project, capsys)
    assert "the number '200,000,000' is not written as 'es' writes numbers; write 200.000.000" in line


def test_marks_of_other_languages_pair_with_their_own_closing_mark():
    found = scan([("a «b “c” d» e „f“ g 「h」", True)])
    assert [f.text for f in found] == ["b “c” d", "f", "h"]


ACME_ES = "content/companies/acme.es.md"
ES_HEAD = "---\ntranslates: abcdef0123456789\nname: Acme\nsummary: Vende. [@daily-2020-01-02]\n---\n"
HOLDS_200_MILLION = HEAD + "Acme holds 200 million records [@daily-2020-01-02].\n"


def translation_errors(project, capsys, translation: str) -> list[str]:
    """The errors of a site in English and Spanish whose Acme is translated as `translation` (its
    warnings left out: `translates:` names no version of the original, so it is stale)."""
    bilingual(project)
    write(project, ACME_ES, translation)
    return [e for e in errors(project, capsys) if "warning" not in e]


def test_a_translation_states_the_numbers_of_its_original(project, capsys):
    write(project, ACME, HOLDS_200_MILLION)
    found = translation_errors(project, capsys, ES_HEAD + "Acme guarda 230 millones de registros [@daily-2020-01-02].\n")
    assert any(
        "acme.es.md:6:13: the number '230 millones' is not one its original states; a translation states the numbers "
        "of its original, in its own language's format" in e for e in found
    ), found
    assert any(  # shown at the translation's first number, where the missing one belongs most likely
        "acme.es.md:6:13: the original states '200 million' (200.000.000), which its translation does not; "
        "translate every number of the original" in e for e in found
    ), found
    found = translation_errors(project, capsys, ES_HEAD + "Acme guarda registros [@daily-2020-01-02].\n")
    assert any("acme.es.md:1:1: the original states '200 million'" in e for e in found), found  # no number to show it at
    write(project, ACME_ES, ES_HEAD + "Acme guarda 200 millones de registros [@daily-2020-01-02].\n")
    assert run(project, "check", capsys=capsys)[0] == 0


def test_a_translated_figures_numbers_are_checked(project, capsys):
    figures = 'figures:\n  - {label: Registros, value: "201 millones"}\n  - {label: Registros, value: "230 millones"}\n---\n'
    found = translation_errors(project, capsys, ES_HEAD.removesuffix("---\n") + figures + (
        "Acme construye el [Ledger](../systems/ledger.md) [@daily-2020-01-02; @report-2020, p. 7]. Lo llama "
        '"the backbone" [@daily-2020-01-02].\n'
    ))
    assert any("acme.es.md:6:5: the number '201 millones' is not in what daily-2020-01-02 record" in e for e in found), found
    figures = figures.replace('"230 millones"', '"230,000,000"')
    found = translation_errors(project, capsys, ES_HEAD.removesuffix("---\n") + figures + "Acme construye.\n")
    assert any("acme.es.md:7:5: the number '230,000,000' is not written as 'es' writes numbers" in e for e in found), found


def test_a_translated_events_numbers_are_shown_where_the_translation_writes_them(project, capsys):
    write(project, ACME, HEAD.removesuffix("---\n") + "events:\n  - {date: 2019-05-02, text: Opens., cite: daily-2020-01-02}\n---\nSells.\n")
    events = "events:\n  - {text: Abre 230.000 oficinas.}\n---\n"
    found = translation_errors(project, capsys, ES_HEAD.removesuffix("---\n") + events + "Vende.\n")
    assert any("acme.es.md:6:5: the number '230.000' is not in what daily-2020-01-02 record" in e for e in found), found


def test_a_translated_summary_states_the_numbers_of_its_original(project, capsys):
    write(project, ACME, "---\nname: Acme\nsummary: Holds 200 million records. [@daily-2020-01-02]\n---\nSells.\n")
    found = translation_errors(project, capsys, ES_HEAD.replace("Vende.", "Guarda registros.") + "Vende.\n")
    assert any("the original states '200 million' (200.000.000), which its translation does not" in e for e in found), found


def test_a_translations_numbers_are_read_in_its_own_languages_format(project, capsys):
    write(project, ACME, HOLDS_200_MILLION)
    found = translation_errors(project, capsys, ES_HEAD + "Acme guarda 200,000,000 registros [@daily-2020-01-02].\n")
    assert any("the number '200,000,000' is not written as 'es' writes numbers" in e for e in found), found


def test_a_quotation_keeps_its_sources_way_of_writing_numbers(tmp_path, capsys):
    project = make_project(tmp_path / "p", "cuatro")
    diario = "content/sources/diario-2020-01-02.yaml"
    text = (project.root / diario).read_text()
    write(project, diario, text.replace('  - "Acme es la columna vertebral."', '  - "Acme es la columna vertebral."\n  - "Acme has 36.5 million records."'))
    page = "content/centros/centro-sur.md"
    write(project, page, (project.root / page).read_text().replace("abrió en 2019", 'dice "Acme has 36.5 million records"'))
    assert run(project, "check", capsys=capsys)[0] == 0



@pytest.mark.parametrize("translated", [
    "events:\n  - {text: Abre con 200.000.000 registros.}\n",
    'figures:\n  - {label: Registros, value: "200.000.000"}\n  - {label: Registros, value: "230 millones"}\n',
])
def test_what_a_translation_leaves_in_the_originals_words_keeps_the_originals_format(project, capsys, translated):
    """Only what a translation writes is read in its language: a figure or an event it leaves as
    the original's is no error, at the original or anywhere."""
    text = (project.root / ACME).read_text().replace('value: "200 million"', 'value: "200,000,000"')
    events = 'events:\n  - {date: 2020-01-02, text: "Opens with 200,000,000 records.", cite: daily-2020-01-02}\n'
    write(project, ACME, text.replace("---\nAcme builds", events + "---\nAcme builds", 1))
    bilingual(project)
    status, _, err = run(project, "check", capsys=capsys)
    assert status == 0, err
    write(project, ACME_ES, ES_HEAD.removesuffix("---\n") + translated + "---\nAcme construye.\n")
    status, _, err = run(project, "check", capsys=capsys)
    assert status == 0 and "not written" not in err, err


def test_a_translation_with_its_own_figures_has_its_texts_numbers_checked_and_counted(project, capsys):
    """Figures, summary and body of each translation are all checked against the sources, each
    number counted once in what the build prints."""
    fixture = (project.root / ACME).read_text()
    write(project, ACME, fixture.split("---\n", 2)[1].join(["---\n", "---\nAcme holds 200 million records [@daily-2020-01-02].\n"]))
    bilingual(project)
    status, out, err = run(project, "build", capsys=capsys)
    assert status == 0, err
    english = int(out.split(" numbers checked")[0].rsplit(" ", 1)[1])
    figures = 'figures:\n  - {label: Registros, value: "200 millones"}\n  - {label: Registros, value: "230 millones"}\n---\n'
    write(project, "content/systems/ledger.es.md", "---\ntranslates: abcdef0123456789\nname: Ledger\n---\nLedger guarda registros.\n")
    write(project, ACME_ES, ES_HEAD.removesuffix("---\n") + figures + "Acme guarda 200 millones de registros [@daily-2020-01-02].\n")
    status, out, err = run(project, "build", capsys=capsys)
    assert status == 0, err
    assert f" and {english + 3} numbers checked)" in out, out
    write(project, ACME_ES, ES_HEAD.removesuffix("---\n") + figures + "Acme guarda 200 millones de registros [@report-2020].\n")
    found = errors(project, capsys)
    assert any("acme.es.md:9:13: the number '200 millones' is not in what report-2020 record" in e for e in found), found

"""The interface's words by language (`microsite/messages.py`): the engine's tables, a site's
overrides in content/i18n/, plurals by CLDR rules, dates by Babel, names sorted by folded accents."""
from __future__ import annotations

import pytest
import yaml

from microsite.errors import Problems
from microsite.messages import ENGINE_TABLES, load_messages, placeholder_fault, placeholders, sort_key
from tests.conftest import make_project, run, write


def read(project, output: str) -> str:
    return (project.root / "site" / output).read_text(encoding="utf-8")


def test_every_language_table_has_the_english_keys_and_placeholders():
    english = yaml.safe_load((ENGINE_TABLES / "en.yaml").read_text())
    for path in sorted(ENGINE_TABLES.glob("*.yaml")):
        table = yaml.safe_load(path.read_text())
        assert set(table) == set(english), path.name
        for key, message in table.items():
            assert placeholders(message) == placeholders(english[key]), f"{path.name}: {key}"


def test_plurals_dates_and_numbers_follow_the_language(tmp_path):
    english, spanish = (load_messages(tmp_path, lang, Problems()) for lang in ("en", "es"))
    assert english.text("search_count", 1) == "1 result." and english.text("search_count", 1500) == "1,500 results."
    assert spanish.text("search_count", 1) == "1 resultado." and spanish.text("search_count", 15000) == "15.000 resultados."
    assert english.date("2018-10-23") == "23 October 2018" and english.date("2018-10") == "October 2018"
    assert spanish.date("2018-10-23") == "23 de octubre de 2018" and spanish.date("2018-10") == "octubre de 2018"
    assert spanish.join(["a", "b", "c"]) == "a, b y c"


def test_names_sort_with_accents_folded():
    assert sorted(["Centro", "Cárcel", "cama", "Zeta", "Árbol"], key=sort_key) == ["Árbol", "cama", "Cárcel", "Centro", "Zeta"]


def test_a_site_overrides_a_message_in_content_i18n(project):
    write(project, "content/i18n/en.yaml", 'key_figures: "The numbers"\n')
    assert run(project, "build")[0] == 0
    assert "<h2 id=\"figures-title\">The numbers</h2>" in read(project, "companies/acme.html")


def test_a_bad_override_is_located(project, capsys):
    write(project, "content/i18n/en.yaml", 'key_figure: "x"\nas_of: "since {when}"\nsearch_count: "results"\n')
    status, _, err = run(project, "check", capsys=capsys)
    assert status == 1 and "Traceback" not in err
    assert "content/i18n/en.yaml:1:1: unknown interface message 'key_figure' — did you mean 'key_figures'?" in err, err
    assert "content/i18n/en.yaml:2:1: message 'as_of' has other placeholders than the engine's; it takes: {date}" in err
    assert "content/i18n/en.yaml:3:1: message 'search_count' is chosen by number" in err


def test_a_text_by_language_must_give_every_language(project, capsys):
    site = project.root / "content/site.yaml"
    text = site.read_text().replace("language: en", "languages: [en, es]")
    write(project, "content/site.yaml", text.replace('title: "Mini Investigation"', 'title: {en: "Mini", fr: "Mini"}'))
    status, _, err = run(project, "check", capsys=capsys)
    assert status == 1
    assert "content/site.yaml:1:8: 'title' has no text for language 'es'" in err, err
    assert "content/site.yaml:1:21: 'fr' is not one of the site's languages (en, es)" in err, err


def test_the_engine_tables_placeholders_are_bare_names():
    for path in sorted(ENGINE_TABLES.glob("*.yaml")):
        for key, message in yaml.safe_load(path.read_text()).items():
            for text in message.values() if isinstance(message, dict) else [message]:
                assert placeholder_fault(text) is None, f"{path.name}: {key}"


BAD_PLACEHOLDERS = {  # a format that fills memory, one that fails, a conversion, an attribute, an index, a stray brace
    "{title:1000000000}": "placeholder '{title:1000000000}' is not a bare name",
    "{title:>10}": "placeholder '{title:>10}' is not a bare name",
    "{title!r}": "placeholder '{title!r}' is not a bare name",
    "{title.x}": "placeholder '{title.x}' is not a bare name",
    "{title[0]}": "placeholder '{title[0]}' is not a bare name",
    "{title": "a brace opens or closes no placeholder",
}


@pytest.mark.parametrize("command", ["check", "build"])
def test_an_override_placeholder_must_be_a_bare_name(tmp_path, capsys, command):
    project = make_project(tmp_path / "p", "cuatro")
    keys = ["translated_title", "card_alt", "page_title", "local_map_title", "archived_copy_of", "list_and"]
    lines = [f'{key}: "{bad}"' for key, bad in zip(keys, BAD_PLACEHOLDERS)]
    write(project, "content/i18n/es.yaml", "\n".join(lines) + '\nsearch_count:\n  one: "{count}"\n  other: "{count:>5}"\n')
    status, _, err = run(project, command, capsys=capsys)
    assert status == 1 and "Traceback" not in err, err
    for line, ((bad, says), key) in enumerate(zip(BAD_PLACEHOLDERS.items(), keys), start=1):
        assert f"content/i18n/es.yaml:{line}:{len(key) + 3}: message '{key}': {says}" in err, err
    assert "content/i18n/es.yaml:9:10: message 'search_count': placeholder '{count:>5}' is not a bare name" in err, err
    assert not (project.root / "site").exists()

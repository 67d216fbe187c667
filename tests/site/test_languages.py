"""A second investigation, in Spanish only, with four kinds and a relation of a kind to itself
(tests/fixtures/cuatro): it builds with no English word a reader sees."""
from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
import yaml

from microsite.build import ENGINE_HOME
from microsite.messages import ENGINE_TABLES
from tests.conftest import REPO, make_project, run

WORD = re.compile(r"[^\W\d_]{3,}")
# Attributes whose words a reader meets (spoken by screen readers, shown in the box or on hover).
READ_ATTRIBUTES = ("aria-label", "placeholder", "title", "alt", "content")
SHOWN_META = ("description", "og:title", "og:description", "og:image:alt", "og:site_name")


def table_words(language: str) -> set[str]:
    words: set[str] = set()
    for message in yaml.safe_load((ENGINE_TABLES / f"{language}.yaml").read_text()).values():
        for text in message.values() if isinstance(message, dict) else [message]:
            words |= {w.lower() for w in WORD.findall(re.sub(r"\{\w+\}|'[^']*'", " ", text))}
    return words


# Words of the English table that the other language's table uses too, as they are: names of
# formats and programs, data values ("part = figure"), and words both languages have. Written
# out, not computed: an English word slipped into the other table must not leave the list.
SAME_IN_BOTH = {
    "es": {"browser", "bytes", "csv", "datasette", "entity", "event", "figure", "for", "from", "json", "llll", "mmmm",
           "null", "original", "part", "relation", "sqlite", "summary", "text", "use", "utf"},
}


def english_only_words(other: str) -> set[str]:
    """The English table's words, less those the other language shares (`SAME_IN_BOTH`)."""
    return table_words("en") - SAME_IN_BOTH.get(other, table_words(other))


class ReaderText(HTMLParser):
    """The words of a page a reader meets, leaving out any element in another language (`lang`)
    and the scripts' data."""

    def __init__(self, language: str):
        super().__init__(convert_charrefs=True)
        self.language, self.stack, self.words = language, [], []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        here = attrs.get("lang", self.stack[-1] if self.stack else self.language)
        if tag not in ("meta", "link", "br", "img", "input", "rect", "path", "source", "wbr", "hr"):
            self.stack.append(here)
        if tag == "code":  # a name of the data (a table, a column), the same in every language
            self.stack[-1] = "zxx"
        if tag == "meta" and (attrs.get("name") or attrs.get("property")) not in SHOWN_META:
            return
        if here == self.language:
            self.words += [attrs[a] for a in READ_ATTRIBUTES if attrs.get(a)]

    def handle_endtag(self, tag):
        if self.stack and tag not in ("meta", "link", "br", "img", "input", "rect", "path", "source", "wbr", "hr"):
            self.stack.pop()

    def handle_data(self, data):
        if (self.stack[-1] if self.stack else self.language) == self.language:
            self.words.append(data)


def english_words_on(page: Path, language: str, english: set[str]) -> set[str]:
    reader = ReaderText(language)
    reader.feed(re.sub(r"<script.*?</script>", "", page.read_text(encoding="utf-8"), flags=re.S))
    return {w for w in WORD.findall(" ".join(reader.words)) if w.lower() in english}


@pytest.fixture(scope="module")
def cuatro(tmp_path_factory) -> Path:
    project = make_project(tmp_path_factory.mktemp("cuatro"), "cuatro")
    assert run(project, "build")[0] == 0
    return project.root / "site"


def test_the_spanish_investigation_has_no_english_word_a_reader_sees(cuatro: Path):
    english = english_only_words("es")
    assert {"sources", "figures", "search"} <= english  # the list is the English interface's words
    found = {page.relative_to(cuatro).as_posix(): words for page in sorted(cuatro.rglob("*.html")) if (words := english_words_on(page, "es", english))}
    assert found == {}


def test_its_map_shows_each_of_four_kinds_and_the_relation_within_a_kind(cuatro: Path):
    svg = (cuatro / "map.html").read_text()
    assert [f"kind-{n}" in svg for n in range(4)] == [True] * 4
    assert 'class="edge edge-parte_de edge-self"' in svg
    assert svg.index(">Empresas</text>") < svg.index(">Sistemas</text>") < svg.index(">Agencias</text>") < svg.index(">Centros de detención</text>")


def test_names_sort_by_folded_accents_and_dates_are_spanish(cuatro: Path):
    listing = (cuatro / "centros/index.html").read_text()
    assert listing.index("Cárcel Norte") < listing.index("Centro Sur")
    assert "2 de mayo de 2019" in (cuatro / "agencias/oficina-central.html").read_text()


def test_a_folder_holding_only_content_builds_with_the_engines_templates_and_assets(tmp_path, capsys):
    import shutil

    from tests.conftest import FIXTURES
    from microsite.build import Project

    root = tmp_path / "another"
    shutil.copytree(FIXTURES / "cuatro" / "content", root / "content")
    status, out, err = run(Project(root), "build", capsys=capsys)
    assert status == 0, err
    assert sorted(p.name for p in root.iterdir()) == [".cache", "content", "site"]
    assert (root / "site/assets/style.css").read_bytes() == (ENGINE_HOME / "assets/style.css").read_bytes()
    assert '<html lang="es">' in (root / "site/empresas/acme.html").read_text()


MAP_GEOMETRY = """() => {
  const box = document.querySelector('.map-scroll'), area = box.getBoundingClientRect();
  const inside = r => r.left >= area.left - 1 && r.right <= area.right + 1;
  const current = box.querySelector('.current');
  return {
    columns: [...box.querySelectorAll('text.column')].filter(t => inside(t.getBoundingClientRect())).length,
    scrolls: box.scrollWidth > box.clientWidth,
    pageScrolls: document.documentElement.scrollWidth > window.innerWidth,
    currentInView: current ? inside(current.getBoundingClientRect()) : null,
  };
}"""


@pytest.mark.browser
def test_the_map_shows_four_kinds_at_1280_and_scrolls_at_375_with_the_pages_box_in_view(browser, cuatro: Path):
    for width, expected in ((1280, {"columns": 4, "scrolls": False}), (375, {"scrolls": True})):
        context = browser.new_context(viewport={"width": width, "height": 900})
        page = context.new_page()
        page.goto((cuatro / "map.html").as_uri())
        whole = page.evaluate(MAP_GEOMETRY)
        assert {k: whole[k] for k in expected} == expected, (width, whole)
        assert not whole["pageScrolls"]
        page.goto((cuatro / "agencias/oficina-central.html").as_uri())
        own = page.evaluate(MAP_GEOMETRY)
        assert own["currentInView"] and not own["pageScrolls"], (width, own)
        context.close()


def test_the_real_sites_other_languages_show_no_english_interface_word(real_site: Path):
    """Driven by content/site.yaml: each language after the first, where the engine has a table
    for it. A piece of text found word for word in content/ is content (a page not translated
    yet shows its original words, sources keep their titles); every other piece a reader meets
    must hold none of the English table's words."""
    from tests import real_content

    content = real_content.site().content
    languages = content.config.languages
    names = sorted(
        {e.name for e in content.entities.values()} | {p.title for p in content.pages.values()}
        | {s.title for s in content.sources.values()} | {name for s in content.sources.values() for name in s.publisher},
        key=len, reverse=True,
    )
    texts = " ".join(
        " ".join(p.read_text(encoding="utf-8").split()) for p in (REPO / "content").rglob("*") if p.suffix in (".md", ".yaml")
    )
    for language in languages[1:]:
        if not (ENGINE_TABLES / f"{language}.yaml").is_file():
            continue
        english = english_only_words(language)
        theirs = table_words(language) - english  # its own words, never an English one

        def strip(piece: str) -> str:
            """The piece without the interface words around it ('Por' in 'Por {author}')."""
            words = piece.split()
            while words and words[0].lower() in theirs:
                words.pop(0)
            while words and words[-1].lower() in theirs:
                words.pop()
            return " ".join(words)

        def pieces(text: str) -> list[str]:
            """Between the interface's punctuation: a title, a publisher, a date, each on its own."""
            return [strip(" ".join(p.split())) for p in re.split(r"[·:,;()—\"“”«»]|\.(?:\s|$)", text)]

        found = {}
        for page in sorted((real_site / language).rglob("*.html")):
            reader = ReaderText(language)
            reader.feed(re.sub(r"<script.*?</script>", "", page.read_text(encoding="utf-8"), flags=re.S))
            words = set()
            for text in reader.words:
                quoted = {w for p in pieces(text) if p in texts for w in WORD.findall(p)}  # content as it is
                for name in names:  # a name inside a message ("Mapa de {name} y sus conexiones")
                    text = text.replace(name, " ")
                words |= {w for p in pieces(text) if p not in texts for w in WORD.findall(p) if w.lower() in english} - quoted
            if words:
                found[page.relative_to(real_site).as_posix()] = words
        assert found == {}, language


@pytest.mark.browser
def test_the_table_sorts_names_with_accents_folded(page, cuatro: Path):
    page.goto((cuatro / "explore.html").as_uri())
    page.get_by_role("button", name="Nombre").click()
    page.get_by_role("button", name="Nombre").click()  # descending, then back to ascending
    page.get_by_role("button", name="Nombre").click()
    names = page.eval_on_selector_all("table.explore tbody tr:not([hidden]) th a", "els => els.map(e => e.textContent)")
    assert names.index("Cárcel Norte") < names.index("Centro Sur"), names

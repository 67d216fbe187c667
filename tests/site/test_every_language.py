"""Every language shows the whole site: each page in each language has the relations (both sides),
figures, sections and citations of the first language's, and none of one language's interface
words, relation labels or page names stray onto another's pages. Checked on a fixture in two
languages (tests/fixtures/dos: translated and untranslated pages, relations seen from both sides)
and on the real site, whose languages and names are read from content/."""
from __future__ import annotations

import re
from collections import Counter
from html.parser import HTMLParser
from pathlib import Path

import pytest
import yaml

from microsite.messages import ENGINE_TABLES
from microsite.render.facts import translated_view
from microsite.resolve.site import Site
from tests.conftest import REPO, make_project, run

VOID = {"meta", "link", "br", "img", "input", "rect", "path", "source", "wbr", "hr", "circle", "line", "polygon", "use"}
SHOWN_META = ("description", "og:title", "og:description", "og:image:alt", "og:site_name")
ENGINE_ID = re.compile(r"^(fig-|to-|from-|event-|source-\d|[a-z-]+-title$)")


class Structure(HTMLParser):
    """What a page shows, whatever its language: the relation lists' lengths, the figures, the
    sections, the ids the engine makes (not those made from a text's words), the sources cited."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.sections, self.ids, self.relations, self.marks = [], [], [], []
        self.figures = 0
        self.in_related = 0
        self.entry = None  # the page's source list entry being read
        self.entries: dict[str, str] = {}
        self.depth = 0

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag not in VOID:
            self.depth += 1
        classes = (a.get("class") or "").split()
        if tag == "section":
            self.sections.append(a.get("class") or a.get("id") or "")
            if "related" in classes:
                self.in_related = self.depth
        if a.get("id") and ENGINE_ID.match(a["id"]):
            self.ids.append(a["id"])
        if self.in_related and tag == "h3":
            self.relations.append(0)
        if self.in_related and tag == "li" and self.relations:
            self.relations[-1] += 1
        if tag == "span" and "value" in classes:
            self.figures += 1
        if tag == "a" and "cite" in classes:
            self.marks.append(a["href"][1:])
        if tag == "li" and re.fullmatch(r"source-\d+", a.get("id") or ""):
            self.entry = a["id"]
        if tag == "a" and self.entry and "#" in (a.get("href") or "") and "sources.html#" in a["href"]:
            self.entries.setdefault(self.entry, a["href"].rpartition("#")[2])

    def handle_endtag(self, tag):
        if tag in VOID:
            return
        if self.in_related == self.depth and tag == "section":
            self.in_related = 0
        self.depth -= 1

    def shown(self) -> dict:
        return {
            "sections": self.sections, "relations per heading": self.relations, "figures": self.figures,
            "engine ids": sorted(self.ids), "sources cited": sorted(Counter(self.entries.get(m, m) for m in self.marks).items()),
        }


def structure(page: Path) -> dict:
    parser = Structure()
    parser.feed(page.read_text(encoding="utf-8"))
    return parser.shown()


def pages_of(site_dir: Path, languages: list[str]) -> list[str]:
    """The first language's pages (at the root), by address."""
    others = tuple(f"{language}/" for language in languages[1:])
    return sorted(
        p.relative_to(site_dir).as_posix() for p in site_dir.rglob("*.html")
        if not p.relative_to(site_dir).as_posix().startswith(others)
    )


def differences(site_dir: Path, languages: list[str]) -> dict:
    found = {}
    for output in pages_of(site_dir, languages):
        first = structure(site_dir / output)
        for language in languages[1:]:
            other = site_dir / language / output
            if not other.is_file():
                found[f"{language}/{output}"] = "missing"
                continue
            theirs = structure(other)
            wrong = {k: (v, theirs[k]) for k, v in first.items() if theirs[k] != v}
            if wrong:
                found[f"{language}/{output}"] = wrong
    return found


class OwnText(HTMLParser):
    """The text of a page in its own language: what an element marked with another `lang` holds
    is left out (a reader's screen reader speaks it in that language), and so is code."""

    def __init__(self, language: str):
        super().__init__(convert_charrefs=True)
        self.stack, self.language, self.parts = [language], language, []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        here = "zxx" if tag in ("code", "script", "style") else a.get("lang", self.stack[-1])
        if tag not in VOID:
            self.stack.append(here)
        if here == self.language:
            self.parts += [a[k] for k in ("aria-label", "title", "alt", "placeholder") if a.get(k)]
            if tag == "meta" and a.get("content") and (a.get("name") or a.get("property")) in SHOWN_META:
                self.parts.append(a["content"])

    def handle_endtag(self, tag):
        if tag not in VOID and len(self.stack) > 1:
            self.stack.pop()

    def handle_data(self, data):
        if self.stack[-1] == self.language:
            self.parts.append(data)


def own_text(page: Path, language: str) -> str:
    reader = OwnText(language)
    reader.feed(page.read_text(encoding="utf-8"))
    return " ".join(" ".join(reader.parts).split())


def message_pieces(language: str, root: Path) -> set[str]:
    """The engine's messages in `language` (with the site's overrides), cut at their placeholders."""
    table = yaml.safe_load((ENGINE_TABLES / f"{language}.yaml").read_text(encoding="utf-8"))
    own = root / "content" / "i18n" / f"{language}.yaml"
    if own.is_file():
        table.update(yaml.safe_load(own.read_text(encoding="utf-8")) or {})
    texts = [t for m in table.values() for t in (m.values() if isinstance(m, dict) else [m])]
    return {p for text in texts for p in re.split(r"\{\w+\}|<[^>]*>", text)}


def language_strings(site: Site, language: str, root: Path) -> set[str]:
    """What a page in `language` may say that is that language's own: its interface messages,
    the site's texts (kinds, relations, title) and the names and titles of its pages."""
    view = translated_view(site, language)
    config = view.content.config
    texts = {config.title, config.tagline}
    texts |= {t for k in config.kinds for t in (k.singular, k.plural, k.intro)}
    texts |= {t for r in config.relations for t in (r.label, r.inverse, r.phrase, r.inverse_phrase)}
    texts |= {t for k in config.source_kinds for t in (k.label, k.plural)}
    texts |= {e.name for e in view.content.entities.values()} | {p.title for p in view.content.pages.values()}
    pieces = {" ".join(re.sub(r"[^\w'’ -]", " ", p).split()) for p in {*texts, *message_pieces(language, root)} if p}
    data_names = {k.id for k in config.kinds} | {r.field for r in config.relations}  # the same in every language
    return {p for p in pieces if len(p) >= 4 and p not in data_names}


def translators_words(root: Path, language: str) -> str:
    """What the translations into `language` say themselves (a translator may name a thing in the
    original's language, deliberately): not held against the engine."""
    return " ".join(
        " ".join(p.read_text(encoding="utf-8").split()) for p in (root / "content").rglob(f"*.{language}.*")
    )


def strays(site: Site, site_dir: Path, root: Path) -> dict:
    languages = site.content.config.languages
    strings = {language: language_strings(site, language, root) for language in languages}
    found = {}
    for language in languages:
        others = set().union(*(strings[o] for o in languages if o != language)) - strings[language]
        allowed = translators_words(root, language) if language != languages[0] else ""
        own = " | ".join(strings[language])  # a word both languages have ('original') is no stray
        foreign = [s for s in others if s not in allowed and not re.search(rf"(?<!\w){re.escape(s)}(?!\w)", own)]
        if not foreign:
            continue
        pattern = re.compile(r"(?<!\w)(?:" + "|".join(re.escape(s) for s in sorted(foreign, key=len, reverse=True)) + r")(?!\w)")
        folder = site_dir if language == languages[0] else site_dir / language
        for output in pages_of(site_dir, languages):
            page = folder / output
            if page.is_file() and (hits := sorted(set(pattern.findall(own_text(page, language))))):
                found[f"{'' if language == languages[0] else language + '/'}{output}"] = hits
    return found


@pytest.fixture(scope="module")
def dos(tmp_path_factory) -> tuple[Path, Path, Site]:
    from microsite.build import check

    project = make_project(tmp_path_factory.mktemp("dos"), "dos")
    assert run(project, "build")[0] == 0
    site, _ = check(project)
    return project.root, project.root / "site", site


def test_the_fixture_relates_pages_from_both_sides_in_both_languages(dos):
    root, site_dir, site = dos
    translated = site.translated["es"].translated
    targets = {e.output for e in site.content.entities.values() if site.inbound.get(e.output)}
    assert targets & translated and targets - translated  # inbound relations on pages translated and not


def test_every_language_shows_the_same_relations_figures_sections_and_citations(dos):
    root, site_dir, site = dos
    assert differences(site_dir, site.content.config.languages) == {}


def test_no_language_shows_another_languages_labels_or_names(dos):
    root, site_dir, site = dos
    assert strays(site, site_dir, root) == {}


def test_the_real_site_is_whole_in_every_language(real_site: Path):
    from tests import real_content

    assert differences(real_site, real_content.site().content.config.languages) == {}


def test_the_real_site_shows_no_language_in_another(real_site: Path):
    from tests import real_content

    assert strays(real_content.site(), real_site, REPO) == {}


def _dos(tmp_path: Path):
    project = make_project(tmp_path / "dos", "dos")
    (project.root / "content/changes.yaml").write_text(
        '- date: 2020-04-01\n  text: {en: "First edition.", es: "Primera edición."}\n', encoding="utf-8"
    )
    return project


def test_each_language_has_its_own_feed_and_its_pages_link_it(tmp_path: Path, capsys):
    import xml.etree.ElementTree as ET

    project = _dos(tmp_path)
    assert run(project, "build", capsys=capsys)[0] == 0
    site_dir = project.root / "site"
    atom = "{http://www.w3.org/2005/Atom}"
    for folder, language, title, entry in (
        ("", "en", "Two-Language Investigation: changes", "First edition."),
        ("es/", "es", "Investigación en dos idiomas: cambios", "Primera edición."),
    ):
        feed = ET.parse(site_dir / folder / "feed.xml").getroot()
        assert feed.get("{http://www.w3.org/XML/1998/namespace}lang") == language
        assert feed.find(f"{atom}title").text == title
        assert feed.find(f"{atom}id").text == f"https://investigation.test/dos/{folder}feed.xml"
        assert [e.find(f"{atom}content").text for e in feed.findall(f"{atom}entry")] == [entry]
        assert all(link.get("href").startswith(f"https://investigation.test/dos/{folder}")
                   for link in feed.iter(f"{atom}link"))
        page = (site_dir / folder / "companies/acme.html").read_text(encoding="utf-8")
        assert f'<link rel="alternate" type="application/atom+xml" title="{title}" href="../feed.xml">' in page


def test_the_404_page_a_host_serves_everywhere_speaks_every_language(tmp_path: Path, capsys):
    project = _dos(tmp_path)
    assert run(project, "build", capsys=capsys)[0] == 0
    html = (project.root / "site/404.html").read_text(encoding="utf-8")
    english = re.search(r'<section class="not-found" lang="en">(.*?)</section>', html, re.S).group(1)
    spanish = re.search(r'<section class="not-found" lang="es">(.*?)</section>', html, re.S).group(1)
    assert "Page not found" in english and '<a href="/dos/index.html">home page</a>' in english
    assert "Página no encontrada" in spanish and '<a href="/dos/es/index.html">página de inicio</a>' in spanish
    assert '<a href="/dos/es/sources.html">lista de fuentes</a>' in spanish


def test_an_english_only_edit_never_blocks_the_build_through_a_translation(tmp_path: Path, capsys):
    """Figures, events and relations added to (or taken from) an original: its translation is
    stale, not wrong; the translated page shows what it lacks in the original's words, marked."""
    project = _dos(tmp_path)
    acme = project.root / "content/companies/acme.md"
    acme.write_text(acme.read_text().replace(
        "---\n## What", '  - label: Offices\n    value: "3 offices"\n    cite: daily-2020-01-02\n---\n## What', 1))
    ledger = project.root / "content/systems/ledger.md"
    text = ledger.read_text().replace(  # beta (translated role) gone, department (a new role) added
        '  - id: beta\n    role: Hosts it\n    cite: "report-2020, p. 9"\n', "")
    text = text.replace("operators:\n", "operators:\n  - id: department\n    role: Oversees it\n    cite: report-2020\n")
    text = text.replace("events:\n", "events:\n  - date: 2019-01\n    text: Ledger was planned.\n    cite: report-2020\n")
    ledger.write_text(text)
    status, _, err = run(project, "build", capsys=capsys)
    assert status == 0, err
    for translation in ("content/companies/acme.es.md:2:13", "content/systems/ledger.es.md:2:13"):
        assert f"{translation}: warning: the original" in err, err
    site_dir = project.root / "site"
    acme_es = (site_dir / "es/companies/acme.html").read_text(encoding="utf-8")
    assert '<span class="value" lang="en">3 offices</span>' in acme_es and '<span lang="en">Offices</span>' in acme_es
    ledger_es = (site_dir / "es/systems/ledger.html").read_text(encoding="utf-8")
    assert '<span lang="en">Oversees it</span>' in ledger_es and "Lo construye" in ledger_es
    assert '<span lang="en">Ledger was planned.</span>' in ledger_es
    assert '<span lang="en">Ledger went live.</span>' in ledger_es  # its translation's place is not known now
    assert differences(site_dir, ["en", "es"]) == {}


def test_the_data_page_in_each_language_says_truly_what_the_downloads_hold(dos):
    """The downloads are made once, in the language the content is written in (a CSV cell cannot
    say which language it is in, and a translation may lag its original): every Data page says
    so and gives as examples the words the files really hold."""
    root, site_dir, site = dos
    relations = next((site_dir / "data").glob("*relations.csv")).read_text(encoding="utf-8")
    assert "Built by,Supplies" in relations
    spanish = (site_dir / "es/data.html").read_text(encoding="utf-8")
    assert '«<span lang="en">Supplies</span>»' in spanish and "Suministra" not in spanish
    assert '<p class="data-language">Las descargas están en el idioma en que está escrito el contenido (English)' in spanish
    assert 'class="data-language"' not in (site_dir / "data.html").read_text(encoding="utf-8")


def test_the_home_pages_card_is_described_by_what_it_shows(dos):
    """The home page's card shows its lead (here, with no lead, the tagline) above the site's name:
    its alt text says that, not the site's name twice."""
    root, site_dir, site = dos
    for folder, alt in (("", "A fixture in two languages: Two-Language Investigation"),
                        ("es/", "Un sitio de prueba en dos idiomas: Investigación en dos idiomas")):
        html = (site_dir / folder / "index.html").read_text(encoding="utf-8")
        assert f'<meta property="og:image:alt" content="{alt}">' in html


# Words the Spanish pages once had: a calque, Spain's usage where Latin America says otherwise, a
# generated phrase agreeing in gender with whatever name it follows, an English 'and' in a byline.
NOT_SPANISH_HERE = ("directora de campo", "es construido", "es sustituido", "No se ha podido", "recogida de",
                    "abra una incidencia")


def test_the_real_sites_spanish_pages_avoid_known_missteps(real_site: Path):
    from microsite.addresses import language_prefix
    from tests import real_content

    languages = real_content.site().content.config.languages
    if "es" not in languages:
        return  # a site with no Spanish pages
    spanish = real_site / language_prefix("es", languages)
    others = [real_site / language_prefix(lang, languages) for lang in languages if lang != "es" and lang != languages[0]]
    pages = {
        p: p.read_text(encoding="utf-8") for p in spanish.rglob("*.html")
        if not any(p.is_relative_to(folder) for folder in others if folder != spanish)
    }
    scripts = " ".join(p.read_text(encoding="utf-8") for p in (real_site / "assets").rglob("*.js") if "vendor" not in p.parts)
    for words in NOT_SPANISH_HERE:
        assert [p.name for p, html in pages.items() if words in html] == [] and words not in scripts, words
    sources = pages[spanish / "sources.html"]
    assert not re.search(r"Por [^.<]* and ", sources)
    home = pages[spanish / "index.html"]
    title = re.search(r'<meta property="og:title" content="([^"]*)">', home).group(1)
    alt = re.search(r'<meta property="og:image:alt" content="([^"]*)">', home).group(1)
    assert not alt.startswith(title), alt  # what the card shows first is the lead, not the name


def test_a_quotation_is_marked_with_its_sources_language_on_a_page_in_another(tmp_path):
    """Quoted words stay in their source's language, and say so (`lang`), so a screen reader
    speaks them in it: an English source quoted on a Spanish page, a Spanish one on an English
    page; a quotation in the page's own language is not marked."""
    from tests.conftest import make_project, run

    project = make_project(tmp_path / "project", "dos")
    sources = project.root / "content" / "sources"
    daily = sources / "daily-2020-01-02.yaml"
    daily.write_text(daily.read_text() + 'quotes:\n  - "Acme sells records to agencies"\n')
    (sources / "nota-2020.yaml").write_text(
        'title: "Nota"\npublisher: "Diario"\ndate: 2020-02-01\nkind: news\nlanguage: es\n'
        'url: https://diario.example.org/nota\nquotes:\n  - "las empresas venden datos"\n'
    )
    acme = project.root / "content" / "companies" / "acme.md"
    acme.write_text(acme.read_text() + '\nThe Daily wrote that "Acme sells records to agencies". [@daily-2020-01-02]\n\n'
                    'A paper wrote that "las empresas venden datos". [@nota-2020]\n')
    spanish = project.root / "content" / "companies" / "acme.es.md"
    spanish.write_text(spanish.read_text() + '\nThe Daily escribió que "Acme sells records to agencies" '
                       '(traducción propia: \\«Acme vende registros\\»). [@daily-2020-01-02]\n\n'
                       'Un diario escribió que "las empresas venden datos". [@nota-2020]\n')
    status, _, err = run(project, "build")
    assert status == 0, err
    english = (project.site / "companies" / "acme.html").read_text()
    translated = (project.site / "es" / "companies" / "acme.html").read_text()
    assert '<span lang="en">&quot;Acme sells records to agencies&quot;</span>' in translated
    assert '<span lang="es">&quot;las empresas venden datos&quot;</span>' in english
    assert '"&quot;Acme sells records to agencies&quot;' not in english and '>&quot;Acme sells records' not in english.replace(
        "that &quot;", "")
    assert english.count('<span lang="en">') == 0 and translated.count('<span lang="es">') == 0

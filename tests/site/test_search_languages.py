"""Search in the page's language: the build stems and folds Spanish words exactly as the
browser's lunr-languages does, and Spanish search from disk finds the same pages for a word with
or without its accent, singular or plural."""
from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from microsite.outputs.lunr_es import STOP_WORDS
from microsite.outputs.lunr_index import TermCounter
from lunr.token import Token
from tests.conftest import REPO, make_project, require, run

NODE = shutil.which("node")
WORDS = ["deportación", "deportaciones", "deportacion", "cárcel", "cárceles", "carcel", "prisión", "prisiones",
         "inmigración", "«vigilancia»", "biométricos", "niños", "Ñandú", "de", "la", "más", "está", "¿quién?"]
BROWSER_SIDE = """
const lunr = require(process.argv[2] + "/assets/vendor/lunr/lunr.min.js");
require(process.argv[2] + "/assets/vendor/lunr-languages/lunr.stemmer.support.min.js")(lunr);
require(process.argv[2] + "/assets/vendor/lunr-languages/lunr.es.min.js")(lunr);
const pipeline = lunr.Pipeline.load(JSON.parse(process.argv[3]));
const words = JSON.parse(require("fs").readFileSync(0, "utf8"));
console.log(JSON.stringify(words.map(w => [...new Set(pipeline.runString(w))])));
"""


def fixture_words() -> list[str]:
    text = " ".join(p.read_text() for p in sorted((REPO / "tests/fixtures/cuatro/content").rglob("*.md")))
    return sorted({w.lower() for w in re.findall(r"[^\W\d_]+", text)})


def test_index_time_and_query_time_terms_agree(tmp_path):
    require(NODE is not None, "node", "apt-get install nodejs")
    counter = TermCounter(language="es")
    words = WORDS + fixture_words() + sorted(STOP_WORDS)
    ours = [list(dict.fromkeys(str(t) for t in counter.pipeline.run([Token(w.lower(), {})]))) for w in words]
    script = tmp_path / "terms.js"
    script.write_text(BROWSER_SIDE)
    labels = json.dumps(counter.search_pipeline.serialize())
    theirs = json.loads(subprocess.run(
        [NODE, str(script), str(REPO / "microsite"), labels], input=json.dumps([w.lower() for w in words]),
        capture_output=True, text=True, check=True,
    ).stdout)
    assert dict(zip(words, ours)) == dict(zip(words, theirs))
    assert ours[WORDS.index("de")] == [] and ours[WORDS.index("deportaciones")] == ["deport"]


@pytest.mark.browser
def test_spanish_search_from_disk_finds_the_same_pages_with_or_without_accents(page, tmp_path):
    project = make_project(tmp_path / "cuatro", "cuatro")
    assert run(project, "build")[0] == 0
    page.goto((project.root / "site/index.html").as_uri())
    box = page.get_by_role("searchbox", name="Buscar en este sitio")
    found = {}
    for word in ("deportación", "deportaciones", "deportacion"):
        box.fill("")
        box.press_sequentially(word)
        page.locator(".search-results a").first.wait_for()
        found[word] = sorted(page.eval_on_selector_all(".search-results a", "els => els.map(a => a.getAttribute('href'))"))
    assert len(found["deportación"]) >= 3
    assert found["deportación"] == found["deportaciones"] == found["deportacion"], found
    box.fill("")
    box.press_sequentially("de")
    assert page.locator(".search-results a").count() == 0


@pytest.mark.browser
def test_a_spanish_word_being_typed_with_its_accent_finds_its_page(page, tmp_path):
    """The Spanish index holds 'cárcel' as 'carcel' (folded and stemmed): a word still being typed
    is looked for as it is, so 'cárce' found nothing until its last letter, where 'carce' did."""
    project = make_project(tmp_path / "cuatro", "cuatro")
    assert run(project, "build")[0] == 0
    page.goto((project.root / "site/index.html").as_uri())
    box = page.get_by_role("searchbox", name="Buscar en este sitio")
    found = {}
    for typed in ("carce", "cárce", "CÁRCE"):
        box.fill("")
        box.press_sequentially(typed)
        page.wait_for_function("s => s.textContent && !s.textContent.startsWith('Cargando')", arg=page.locator("#search-status").element_handle())
        found[typed] = page.eval_on_selector_all(".search-results a", "els => els.map(a => a.getAttribute('href'))")
    assert found["carce"][:1] == ["centros/carcel-norte.html"]
    assert found["cárce"] == found["CÁRCE"] == found["carce"], found

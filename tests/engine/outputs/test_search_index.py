"""The site's own lunr indexer must give exactly what lunr.py gives: lunr.js reads either."""
from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from lunr import lunr

from microsite.build import Project, check
from microsite.outputs.lunr_index import Field, TermCounter, index_pieces
from tests.conftest import REPO
from microsite.outputs.search import FIELDS, OTHER_SPACES, _join, search_documents, search_index



def by_lunr_py(documents: list[tuple[str, tuple[str, str]]], fields=FIELDS) -> dict:
    names = [f.name for f in fields]
    docs = [{"ref": ref, **dict(zip(names, texts))} for ref, texts in documents]
    return lunr(ref="ref", fields=[{"field_name": f.name, "boost": f.boost} for f in fields], documents=docs).serialize()


def index_json(fields, documents, counter: TermCounter) -> str:
    counted = [(ref, [counter.count(text) for text in texts]) for ref, texts in documents]
    return "".join(index_pieces(fields, counted, counter))


def as_json(index: dict) -> str:
    return json.dumps(index, sort_keys=True, separators=(",", ":"))


def test_the_real_sites_index_is_the_one_lunr_py_builds():
    site, _ = check(Project(REPO))
    documents = [(d.ref, (d.title, d.text)) for d in search_documents(site)]
    assert documents
    language = site.content.config.language
    ours = index_json(FIELDS, documents, TermCounter(language=language))
    if language == "en":  # lunr.py's own pipeline is English's; another's is held to the browser's (test_search_languages)
        assert ours == as_json(by_lunr_py(documents))
    script = search_index(site)["assets/search-index.js"].decode()
    assert ours in script


HARD_TEXT = (
    "Palantir's FALCON—a \"search\" tool; ICE-HSI (Homeland Security Investigations) and the "
    "U.S. DHS. It is, was, and will be: 200 million vs. 230,000,000 identities! ΟΔΟΣ Straße "
    "naïve café \u00a0non-breaking\tTAB\nline -- --- a - b the of and 2018-10-23 e-mail"
)


def test_punctuation_stop_words_hyphens_and_unicode_score_as_in_lunr_py():
    documents = [
        ("a.html", ("FALCON search and analysis", HARD_TEXT)),
        ("b.html", ("Amazon Web Services", HARD_TEXT[40:] + " cloud cloud cloud hosting")),
        ("c.html", ("The", "")),  # a title that is all stop word, and no text
        ("d.html#x", ("Rekognition", "—")),
    ]
    assert index_json(FIELDS, documents, TermCounter()) == as_json(by_lunr_py(documents))


words = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=12)
texts = st.lists(st.one_of(words, st.sampled_from(["the", "-", " ", "\xa0", "ICE", "running", "it's"])), max_size=20).map(" ".join)


@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(texts, texts), min_size=1, max_size=5))
def test_any_documents_index_as_in_lunr_py(fields):
    documents = [(f"page-{i}.html", pair) for i, pair in enumerate(fields)]
    counter = TermCounter()
    assert index_json(FIELDS, documents, counter) == as_json(by_lunr_py(documents))
    # and again with every text remembered, as in the preview
    assert index_json(FIELDS, documents, counter) == as_json(by_lunr_py(documents))


def test_a_counter_forgets_texts_no_longer_on_the_site():
    counter = TermCounter()
    index_json(FIELDS, [("a.html", ("Amazon", "old words"))], counter)
    counter.forget_unused()
    index_json(FIELDS, [("a.html", ("Amazon", "new words"))], counter)
    counter.forget_unused()
    assert set(counter.texts) == {"Amazon", "new words"}


def test_refs_with_control_characters_and_digits_index_as_in_lunr_py():
    # Each score is written with a control character after it, then rewritten: a ref holds none.
    documents = [("a00;10;]\x0100\x01;10\x01.html", ("Amazon", "cloud 10 cloud")), ("b\x01.html", ("Palantir", "cloud"))]
    assert index_json(FIELDS, documents, TermCounter()) == as_json(by_lunr_py(documents))


def test_scores_too_large_for_fixed_decimals_are_written_as_lunr_py_writes_them():
    fields = (Field("title", boost=10**17), Field("text"))
    documents = [("a.html", ("Amazon Amazon", "cloud")), ("b.html", ("Palantir", "cloud hosting"))]
    ours = index_json(fields, documents, TermCounter())
    assert "e+" in ours
    assert ours == as_json(by_lunr_py(documents, fields))


def test_every_white_space_character_but_the_space_is_known():
    assert OTHER_SPACES == [c for c in map(chr, range(sys.maxunicode + 1)) if c.isspace() and c != " "]


spaced = st.text(alphabet=st.one_of(st.sampled_from(["a", "é", "—", " "]), st.sampled_from(OTHER_SPACES)), max_size=12)


@given(st.lists(spaced, max_size=4))
@example(["a  b"])
@example([" a", "b "])
def test_texts_are_joined_as_split_and_join_would(parts):
    assert _join(*parts) == " ".join(" ".join(p.split()) for p in parts if p and p.strip())


@pytest.mark.parametrize("documents", [1500, 2500])
def test_an_inverted_index_written_in_several_pieces_is_the_one_lunr_py_builds(documents):
    # Postings of about 55 characters, then one of 17 per document: a piece ends at the last
    # term (1500 documents), or before it (2500).
    texts = [(f"d{i:04}.html", (f"t{i:04}", f"w{i:04} zzz")) for i in range(documents)]
    assert index_json(FIELDS, texts, TermCounter()) == as_json(by_lunr_py(texts))

"""A lunr index, serialised, as lunr.py builds it, in a fraction of the time.

lunr.py (`lunr.lunr`) defines the index the site's search reads: its tokenizer, its pipeline
(trimmer, stop words, Porter stemmer) and its BM25 scores. It runs that pipeline on every word of
every document through several Python calls per word: 25 µs a word, minutes for a large site. The
pipeline is a pure function of one word, so this module runs lunr.py's own pipeline once per
distinct word, counts each text's terms once per distinct text (`TermCounter`, kept between the
preview's rebuilds), and computes the same scores in the same order. The output is the JSON of
`lunr(...).serialize()`, byte for byte; `tests/test_search_index.py` holds it to that.
"""
from __future__ import annotations

import hashlib
import json
import math
import re
from collections import Counter
from dataclasses import dataclass
from typing import Iterator, Sequence

from lunr import __TARGET_JS_VERSION__, get_default_builder
from lunr.pipeline import Pipeline
from lunr.token import Token

# lunr's tokenizer splits on these (lunr.tokenizer.SEPARATOR_CHARS) after lowering the whole text.
SEPARATORS = re.compile(r"[ \t\n\r\f\v\xa0-]+")
def _spanish() -> tuple:
    from .lunr_es import PIPELINE

    return PIPELINE


# Languages whose words are trimmed, filtered and stemmed in their own way, as lunr-languages does
# in the browser (the page loads its scripts: `search.py`); any other language uses lunr's English.
LANGUAGE_PIPELINES = {"es": _spanish}
K1, B = 1.2, 0.75  # lunr's BM25 parameters (Builder._k1, Builder._b)


@dataclass(frozen=True)
class Field:
    name: str
    boost: int = 1


@dataclass(frozen=True)
class FieldTerms:
    """What lunr keeps of a field's text: each term with its count, in order of first use."""

    # Two flat tuples, not one of pairs: a pair costs 64 bytes, 37 MB for 10,000 pages.
    terms: tuple[str, ...]
    counts: tuple[int, ...]
    length: int  # the number of terms, repeats included


class TermCounter:
    """Texts to terms through lunr's indexing pipeline, remembering each distinct word and text."""

    def __init__(self, keep_texts: bool = True, language: str = "en") -> None:
        builder = get_default_builder()
        self.pipeline = builder.pipeline
        self.search_pipeline = builder.search_pipeline
        if language in LANGUAGE_PIPELINES:  # the same steps as the browser's lunr-languages
            self.pipeline, self.search_pipeline = Pipeline(), Pipeline()
            self.pipeline.add(*LANGUAGE_PIPELINES[language]())
            self.search_pipeline.add(*LANGUAGE_PIPELINES[language]())
        self.language = language
        self.words: dict[str, tuple[str, ...]] = {}
        self.texts: dict[str, FieldTerms] = {}
        self.used: set[str] = set()
        # A preview counts the same texts save after save; a single build holding every text
        # only to look each up once would hold 50 MB more at 10,000 entities.
        self.keep_texts = keep_texts
        # A build's counts kept in .cache/ for the next (`search.py`): each text's terms by the
        # digest of the text, as read (`stored`) and as used by this build (`counted`).
        self.stored: dict[bytes, Stored] = {}
        self.counted: dict[bytes, Stored] | None = None

    def count(self, text: str) -> FieldTerms:
        if self.counted is not None:
            return FieldTerms(*self._count_stored(text))
        if not self.keep_texts:
            return self._count(text)
        self.used.add(text)
        known = self.texts.get(text)
        if known is None:
            known = self.texts[text] = self._count(text)
        return known

    def _count_stored(self, text: str) -> Stored:
        """A text's terms as the last build counted them, else counted now; either way kept for
        the next build. The digest, not the text, is the key: 16 bytes against the text's size."""
        assert self.counted is not None
        key = hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=16).digest()
        found = self.stored.get(key)
        if found is None:
            terms = self._count(text)
            found = (terms.terms, terms.counts, terms.length)
        self.counted[key] = found
        return found

    def forget_unused(self) -> None:
        """Keep only the texts counted since the last call: a preview edits the same site for hours."""
        self.texts = {text: self.texts[text] for text in self.used}
        self.used = set()

    def _count(self, text: str) -> FieldTerms:
        # Count the words first (in C), then turn each distinct word into its terms: a term's first
        # use is at the first word that gives it, so the order of first use is kept.
        words = Counter(SEPARATORS.split(text.lower()))
        words.pop("", None)
        counts: dict[str, int] = {}
        length = 0
        for word, n in words.items():
            terms = self.words.get(word)
            if terms is None:
                # Once each: a word with accents gives itself and its folded form (Spanish), often one stem.
                terms = self.words[word] = tuple(dict.fromkeys(str(t) for t in self.pipeline.run([Token(word, {})])))
            for term in terms:
                counts[term] = counts.get(term, 0) + n
            length += n * len(terms)
        return FieldTerms(tuple(counts), tuple(counts.values()), length)


Stored = tuple[tuple[str, ...], tuple[int, ...], int]  # FieldTerms as plain tuples: quick to unpickle
Counted = list[tuple[str, list[FieldTerms]]]  # each document's ref, and the terms of each of its fields


def index_pieces(fields: Sequence[Field], counted: Counted, counter: TermCounter) -> Iterator[str]:
    """The lunr index of the documents `counted` (each `(ref, terms)`, terms counted by `counter`
    for each field, refs unique) as the JSON text
    `json.dumps(lunr(...).serialize(), sort_keys=True, separators=(",", ":"))` gives, in pieces
    made as they are written: as one structure of dicts and lists for json to walk, the index of
    10,000 pages took 165 MB and most of a second more; as one string copied into the script
    around it, three times its 29 MB."""
    names = [f.name for f in fields]
    number: dict[str, int] = {}  # term -> its index, in order of first use
    having: dict[str, list[list[str]]] = {}  # term -> for each field, the documents using it
    for ref, per_field in counted:
        for i, terms in enumerate(per_field):
            for term in terms.terms:
                refs = having.get(term)
                if refs is None:
                    number[term] = len(number)
                    refs = having[term] = [[] for _ in names]
                refs[i].append(ref)
    count = len(counted)
    average = [sum(c[1][i].length for c in counted) / count if count else 0 for i in range(len(names))]
    idf: dict[str, float] = {}
    # The keys of lunr's serialised index, in sorted order: fieldVectors, fields, invertedIndex,
    # pipeline, version.
    yield '{"fieldVectors":['
    comma = ""
    for ref, per_field in counted:
        for i, (field, terms) in enumerate(zip(fields, per_field)):
            elements = []
            # A field whose average length is 0 has no terms, so no score divides by it.
            norm = K1 * (1 - B + B * (terms.length / average[i])) if terms.terms else 0.0
            for term, tf in zip(terms.terms, terms.counts):
                weight = idf.get(term)
                if weight is None:
                    weight = idf[term] = _idf(sum(len(refs) for refs in having[term]), count)
                score = weight * ((K1 + 1) * tf) / (norm + tf)
                score *= field.boost
                elements.append((number[term], round(score, 3)))
            elements.sort()  # lunr's Vector keeps its elements in order of term index
            yield comma + _json([f"{field.name}/{ref}", [x for pair in elements for x in pair]])
            comma = ","
    yield f'],"fields":{_json(names)},"invertedIndex":['
    quoted = {ref: _json(ref) for ref, _ in counted}  # each ref is written once per term using it
    comma = ""
    for term in sorted(having):
        yield f"{comma}[{_json(term)},{_posting(number[term], names, having[term], quoted)}]"
        comma = ","
    yield f'],"pipeline":{_json(counter.search_pipeline.serialize())},"version":{_json(__TARGET_JS_VERSION__)}}}'


def _posting(index: int, names: list[str], refs: list[list[str]], quoted: dict[str, str]) -> str:
    """lunr's posting of a term: {"_index": n, field: {ref: {}, ...}, ...}."""
    parts = {"_index": str(index)}
    for name, documents in zip(names, refs):
        parts[name] = "{" + ",".join(f"{quoted[ref]}:{{}}" for ref in sorted(documents)) + "}"
    return _object(parts)


def _object(parts: dict[str, str]) -> str:
    """A JSON object of values already written, its keys sorted as json's sort_keys sorts them."""
    return "{" + ",".join(f"{_json(key)}:{parts[key]}" for key in sorted(parts)) + "}"


def _json(value) -> str:
    return json.dumps(value, separators=(",", ":"))


def _idf(documents_with_term: int, document_count: int) -> float:
    """lunr.idf.idf: a document with the term in two fields counts twice, as in lunr."""
    x = (document_count - documents_with_term + 0.5) / (documents_with_term + 0.5)
    return math.log(1 + abs(x))

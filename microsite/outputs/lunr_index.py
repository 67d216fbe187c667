"""A lunr index, serialised, as lunr.py builds it, in a fraction of the time.

lunr.py (`lunr.lunr`) defines the index the site's search reads: its tokenizer, its pipeline
(trimmer, stop words, Porter stemmer) and its BM25 scores. It runs that pipeline on every word of
every document through several Python calls per word: 25 µs a word, minutes for a large site. The
pipeline is a pure function of one word, so this module runs lunr.py's own pipeline once per
distinct word, counts each text's terms once per distinct text (`TermCounter`, kept between the
preview's rebuilds), and computes the same scores in the same order. The output is the JSON of
`lunr(...).serialize()`, byte for byte; `tests/engine/outputs/test_search_index.py` holds it to that.
"""
from __future__ import annotations

import hashlib
import json
import math
import re
from collections import Counter, deque
from dataclasses import dataclass
from itertools import chain, repeat
from json.encoder import encode_basestring_ascii
from operator import itemgetter
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
    around it, three times its 29 MB.

    An edit changes every document's scores (each depends on every document's length and every
    term's document count), so every vector is scored again: each loop over a document's terms is
    one of C's (`map`, `sorted`, `%` on a format string) but the score's arithmetic."""
    names = [f.name for f in fields]
    # A term's number is its place in order of first use; its document count, lunr's, counts a
    # document once per field using it. A Counter keeps its keys in order of first use.
    used = Counter(chain.from_iterable(terms.terms for _, per_field in counted for terms in per_field))
    number = dict(zip(used, range(len(used))))
    count = len(counted)
    idf = {term: _idf(n, count) for term, n in used.items()}
    average = [sum(c[1][i].length for c in counted) / count if count else 0 for i in range(len(names))]
    # No score exceeds its term's idf times (K1 + 1) times the boost; "%.3f" writes a score as
    # repr does below 1e16, where repr turns to an exponent.
    highest = max(idf.values(), default=0.0) * (K1 + 1) * max((abs(f.boost) for f in fields), default=1)
    vector = _vector if highest < 1e15 else _exact_vector
    # The keys of lunr's serialised index, in sorted order: fieldVectors, fields, invertedIndex,
    # pipeline, version.
    yield '{"fieldVectors":['
    for start in range(0, count, 100):  # a hundred documents a piece: fewer pieces, not too large
        yield ("," if start else "") + _as_repr(",".join([
            f'["{_escaped(f"{field.name}/{ref}")}",[{vector(terms, mean, field.boost, number, idf)}]]'
            for ref, per_field in counted[start:start + 100]
            for field, terms, mean in zip(fields, per_field, average)]))
    yield f'],"fields":{_json(names)},"invertedIndex":['
    yield from _inverted_index(names, counted, number)
    yield f'],"pipeline":{_json(counter.search_pipeline.serialize())},"version":{_json(__TARGET_JS_VERSION__)}}}'


END = "\x01"  # ends each score `_vector` writes: json writes a control character escaped, never as it is


def _vector(terms: FieldTerms, mean: float, boost: int, number: dict[str, int], idf: dict[str, float]) -> str:
    """A field's BM25 scores as lunr's Vector writes them: term number, score, ..., in order of
    term number, each score as lunr.py computes it (the same operations in the same order), each
    written "%.3f" and followed by END, for `_as_repr` to write as json does."""
    if not terms.terms:  # a field whose average length is 0 has no terms, so no score divides by it
        return ""
    norm = K1 * (1 - B + B * (terms.length / mean))
    k1_plus_1 = K1 + 1
    scores = dict(zip(map(number.__getitem__, terms.terms),
                      [weight * (k1_plus_1 * tf) / (norm + tf) * boost
                       for weight, tf in zip(map(idf.__getitem__, terms.terms), terms.counts)]))
    numbers = sorted(scores)
    pairs: list = [0] * (2 * len(numbers))
    pairs[::2] = numbers
    pairs[1::2] = map(scores.__getitem__, numbers)
    return ("%d,%.3f" + END) * len(numbers) % tuple(pairs)


def _exact_vector(terms: FieldTerms, mean: float, boost: int, number: dict[str, int], idf: dict[str, float]) -> str:
    """`_vector` with each score rounded and written as json does, one by one: for scores
    too large for "%.3f"."""
    if not terms.terms:
        return ""
    norm = K1 * (1 - B + B * (terms.length / mean))
    pairs = sorted((number[term], round(idf[term] * ((K1 + 1) * tf) / (norm + tf) * boost, 3))
                   for term, tf in zip(terms.terms, terms.counts))
    return ",".join(f"{n},{_json(score)}" for n, score in pairs)


def _as_repr(vectors: str) -> str:
    """Scores written "%.3f" + END as json writes `round(score, 3)`: the same digits (both are
    Python's correctly rounded conversion to 3 decimals) without the trailing zeros. One `%` for
    a vector and a dozen `replace` for a hundred documents cost a third of `round` and `repr` for
    each score. END marks where a score ends, as a term number's "10," keeps its zero."""
    vectors = vectors.replace("00" + END, END)  # 1.500 -> 1.5, 2.000 -> 2.0
    for digit in "123456789":
        vectors = vectors.replace(f"{digit}0{END}", digit + END)  # 1.250 -> 1.25
    return vectors.replace(END + "]", "]").replace(END, ",")


def _inverted_index(names: list[str], counted: Counted, number: dict[str, int]) -> Iterator[str]:
    """lunr's inverted index: each term, in sorted order, with its posting
    {"_index": n, field: {ref: {}, ...}, ...}, keys and refs sorted."""
    # Each field's documents by term, gathered in order of ref, so each list comes out sorted.
    having: list[dict[str, list[str]]] = [{term: [] for term in number} for _ in names]
    for ref, per_field in sorted(counted, key=itemgetter(0)):
        entry = f"{encode_basestring_ascii(ref)}:{{}}"
        for documents, terms in zip(having, per_field):
            deque(map(list.append, map(documents.__getitem__, terms.terms), repeat(entry)), maxlen=0)
    posting = _posting_format(names).format
    piece: list[str] = []
    size = 0
    comma = ""
    for term in sorted(number):
        piece.append(posting(encode_basestring_ascii(term), number[term], *[",".join(documents[term]) for documents in having]))
        size += len(piece[-1])
        if size > 100_000:  # pieces of 100 kB or so: fewer than one a term, none as large as the index
            yield comma + ",".join(piece)
            piece, size, comma = [], 0, ","
    if piece:
        yield comma + ",".join(piece)


def _posting_format(names: list[str]) -> str:
    """A term and its posting as a format: {0} the term's JSON, {1} its number, {2}... each
    field's documents, the keys in json's sort_keys order."""
    slots = {"_index": "{1}", **{name: "{%d}" % (i + 2) for i, name in enumerate(names)}}
    keys = sorted(slots)
    literal = [_json(key).replace("{", "{{").replace("}", "}}") for key in keys]
    body = ",".join(f"{quoted}:{slots[key]}" if key == "_index" else f"{quoted}:{{{{{slots[key]}}}}}"
                    for key, quoted in zip(keys, literal))
    return f"[{{0}},{{{{{body}}}}}]"


def _escaped(text: str) -> str:
    """A string's JSON, as json.dumps writes it (ASCII only), without its quotes."""
    return encode_basestring_ascii(text)[1:-1]


def _json(value) -> str:
    return json.dumps(value, separators=(",", ":"))


def _idf(documents_with_term: int, document_count: int) -> float:
    """lunr.idf.idf: a document with the term in two fields counts twice, as in lunr."""
    x = (document_count - documents_with_term + 0.5) / (documents_with_term + 0.5)
    return math.log(1 + abs(x))

"""Quotations are checked against the excerpts of the sources cited beside them (`quotes.py`)."""
from __future__ import annotations

import random
import re
import shutil
from pathlib import Path
from types import SimpleNamespace

import pytest

from microsite.build import Project, build, check
from microsite.errors import ContentErrors, Location, Problems
from microsite.resolve import quotes
from microsite.content.quotations import Quotation, scan
from microsite.resolve.quotes import holds, normal
from tests.conftest import REPO, least_cpu_seconds, run, write

ACME = "content/companies/acme.md"
HEAD = "---\nname: Acme\nsummary: Sells. [@daily-2020-01-02]\n---\n"


@pytest.mark.parametrize(
    "excerpt, quotation",
    [
        ("Acme is the backbone.", "the backbone"),  # a contiguous part
        ("Acme is the\n  backbone.", "is the backbone"),  # spacing and line breaks
        ("it is the “ultimate keeper,” the report says", 'the "ultimate keeper'),  # curly and straight marks
        ("people’s homes", "people's homes"),  # apostrophes
        ("to surveil, track, and deport", "to surveil … deport"),  # an ellipsis leaves words out
        ("to surveil, track, and deport", "to surveil ... and deport"),
        ("targeting people of color.", "targeting people of color,"),  # punctuation inside the mark
        ("their 'sanctuary city' policies", 'their "sanctuary city" policies'),  # a quotation within
    ],
)
def test_a_quotation_found_in_an_excerpt(excerpt, quotation):
    assert holds(excerpt, quotation)


@pytest.mark.parametrize(
    "excerpt, quotation",
    [
        ("Acme is the backbone.", "the spine"),  # one word changed
        ("Acme is the backbone.", "the backbone of"),  # a word added
        ("to surveil, track, and deport", "to deport … surveil"),  # parts out of order
        ("Acme is the backbone.", "Acme is backbone"),  # a word left out without an ellipsis
        ("Acme is the backbone.", ""),
    ],
)
def test_a_quotation_not_in_the_excerpt(excerpt, quotation):
    assert not holds(excerpt, quotation)


def test_marks_are_paired_in_order():
    found = scan([('He said "a" and “b” then ”c" and "d', True)])
    assert [f.text for f in found] == ["a", "b", "c", None]


def test_escaped_marks_enclose_no_quotation():
    assert scan([("a ", True), ('"', False), ("term", True), ('"', False)]) == []


def errors(project, capsys) -> list[str]:
    status, _, err = run(project, "check", capsys=capsys)
    assert status == 1 and "Traceback" not in err
    return err.strip().splitlines()[:-1]


def test_the_fixture_quotation_passes(project, capsys):
    assert run(project, "check", capsys=capsys)[0] == 0


def test_a_changed_word_fails_at_the_quotation_with_the_nearest_excerpt(project, capsys):
    write(project, ACME, HEAD + 'Text first.\nThe report calls Acme, they say, "the spine" [@daily-2020-01-02].\n')
    assert errors(project, capsys) == [
        f"{ACME}:6:34: quotation \"the spine\" is not in the quotes: of daily-2020-01-02; copy the passage "
        "verbatim into the source's quotes:, correct the quotation, or write \\\"...\\\" if it quotes no "
        "one; nearest excerpt: \"...the backbone.\""
    ]


def test_a_quotation_may_span_lines_and_only_the_sources_of_its_paragraph_count(project, capsys):
    write(project, ACME, HEAD + 'Acme "is the\nbackbone." [@daily-2020-01-02]\n\nAnd "is the backbone." [@report-2020]\n')
    (line,) = errors(project, capsys)
    assert line.startswith(f"{ACME}:8:5: quotation \"is the backbone.\" is not in the quotes: of report-2020;")


def test_a_quotation_without_a_citation(project, capsys):
    write(project, ACME, HEAD + 'Acme is "the backbone".\n')
    (line,) = errors(project, capsys)
    assert line.startswith(f'{ACME}:5:9: quotation "the backbone" cites no source')


def test_escaped_marks_are_a_term_not_a_quotation(project, capsys):
    write(project, ACME, HEAD + 'The word \\"backbone\\" is a term [@daily-2020-01-02].\n')
    assert run(project, "check", capsys=capsys)[0] == 0


def test_a_mark_that_is_not_closed_is_a_warning(project, capsys):
    write(project, ACME, HEAD + 'One "the backbone" and "another [@daily-2020-01-02].\n')
    status, _, err = run(project, "check", "--strict", capsys=capsys)
    assert status == 1
    assert err.splitlines()[0].startswith(f"{ACME}:5:24: warning: quotation mark not closed in this paragraph")


def test_quotations_in_a_summary_and_a_figure(project, capsys):
    write(project, ACME, (
        '---\nname: Acme\nsummary: Acme is "the spine". [@daily-2020-01-02]\nfigures:\n'
        '  - label: Called "the spine"\n    value: "3"\n    cite: daily-2020-01-02\n---\nBody [@report-2020].\n'
    ))
    lines = errors(project, capsys)
    # (the figure's value, 3, is a number no source records: its own error, not asserted here)
    assert [line.split(" quotation")[0] for line in lines if " quotation" in line] == [f"{ACME}:3:18:", f"{ACME}:5:5:"]


def test_the_preview_shows_the_excerpt_quoted_and_build_counts_it(project, capsys):
    status, out, _ = run(project, "build", "--out", str(project.root / "out"), capsys=capsys)
    assert status == 0
    assert re.search(r"\d+ citations \(1 quotation and \d+ numbers checked\)", out)
    html = (project.root / "out/companies/acme.html").read_text()
    assert '<q class="excerpt">Acme is the backbone.</q>' in html



def test_the_excerpt_is_shown_by_the_citation_that_follows_the_quotation(project, capsys):
    """The source cited twice in a paragraph: its first citation, just after the quotation,
    shows the passage; the later one does not repeat it."""
    write(project, ACME, HEAD + 'Acme is "the backbone" [@daily-2020-01-02]. It holds records [@daily-2020-01-02].\n')
    assert run(project, "build", "--out", str(project.root / "out"), capsys=capsys)[0] == 0
    html = (project.root / "out/companies/acme.html").read_text()
    paragraph = html[html.index("Acme is &quot;the backbone"):].split("</p>")[0]
    tips = [tip.split("</span>")[0] for tip in paragraph.split('class="tip"')[1:]]
    assert ['<q class="excerpt">Acme is the backbone.</q>' in tip for tip in tips] == [True, False], tips

# The real site: every quotation, each changed by one word, must fail at its own place.


def _quotations_of(site) -> list:
    from microsite.resolve.site import document_quotations
    from microsite.errors import Problems

    found = []
    for document in site.documents():
        summary, body = site.summaries.get(document.output), site.bodies[document.output]
        found += document_quotations(document, summary, body, Problems())
    return found


def _mutate(text: str, line: int, col: int, quotation: str) -> str:
    """The file's text with the first word of three letters or more of the quotation, after its
    opening mark, replaced by as many x's (the same length, so no other place moves)."""
    lines = text.split("\n")
    offset = sum(len(line_) + 1 for line_ in lines[: line - 1]) + col - 1
    word = next(w for w in re.findall(r"[A-Za-z]{3,}", quotation) if w.lower() != "x" * len(w))
    at = text.index(word, offset)
    return text[:at] + "x" * len(word) + text[at + len(word) :]


def test_every_quotation_of_the_real_site_fails_when_one_word_changes(tmp_path: Path):
    site, _ = check(Project(REPO))
    quotations = _quotations_of(site)
    assert quotations and site.quotations == len(quotations)
    root = tmp_path / "project"
    shutil.copytree(REPO / "content", root / "content")
    by_file: dict[str, list] = {}
    for q in quotations:
        by_file.setdefault(q.location.path, []).append(q)
    for path, items in by_file.items():
        file = root / path
        text = file.read_text(encoding="utf-8")
        for q in items:
            text = _mutate(text, q.location.line, q.location.col, q.text)
        file.write_text(text, encoding="utf-8")
    with pytest.raises(ContentErrors) as failed:
        check(Project(root))
    at = {str(p.location) for p in failed.value.problems if p.message.startswith("quotation ")}
    assert at == {str(q.location) for q in quotations}


def test_build_prints_the_real_sites_verified_quotations(tmp_path: Path, capsys):
    site, _ = check(Project(REPO))
    result = build(Project(REPO), tmp_path / "site")
    quotations = f"{site.quotations} quotation{'' if site.quotations == 1 else 's'}"
    assert f"({quotations} and {site.numbers} numbers checked)" in result.summary()


def test_a_term_in_a_summary_in_single_quotes(project, capsys):
    write(project, ACME, "---\nname: Acme\nsummary: 'The \\\"backbone\\\" firm. [@daily-2020-01-02]'\n---\nBody [@report-2020].\n")
    assert run(project, "check", capsys=capsys)[0] == 0


def test_a_heading_may_name_a_title_in_quotation_marks(project, capsys):
    write(project, ACME, HEAD + '## The "Backbone" report\n\nText [@daily-2020-01-02].\n')
    assert run(project, "check", capsys=capsys)[0] == 0


def _words(n: int, seed: int) -> str:
    rng = random.Random(seed)
    return " ".join(rng.choice("alpha beta gamma delta epsilon zeta eta theta".split()) for _ in range(n))


def test_the_nearest_excerpt_hint_grows_in_proportion_to_the_excerpt():
    """Comparing every character of a quotation with every one of an excerpt took 89 s on long
    ones: twice the excerpt, at most about twice the time."""
    def hint(n: int):
        excerpts = [_words(n, 1), _words(n, 2)]
        return lambda i: quotes.nearest(_words(n // 10, 3 + i) + f" q{n}-{i}", excerpts)

    small, large = least_cpu_seconds(hint(4000)), least_cpu_seconds(hint(8000))
    assert large < 3 * small + 0.05, (small, large)


def test_the_nearest_excerpt_of_a_long_excerpt_is_still_the_passage_it_resembles():
    filler = _words(3000, 4)
    excerpt = f"{filler} the company is the backbone of the whole system of records {filler}"
    hint = quotes.nearest("the company is the spine of the whole system", [excerpt])
    assert "the company is the backbone of the whole system" in hint and len(hint) < 120, hint


def test_checking_quotations_normalizes_each_text_once(monkeypatch):
    """100,000 quotation marks in a narrative took a minute: every excerpt was normalized again for
    each quotation. The characters normalized stay in proportion to the texts."""
    normalized = []

    def counting(text: str) -> str:
        normalized.append(len(text))
        return normal(text)

    monkeypatch.setattr(quotes, "normal", counting)
    excerpts = tuple(f"{_words(200, 10 + i)} passage {i} of the checked source" for i in range(10))
    source = SimpleNamespace(id="checked-source", quotes=excerpts)
    found = [Quotation(f"passage {i % 10} of the checked source", Location("x.md", i + 1, 1), ("checked-source",)) for i in range(1000)]
    wrong = [Quotation(f"words {i} quoted nowhere", Location("x.md", i + 1, 1), ("checked-source",)) for i in range(100)]
    problems = Problems()
    assert len(quotes.check(found + wrong, {"checked-source": source}, problems)) == 1000
    assert len(problems.errors) == 100
    given = sum(len(q.text) for q in found + wrong) + sum(map(len, excerpts))
    assert sum(normalized) < 3 * given, (sum(normalized), given)

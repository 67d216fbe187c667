"""Property-based tests of the parsers contributors' text goes through first: the front-matter
splitter, the YAML loader and the citation parser. Whatever the text, they never crash, every
location they give lies inside the text, and what can be written back is read back the same."""
from __future__ import annotations

import re

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from microsite.content.citations import CITE_ID, parse_group
from microsite.errors import Problems
from microsite.content.markdown import make_markdown, prepare_block
from microsite.yamlfile import parse_yaml, split_front_matter

settings.register_profile("gates", max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("gates")

# Text with the characters that matter to YAML, Markdown and citations, and the ones that break
# naive code: line ends of every kind, NUL, BOM, RTL marks, combining marks, emoji, surrogates.
SPECIAL = list("-:#[]{}@;,.!&*|>'\"\\`_ \t\n\r") + ["---", "...", "\ufeff", "\x00", "\u202e", "\u0301", "😀", "\ud800", "\x85", "\u2028"]
texts = st.lists(st.one_of(st.sampled_from(SPECIAL), st.text(max_size=6)), max_size=40).map("".join)


def line_count(text: str) -> int:
    """Lines as an editor counts them (any of CR, LF, CRLF ends one), plus one past the end."""
    return len(text.replace("\r\n", "\n").replace("\r", "\n").split("\n")) + 1


def inside(problems: Problems, text: str, line_offset: int = 0) -> None:
    lines = line_count(text)  # a problem may sit just past the last line
    for problem in problems.items:
        loc = problem.location
        assert 1 + line_offset <= loc.line <= lines + line_offset, (problem, lines)
        assert loc.col >= 1, problem


@given(texts)
def test_front_matter_splitter_never_crashes_and_places_problems_inside(text):
    problems = Problems()
    parts = split_front_matter(text, "f.md", problems)
    normal = text.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    inside(problems, normal)
    lines = normal.split("\n")
    assert 1 <= parts.body_line <= len(lines) + 1
    if parts.yaml_text is not None:
        assert "\n".join(lines[parts.body_line - 1:]) == parts.body
        assert lines[1 : parts.body_line - 2] == (parts.yaml_text.split("\n") if parts.body_line > 3 else [] if parts.yaml_text == "" else [parts.yaml_text])


header_lines = st.lists(st.text(st.characters(blacklist_characters="\r\n\x85\u2028\u2029"), max_size=20).filter(
    lambda line: line.rstrip() not in ("---", "...")), max_size=8)


@given(header_lines, texts, st.sampled_from(["\n", "\r\n", "\r"]), st.booleans())
def test_front_matter_round_trips(header, body, newline, bom):
    body = body.replace("\r\n", "\n").replace("\r", "\n")
    text = ("\ufeff" if bom else "") + newline.join(["---", *header, "---", *body.split("\n")])
    parts = split_front_matter(text, "f.md", Problems())
    assert parts.yaml_text == "\n".join(header)
    assert parts.body == body
    assert parts.body_line == len(header) + 3


@given(texts, st.integers(0, 3))
def test_yaml_loader_never_crashes_and_places_problems_inside(text, offset):
    problems = Problems()
    doc = parse_yaml(text, "f.yaml", problems, line_offset=offset)
    inside(problems, text, offset)
    if doc is not None:
        lines = line_count(text)
        for loc in [*doc.value_at.values(), *doc.key_at.values()]:
            assert 1 + offset <= loc.line <= lines + offset and loc.col >= 1


# Plain data as contributors write it: text, whole numbers, yes/no, nothing; lists and mappings.
scalars = st.one_of(st.none(), st.booleans(), st.integers(-10**12, 10**12), st.text(max_size=30))
data = st.recursive(
    scalars,
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=10), inner, max_size=4)),
    max_leaves=20,
)


def strings(value) -> list[str]:
    """Every text in the value, its fields' names included."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for k, v in value.items() for s in (*strings(k), *strings(v))]
    if isinstance(value, list):
        return [s for v in value for s in strings(v)]
    return []


def printable(value) -> bool:
    """What the loader accepts: no control characters (typed, or written as escapes like "\\x1f",
    which YAML itself uses for them), no line breaks editors do not show."""
    text = yaml.safe_dump(value, allow_unicode=True)
    return not re.search("[\x85\u2028\u2029]", text) and not any(
        yaml.reader.Reader.NON_PRINTABLE.search(s) for s in [text, *strings(value)]
    )


@given(data.filter(printable), st.sampled_from([None, "block", "flow"]))
def test_yaml_loader_reads_back_what_yaml_writes(value, style):
    text = yaml.safe_dump(value, allow_unicode=True, default_flow_style={"block": False, "flow": True}.get(style))
    problems = Problems()
    doc = parse_yaml(text, "f.yaml", problems)
    assert problems.items == []
    assert doc is not None and doc.data == value


@given(st.dictionaries(st.from_regex(r"[a-z_]{1,8}", fullmatch=True), st.text(st.characters(codec="utf-8", categories=["L", "N", "Zs"]), min_size=1, max_size=12), min_size=1, max_size=6))
def test_yaml_locations_point_at_each_key_and_value(fields):
    text = "".join(f"{key}: {yaml.safe_dump(value, allow_unicode=True, width=1000).splitlines()[0]}\n" for key, value in fields.items())
    doc = parse_yaml(text, "f.yaml", Problems())
    assert doc is not None
    lines = text.split("\n")
    for key in fields:
        where = doc.where_key(key)
        assert lines[where.line - 1][where.col - 1 :].startswith(f"{key}:")
        value_at = doc.where(key)
        assert value_at.line == where.line and value_at.col == len(key) + 3


ids = st.from_regex(CITE_ID, fullmatch=True).filter(lambda s: not s.endswith((".", ":")) and len(s) < 40)
locators = st.text(st.characters(blacklist_characters=";]\r\n\x85\u2028\u2029", blacklist_categories=["Cs"]), max_size=15).map(str.strip)


@given(st.lists(st.tuples(ids, locators), min_size=1, max_size=4), st.sampled_from([";", "; ", " ;  "]))
def test_citation_groups_round_trip(items, separator):
    inner = separator.join(f"@{source}" + (f", {locator}" if locator else "") for source, locator in items)
    assert parse_group(inner) == items


@given(texts)
def test_citation_parser_never_crashes(text):
    result = parse_group(text)
    assert result is None or all(source and CITE_ID.fullmatch(source) for source, _ in result)


@given(st.lists(st.one_of(texts, ids.map(lambda i: f"[@{i}]"), st.tuples(ids, locators).map(lambda t: f"[@{t[0]}, {t[1]}]")), max_size=12).map("".join), st.integers(1, 50))
@settings(max_examples=200)
def test_every_citation_is_placed_on_its_own_text(body, first_line):
    """The line and column reported for a citation show the '@id' a writer typed."""
    body = body.replace("\r\n", "\n").replace("\r", "\n")
    problems = Problems()
    parsed = prepare_block(make_markdown(), body, first_line, "content/companies/acme.md", problems)
    inside(problems, body, first_line - 1)
    lines = body.split("\n")
    for cite in parsed.cites:
        line = lines[cite.location.line - first_line]
        assert line[cite.location.col - 1 :].startswith("@" + cite.source), (cite, line)


def test_a_field_name_is_the_text_as_typed():
    """YAML 1.1 reads `no`, `on` and `null` as values; as field names they stay words."""
    doc = parse_yaml("no: 0\non: 1\nnull: 2\n2020: 3\n", "f.yaml", Problems())
    assert doc is not None and doc.data == {"no": 0, "on": 1, "null": 2, "2020": 3}

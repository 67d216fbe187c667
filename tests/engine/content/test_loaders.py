"""The YAML and front-matter loaders keep every value's location and refuse what YAML allows silently."""
from __future__ import annotations

from microsite.errors import Location, Problems
from microsite.yamlfile import parse_yaml, split_front_matter


def test_values_keep_their_line_and_column():
    problems = Problems()
    doc = parse_yaml("name: Acme\nfigures:\n  - label: X\n    cite: [a, b]\n", "f.md", problems, line_offset=1)
    assert doc.data == {"name": "Acme", "figures": [{"label": "X", "cite": ["a", "b"]}]}
    assert doc.where("name") == Location("f.md", 2, 7)
    assert doc.where("figures", 0, "cite", 1) == Location("f.md", 5, 15)
    assert doc.where_key("figures") == Location("f.md", 3, 1)
    assert doc.where("figures", 0, "missing") == doc.where("figures", 0)
    assert problems.items == []


def test_dates_stay_text_and_scalars_keep_their_types():
    doc = parse_yaml("date: 2018-10-23\nn: 3\nflag: true\nnothing:\nfloat: 1.5\n", "f.yaml", Problems())
    assert doc.data == {"date": "2018-10-23", "n": 3, "flag": True, "nothing": None, "float": 1.5}


def test_duplicate_keys_are_errors_even_when_nested():
    problems = Problems()
    parse_yaml("a: 1\nb:\n  c: 1\n  c: 2\na: 3\n", "f.yaml", problems)
    assert [str(p) for p in problems.errors] == [
        "f.yaml:4:3: duplicate key 'c' (first given on line 3); keep only one",
        "f.yaml:5:1: duplicate key 'a' (first given on line 1); keep only one",
    ]


def test_malformed_yaml_is_located():
    problems = Problems()
    assert parse_yaml("title: 'unclosed\nkind: news\n", "s.yaml", problems) is None
    [problem] = problems.errors
    assert problem.location.path == "s.yaml" and problem.location.line == 3
    assert problem.message.startswith("invalid YAML:")


def test_python_tags_are_refused():
    problems = Problems()
    parse_yaml("x: !!python/object:os.system ls\n", "s.yaml", problems)
    assert [p.message for p in problems.errors] == ["unsupported YAML tag 'tag:yaml.org,2002:python/object:os.system'; remove it"]


def test_deep_nesting_is_an_error_not_a_crash():
    problems = Problems()
    assert parse_yaml("a: " + "[" * 200 + "]" * 200 + "\n", "s.yaml", problems) is None
    assert "nested deeper than" in problems.errors[0].message


def test_alias_bombs_are_bounded():
    lines = ["a: &a [x, x, x, x, x, x, x, x, x, x]"]
    for i in range(1, 9):
        lines.append(f"{chr(97 + i)}: &{chr(97 + i)} [" + ", ".join([f"*{chr(96 + i)}"] * 10) + "]")
    problems = Problems()
    assert parse_yaml("\n".join(lines) + "\n", "bomb.yaml", problems) is None
    assert "larger than" in problems.errors[0].message


def test_front_matter_is_split_with_the_body_line():
    parts = split_front_matter("\ufeff---\r\nname: A\r\n---\r\nBody\r\n", "f.md", Problems())
    assert parts.yaml_text == "name: A"
    assert parts.body == "Body\n"
    assert parts.body_line == 4


def test_missing_and_unclosed_front_matter():
    problems = Problems()
    split_front_matter("name: A\n", "a.md", problems)
    split_front_matter("---\nname: A\n", "b.md", problems)
    assert [str(p) for p in problems.errors] == [
        "a.md:1:1: missing front matter: the file must start with a line '---', the fields, then '---'",
        "b.md:1:1: front matter is not closed: add a line '---' after the fields",
    ]

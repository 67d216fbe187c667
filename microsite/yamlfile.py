"""YAML with locations: every value keeps the line and column it was written at.

PyYAML's constructors throw positions away and silently accept duplicate keys, so we compose the
node tree (with libyaml's C parser where present: it is several times faster) and build plain
Python values ourselves, recording where each key and value stood. Dates are kept as the text
the writer typed; the loaders validate them.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import yaml

from .errors import Location, Problems

_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_scalars = yaml.constructor.SafeConstructor()
_TAG = "tag:yaml.org,2002:"
_SCALAR_TYPES = ("bool", "int", "float")
MAX_DEPTH = 64
# What YAML refuses to read (control characters such as NUL, lone surrogates). Found here, they
# get a line and column; PyYAML's own report gives only an offset, in bytes or in characters
# depending on the parser.
_NOT_ALLOWED = yaml.reader.Reader.NON_PRINTABLE
# Line breaks to YAML but not to editors (text pasted from the web carries U+2028): they would
# shift every later line number, fold a quoted value or split a plain one.
_HIDDEN_BREAKS = re.compile("[\x85\u2028\u2029]")
MAX_NODES = 200_000

Path_ = tuple  # a path of keys and indexes into a document: ("figures", 0, "cite")


@dataclass(frozen=True)
class YamlDoc:
    """Plain data plus where each part of it was written."""

    data: Any
    value_at: dict[Path_, Location]
    key_at: dict[Path_, Location]
    path: str
    lines: tuple[str, ...] = ()  # the file's lines, for placing things inside a value
    line_offset: int = 0

    def line_text(self, location: Location) -> str:
        index = location.line - 1 - self.line_offset
        return self.lines[index] if 0 <= index < len(self.lines) else ""

    def where(self, *keys: Any) -> Location:
        """Location of the value at `keys`, or of its nearest enclosing value."""
        return _nearest(self.value_at, keys, self.path)

    def where_key(self, *keys: Any) -> Location:
        """Location of the key that names `keys`, falling back to its value."""
        if keys in self.key_at:
            return self.key_at[keys]
        return self.where(*keys)


def _nearest(table: dict[Path_, Location], keys: tuple, path: str) -> Location:
    while keys:
        if keys in table:
            return table[keys]
        keys = keys[:-1]
    return table.get((), Location(path, 1, 1))


class _Builder:
    def __init__(self, path: str, line_offset: int, problems: Problems):
        self.path = path
        self.line_offset = line_offset
        self.problems = problems
        self.value_at: dict[Path_, Location] = {}
        self.key_at: dict[Path_, Location] = {}
        self.count = 0

    def loc(self, node: yaml.Node) -> Location:
        mark = node.start_mark
        return Location(self.path, mark.line + 1 + self.line_offset, mark.column + 1)

    def build(self, node: yaml.Node, path: Path_ = ()) -> Any:
        self.count += 1
        if len(path) > MAX_DEPTH or self.count > MAX_NODES:
            raise _TooLarge(self.loc(node))
        self.value_at[path] = self.loc(node)
        if isinstance(node, yaml.MappingNode):
            return self.mapping(node, path)
        if isinstance(node, yaml.SequenceNode):
            return [self.build(item, path + (i,)) for i, item in enumerate(node.value)]
        return self.scalar(node)

    def mapping(self, node: yaml.MappingNode, path: Path_) -> dict:
        result: dict = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                self.problems.error(self.loc(key_node), "a field name must be plain text")
                continue
            # A field name is the text as typed: YAML 1.1 would read `no:` or `on:` as False/True.
            key = key_node.value
            if key in result:
                first = self.key_at[path + (key,)]
                self.problems.error(
                    self.loc(key_node),
                    f"duplicate key '{key}' (first given on line {first.line}); keep only one",
                )
                continue
            self.key_at[path + (key,)] = self.loc(key_node)
            result[key] = self.build(value_node, path + (key,))
        return result

    def scalar(self, node: yaml.ScalarNode) -> Any:
        tag = node.tag.removeprefix(_TAG)
        if tag in ("str", "timestamp", "!"):
            return node.value
        if tag == "null":
            return None
        if tag in _SCALAR_TYPES:
            return getattr(_scalars, f"construct_yaml_{tag}")(node)
        self.problems.error(self.loc(node), f"unsupported YAML tag '{node.tag}'; remove it")
        return node.value


class _TooLarge(Exception):
    def __init__(self, location: Location):
        self.location = location


def parse_yaml(text: str, path: str, problems: Problems, line_offset: int = 0) -> YamlDoc | None:
    """Parse one YAML document; on malformed YAML record a located problem and return None."""
    builder = _Builder(path, line_offset, problems)
    text = text.replace("\r\n", "\n").replace("\r", "\n")  # lines as an editor counts them
    bad = _NOT_ALLOWED.search(text) or _HIDDEN_BREAKS.search(text)
    if bad:
        line = text.count("\n", 0, bad.start()) + 1
        col = bad.start() - (text.rfind("\n", 0, bad.start()) + 1) + 1
        fix = "replace it with a space" if _HIDDEN_BREAKS.match(bad.group()) else "delete it"
        problems.error(
            Location(path, line + line_offset, col),
            f"character U+{ord(bad.group()):04X} is not allowed in YAML; {fix} (it is often invisible)",
        )
        return None
    try:
        node = yaml.compose(text, Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = (mark.line + 1 + line_offset) if mark else 0
        col = (mark.column + 1) if mark else 0
        problems.error(Location(path, line, col), f"invalid YAML: {_describe(exc)}{_yaml_hint(exc, text)}")
        return None
    except yaml.YAMLError as exc:
        problems.error(Location(path, 1 + line_offset, 1), f"invalid YAML: {exc}")
        return None
    if node is None:
        return YamlDoc(None, {(): Location(path, 1 + line_offset, 1)}, {}, path)
    try:
        data = builder.build(node)
    except _TooLarge as exc:
        problems.error(
            exc.location,
            f"YAML nested deeper than {MAX_DEPTH} levels or larger than {MAX_NODES} values; simplify it",
        )
        return None
    return YamlDoc(data, builder.value_at, builder.key_at, path, tuple(text.split("\n")), line_offset)


def _describe(exc: yaml.MarkedYAMLError) -> str:
    parts = [p for p in (exc.context, exc.problem) if p]
    return ", ".join(parts) if parts else "cannot be read"


def _yaml_hint(exc: yaml.MarkedYAMLError, text: str) -> str:
    """A plain-words fix for the mistakes contributors make most."""
    problem = exc.problem or ""
    mark = exc.problem_mark
    lines = text.split("\n")
    char = ""
    if mark and mark.line < len(lines) and mark.column < len(lines[mark.line]):
        char = lines[mark.line][mark.column]
    if char == "\t":
        return " (indent with spaces, not tabs)"
    if "mapping values are not allowed" in problem:
        line = lines[mark.line] if mark and mark.line < len(lines) else ""
        before = line[: mark.column] if mark else ""
        if before[:1].isspace() and ": " not in before.strip() + " " and not before.lstrip().startswith("- "):
            return (
                " (this line is indented more than the field above it: indent it as the other fields; "
                "only the fields of a group or the items of a list go further in)"
            )
        return " (a value containing ': ' must be in quotes)"
    if char in ("@", "`") or "expected ',' or" in problem:
        return " (a value starting with [, {, @ or ` must be in quotes)"
    if "could not find expected ':'" in problem or "expected <block end>" in problem:
        return " (check the indentation and that every field is written 'name: value')"
    if "found unexpected end of stream" in problem:
        return " (a quote is not closed)"
    return ""


@dataclass(frozen=True)
class FrontMatter:
    """A Markdown file split into its YAML header and its body."""

    yaml_text: str | None
    body: str
    body_line: int  # the file line on which the body starts (1-based)


def split_front_matter(text: str, path: str, problems: Problems) -> FrontMatter:
    """Split '---'-fenced YAML from the Markdown after it."""
    text = text.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    lines = text.split("\n")
    if not lines or lines[0].rstrip() != "---":
        problems.error(
            Location(path, 1, 1),
            "missing front matter: the file must start with a line '---', the fields, then '---'",
        )
        return FrontMatter(None, text, 1)
    for index in range(1, len(lines)):
        if lines[index].rstrip() in ("---", "..."):
            return FrontMatter("\n".join(lines[1:index]), "\n".join(lines[index + 1 :]), index + 2)
    problems.error(Location(path, 1, 1), "front matter is not closed: add a line '---' after the fields")
    return FrontMatter(None, "", len(lines) + 1)

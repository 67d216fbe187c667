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
# The largest content file read: hundreds of times the longest page of an investigation, above
# the megabytes a page is known to build in seconds (tests/engine/safety/test_robustness.py). A larger one (a
# pasted archive, a generated text) would make a page of as many megabytes, read at every build.
MAX_FILE_BYTES = 8_000_000
# What YAML refuses to read (control characters such as NUL, lone surrogates). Found here, they
# get a line and column; PyYAML's own report gives only an offset, in bytes or in characters
# depending on the parser.
_NOT_ALLOWED = yaml.reader.Reader.NON_PRINTABLE
# Line breaks to YAML but not to editors (text pasted from the web carries U+2028): they would
# shift every later line number, fold a quoted value or split a plain one.
_HIDDEN_BREAKS = re.compile("[\x85\u2028\u2029]")
# Control characters in Markdown: never meaningful, and a page or feed that carries one is not
# well-formed. NUL is left out: CommonMark turns it into U+FFFD.
_CONTROLS = re.compile("[\x01-\x08\x0b\x0c\x0e-\x1f\x7f-\x84\x86-\x9f]")
MAX_NODES = 200_000
# libyaml's composer recurses once per nesting level with no limit of its own: some 25,000 levels
# overflow the C stack and kill the process (and `serve` with it) before `_Builder` sees a node.
# Every collection starts at one of these characters (a flow bracket, a block entry's '-', a key's
# '?' or ':'), so a text with at most SAFE_TO_COMPOSE of them cannot nest deeper than that; any
# other text is measured from libyaml's event stream, which has no recursion, before composing.
# (Without libyaml, PyYAML's own composer hits Python's recursion limit far sooner.)
_OPENERS = "[{-?:"
SAFE_TO_COMPOSE = 1000 if _Loader is not yaml.SafeLoader else MAX_DEPTH

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

    def loc(self, node: yaml.Node | yaml.Event) -> Location:
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
            key = self.text(key_node)
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
            return self.text(node)
        if tag == "null":
            return None
        if tag in _SCALAR_TYPES:
            return getattr(_scalars, f"construct_yaml_{tag}")(node)
        self.problems.error(self.loc(node), f"unsupported YAML tag '{node.tag}'; remove it")
        return node.value

    def text(self, node: yaml.ScalarNode) -> str:
        """The scalar's text; a control character its escapes produce (`"\\x01"`) is a problem."""
        bad = _NOT_ALLOWED.search(node.value)
        if bad is None:
            return node.value
        self.problems.error(
            self.loc(node),
            f"an escape in this value gives character U+{ord(bad.group()):04X}, a control character"
            " no page or feed can carry; remove it",
        )
        return _NOT_ALLOWED.sub("", node.value)


class _TooLarge(Exception):
    def __init__(self, location: Location):
        self.location = location


def decode_text(name: str, data: bytes, problems: Problems) -> str | None:
    """A content file's bytes as text; bytes that are not UTF-8, or more than MAX_FILE_BYTES of
    them, are a located problem (None)."""
    if len(data) > MAX_FILE_BYTES:
        problems.error(
            Location(name, 1, 1),
            f"the file has more than {MAX_FILE_BYTES:,} bytes ({len(data):,}); split it or shorten it",
        )
        return None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        col = len(data[data.rfind(b"\n", 0, exc.start) + 1 : exc.start].decode("utf-8", "replace")) + 1
        problems.error(
            Location(name, line, col),
            f"not UTF-8 text (byte 0x{data[exc.start]:02X}); save the file as UTF-8",
        )
        return None
    # As reading in text mode would: Windows and old Mac line ends become '\n'.
    return text.replace("\r\n", "\n").replace("\r", "\n")


def parse_yaml(text: str, path: str, problems: Problems, line_offset: int = 0) -> YamlDoc | None:
    """Parse one YAML document; on malformed YAML record a located problem and return None."""
    builder = _Builder(path, line_offset, problems)
    text = text.replace("\r\n", "\n").replace("\r", "\n")  # lines as an editor counts them
    bad = _NOT_ALLOWED.search(text) or _HIDDEN_BREAKS.search(text)
    if bad:
        fix = "replace it with a space" if _HIDDEN_BREAKS.match(bad.group()) else "delete it"
        problems.error(
            _place(text, bad.start(), path, line_offset),
            f"character U+{ord(bad.group()):04X} is not allowed in YAML; {fix} (it is often invisible)",
        )
        return None
    try:
        too_deep = _too_deep(text, builder)
        if too_deep is not None:
            _report_too_large(too_deep, problems)
            return None
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
        _report_too_large(exc.location, problems)
        return None
    return YamlDoc(data, builder.value_at, builder.key_at, path, tuple(text.split("\n")), line_offset)


def _too_deep(text: str, builder: _Builder) -> Location | None:
    """Where the text nests deeper than MAX_DEPTH, found without recursing; None if it does not."""
    if sum(text.count(c) for c in _OPENERS) <= SAFE_TO_COMPOSE:
        return None
    depth = 0
    for event in yaml.parse(text, Loader=_Loader):  # a syntax error is reported as composing would
        if isinstance(event, yaml.CollectionStartEvent):
            depth += 1
            if depth > MAX_DEPTH + 1:  # the document's own collection is level 0, as in _Builder
                return builder.loc(event)
        elif isinstance(event, yaml.CollectionEndEvent):
            depth -= 1
    return None


def _report_too_large(location: Location, problems: Problems) -> None:
    problems.error(
        location, f"YAML nested deeper than {MAX_DEPTH} levels or larger than {MAX_NODES} values; simplify it"
    )


def _place(text: str, index: int, path: str, line_offset: int) -> Location:
    line = text.count("\n", 0, index) + 1
    return Location(path, line + line_offset, index - (text.rfind("\n", 0, index) + 1) + 1)


def check_markdown_characters(body: str, path: str, body_line: int, problems: Problems) -> None:
    """A control character in a Markdown body is a located problem: it would reach the page as is."""
    bad = _CONTROLS.search(body)
    if bad:
        problems.error(
            _place(body, bad.start(), path, body_line - 1),
            f"character U+{ord(bad.group()):04X} is not allowed in Markdown; delete it (it is often invisible)",
        )


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

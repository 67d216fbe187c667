"""`{% fragment a, b.c %}...{% endfragment %}`: a part of a template rendered once for every
page showing it with the same values of the names after `fragment`, then reused.

Most of a page is the same on many pages: a source's entry in the list of sources is the same
on every page of a folder citing it, the masthead on every page of a folder. Rendering such a
part again costs a template's calls and escapes for bytes already made. A fragment's key is
the values of the names it lists, plus the names every page of a language shares
(`SHARED_NAMES`: the page renderer keeps one cache per language). So that a key cannot miss an
input, a template using a name in a fragment without listing it is an error when the template
is compiled (`template_problems` reports it at its line), and a fragment may not include or
import other templates, whose names it could not see.

Pages rendered without a cache (`FragmentCache`, given as `fragments` by the renderer) render
their fragments every time.
"""
from __future__ import annotations

import dataclasses
from functools import lru_cache

from jinja2 import nodes
from jinja2.exceptions import TemplateSyntaxError, UndefinedError
from jinja2.ext import Extension
from jinja2.meta import find_undeclared_variables
from markupsafe import Markup

# The same for every page a renderer renders (`PageRenderer._page`, the environment's globals).
SHARED_NAMES = frozenset({
    "t", "site", "nav", "language_names", "SEARCH_MESSAGES", "search_index", "search_scripts",
    "preview", "pictures", "card_path", "feed",
    "range", "dict", "lipsum", "cycler", "joiner", "namespace",  # Jinja's own
})

# Statements whose names a fragment cannot see: what they read is another template's.
NOT_IN_A_FRAGMENT = (nodes.Include, nodes.Import, nodes.FromImport, nodes.Extends, nodes.Block, nodes.Macro, nodes.CallBlock)


class FragmentCache:
    """One renderer's fragments, by fragment and key: at most `limit` of them, none longer than
    `longest` characters and `total` in all. A fragment made for one page only (the back-links
    of a source cited 200 times on the home page) is not held for the whole build, nor are
    fragments once the cache is full: they are rendered every time."""

    def __init__(self, limit: int = 4096, longest: int = 2048, total: int = 2 * 1024 * 1024):
        self.entries: dict[tuple, Markup] = {}
        self.limit, self.longest, self.room = limit, longest, total

    def keep(self, key: tuple, fragment: Markup) -> None:
        size = len(fragment)
        if len(self.entries) < self.limit and size <= self.longest and size <= self.room:
            self.entries[key] = fragment
            self.room -= size


class FragmentExtension(Extension):
    tags = {"fragment"}

    def parse(self, parser):
        token = next(parser.stream)
        keys: list[nodes.Expr] = []
        while parser.stream.current.type != "block_end":
            if keys:
                parser.stream.expect("comma")
            keys.append(parser.parse_expression())
        body = parser.parse_statements(("name:endfragment",), drop_needle=True)
        listed = set()
        for key in keys:
            path = _path(key)
            if path is None:
                raise TemplateSyntaxError("a fragment's key is a list of names, such as: source, entry.number", key.lineno, parser.name, parser.filename)
            listed.add(path)
        for node in body:
            for inner in [node, *node.find_all(NOT_IN_A_FRAGMENT)]:
                if isinstance(inner, NOT_IN_A_FRAGMENT):
                    raise TemplateSyntaxError("a fragment cannot include, import, extend or define other templates, blocks or macros", inner.lineno, parser.name, parser.filename)
        # What the body looks up outside itself, as Jinja's compiler sees it (not what it sets
        # before reading, nor a loop's own variables), with the attributes it reads of each.
        outside = find_undeclared_variables(nodes.Template(body).set_environment(self.environment))
        reads: dict[tuple[str, ...], int] = {}
        for node in body:
            _reads(node, outside, reads)
        for path, line in reads.items():
            if path[0] not in SHARED_NAMES and not any(path[: len(key)] == key for key in listed):
                raise TemplateSyntaxError(
                    f"the fragment from line {token.lineno} uses '{'.'.join(path)}' without it in its key: add it after 'fragment'",
                    line, parser.name, parser.filename,
                )
        ident = nodes.Const(f"{parser.name}:{token.lineno}")
        call = self.call_method("_fragment", [nodes.Name("fragments", "load"), ident, nodes.Tuple(keys, "load")], lineno=token.lineno)
        return nodes.CallBlock(call, [], [], body).set_lineno(token.lineno)

    def _fragment(self, cache, ident: str, values: tuple, caller) -> str:
        if not isinstance(cache, FragmentCache):
            return caller()
        if not all(_keyable(type(v)) for v in values):
            return caller()
        try:
            key = (ident, *((type(v), v) for v in values))
            found = cache.entries.get(key)
        except (TypeError, UndefinedError):  # a value that cannot be a key: rendered as it is
            return caller()
        if found is None:
            found = caller()
            cache.keep(key, found)
        return found


@lru_cache(maxsize=None)
def _keyable(kind: type) -> bool:
    """A value that cannot change once made, so equal values render alike: text, numbers, tuples
    and frozen dataclasses (a source, `render.Links`); not a loop's state, which a later
    iteration changes in place."""
    return kind in (str, Markup, int, float, bool, type(None), tuple, frozenset) or (
        dataclasses.is_dataclass(kind) and kind.__dataclass_params__.frozen
    )


def _path(node: nodes.Node) -> tuple[str, ...] | None:
    """`entry.number` as ('entry', 'number'); None for anything but a name and its attributes."""
    if isinstance(node, nodes.Name) and node.ctx == "load":
        return (node.name,)
    if isinstance(node, nodes.Getattr):
        base = _path(node.node)
        return base + (node.attr,) if base is not None else None
    return None


def _reads(node: nodes.Node, outside: set[str], reads: dict[tuple[str, ...], int]) -> None:
    """Each name of `outside` that `node` reads, with the attributes read of it (`entry.number`)."""
    path = _path(node)
    if path is not None and path[0] in outside:
        reads.setdefault(path, node.lineno)
        return
    for child in node.iter_child_nodes():
        _reads(child, outside, reads)

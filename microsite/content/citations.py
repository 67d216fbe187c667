"""A markdown-it-py plugin for Pandoc-style citations: `[@id]`, `[@a; @b]`, `[@id, p. 4]`.

An inline rule turns each bracketed group into one `citation` token per source, carrying the id,
the locator and the offset in the block. The plugin only parses: rendering a mark is delegated to
`env["cite"]`, a callable the page supplies, because numbering belongs to the page, not to the
Markdown (a page numbers sources across its summary, figures and narrative).
"""
from __future__ import annotations

import re
from typing import Callable

from markdown_it import MarkdownIt
from markupsafe import escape
from markdown_it.rules_inline import StateInline

# An id as Pandoc allows it: starts with a letter, digit or _, then word characters and :.#$%&-+?<>~/
CITE_ID = re.compile(r"[\w][\w:.#$%&\-+?<>~/]*")
_ITEM = re.compile(r"\s*@(" + CITE_ID.pattern + r")\s*(?:,\s*([^;\]]*?))?\s*(?:;|$)")

CiteRenderer = Callable[[str, str], str]  # (source id, locator) -> HTML of the mark


def parse_group(inner: str) -> list[tuple[str, str]] | None:
    """`@a, p. 4; @b` -> [("a", "p. 4"), ("b", "")]; None when it is not a citation group."""
    items, pos = [], 0
    while pos < len(inner):
        match = _ITEM.match(inner, pos)
        if not match or match.end() == pos:
            return None
        items.append((match.group(1).rstrip(".:"), (match.group(2) or "").strip()))
        pos = match.end()
    return items or None


def _closing(state: StateInline, at: int) -> int:
    """The first ']' at or after `at`, or -1. Looked for after each '[', a text of many that never
    close would be read to its end as many times: the place found (or that there is none) serves
    every later '[' before it."""
    since, found = getattr(state, "cite_closing", (-1, -1))
    if not (0 <= since <= at and (found == -1 or at <= found)):
        since, found = at, state.src.find("]", at)
        state.cite_closing = (since, found)
    return found


def citation_rule(state: StateInline, silent: bool) -> bool:
    src, start = state.src, state.pos
    if src[start] != "[":
        return False
    end = _closing(state, start + 1)
    if end < 0 or src.find("[", start + 1, end) >= 0:  # not a slice: a far "]" would copy the rest each time
        return False
    items = parse_group(src[start + 1 : end])
    if items is None:
        return False
    if not silent:
        for source, locator in items:
            token = state.push("citation", "", 0)
            token.meta = {"source": source, "locator": locator, "offset": start}
            token.markup = src[start : end + 1]
    state.pos = end + 1
    return True


def render_citation(self, tokens, idx, options, env) -> str:
    meta = tokens[idx].meta
    cite: CiteRenderer | None = env.get("cite") if isinstance(env, dict) else None
    if cite is None:
        return str(escape(tokens[idx].markup))
    return cite(meta["source"], meta["locator"])


def citations_plugin(md: MarkdownIt) -> None:
    """Install the rule before 'link', so `[@id]` is never read as a reference link."""
    md.inline.ruler.before("link", "citation", citation_rule)
    md.add_render_rule("citation", render_citation)

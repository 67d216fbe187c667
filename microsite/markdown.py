"""Markdown parsing and the link policy: which links a page may carry, checked with locations.

markdown-it-py's own link check drops a `javascript:` link silently and renders it as text; we
want the writer told where it is, so every link is accepted by the parser and judged here instead.
Parsing is separate from rendering: the tokens are checked in the resolve pass, and rendered
later with a page's citation numbering.
"""
from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass
from urllib.parse import unquote

from markdown_it import MarkdownIt
from markdown_it.token import Token

from .citations import citations_plugin
from .errors import Location, Problems, did_you_mean
from .fields import is_safe_external
from .model import Cite
from .outputs import relative_url

SCHEME = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.\-]*:")
EXTERNAL_REL = "noopener noreferrer"


def make_markdown() -> MarkdownIt:
    """CommonMark with tables and citations; raw HTML is off, so any tag in content is shown as text."""
    md = MarkdownIt("commonmark", {"html": False}).enable("table").use(citations_plugin)
    md.validateLink = lambda url: True  # judged with a location by _link_attrs instead
    md.add_render_rule("link_open", render_link_open)
    return md


@dataclass(frozen=True)
class Parsed:
    """A parsed Markdown text: its tokens (links already rewritten) and the citations in it."""

    tokens: list[Token]
    cites: tuple[Cite, ...]


@dataclass(frozen=True)
class LinkContext:
    """What a link check needs: where the text sits and which pages exist."""

    content_path: str  # the content file the text comes from
    output: str  # the page it is rendered into
    pages_by_file: dict[str, str]  # content file -> output page
    outputs: frozenset[str]


def parse_block(md: MarkdownIt, text: str, first_line: int, ctx: LinkContext, problems: Problems) -> Parsed:
    """Parse a Markdown body whose first line is line `first_line` of its file."""
    lines = text.split("\n")
    tokens = md.parse(text)
    cites: list[Cite] = []
    for block in tokens:
        if block.children is None:
            continue
        start, end = block.map if block.map else (0, len(lines))
        window = [(first_line + n, lines[n]) for n in range(start, min(end, len(lines)))]
        _check_inline(block.children, window, ctx, problems, cites)
    return Parsed(tokens, tuple(cites))


def parse_inline(
    md: MarkdownIt, text: str, where: Location, line: str, ctx: LinkContext, problems: Problems
) -> Parsed:
    """Parse Markdown written in a YAML field (a summary) that starts at `where`, on file line `line`."""
    tokens = md.parseInline(text)
    cites: list[Cite] = []
    window = [(where.line, " " * (where.col - 1) + line[where.col - 1 :])]
    for block in tokens:
        _check_inline(block.children or [], window, ctx, problems, cites)
    return Parsed(tokens, tuple(cites))


class _Cursor:
    """Finds successive pieces of an inline text in its source lines, left to right, so two
    citations of one source on one line get their own columns."""

    def __init__(self, window: list[tuple[int, str]], path: str):
        self.window, self.path = window, path
        self.row, self.col = 0, 0

    def find(self, *needles: str) -> Location:
        for row in range(self.row, len(self.window)):
            line_no, line = self.window[row]
            for needle in needles:
                col = line.find(needle, self.col if row == self.row else 0) if needle else -1
                if col >= 0:
                    self.row, self.col = row, col + len(needle)
                    return Location(self.path, line_no, col + 1)
        line_no = self.window[self.row][0] if self.window else 1
        return Location(self.path, line_no, 1)


def _check_inline(children, window, ctx: LinkContext, problems: Problems, cites: list) -> None:
    cursor = _Cursor(window, ctx.content_path)
    for token in children:
        if token.type == "citation":
            where = cursor.find("@" + token.meta["source"])
            cites.append(Cite(token.meta["source"], token.meta["locator"], where))
        elif token.type == "link_open":
            href = unquote(str(token.attrGet("href") or ""))
            where = cursor.find(href, str(token.attrGet("href") or ""), "](")
            attrs = _link_attrs(href, where, ctx, problems)
            if "target" in attrs:
                token.meta = {**(token.meta or {}), "target": attrs.pop("target")}
            token.attrs = {**token.attrs, **attrs}
        elif token.type == "image":
            src = unquote(str(token.attrGet("src") or ""))
            where = cursor.find(src, "](")
            problems.error(
                where,
                f"image '{src[:60]}': images are not yet supported in Markdown; "
                "a picture loaded from another site would reveal readers to it",
            )
            token.attrSet("src", "")


def _link_attrs(href: str, where: Location, ctx: LinkContext, problems: Problems) -> dict[str, str]:
    """The attributes a link is rendered with, or '#' and an error when it must not be followed."""
    if href.startswith("#"):
        return {"href": href}
    if SCHEME.match(href) or href.startswith("//"):
        if is_safe_external(href) or href.lower().startswith("mailto:"):
            return {"href": href, "rel": EXTERNAL_REL}
        problems.error(
            where,
            f"unsafe link '{href[:60]}': only https:, http:, mailto: and links to pages of this site are allowed",
        )
        return {"href": "#"}
    path, _, fragment = href.partition("#")
    if path.endswith((".md", ".markdown")):
        target = posixpath.normpath(posixpath.join(posixpath.dirname(ctx.content_path), path))
        output = ctx.pages_by_file.get(target)
    else:
        base = "" if path.startswith("/") else posixpath.dirname(ctx.output)
        output = posixpath.normpath(posixpath.join(base, path.lstrip("/"))) if path else ctx.output
        output = output if output in ctx.outputs else None
    if output is None:
        problems.error(where, f"link to missing page '{href[:80]}'{_closest_page(path, ctx)}")
        return {"href": "#"}
    target = output + (f"#{fragment}" if fragment else "")
    return {"href": relative_url(ctx.output, target), "target": target}


def _closest_page(path: str, ctx: LinkContext) -> str:
    """A did-you-mean in the writer's own terms: a path relative to their file."""
    here = posixpath.dirname(ctx.content_path)
    folder = posixpath.normpath(posixpath.join(here, posixpath.dirname(path)))
    siblings = [f for f in ctx.pages_by_file if posixpath.dirname(f) == folder]
    hint = did_you_mean(posixpath.join(folder, posixpath.basename(path)), siblings, cutoff=0.8)
    if hint:
        return hint.replace(folder + "/", posixpath.dirname(path) + "/")
    return "; link to a content file, relative to this one, such as ../companies/amazon.md"


def render_link_open(self, tokens, idx, options, env) -> str:
    """Internal links are made relative to the page being rendered, which may not be the page
    the text was written for (a summary also appears on the home page)."""
    token = tokens[idx]
    target = (token.meta or {}).get("target")
    if target and isinstance(env, dict) and "output" in env:
        token.attrSet("href", relative_url(env["output"], target))
    return self.renderToken(tokens, idx, options, env)

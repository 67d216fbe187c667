"""Markdown parsing and the link policy: which links a page may carry, checked with locations.

markdown-it-py's own link check drops a `javascript:` link silently and renders it as text; we
want the writer told where it is, so every link is accepted by the parser and judged here instead.
Each text is parsed and rendered once, from its own file alone (so the result can be cached by
content): what depends on the page showing it (citation numbers, relative links) is left as slots
that `render/slots.py` fills on each page, once resolve has checked every internal link
(`resolve/links.py`).
"""
from __future__ import annotations

import bisect
import hashlib
import re
from dataclasses import dataclass
from urllib.parse import unquote

from markdown_it import MarkdownIt
from markdown_it.common import html_re
from markdown_it.rules_core import StateCore
from markdown_it.token import Token

from .citations import CITE_ID, citations_plugin
from .claims import Claim, claim
from .fields import is_safe_external
from .quotations import Quotation, locate, quotations_plugin
from ..errors import Location, Problems
from ..store.texts import StoredText, Text
from ..model import Cite
from ..pickling import by_fields

SCHEME = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.\-]*:")
# A tag as CommonMark reads one when HTML is on: with HTML off it is shown as text, and the writer
# who typed it is told so.
HTML_TAG = re.compile("|".join((html_re.open_tag, html_re.close_tag, html_re.comment, html_re.declaration)))
# What is left of a citation the plugin could not read: `[@id` never closed, or `[@a; b]`.
BROKEN_CITE = re.compile(r"\[@(?=\w)")
# The sources a broken citation names (`[@a` names a, `[@a; b]` names a): what its writer meant to cite.
_MEANT = re.compile(r"@(" + CITE_ID.pattern + ")")
_CLOSER = re.compile(r"\]")
# How much of a broken citation is looked for in its line and shown (the message shows 80): a
# bound, so many broken citations cost in proportion to the text.
CITE_SHOWN = 200
_WORD = re.compile(r"\S{0,%d}" % CITE_SHOWN)
EXTERNAL_REL = "noopener noreferrer"


def make_markdown() -> MarkdownIt:
    """CommonMark with tables and citations; raw HTML is off, so any tag in content is shown as text."""
    md = MarkdownIt("commonmark", {"html": False}).enable("table").use(citations_plugin).use(quotations_plugin)
    md.validateLink = lambda url: True  # judged with a location by _local_link and resolve_link instead
    md.core.ruler.push("align_classes", _align_classes)
    return md


def _align_classes(state: StateCore) -> None:
    """A table column's alignment (`|--:|`) as a class the stylesheet styles (`align-right`):
    markdown-it writes a style attribute, which the pages' CSP (style-src 'self') blocks."""
    for token in state.tokens:
        if token.type in ("th_open", "td_open"):
            style = token.attrs.pop("style", None)
            if style is not None:
                token.attrJoin("class", "align-" + str(style).removeprefix("text-align:"))


# What a page fills in: a citation's number (page order) and an internal link's relative address
# (it depends on the page showing the text). Markdown turns any NUL of the input into U+FFFD, so
# these markers cannot come from content.
CITE_SLOT = "\x00C\x00"
LINK_SLOT = "\x00L\x00"
CLAIM_SLOT = "\x00A\x00"  # the words of a paragraph's "link to this", which come from a template
# Around each quotation: opened with its number among the text's quotations, and closed. A page
# in another language than the quoted source's marks the words with the source's (`fill`).
QUOTE_SLOT, UNQUOTE_SLOT = "\x00Q{}\x00", "\x00E\x00"
SLOT = re.compile("\x00([CLAE]|Q[0-9]+)\x00")


@by_fields
@dataclass(frozen=True, slots=True)
class LinkRef:
    """An internal link as written (`../companies/acme.md#x`), judged once every page is known."""

    href: str
    location: Location


@by_fields
@dataclass(frozen=True, slots=True)
class Fragment:
    """A Markdown text rendered once, file by file, with a slot for each citation mark and each
    internal link, so it can be cached by content and placed on any page."""

    text: Text | StoredText  # its HTML, and its words for the search index (`texts.py`)
    cites: tuple[Cite, ...]
    links: tuple[LinkRef, ...]
    plain: str = ""  # a summary's words without citation marks, for meta descriptions (a narrative's are not read)
    anchors: tuple[str, ...] = ()  # the ids of its headings, which a link's #anchor may name
    quotations: tuple[Quotation, ...] = ()  # checked against the cited sources' excerpts by resolve
    claims: tuple[Claim, ...] = ()  # their numbers checked against the cited sources' records by resolve
    # The sources of citations written but not read (`[@id` unclosed), each an error of its own: the
    # text they stand in counts as citing them, so the writer is told the cause, not what follows.
    unread: tuple[str, ...] = ()

    @property
    def html(self) -> str:
        return self.text.html

    @property
    def words(self) -> str:
        """Its words paragraph by paragraph, without marks or markup."""
        return self.text.words


def _cite_slot(source: str, locator: str) -> str:
    return CITE_SLOT


def prepare_block(
    md: MarkdownIt, text: str, first_line: int, path: str, problems: Problems, claims: bool = False
) -> Fragment:
    """Render a Markdown body whose first line is line `first_line` of file `path`; with `claims`,
    each block of its own words must cite a source (`uncited_blocks`)."""
    lines = text.split("\n")
    tokens = md.parse(text)
    cites: list[Cite] = []
    links: list[LinkRef] = []
    quotations: list[Quotation] = []
    numbered: list[Claim] = []
    unread: list[str] = []
    for i, block in enumerate(tokens):
        if block.children is None:
            continue
        start, end = block.map  # every inline block of a parsed text has its lines
        window = [(first_line + n, lines[n]) for n in range(start, min(end, len(lines)))]
        block.meta = {**(block.meta or {}), "unread": _check_inline(block.children, window, path, problems, cites, links)}
        unread += block.meta["unread"]
        if not (i and tokens[i - 1].type == "heading_open"):  # a heading's marks enclose titles
            _mark_quotations(block, len(quotations))
            quotations += _quotations(block, window, path, problems)
            numbered += _claim(block, window, path)
    if claims:
        for line, what in uncited_blocks(tokens):
            text_line = lines[line]
            col = len(text_line) - len(text_line.lstrip()) + 1
            problems.error(Location(path, first_line + line, col), f"{what} without a citation: {CITE_FIX}")
    anchors = _heading_ids(tokens)
    _claim_anchors(tokens)
    html = md.renderer.render(tokens, md.options, {"cite": _cite_slot})
    return Fragment(
        Text(html, _words(tokens)), tuple(cites), tuple(links), anchors=anchors, quotations=tuple(quotations),
        claims=tuple(numbered), unread=tuple(dict.fromkeys(unread)),
    )


def _heading_ids(tokens: list[Token]) -> tuple[str, ...]:
    """Give each heading an id made from its words, as GitHub does (`## What it supplies` is
    `#what-it-supplies`; a second one of the same words `-1`), so a link can lead to it."""
    ids: list[str] = []
    for heading, inline in zip(tokens, tokens[1:]):
        if heading.type != "heading_open":
            continue
        words = "".join(c.content for c in inline.children or () if c.type in ("text", "code_inline"))
        base = re.sub(r"[^\w\- ]", "", words.lower()).strip().replace(" ", "-") or "section"
        anchor, n = base, 0
        while anchor in ids:
            n += 1
            anchor = f"{base}-{n}"
        ids.append(anchor)
        heading.attrSet("id", anchor)
    return tuple(ids)


def _claim_anchors(tokens: list[Token]) -> None:
    """Give each paragraph (or list item) an anchor and a "link to this", so a reader can share one
    claim. The anchor is made from what the paragraph cites, in order, not from its place or its
    words: fixing its wording, or adding a paragraph above it, keeps the address shared. Two
    paragraphs citing the same sources are told apart by their order; one citing nothing by its
    first words."""
    seen: dict[str, int] = {}
    for i, token in enumerate(tokens):
        if token.type != "inline" or tokens[i - 1].type != "paragraph_open":  # a text opens with a block, never an inline token
            continue
        holder = tokens[i - 1]
        if holder.hidden:  # a tight list's paragraph is not written out: its list item holds the anchor
            holder = next(t for t in reversed(tokens[:i]) if t.type == "list_item_open")
        if holder.attrGet("id") is not None:  # a list item's second paragraph
            continue
        cited = [f"{c.meta['source']},{c.meta['locator']}" for c in token.children or () if c.type == "citation"]
        basis = "; ".join(cited) if cited else " ".join(_words([token]).lower().split()[:6])
        anchor = "p-" + hashlib.blake2b(basis.encode("utf-8", "surrogatepass"), digest_size=3).hexdigest()
        seen[anchor] = seen.get(anchor, 0) + 1
        if seen[anchor] > 1:
            anchor += f"-{seen[anchor]}"
        holder.attrSet("id", anchor)
        if token.children is not None:
            link = Token("html_inline", "", 0)
            link.content = f' <a class="claim-link" href="#{anchor}">{CLAIM_SLOT}</a>'
            token.children.append(link)


def prepare_inline(md: MarkdownIt, text: str, where: Location, line: str, problems: Problems) -> Fragment:
    """Render Markdown written in a YAML field (a summary) that starts at `where`, on file line `line`."""
    tokens = md.parseInline(text)
    (block,) = tokens  # inline mode makes a single inline token
    cites: list[Cite] = []
    links: list[LinkRef] = []
    window = [(where.line, " " * (where.col - 1) + line[where.col - 1 :])]
    unread = _check_inline(block.children or [], window, where.path, problems, cites, links)
    block.meta = {**(block.meta or {}), "unread": unread}
    _mark_quotations(block, 0)
    quotations = _quotations(block, window, where.path, problems)
    claims = _claim(block, window, where.path)
    html = md.renderer.render(tokens, md.options, {"cite": _cite_slot})
    return Fragment(
        Text(html, _words(tokens)), tuple(cites), tuple(links), _plain_text(tokens), quotations=tuple(quotations),
        claims=tuple(claims), unread=tuple(dict.fromkeys(unread)),
    )


def _quotations(block: Token, window, path: str, problems: Problems) -> list[Quotation]:
    """The block's quotations (found by the quotations rule), located, each with the sources the
    block cites."""
    found = (block.meta or {}).get("quotations")
    if not found:
        return []
    return locate(found, _Cursor(window, path).find, _sources(block), problems)


def _mark_quotations(block: Token, first: int) -> None:
    """Put a slot before and after each closed quotation of the block (its marks included), the
    quotations numbered from `first`. Where tags begin or end at a quotation's edge, the slots go
    as near its words as keeps both in one element (`*"words"*` is marked inside the emphasis, `[a
    link](…)"words"` after it); a quotation opening inside an emphasis and closing after it, with no
    way to keep the slots in one element, is left unmarked: a tag cannot cross."""
    found = [f for f in (block.meta or {}).get("quotations") or () if f.text is not None]
    children = block.children or []
    for number, item in reversed(list(enumerate(found, first))):  # from the end: earlier offsets hold
        starts = _places(children, item.span[0])
        ends = _places(children, item.span[1])  # after the start's split: offsets are the text's, not the tokens'
        edges = next(((s, e) for s in reversed(starts) for e in ends if _balanced(children[s:e])), None)
        if edges is None:
            continue
        children.insert(edges[1], _slot_token(UNQUOTE_SLOT))
        children.insert(edges[0], _slot_token(QUOTE_SLOT.format(number)))


def _size(token: Token) -> int:
    """The characters of the block's text a token holds, as the quotations rule counts them."""
    if token.type in ("softbreak", "hardbreak"):
        return 1
    return len(token.content) if token.type in ("text", "code_inline") else 0


def _places(children: list[Token], offset: int) -> list[int]:
    """The indices before which a token could stand at character `offset` of the block's text,
    first to last: one, or more where tags and marks with no text of their own stand there; a text
    token split in two where needed; none inside code."""
    at = 0
    for index, token in enumerate(children):
        size = _size(token)
        if offset == at:
            last = index
            while last < len(children) and _size(children[last]) == 0:
                last += 1
            return list(range(index, last + 1))
        if offset < at + size:  # inside this token: a place before it would have been returned
            if token.type != "text":
                return []
            cut = offset - at
            rest = Token("text", "", 0)
            rest.content, token.content = token.content[cut:], token.content[:cut]
            children.insert(index + 1, rest)
            return [index + 1]
        at += size
    return [len(children)] if offset == at else []


def _balanced(tokens: list[Token]) -> bool:
    depth = 0
    for token in tokens:
        depth += token.nesting
        if depth < 0:
            return False
    return depth == 0


def _slot_token(content: str) -> Token:
    token = Token("html_inline", "", 0)
    token.content = content
    return token


def _claim(block: Token, window, path: str) -> list[Claim]:
    """The block's words whose numbers are checked (found by the quotations rule), each digit run
    placed in the file, with the sources the block cites."""
    pieces = (block.meta or {}).get("numbers")
    if not pieces:
        return []
    cursor = _Cursor(window, path)
    found = claim(pieces, _sources(block), lambda digits, counts: cursor.find(digits))
    return [found] if found else []


def _sources(block: Token) -> tuple[str, ...]:
    """The sources a block cites, with those its unread citations meant: a quotation or a number
    beside a citation not closed is checked against the source it names, not told it cites none."""
    cited = [t.meta["source"] for t in block.children or () if t.type == "citation"]
    return tuple(dict.fromkeys([*cited, *block.meta["unread"]]))  # set on every block before its quotations and numbers


# A claim is a paragraph, a list item, a quotation or a table cell with words of its own; it is
# cited when a citation stands in it or in a block inside it. Headings and table headers are not
# claims.
CLAIMS = {"paragraph_open": "paragraph", "list_item_open": "list item", "blockquote_open": "quotation", "td_open": "table cell"}
CITE_FIX = "put its source after the claim, such as [@source-id] (every claim is cited)"


def uncited_blocks(tokens: list[Token]) -> list[tuple[int, str]]:
    """(line in the text from 0, what it is) of each claim that cites nothing."""
    found = []
    open_: list[list] = []  # [line, what, has words, cited]
    line = 0
    for token in tokens:
        line = token.map[0] if token.map else line  # a table cell has no line of its own: its row's
        if token.type in CLAIMS and not token.hidden:  # a list's hidden paragraph is its item's words
            open_.append([line, CLAIMS[token.type], False, False])
        elif token.type.replace("_close", "_open") in CLAIMS and token.nesting == -1 and not token.hidden:
            start, what, words, cited = open_.pop()
            if words and not cited:
                found.append((start, what))
            if cited and open_:
                open_[-1][3] = True
        elif token.type == "inline" and open_:
            children = token.children or []
            open_[-1][2] |= any(c.type in ("text", "code_inline") and c.content.strip() for c in children)
            # A citation not read is an error of its own: the claim is not also called uncited.
            open_[-1][3] |= any(c.type == "citation" for c in children) or bool((token.meta or {}).get("unread"))
    return sorted(found)


def _plain_text(tokens: list[Token]) -> str:
    words = [
        child.content
        for token in tokens
        for child in (token.children or [])
        if child.type in ("text", "code_inline")
    ]
    return " ".join("".join(words).split())


def _words(tokens: list[Token]) -> str:
    blocks = (
        "".join(
            c.content if c.type in ("text", "code_inline") else " "
            for c in token.children or ()
            if c.type in ("text", "code_inline", "softbreak", "hardbreak")
        )
        for token in tokens
        if token.type == "inline"
    )
    return " ".join(" ".join(blocks).split())


class _Cursor:
    """Finds successive pieces of an inline text in its source lines, left to right, so two
    citations of one source on one line get their own columns."""

    def __init__(self, window: list[tuple[int, str]], path: str):
        self.window, self.path = window, path
        self.row, self.col = 0, 0
        self.missing: set[str] = set()

    def find(self, *needles: str) -> Location:
        for row in range(self.row, len(self.window)):
            line_no, line = self.window[row]
            for needle in filter(None, needles):  # an empty one (a link with no address) is everywhere
                col = line.find(needle, self.col if row == self.row else 0)
                if col >= 0:
                    self.row, self.col = row, col + len(needle)
                    return Location(self.path, line_no, col + 1)
        return Location(self.path, self.window[self.row][0], 1)  # a block's window holds its lines

    def seek(self, needle: str) -> tuple[Location, str] | None:
        """Where `needle` was typed literally, and the character before it; None when the text
        came from something else (an entity such as `&lt;`). A needle not found is not looked for
        again: the cursor only moves on, so it is not further on either."""
        if needle in self.missing:
            return None
        for row in range(self.row, len(self.window)):
            line_no, line = self.window[row]
            col = line.find(needle, self.col if row == self.row else 0)
            if col >= 0:
                self.row, self.col = row, col + len(needle)
                return Location(self.path, line_no, col + 1), line[col - 1 : col]
        self.missing.add(needle)
        return None


def _check_inline(children, window, path: str, problems: Problems, cites: list, links: list) -> list[str]:
    """Check a block's inline tokens; the sources its unread citations name (`_check_text`)."""
    cursor = _Cursor(window, path)
    unread: list[str] = []
    for token in children:
        if token.type == "text":
            unread += _check_text(token.content, cursor, problems)
        elif token.type == "citation":
            where = cursor.find("@" + token.meta["source"])
            cites.append(Cite(token.meta["source"], token.meta["locator"], where))
        elif token.type == "link_open":
            href = unquote(str(token.attrGet("href") or ""))
            where = cursor.find(href, str(token.attrGet("href") or ""), "](")
            token.attrs = {**token.attrs, **_local_link(href, where, problems, links)}
        elif token.type == "image":
            src = unquote(str(token.attrGet("src") or ""))
            where = cursor.find(src, "](")
            problems.error(
                where,
                f"image '{src[:60]}': images are not yet supported in Markdown; "
                "a picture loaded from another site would reveal readers to it",
            )
            token.attrSet("src", "")
    return unread


def _check_text(text: str, cursor: _Cursor, problems: Problems) -> list[str]:
    """What markup the parser left as text: a citation it could not read (an error: it would be
    published as typed), raw HTML (a warning: it is shown as text, never run). Returns the
    sources the citations not read name."""
    unread: list[str] = []
    found = [(m.start(), "cite", m) for m in BROKEN_CITE.finditer(text)]
    found += [(m.start(), "html", m) for m in HTML_TAG.finditer(text)]
    closers = [m.start() for m in _CLOSER.finditer(text)]  # found once, not after each citation
    for _, what, match in sorted(found, key=lambda f: f[0]):
        if what == "cite":
            start = match.start()
            after = bisect.bisect_left(closers, start)
            closed = after < len(closers)
            end = closers[after] + 1 if closed else _WORD.match(text, start).end()
            written = text[start : min(end, start + CITE_SHOWN)]
            place = cursor.seek(written if closed else "[@")
            if place is None or place[1] == "\\":  # `\[@` is text by choice
                continue
            unread += [m.group(1).rstrip(".:") for m in _MEANT.finditer(written)]
            if closed:
                problems.error(place[0], f"citation '{written[:80]}' cannot be read: write [@id], [@a; @b] or [@id, p. 4]")
            else:
                problems.error(place[0], f"citation '{written[:80]}' is not closed: close it with ']', as in [@id]")
        else:
            tag = match.group()
            place = cursor.seek(tag)
            if place is None or place[1] == "\\":
                continue
            problems.warning(
                place[0],
                f"HTML '{tag[:60]}' is shown as text, not as HTML: write it in Markdown instead, "
                "or put it between backticks (`) to show it as code",
            )
    return unread


def _local_link(href: str, where: Location, problems: Problems, links: list[LinkRef]) -> dict[str, str]:
    """The attributes a link is rendered with, as far as its own file tells: an internal link
    gets a slot, filled per page once resolve has found its target."""
    if SCHEME.match(href) or href.startswith("//"):
        if is_safe_external(href) or href.lower().startswith("mailto:"):
            return {"href": href, "rel": EXTERNAL_REL}
        problems.error(
            where,
            f"unsafe link '{href[:60]}': only https:, http:, mailto: and links to pages of this site are allowed",
        )
        return {"href": "#"}
    links.append(LinkRef(href, where))
    return {"href": LINK_SLOT}

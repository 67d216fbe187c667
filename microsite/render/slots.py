"""A text's slots filled on the page showing it: citation marks, relative links, quotations'
languages (the slots are left by `content/markdown.py`, which renders each text once, by file).
"""
from __future__ import annotations

import re

from markupsafe import escape

from ..addresses import relative_url
from ..content.markdown import SLOT, Fragment
from ..model import Cite


def fill(
    fragment: Fragment, targets: tuple[str | None, ...], output: str, cite, claim: str, quoted_in: tuple[str | None, ...],
) -> str:
    """The fragment's HTML on page `output`: each citation marked by `cite(source, locator,
    location)` in order, each internal link made relative to `output`, each "link to this" worded
    `claim`, each quotation `i` of the fragment marked as in language `quoted_in[i]` (None: the
    page's own)."""
    def link(target: str) -> str:
        page, _, anchor = target.partition("#")
        return f"#{anchor}" if anchor and page == output else relative_url(output, target)

    return fill_slots(fragment.html, fragment.cites, targets, cite, link, claim, quoted_in)


def fill_slots(
    html: str, cites: tuple[Cite, ...], targets: tuple[str | None, ...], cite, link, claim: str,
    quoted_in: tuple[str | None, ...],
) -> str:
    """`fill` for any reader of a fragment's HTML (a page, the printed report): each internal link
    written as `link(target)` says."""
    cites_left, links = iter(cites), iter(targets)
    opened = False

    def slot(match: re.Match) -> str:
        nonlocal opened
        kind = match.group(1)
        if kind[0] == "Q":
            language = quoted_in[int(kind[1:])]  # one per quotation of the fragment
            opened = language is not None
            return f'<span lang="{escape(language)}">' if opened else ""
        if kind == "E":
            closing, opened = "</span>" if opened else "", False
            return closing
        if kind == "A":
            return claim
        if kind == "C":
            c = next(cites_left)
            return cite(c.source, c.locator, c.location)
        target = next(links)
        return str(escape(link(target))) if target else "#"

    return SLOT.sub(slot, html) if "\x00" in html else html

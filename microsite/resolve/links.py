"""Where each internal link of a text leads, or a located error with a did-you-mean.

A text's links are read from its own file (`content/markdown.py`); only once every page is known
can each be found, here.
"""
from __future__ import annotations

import posixpath
from dataclasses import dataclass

from ..content.markdown import LinkRef
from ..errors import Problems, did_you_mean


@dataclass(frozen=True)
class LinkContext:
    """What a link check needs: where the text sits and which pages exist."""

    content_path: str  # the content file the text comes from
    output: str  # the page it is rendered into
    pages_by_file: dict[str, str]  # content file -> output page
    outputs: frozenset[str]
    unreadable: frozenset[str] = frozenset()  # "kind/slug"s and "pages/slug"s of files that failed to load
    anchors: dict[str, frozenset[str]] | None = None  # output -> the #anchors a link may name on it



def resolve_link(link: LinkRef, ctx: LinkContext, problems: Problems) -> str | None:
    """The output (with its #fragment) an internal link leads to, or None and an error."""
    href = link.href
    path, _, fragment = href.partition("#")
    if path.endswith((".md", ".markdown")):
        target = posixpath.normpath(posixpath.join(posixpath.dirname(ctx.content_path), path))
        output = ctx.pages_by_file.get(target)
        page = posixpath.splitext(target)[0].removeprefix("content/")
    else:
        base = "" if path.startswith("/") else posixpath.dirname(ctx.output)
        output = posixpath.normpath(posixpath.join(base, path.lstrip("/"))) if path else ctx.output
        page = output.removesuffix(".html") if "/" in output else f"pages/{output.removesuffix('.html')}"
        output = output if output in ctx.outputs else None
    if output is None:
        if page not in ctx.unreadable:  # else the file's own error says why: one error, not one per link
            problems.error(link.location, f"link to missing page '{href[:80]}'{_closest_page(path, ctx)}")
        return None
    anchors = (ctx.anchors or {}).get(output)
    if fragment and anchors is not None and fragment not in anchors:
        where = "this page" if output == ctx.output else f"'{path}'"
        # Never empty: every page has the anchor "skip to content" leads to (`anchors.EVERY_PAGE`).
        hint = did_you_mean(fragment, anchors) or f"; its anchors are: {', '.join(sorted(anchors)[:12])}"
        problems.error(link.location, f"link to missing anchor '#{fragment[:60]}' on {where}{hint}")
        return None
    return output + (f"#{fragment}" if fragment else "")


def _closest_page(path: str, ctx: LinkContext) -> str:
    """A did-you-mean in the writer's own terms: a path relative to their file."""
    here = posixpath.dirname(ctx.content_path)
    folder = posixpath.normpath(posixpath.join(here, posixpath.dirname(path)))
    siblings = [posixpath.relpath(f, here) for f in ctx.pages_by_file if posixpath.dirname(f) == folder]
    hint = did_you_mean(posixpath.relpath(posixpath.join(folder, posixpath.basename(path)), here), siblings, cutoff=0.8)
    if hint:
        return hint
    # An example from the site's own files, from another folder where there is one: the way up.
    elsewhere = sorted(f for f in ctx.pages_by_file if posixpath.dirname(f) != here) or sorted(ctx.pages_by_file)
    example = posixpath.relpath(elsewhere[0], here) if elsewhere else "../folder/page.md"
    return f"; link to a content file, relative to this one, such as {example}"

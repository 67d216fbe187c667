"""One content file, from its bytes alone: its record, its problems, its Markdown rendered.

Everything here depends on nothing but the file, the site's content model and the engine, so the
result is cached by a hash of those (`cache.py`) and can be computed in any process: an unchanged
file is never parsed again, and a cold build prepares files on every core.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import Location, Problem, Problems
from ..store.cache import digest
from .load import ContentFile, load_file
from ..model import Entity, Page, SiteConfig, Source

if TYPE_CHECKING:
    from markdown_it import MarkdownIt

    from .markdown import Fragment


@dataclass(frozen=True)
class Prepared:
    """A loaded file: the record (None when unusable), what is wrong with it, its rendered texts,
    and fingerprints of the parts other pages show (for the dependency graph, `deps.py`)."""

    record: Source | Entity | Page | None
    problems: tuple[Problem, ...]
    summary: Fragment | None
    body: Fragment | None
    digest: str  # of the file's bytes
    card: str  # of what listings and related lists show: name, output, summary
    links: str  # of the relations it declares (shown on the pages it points at)


def prepare(root: Path, file: ContentFile, data: bytes, config: SiteConfig) -> Prepared:
    from .markdown import CITE_FIX, prepare_block, prepare_inline  # markdown-it: a build with nothing changed parses nothing

    problems = Problems()
    record = load_file(root, file, data, config, problems)
    summary = body = None
    if isinstance(record, (Entity, Page)):
        md = _markdown()
        claims = requires_citations(record, config)
        if record.summary:
            summary = prepare_inline(md, record.summary, record.summary_at, record.summary_line, problems)
            if claims and not summary.cites and not summary.unread:  # an unread one is told itself
                problems.error(record.summary_at, f"summary without a citation: {CITE_FIX}")
        for link in getattr(record, "links", ()) if claims else ():
            if not link.cites:
                problems.error(
                    link.location,
                    f"relation to '{link.target}' without a citation: write it as '- id: {link.target}' "
                    "with 'cite: source-id' under it (every claim is cited)",
                )
        body = prepare_block(md, record.body, record.body_line, record.path, problems, claims)
        record = replace(record, body="", summary_line="")  # rendered: keep only the fragments
    # The headings are in it too: another page's link may lead to one (`#anchor`).
    card = (getattr(record, "name", None), getattr(record, "output", None), summary, body.anchors if body else ())
    links = getattr(record, "links", ())
    return Prepared(
        record, tuple(problems.items), summary, body, digest(data), digest(repr(card)), digest(repr(links))
    )


def requires_citations(document: Entity | Page, config: SiteConfig) -> bool:
    """Whether every claim of the document must cite a source: site.yaml says, a free page may
    say otherwise (an about page makes no claim about the matter)."""
    rule = getattr(document, "require_citations", None) or config.require_citations
    return rule != "off"


def unreadable(file: ContentFile, error: OSError) -> Prepared:
    """A file that went away or became unreadable between being listed and being read."""
    problem = Problem(Location(file.name), f"cannot read the file ({error.strerror}); check it exists and can be read")
    return Prepared(None, (problem,), None, None, "-", "-", "-")


@lru_cache(maxsize=1)
def _markdown() -> MarkdownIt:
    from .markdown import make_markdown  # see prepare()

    return make_markdown()

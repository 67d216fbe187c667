"""What the tests of the real investigation expect, read from content/ itself.

A pull request that adds, renames or removes a company, a source or a page changes what these
return, never the tests: no test of the real site names a page, counts the content or lists its
kinds. Engine tests use the fixtures instead.
"""
from __future__ import annotations

from collections import Counter
from functools import lru_cache

from microsite.build import Project, check
from microsite.content.config import load_config
from microsite.outputs.datasets import site_slug
from microsite.errors import Problem, Problems
from microsite.messages import Messages
from microsite.model import Entity
from microsite.resolve.site import Site, document_cites
from tests.conftest import REPO


@lru_cache(maxsize=1)
def checked() -> tuple[Site, tuple[Problem, ...]]:
    site, warnings = check(Project(REPO))
    return site, tuple(warnings)


def site() -> Site:
    return checked()[0]


def entities() -> list[Entity]:
    return sorted(site().content.entities.values(), key=lambda e: e.output)


def entity_pages_listed() -> list[str]:
    """Every entity's page in every language, from the files of each kind site.yaml declares: for parametrizing at
    collection, where a content error must not stop every test from being collected."""
    config = load_config(REPO, Problems())
    if config is None:
        return []
    folders = ["" if i == 0 else f"{language}/" for i, language in enumerate(config.languages)]
    slugs = [  # a translation (`amazon.es.md`) is the same page in another language
        f"{kind.id}/{p.stem}" for kind in config.kinds for p in (REPO / "content" / kind.id).glob("*.md") if "." not in p.stem
    ]
    return sorted(f"{folder}{slug}.html" for folder in folders for slug in slugs)


def entity_pages() -> list[str]:
    """Every entity's page, of every kind site.yaml declares."""
    return [e.output for e in entities()]


def base_url() -> str:
    return site().content.config.base_url


def messages() -> Messages:
    """The interface's words in the site's first language, the one at its root (the engine's
    table with the site's own overrides from content/i18n/)."""
    return site().content.config.messages


@lru_cache(maxsize=1)
def home_findings() -> str | None:
    """The findings the home page shows below its lead, as HTML: its text (content/pages/index.md)
    up to its second heading. None when the site has no such text (the home page then opens with
    the site's tagline)."""
    from markupsafe import Markup

    from microsite.render.pages import first_section

    # Checked again and read at once: a text is read from its entry in .cache/ when asked for, and
    # a build for another address since `site()` (test_base_url's) has replaced that entry.
    fresh, _ = check(Project(REPO))
    home = fresh.content.home
    if home is None:
        return None
    findings, _ = first_section(Markup(fresh.bodies[home.output].fragment.html))
    return str(findings)


def slug() -> str:
    """The name of the downloads and the offline copy, made from the site's title."""
    return site_slug(site().content.config.title)


def cites_shown(entity: Entity) -> int:
    s = site()
    return len(document_cites(entity, s.summaries.get(entity.output), s.bodies[entity.output]))


def most_cited() -> Entity:
    """The entity page with the most citation marks: the one that exercises them best."""
    return max(entities(), key=lambda e: (cites_shown(e), e.output))


def disputed(of: Site | None = None) -> list[tuple[Entity, str, list[str]]]:
    """(entity, label, values) of each figure two or more sources give differently (in the real
    content, or in the site `of`)."""
    found = []
    for entity in sorted((of or site()).content.entities.values(), key=lambda e: e.output):
        counts = Counter(f.label for f in entity.figures)
        for label in sorted(label for label, n in counts.items() if n > 1):
            found.append((entity, label, [f.value for f in entity.figures if f.label == label]))
    return found


def searchable() -> tuple[str, Entity]:
    """A word of one entity's name that no other page's name or summary, nor any source's title,
    uses, and that entity: searching for it must lead there first. Of those, the word fewest
    other pages mention, so that no text outranks the name; one the search's pipeline in the
    site's language keeps whole but for its accents, so that the word half typed already finds
    it (where the index folds accents, the search folds a word being typed too: 'cárce' finds
    'carcel'). Words are compared as the search index holds them, in the site's language."""
    import unicodedata

    from lunr.token import Token

    from microsite.outputs.lunr_index import TermCounter

    s = site()
    pipeline = TermCounter(language=s.content.config.language).pipeline
    documents = [*entities(), *s.content.pages.values()]

    def words(text: str) -> set[str]:
        return set("".join(c.lower() if c.isalnum() else " " for c in text).split())

    def terms(text: str) -> set[str]:
        return {str(t) for w in words(text) for t in pipeline.run([Token(w, {})])}

    def unaccented(word: str) -> str:
        return "".join(c for c in unicodedata.normalize("NFD", word) if not unicodedata.combining(c))

    def heading(d) -> str:
        return f"{getattr(d, 'name', None) or getattr(d, 'title', '')} {d.summary or ''}"

    bodies = {d.output: terms(s.bodies[d.output].fragment.words) for d in documents}
    titles = set().union(*(terms(source.title) for source in s.content.sources.values()))
    candidates = []
    for entity in entities():
        others = set().union(*(terms(heading(d)) for d in documents if d is not entity)) | titles
        for word in sorted(w for w in words(entity.name) if len(w) >= 5):
            whole = terms(word)
            if whole & others or whole not in ({word}, {unaccented(word)}):
                continue
            mentions = sum(bool(whole & found) for output, found in bodies.items() if output != entity.output)
            candidates.append((mentions, word, entity.output, entity))
    assert candidates, "no entity has a word of its name that no other page's name or summary uses"
    _, word, _, entity = min(candidates, key=lambda c: c[:3])
    return word, entity

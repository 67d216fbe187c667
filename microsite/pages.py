"""Every page of the site with its title and what kind of page it is: for the sitemap and the cards.

Derived from the resolved content the same way the render pass derives its pages, so a page added
there and forgotten here fails the test that compares the two lists.
"""
from __future__ import annotations

from dataclasses import dataclass

from .outputs import DATA, HOME, MAP, SOURCES, kind_index
from .resolve import Site


@dataclass(frozen=True)
class PageInfo:
    output: str
    title: str
    kicker: str  # what kind of page, shown above the title on its card ("" for the home page)


def site_pages(site: Site) -> list[PageInfo]:
    """The site's HTML pages except the 404 page, sorted by output path."""
    config = site.content.config
    pages = [
        PageInfo(HOME, config.title, ""),
        PageInfo(SOURCES, "Sources", "Sources"),
        PageInfo(DATA, "Data", "Downloads"),
        PageInfo(MAP, "Map of connections", "Map"),
    ]
    pages += [PageInfo(kind_index(k.id), k.plural, "Index") for k in config.kinds]
    pages += [
        PageInfo(e.output, e.name, config.kind(e.kind).singular) for e in site.content.entities.values()
    ]
    pages += [PageInfo(p.output, p.title, "") for p in site.content.pages.values()]
    return sorted(pages, key=lambda p: p.output)

"""Every page of the site with its title and what kind of page it is: for the sitemap and the cards.

Derived from the resolved content the same way the render pass derives its pages, so a page added
there and forgotten here fails the test that compares the two lists.
"""
from __future__ import annotations

from dataclasses import dataclass

from ..addresses import DATA, EXPLORE, HOME, MAP, SOURCES, TIMELINE, kind_index
from ..render.text import first_sentence
from ..resolve.site import Site


@dataclass(frozen=True)
class PageInfo:
    output: str
    title: str
    kicker: str  # what kind of page, shown above the title on its card ("" for the home page)
    lead: str = ""  # the home page: its lead, which its card shows


def site_pages(site: Site) -> list[PageInfo]:
    """The site's HTML pages except the 404 page, sorted by output path."""
    config = site.content.config
    t = config.messages
    lead = site.summaries.get(HOME)
    pages = [
        PageInfo(HOME, config.title, "", first_sentence(lead.fragment.plain) if lead is not None else ""),
        PageInfo(SOURCES, t.text("sources_title"), t.text("nav_sources")),
        PageInfo(DATA, t.text("data_title"), t.text("downloads")),
        PageInfo(MAP, t.text("map_title"), t.text("nav_map")),
        PageInfo(EXPLORE, t.text("explore"), ""),
        PageInfo(TIMELINE, t.text("timeline"), ""),
    ]
    pages += [PageInfo(kind_index(k.id), k.plural, t.text("kicker_index")) for k in config.kinds]
    pages += [
        PageInfo(e.output, e.name, config.kind(e.kind).singular) for e in site.content.entities.values()
    ]
    pages += [PageInfo(p.output, p.title, "") for p in site.content.pages_in_order()]
    return sorted(pages, key=lambda p: p.output)

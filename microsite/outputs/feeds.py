"""Machine-readable views of the site for crawlers and feed readers: sitemap, Atom feed, robots.txt.

These are the places where a relative link will not do: each URL is absolute, from `base_url` in
content/site.yaml.
"""
from __future__ import annotations

import hashlib
import xml.etree.ElementTree as ET
from pathlib import Path

from ..store.cache import cached, content_key, engine_digest

from ..model import Change
from ..addresses import HOME, language_prefix
from .page_list import site_pages
from ..resolve.site import Site

SITEMAP = "sitemap.xml"
FEED = "feed.xml"
ROBOTS = "robots.txt"
ATOM = "http://www.w3.org/2005/Atom"
SITEMAPS = "http://www.sitemaps.org/schemas/sitemap/0.9"
XHTML = "http://www.w3.org/1999/xhtml"


def feed_outputs(site: Site) -> dict[str, bytes]:
    """robots.txt and each language's feed (`feed.xml`, `es/feed.xml`), in its words, which that
    language's pages link to; the sitemap, which lists every page, is made with the search index."""
    outputs = {ROBOTS: robots(site)}
    if site.content.changes:
        languages = site.content.config.languages
        for language in languages:
            outputs[language_prefix(language, languages) + FEED] = atom_feed(site, language)
    return outputs


def sitemap(site: Site, kept: Path | None = None) -> bytes:
    """Every page in every language; with several, each names its versions in the others
    (`xhtml:link` alternates, as search engines read them), the first language as x-default.

    It is a function of the pages' addresses alone, which an edit to a text does not change: kept
    in the folder `kept` (.cache/sitemap/) by a digest of them, it is made again only when a page
    is added, removed or renamed, or the site's address or languages change."""
    config = site.content.config
    outputs = [page.output for page in site_pages(site)]
    key = content_key(engine_digest(), config.base_url, *config.languages, "\0", *outputs)
    made = cached(kept, key, ".xml", lambda: _sitemap(config.base_url, config.languages, outputs))
    for old in kept.glob("*.xml") if kept is not None else ():  # only the current one is kept
        if old.name != f"{key}.xml":
            old.unlink(missing_ok=True)
    return made


def _sitemap(base: str, languages: tuple[str, ...], outputs: list[str]) -> bytes:
    attributes = {"xmlns": SITEMAPS} | ({"xmlns:xhtml": XHTML} if len(languages) > 1 else {})
    root = ET.Element("urlset", attributes)
    for output in outputs:
        path = "" if output == HOME else output
        addresses = [(language, base + language_prefix(language, languages) + path) for language in languages]
        for _, address in addresses:
            url = ET.SubElement(root, "url")
            ET.SubElement(url, "loc").text = address
            if len(addresses) > 1:
                for language, other in [*addresses, ("x-default", addresses[0][1])]:
                    ET.SubElement(url, "xhtml:link", rel="alternate", hreflang=language, href=other)
    return _xml(root)


def robots(site: Site) -> bytes:
    """Crawlers read robots.txt only at a domain's root; under a project subpath it is inert."""
    return f"User-agent: *\nAllow: /\n\nSitemap: {site.content.config.base_url}{SITEMAP}\n".encode()


def atom_feed(site: Site, language: str | None = None) -> bytes:
    """The change log (content/changes.yaml) in `language` (default: the first), newest first,
    one entry per change, each leading to that language's page listing the changes."""
    config = site.content.config.in_language(language or site.content.config.language)
    base = config.base_url + language_prefix(config.language, config.languages)
    changes_page = next((p.output for p in site.content.pages.values() if p.show_changes), None)
    link = base + (changes_page or "")
    feed = ET.Element("feed", {"xmlns": ATOM, "xml:lang": config.language})
    ET.SubElement(feed, "title").text = config.messages.text("feed_title", site=config.title)
    if config.tagline:
        ET.SubElement(feed, "subtitle").text = config.tagline
    ET.SubElement(feed, "id").text = base + FEED
    ET.SubElement(feed, "link", rel="self", type="application/atom+xml", href=base + FEED)
    ET.SubElement(feed, "link", rel="alternate", type="text/html", href=link)
    ET.SubElement(feed, "updated").text = _timestamp(max(c.date for c in site.content.changes))
    ET.SubElement(ET.SubElement(feed, "author"), "name").text = config.title
    for change in site.content.changes:
        text = dict(change.translations).get(config.language, change.text)
        entry = ET.SubElement(feed, "entry")
        ET.SubElement(entry, "title").text = f"{config.messages.date(change.date)}: {_headline(text)}"
        ET.SubElement(entry, "id").text = f"{base}{FEED}#{_change_id(change)}"
        ET.SubElement(entry, "link", rel="alternate", type="text/html", href=link)
        ET.SubElement(entry, "updated").text = _timestamp(change.date)
        ET.SubElement(entry, "content", type="text").text = text
    return _xml(feed)


def _change_id(change: Change) -> str:
    """Stable while the entry is unchanged; an edited entry is a new one to feed readers."""
    return f"{change.date}-{hashlib.sha256(change.text.encode()).hexdigest()[:12]}"


def _headline(text: str, limit: int = 90) -> str:
    if len(text) <= limit:
        return text
    return text[:limit].rsplit(" ", 1)[0].rstrip(",;:") + "…"


def _timestamp(date: str) -> str:
    """A content date (YYYY, YYYY-MM or YYYY-MM-DD) as the RFC 3339 time Atom requires."""
    year, month, day = (date.split("-") + ["01", "01"])[:3]
    return f"{year}-{month}-{day}T00:00:00Z"


def _xml(root: ET.Element) -> bytes:
    ET.indent(root, space="  ")
    return ET.tostring(root, encoding="utf-8", xml_declaration=True) + b"\n"

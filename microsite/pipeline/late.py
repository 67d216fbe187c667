"""What no page reads, made after the pages: the search index, the data downloads and the Data
page listing their sizes, the sitemap, the printed reports. Each is keyed by its own bytes, so it
is made before it can be judged changed; made one at a time, each let go before the next."""
from __future__ import annotations

from pathlib import Path
from typing import Iterable, Iterator, Mapping

from jinja2 import Environment

from ..addresses import DATA, in_every_language
from ..incremental.deps import page_keys
from ..libc import give_back_freed_memory
from ..outputs.datasets import dataset_names, dataset_outputs, downloads
from ..outputs.feeds import SITEMAP, sitemap
from ..outputs.lunr_index import TermCounter
from ..outputs.report import report_names, report_outputs
from ..outputs.search import index_names, search_index
from ..render.graph import Graph
from ..render.facts import data_examples
from ..render.pages import PageRenderer
from ..resolve.site import Site
from ..store.cache import digest


def made_later(site: Site, pdf: bool = False) -> list[str]:
    """What is made after the pages (`pdf`: the printed reports too)."""
    reports = list(report_names(site).values()) if pdf else []
    return [*index_names(site), SITEMAP, *dataset_names(site), *reports, *data_pages(site)]


def data_pages(site: Site) -> list[str]:
    """The Data page in every language: it lists the downloads' sizes, known once they are made."""
    return in_every_language([DATA], site.content.config.languages)


def late_outputs(
    site: Site, fps: dict[str, str], env: Environment, values: Mapping[str, object], graphs: dict[str, Graph] | None,
    counter: TermCounter | None, kept: Path | None = None, pdf: bool = False,
) -> Iterator[tuple[str, str, bytes]]:
    """The outputs of `made_later`, each with its key, made after the render pass and one at a
    time, each let go before the next is made: held through the render pass, they were 270 MiB
    more in the process the render workers are forked from (10,000 entities), and held together
    after it, the build's highest point. `values`: what every page's templates read of this build
    (`pipeline.page_values`); `counter`: the preview's search terms, kept between saves; `kept`:
    the cache folder where a build keeps the parts of these instead (search terms, sitemap); `pdf`:
    the printed reports too, made last, a language at a time (`outputs/report.py`)."""
    sizes: dict[str, int] = {}
    yield from _keyed(dataset_outputs(site), sizes)
    yield from _keyed(search_index(site, counter, kept and kept / "search").items(), sizes)
    yield from _keyed([(SITEMAP, sitemap(site, kept and kept / "sitemap"))], sizes)
    if pdf:
        yield from _keyed(report_outputs(site, env, graphs), sizes)
    listed = downloads(site, sizes)
    renderer = PageRenderer(site, env, listed, graphs, values=values)
    # The Data page also shows examples taken from the content (an entity's id, a source's).
    listing = digest(repr(listed) + repr(data_examples(site)))
    keys = page_keys(site, data_pages(site), {**fps, "downloads": listing})
    for name, key in keys.items():
        yield name, key, renderer.render(name)


def _keyed(outputs: Iterable[tuple[str, bytes]], sizes: dict[str, int]) -> Iterator[tuple[str, str, bytes]]:
    """Each output with its key. Each is let go (here and by every hand it passes through, `del`)
    and the memory it took handed back before the next is made: the downloads and the search index
    of 10,000 entities are 20 to 30 MB each, and each took as much again to make."""
    for name, data in outputs:
        sizes[name] = len(data)
        yield name, digest(data), data
        del data
        give_back_freed_memory()

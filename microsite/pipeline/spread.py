"""The pages rendered and the cards drawn, over the cores, each handed on as it is made."""
from __future__ import annotations

from functools import partial
from typing import Iterator

from ..libc import give_back_freed_memory
from ..outputs.cards import Card, CardSet, draw_cards
from ..parallel import SERIAL_CHUNK, Helpers, enough_for_a_pool, map_beside, map_shared, retire
from ..render.pages import PageRenderer

# A page past this many bytes (a site-wide listing of a large site) hands back what it took once written.
LARGE_PAGE = 1 << 20


def pages_and_cards(
    renderer: PageRenderer, pages: list[str], cards: CardSet, stale_cards: list[Card], workers: int | None,
    helpers: Helpers | None,
) -> Iterator[tuple[str, bytes]]:
    """The pages rendered in this process, which holds the site, while the helpers forked before
    it was loaded draw the cards: a worker forked to render pages copied each page of the site's
    memory it read, and the two held the site nearly twice (644 MiB at 10,000 entities).
    Without helpers, or with few cards to draw, both are spread over forked workers."""
    if helpers is None or not enough_for_a_pool(len(stale_cards)):
        retire(helpers)  # gone, with their pool's threads, before a pool is forked to render
        yield from _render(renderer, pages, workers)
        yield from map_shared(partial(draw_cards, cards), stale_cards, workers)
        return
    yield from map_beside(_rendered_here(renderer, pages), partial(draw_cards, cards.settings), stale_cards, helpers)
    helpers.pool.close()  # nothing more for them: they exit now, not at the end of the build


def _rendered_here(renderer: PageRenderer, outputs: list[str]) -> Iterator[tuple[str, bytes]]:
    """The pages this process renders while the helpers draw cards, each handed on as it is made
    and the memory it took given back: rendered in chunks of 64, the site-wide pages of 10,000
    entities (the timeline 19 MB of HTML, the explorer 15, the map 11, the home page 6) were held
    together, the build's highest point."""
    for n, output in enumerate(outputs, 1):
        data = renderer.render(output)
        large = len(data) > LARGE_PAGE
        yield output, data
        del data  # see late._keyed
        if large or n % SERIAL_CHUNK == 0:
            give_back_freed_memory()


def _render(renderer: PageRenderer, outputs: list[str], workers: int | None) -> Iterator[tuple[str, bytes]]:
    def task(chunk: list[str]) -> list[tuple[str, bytes]]:
        return [(output, renderer.render(output)) for output in chunk]

    return map_shared(task, outputs, workers)

"""Each page's social card is titled as the page itself is, in every language: a card titled
otherwise shows a reader's friends another page, or the page in another language."""
from __future__ import annotations

import html
import re

from microsite.build import build, check
from microsite.outputs.cards import site_cards
from tests.conftest import make_project


def test_every_card_has_the_title_its_page_shows(tmp_path):
    project = make_project(tmp_path / "project", "dos")
    build(project)
    site = check(project)[0]
    cards = site_cards(site, project.assets, None).cards
    assert len(site.content.config.languages) > 1
    assert any(card.path.startswith(f"cards/{site.content.config.languages[1]}/") for card in cards)
    for card in cards:
        page = project.site / (card.path.removeprefix("cards/").removesuffix(".png") + ".html")
        [heading] = re.findall(r"<h1[^>]*>(.*?)</h1>", page.read_text(encoding="utf-8"), re.S)
        assert html.unescape(re.sub(r"<[^>]+>", "", heading)).strip() == card.page.title, card.path

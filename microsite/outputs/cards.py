"""Social cards: a 1200x630 PNG per page with its title and the site's name, for link previews.

When a page is shared, a social network or chat app shows this picture (`og:image`) instead of
fetching anything else from the site. Drawn with the fonts in assets/fonts/cards/ (Liberation Sans,
SIL Open Font License), never fetched at build time. The same title, site name and fonts always
give the same bytes, and a card already drawn is taken from .cache/cards/. Cards are drawn while
the pages are rendered, on every core, and streamed to disk like pages: ten thousand of them are
never all held in memory.
"""
from __future__ import annotations

import zlib
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path
from typing import Sequence

from PIL import Image, ImageDraw, ImageFont

from ..store.cache import cached, content_key
from ..confine import outside
from ..errors import ContentErrors, Location, Problem
from ..addresses import HOME, language_prefix
from .page_list import PageInfo, site_pages
from ..resolve.site import Site

SIZE = (1200, 630)
MARGIN = 80
FONT_FOLDER = "fonts/cards"  # inside assets/; a build input, not copied into the site
BOLD, REGULAR = "LiberationSans-Bold.ttf", "LiberationSans-Regular.ttf"
INK, PAPER, ACCENT, MUTED = (17, 17, 17), (250, 249, 246), (178, 34, 34), (85, 85, 85)
TITLE_SIZES = (88, 76, 64, 54, 46)  # the largest that fits in MAX_LINES wins
MAX_LINES = 4
RECIPE = "cards-5"  # change it when the drawing changes, so cached cards are redrawn


def card_path(output: str) -> str:
    """Where the card of page `output` is written: companies/acme.html -> cards/companies/acme.png."""
    return f"cards/{output.removesuffix('.html')}.png"


@dataclass(frozen=True)
class Card:
    """One page's card: where it goes, and a key naming everything drawn on it."""

    path: str
    key: str
    page: PageInfo
    site_name: str = ""  # in the page's language, when not the set's (a site of several languages)
    tagline: str = ""


@dataclass(frozen=True)
class CardSet:
    """Every page's card, with what they share (the fonts, the site's name), but not yet drawn: a
    card whose key is unchanged since the last build is neither drawn nor read again."""

    cards: list[Card]
    fonts: Path
    site_name: str
    tagline: str
    cache: Path | None

    @property
    def keys(self) -> dict[str, str]:
        return {card.path: card.key for card in self.cards}

    @property
    def settings(self) -> CardSet:
        """What drawing a card needs, without the list of every card: sent to other processes."""
        return replace(self, cards=[])

    def draw(self, card: Card) -> bytes:
        """The card's PNG, from .cache/cards/ when drawn before."""
        name, tagline = card.site_name or self.site_name, card.tagline or self.tagline
        return cached(self.cache, card.key, ".png", lambda: draw_card(card.page, name, tagline, self.fonts))


def draw_cards(cards: CardSet, chunk: list[Card]) -> list[tuple[str, bytes]]:
    """Each card of `chunk`, as (path, PNG bytes). A function of the module, so it can be sent to
    another process, with `cards` emptied of its list (`cards.settings`)."""
    return [(card.path, cards.draw(card)) for card in chunk]


def site_cards(site: Site, assets: Sequence[Path], cache: Path | None) -> CardSet:
    fonts = _fonts(assets)
    folder = next((a for a in assets if fonts.is_relative_to(a)), assets[0])
    missing = [f for f in (BOLD, REGULAR) if not (fonts / f).is_file() or outside(fonts / f, folder)]
    if missing:
        raise ContentErrors(
            [Problem(Location(f"assets/{FONT_FOLDER}/{f}"), "missing font: the social cards are drawn with it") for f in missing]
        )
    font_key = content_key((fonts / BOLD).read_bytes(), (fonts / REGULAR).read_bytes())
    from ..render.facts import translated_view  # the render pass's view of each language

    config = site.content.config
    cards = []
    for language in config.languages:  # each language's cards, its kickers and names in it
        view = translated_view(site, language)
        name, tagline = view.content.config.title, view.content.config.tagline
        prefix = language_prefix(language, config.languages)
        cards += [
            Card(
                card_path(prefix + page.output),
                content_key(RECIPE, font_key, name, tagline, str(page.output == HOME), page.kicker, page.title, page.lead),
                page, name, tagline,
            )
            for page in site_pages(view)
        ]
    return CardSet(cards, fonts, config.title, config.tagline, cache)


def _fonts(assets: Sequence[Path]) -> Path:
    """The first of the assets' folders (the project's, then the engine's) holding both fonts:
    the two are drawn together, so they come from one folder."""
    for folder in assets:
        fonts = folder / FONT_FOLDER
        if all((fonts / f).is_file() and not outside(fonts / f, folder) for f in (BOLD, REGULAR)):
            return fonts
    return assets[0] / FONT_FOLDER


def draw_card(page: PageInfo, site_name: str, tagline: str, fonts: Path) -> bytes:
    """The card as PNG bytes: the blank card (made once) with the page's lines of text on it."""
    return _encode(site_name, fonts, _bands(page, tagline, fonts))


def _bands(page: PageInfo, tagline: str, fonts: Path) -> list[tuple[int, Image.Image]]:
    """The card's lines of text, each as (top row, a line from `_line`) at the left margin, top
    to bottom and apart: what a card adds to the blank card."""
    width = SIZE[0] - 2 * MARGIN
    y = MARGIN
    bands = []
    if page.kicker:
        bands.append((y, _kicker(page.kicker, fonts)))
        y += 70
    # The home page's title is the site's name, already at the foot: its card shows its lead, the
    # finding a shared link should carry (else the tagline).
    title = (page.lead or tagline or page.title) if page.output == HOME else page.title
    title_font, lines = _fit_title(title, fonts / BOLD, width, RULE_Y - TITLE_GAP - y)
    for line in lines:
        bands.append((y, _line(line, title_font, INK)))
        y += _leading(title_font)
    return bands


def _encode(site_name: str, fonts: Path, bands: list[tuple[int, Image.Image]]) -> bytes:
    """The PNG of the blank card with `bands` pasted at the left margin, without drawing the whole card.

    Deflating the card's 756,000 pixels was most of a card's time, and two thirds of its rows are
    those of the blank card. Each run of the blank card's rows is deflated once (`_blank_rows`),
    ending in a full flush so that what follows it refers to nothing before; only the rows with
    ink are deflated per card, and the pieces are joined into one zlib stream, whose checksum is
    combined from theirs. Every decoder reads it as any PNG: the same pixels as pasting the bands
    into the blank card.

    Pillow's own encoder (the bands pasted into a copy of the blank card, `save(..., "PNG")`) gives
    those pixels too, but deflates every row of every card: measured on two cores (processor
    time, best of 7), 1.6 ms a card at compress_level 1 and 3.6 ms at its default 6, against 0.5
    ms here. A cold build of 1,000 entities (2,024 cards) took 13.4 s of processor time with it
    at level 1 against 11.0 s (+22%), 8.2 s of wall time against 7.0 s (+16%); of 10,000
    entities, 131 s against 111 s of processor time (+18%). Pillow's would be used were its cost
    under a tenth of a cold build."""
    rows, deflate = _blank_filtered(site_name, fonts), zlib.compressobj(1, zlib.DEFLATED, -15)
    parts, check, y = [], 1, 0
    for top, band in bands:
        box = band.getbbox()  # the rows with ink; the others are the blank card's
        if box is None:
            continue
        start, end = top + box[1], top + box[3]
        assert start >= y, "a card's lines overlap"  # `_bands` places each below the last
        strip = rows.crop((0, start, rows.width, end))
        strip.paste(band.crop((0, box[1], band.width, box[3])), (1 + MARGIN, 0))
        filtered = strip.tobytes()
        if start > y:
            data, adler = _blank_rows(site_name, fonts, y, start)
            parts.append(data)
            check = _adler_combine(check, adler, (start - y) * (SIZE[0] + 1))
        parts.append(deflate.compress(filtered) + deflate.flush(zlib.Z_FULL_FLUSH))
        check = zlib.adler32(filtered, check)
        y = end
    if y < SIZE[1]:
        data, adler = _blank_rows(site_name, fonts, y, SIZE[1])
        parts.append(data)
        check = _adler_combine(check, adler, (SIZE[1] - y) * (SIZE[0] + 1))
    parts.append(deflate.flush(zlib.Z_FINISH))
    stream = b"\x78\x01" + b"".join(parts) + check.to_bytes(4, "big")
    palette = bytes(_blank(site_name, fonts).getpalette() or [])
    header = SIZE[0].to_bytes(4, "big") + SIZE[1].to_bytes(4, "big") + bytes((8, 3, 0, 0, 0))  # 8-bit palette
    return b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", header) + _chunk(b"PLTE", palette) + _chunk(b"IDAT", stream) + _chunk(b"IEND", b"")


def _chunk(kind: bytes, data: bytes) -> bytes:
    return len(data).to_bytes(4, "big") + kind + data + zlib.crc32(kind + data).to_bytes(4, "big")


@lru_cache(maxsize=2)
def _blank_filtered(site_name: str, fonts: Path) -> Image.Image:
    """The blank card's rows as PNG stores them, each after its filter byte (0: none), as an image
    one pixel wider whose first column is 0: a strip of it with a line pasted in is rows to deflate."""
    blank = _blank(site_name, fonts)
    rows = Image.new("L", (SIZE[0] + 1, SIZE[1]), 0)
    rows.paste(Image.frombytes("L", SIZE, blank.tobytes()), (1, 0))  # the palette entries as they are
    return rows


@lru_cache(maxsize=1024)
def _blank_rows(site_name: str, fonts: Path, start: int, end: int) -> tuple[bytes, int]:
    """Rows `start` to `end` of the blank card, deflated on their own and ended by a full flush,
    with their Adler-32: a piece of any card's stream. Cards of one layout share their pieces."""
    data = _blank_filtered(site_name, fonts).crop((0, start, SIZE[0] + 1, end)).tobytes()
    deflate = zlib.compressobj(1, zlib.DEFLATED, -15)
    return deflate.compress(data) + deflate.flush(zlib.Z_FULL_FLUSH), zlib.adler32(data)


def _adler_combine(first: int, second: int, second_length: int) -> int:
    """The Adler-32 of two pieces of data joined, from each one's (zlib's adler32_combine)."""
    base = 65521
    a = ((first & 0xFFFF) + (second & 0xFFFF) - 1) % base
    b = ((first >> 16) + (second >> 16) + second_length % base * ((first & 0xFFFF) - 1)) % base
    return (b << 16) | a


RULE_Y = SIZE[1] - MARGIN - 60  # the rule above the site's name
TITLE_GAP = 24  # at least this much paper between the title and the rule
# Every pixel is a blend of the paper with one ink: a palette of those blends, in steps.
INKS = {INK: (0, 32), ACCENT: (32, 16), MUTED: (48, 16)}  # ink -> (first palette entry, steps)


def _line(text: str, font: ImageFont.FreeTypeFont, ink: tuple[int, int, int]) -> Image.Image:
    """One line of text on plain paper, from the left margin to the right edge, antialiased
    through the palette's blends of `ink`: an "L" image of palette entries, pasted into a card."""
    coverage = Image.new("L", (SIZE[0] - 2 * MARGIN, _leading(font)), 0)
    ImageDraw.Draw(coverage).text((0, 0), text, font=font, fill=255)
    return coverage.point(_blends(ink))


@lru_cache(maxsize=16)
def _kicker(kicker: str, fonts: Path) -> Image.Image:
    return _line(kicker.upper(), _font(fonts / REGULAR, 34), ACCENT)


def _leading(font: ImageFont.FreeTypeFont) -> int:
    return round(font.size * 1.18)


@lru_cache(maxsize=4)
def _blends(ink: tuple[int, int, int]) -> list[int]:
    """Coverage 0 to 255 -> the palette entry of the nearest blend of paper and `ink`."""
    first, steps = INKS[ink]
    return [first + round(v * (steps - 1) / 255) for v in range(256)]


@lru_cache(maxsize=1)
def _blank(site_name: str, fonts: Path) -> Image.Image:
    """The paper, the accent bar, the rule and the site's name: the same on every card."""
    def blend(ink: tuple[int, int, int], steps: int) -> list[int]:
        return [round(p + (i - p) * k / (steps - 1)) for k in range(steps) for p, i in zip(PAPER, ink)]

    image = Image.new("P", SIZE, 0)
    image.putpalette([value for ink, (_, steps) in INKS.items() for value in blend(ink, steps)])
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 0, 24, SIZE[1]), fill=INKS[ACCENT][0] + INKS[ACCENT][1] - 1)
    draw.line((MARGIN, RULE_Y, SIZE[0] - MARGIN, RULE_Y), fill=INKS[MUTED][0] + INKS[MUTED][1] - 1, width=2)
    footer = _font(fonts / BOLD, 36)
    image.paste(_line(_ellipsize(site_name, footer, SIZE[0] - 2 * MARGIN), footer, MUTED), (MARGIN, SIZE[1] - MARGIN - 36))
    return image


@lru_cache(maxsize=32)
def _font(path: Path, size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(str(path), size)


def _fit_title(title: str, font_path: Path, width: int, height: int) -> tuple[ImageFont.FreeTypeFont, list[str]]:
    """The largest size at which the title fits the space in at most MAX_LINES lines; else the
    smallest, cut short with an ellipsis."""
    for size in TITLE_SIZES:
        font = _font(font_path, size)
        lines = _wrap(title, font, width)
        fits = min(MAX_LINES, height // _leading(font))
        if len(lines) <= fits:
            return font, lines
    return font, lines[: fits - 1] + [_ellipsize(" ".join(lines[fits - 1:]), font, width)]


def _wrap(text: str, font: ImageFont.FreeTypeFont, width: int) -> list[str]:
    lines: list[str] = []
    for word in text.split():
        if lines and font.getlength(f"{lines[-1]} {word}") <= width:
            lines[-1] = f"{lines[-1]} {word}"
        else:
            lines.append(_ellipsize(word, font, width))
    return lines or [""]


def _ellipsize(text: str, font: ImageFont.FreeTypeFont, width: int) -> str:
    if font.getlength(text) <= width:
        return text
    while text and font.getlength(text + "…") > width:
        text = text[:-1]
    return text.rstrip() + "…"

"""Social cards: a 1200x630 PNG per page with its title and the site's name, for link previews.

When a page is shared, a social network or chat app shows this picture (`og:image`) instead of
fetching anything else from the site. Drawn with the fonts in assets/fonts/cards/ (Liberation Sans,
SIL Open Font License), never fetched at build time. The same title, site name and fonts always
give the same bytes, and a card already drawn is taken from .cache/cards/.
"""
from __future__ import annotations

import io
from functools import lru_cache
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

from .cache import cached, content_key
from .errors import ContentErrors, Location, Problem
from .outputs import HOME
from .pages import PageInfo, site_pages
from .resolve import Site

SIZE = (1200, 630)
MARGIN = 80
FONT_FOLDER = "fonts/cards"  # inside assets/; a build input, not copied into the site
BOLD, REGULAR = "LiberationSans-Bold.ttf", "LiberationSans-Regular.ttf"
INK, PAPER, ACCENT, MUTED = (17, 17, 17), (250, 249, 246), (178, 34, 34), (85, 85, 85)
TITLE_SIZES = (88, 76, 64, 54, 46)  # the largest that fits in MAX_LINES wins
MAX_LINES = 4
RECIPE = "cards-2"  # change it when the drawing changes, so cached cards are redrawn


def card_path(output: str) -> str:
    """Where the card of page `output` is written: companies/amazon.html -> cards/companies/amazon.png."""
    return f"cards/{output.removesuffix('.html')}.png"


def card_outputs(site: Site, assets: Path, cache: Path | None) -> dict[str, bytes]:
    fonts = assets / FONT_FOLDER
    missing = [f for f in (BOLD, REGULAR) if not (fonts / f).is_file()]
    if missing:
        raise ContentErrors(
            [Problem(Location(f"assets/{FONT_FOLDER}/{f}"), "missing font: the social cards are drawn with it") for f in missing]
        )
    font_key = content_key((fonts / BOLD).read_bytes(), (fonts / REGULAR).read_bytes())
    name, tagline = site.content.config.title, site.content.config.tagline
    return {
        card_path(page.output): cached(
            cache, content_key(RECIPE, font_key, name, tagline, str(page.output == HOME), page.kicker, page.title), ".png",
            lambda page=page: draw_card(page, name, tagline, fonts),
        )
        for page in site_pages(site)
    }


def draw_card(page: PageInfo, site_name: str, tagline: str, fonts: Path) -> bytes:
    image = Image.new("RGB", SIZE, PAPER)
    draw = ImageDraw.Draw(image)
    width = SIZE[0] - 2 * MARGIN
    draw.rectangle((0, 0, 24, SIZE[1]), fill=ACCENT)
    y = MARGIN
    if page.kicker:
        kicker = _font(fonts / REGULAR, 34)
        draw.text((MARGIN, y), page.kicker.upper(), font=kicker, fill=ACCENT)
        y += 70
    # The home page's title is the site's name, already at the foot: its card shows the tagline.
    title = tagline if page.output == HOME and tagline else page.title
    title_font, lines = _fit_title(title, fonts / BOLD, width)
    for line in lines:
        draw.text((MARGIN, y), line, font=title_font, fill=INK)
        y += round(title_font.size * 1.18)
    footer = _font(fonts / BOLD, 36)
    draw.line((MARGIN, SIZE[1] - MARGIN - 60, SIZE[0] - MARGIN, SIZE[1] - MARGIN - 60), fill=MUTED, width=2)
    draw.text((MARGIN, SIZE[1] - MARGIN - 36), _ellipsize(site_name, footer, width), font=footer, fill=MUTED)
    # Every pixel is a blend of the paper with one ink, so a fixed palette of those blends loses
    # nothing visible and makes the file a third of the size, ten times faster than optimising.
    cards = image.quantize(palette=_palette(), dither=Image.Dither.NONE)
    out = io.BytesIO()
    cards.save(out, "PNG", compress_level=6)  # no text chunks, no time: the same card, the same bytes
    return out.getvalue()


@lru_cache(maxsize=1)
def _palette() -> Image.Image:
    def blend(ink: tuple[int, int, int], steps: int) -> list[int]:
        return [round(p + (i - p) * k / (steps - 1)) for k in range(steps) for p, i in zip(PAPER, ink)]

    palette = Image.new("P", (1, 1))
    palette.putpalette(blend(INK, 32) + blend(ACCENT, 16) + blend(MUTED, 16))
    return palette


@lru_cache(maxsize=32)
def _font(path: Path, size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(str(path), size)


def _fit_title(title: str, font_path: Path, width: int) -> tuple[ImageFont.FreeTypeFont, list[str]]:
    for size in TITLE_SIZES:
        font = _font(font_path, size)
        lines = _wrap(title, font, width)
        if len(lines) <= MAX_LINES:
            return font, lines
    lines = _wrap(title, font, width)
    return font, lines[: MAX_LINES - 1] + [_ellipsize(" ".join(lines[MAX_LINES - 1:]), font, width)]


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

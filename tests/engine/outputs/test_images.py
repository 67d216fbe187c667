"""Images and social cards: the sizes written, the markup, located errors, the cache, and above all
that no image the site publishes carries metadata (where a photo was taken, by whom, with what)."""
from __future__ import annotations

import html
import io
import re
import struct
import zlib
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

import pytest
from PIL import Image, ImageChops, ImageCms, ImageDraw, ImageFont, PngImagePlugin

from microsite.outputs import cards, images
from microsite.build import ENGINE_HOME, Project, build
from microsite.outputs.page_list import PageInfo
from tests import real_content
from tests.conftest import REPO, make_project, run

SECRETS = (b"SecretCam", b"secret-xmp", b"secret comment", b"secret-author")


def gps_photo(size=(900, 600), orientation: int | None = None) -> bytes:
    """A JPEG as a phone writes it: EXIF with GPS position and camera, XMP, a comment, an ICC profile."""
    image = Image.new("RGB", size)
    image.putdata([(x % 256, y % 256, (x * y) % 256) for y in range(size[1]) for x in range(size[0])])
    exif = Image.Exif()
    exif[0x010F] = "SecretCam"
    if orientation:
        exif[0x0112] = orientation
    exif.get_ifd(0x8825).update({1: "N", 2: (40.0, 26.0, 46.0), 3: "W", 4: (79.0, 58.0, 56.0)})
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif, comment=b"secret comment", xmp=b"<x:xmpmeta>secret-xmp</x:xmpmeta>",
               icc_profile=ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes())
    data = out.getvalue()
    assert Image.open(io.BytesIO(data)).getexif().get_ifd(0x8825)[1] == "N"  # the fixture really has GPS
    return data


def tagged_png(size=(64, 48)) -> bytes:
    info = PngImagePlugin.PngInfo()
    info.add_text("Author", "secret-author")
    info.add_itxt("XML:com.adobe.xmp", "secret-xmp")
    exif = Image.Exif()
    exif[0x010F] = "SecretCam"
    out = io.BytesIO()
    Image.new("RGBA", size, (10, 20, 30, 128)).save(out, "PNG", pnginfo=info, exif=exif, dpi=(300, 300),
                                                    icc_profile=ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes())
    assert set(Image.open(io.BytesIO(out.getvalue())).info) >= {"Author", "exif", "icc_profile"}
    return out.getvalue()


def png_chunks(data: bytes) -> list[bytes]:
    chunks, at = [], 8
    while at < len(data):
        length, kind = struct.unpack(">I4s", data[at:at + 8])
        chunks.append(kind)
        at += 12 + length
    return chunks


def jpeg_segments(data: bytes) -> list[int]:
    """The markers of a JPEG's header segments, up to the start of the picture data."""
    markers, at = [], 2
    while at < len(data) and data[at] == 0xFF:
        marker = data[at + 1]
        markers.append(marker)
        if marker == 0xDA:  # start of scan: the pixels follow
            break
        at += 2 + struct.unpack(">H", data[at + 2:at + 4])[0]
    return markers


def assert_no_metadata(name: str, data: bytes) -> None:
    image = Image.open(io.BytesIO(data))
    assert not image.getexif(), f"{name} has EXIF"
    assert not set(image.info) & {"exif", "xmp", "icc_profile", "comment", "dpi", "photoshop", "adobe"}, name
    assert not any(secret in data for secret in SECRETS), name
    if image.format == "PNG":
        assert set(png_chunks(data)) <= {b"IHDR", b"PLTE", b"tRNS", b"IDAT", b"IEND"}, (name, png_chunks(data))
    elif image.format == "JPEG":
        # SOI/APP0 (JFIF), quantisation and Huffman tables, frame and scan headers only: no APP1
        # (EXIF, XMP), APP2 (ICC), APP13 (Photoshop) or COM (comment) segment.
        assert set(jpeg_segments(data)) <= {0xE0, 0xDB, 0xC4, 0xC0, 0xC2, 0xDD, 0xDA}, (name, jpeg_segments(data))
    else:
        pytest.fail(f"{name}: unexpected format {image.format}")


def project_with_own_assets(tmp_path: Path) -> Project:
    return make_project(tmp_path / "project")  # with its own copy of the assets


def add_image(project: Project, name: str, data: bytes, alt: str = "Acme's logo, a red square") -> None:
    folder = project.root / "content" / "images"
    folder.mkdir(exist_ok=True)
    (folder / name).write_bytes(data)
    acme = project.root / "content/companies/acme.md"
    acme.write_text(acme.read_text().replace("figures:", f'image:\n  file: {name}\n  alt: "{alt}"\nfigures:', 1))


def test_page_image_is_written_at_1x_and_2x_without_metadata(tmp_path: Path):
    project = project_with_own_assets(tmp_path)
    add_image(project, "photo.jpg", gps_photo())
    (project.root / "assets" / "texture.png").write_bytes(tagged_png())
    result = build(project)
    written = {n: d for n, d in result.outputs.items() if n.endswith((".png", ".jpg"))}
    assert {"images/photo-320.jpg", "images/photo-640.jpg", "assets/texture.png"} <= set(written)
    assert Image.open(io.BytesIO(written["images/photo-320.jpg"])).size == (320, 213)
    assert Image.open(io.BytesIO(written["images/photo-640.jpg"])).size == (640, 427)
    assert Image.open(io.BytesIO(written["assets/texture.png"])).size == (64, 48)
    for name, data in written.items():  # the cards too
        assert_no_metadata(name, data)
    html = result.outputs["companies/acme.html"].decode()
    [tag] = re.findall(r"<img [^>]*>", html)
    assert 'src="../images/photo-320.jpg"' in tag
    assert 'srcset="../images/photo-320.jpg 1x, ../images/photo-640.jpg 2x"' in tag
    assert 'width="320" height="213"' in tag
    assert 'alt="Acme&#39;s logo, a red square"' in tag


def test_rotated_photo_is_turned_upright_and_small_image_not_enlarged(tmp_path: Path):
    project = make_project(tmp_path / "project")
    add_image(project, "turned.jpg", gps_photo(size=(300, 200), orientation=6))  # taken sideways
    result = build(project)
    assert [n for n in result.outputs if n.startswith("images/")] == ["images/turned-200.jpg"]
    assert Image.open(io.BytesIO(result.outputs["images/turned-200.jpg"])).size == (200, 300)
    assert 'width="200" height="300"' in result.outputs["companies/acme.html"].decode()
    assert "srcset" not in result.outputs["companies/acme.html"].decode()


def test_every_image_of_the_real_site_has_no_metadata_and_cards_are_1200_by_630(real_site: Path):
    found = sorted(p for p in real_site.rglob("*") if p.suffix in (".png", ".jpg", ".webp", ".gif"))
    cards_written = [p for p in found if p.relative_to(real_site).parts[0] == "cards"]
    # every page of every language but the 404 pages
    assert len(cards_written) == len([p for p in real_site.rglob("*.html") if p.name != "404.html"])
    for path in found:
        assert_no_metadata(path.relative_to(real_site).as_posix(), path.read_bytes())
    for path in cards_written:
        assert Image.open(path).size == (1200, 630)


def test_image_field_errors_are_located(tmp_path: Path, capsys):
    project = make_project(tmp_path / "project")
    (project.root / "content/images").mkdir()
    (project.root / "content/images/logo.png").write_bytes(tagged_png())
    acme = project.root / "content/companies/acme.md"
    acme.write_text(acme.read_text().replace("figures:", "image:\n  file: logo.png\nfigures:", 1))
    about = project.root / "content/pages/about.md"
    about.write_text(about.read_text().replace("order: 1", 'order: 1\nimage:\n  file: lgo.png\n  alt: "Logo"', 1))
    status, out, err = run(project, "build", capsys=capsys)
    assert status == 1
    assert "content/companies/acme.md:5:3: missing required field 'alt'" in err
    assert "content/pages/about.md:6:9: image file content/images/lgo.png does not exist — did you mean 'logo.png'?" in err
    assert not (project.root / "site").exists()


def test_unreadable_image_is_a_located_error(tmp_path: Path, capsys):
    project = make_project(tmp_path / "project")
    add_image(project, "broken.png", b"not a picture at all")
    status, out, err = run(project, "build", capsys=capsys)
    assert status == 1
    assert re.search(r"content/companies/acme\.md:\d+:\d+: cannot read image content/images/broken\.png", err)
    assert "Traceback" not in err


def test_unchanged_images_and_cards_come_from_the_cache(tmp_path: Path, monkeypatch):
    project = make_project(tmp_path / "project")
    add_image(project, "photo.jpg", gps_photo())
    first = build(project).outputs

    def refuse(*args):
        raise AssertionError("processed again although nothing changed")

    monkeypatch.setattr(images, "clean_image", refuse)
    monkeypatch.setattr(cards, "draw_card", refuse)
    assert build(project).outputs == first
    # A changed title is a new card; the others still come from the cache.
    monkeypatch.undo()
    acme = project.root / "content/companies/acme.md"
    acme.write_text(acme.read_text().replace("name: Acme Corp", "name: Acme Corporation"))
    drawn = []
    monkeypatch.setattr(cards, "draw_card", lambda page, *rest: drawn.append(page.title) or b"")
    monkeypatch.setattr(images, "clean_image", refuse)
    build(project)
    assert drawn == ["Acme Corporation"]


def test_scaffolded_image_lines_work_once_uncommented(tmp_path: Path, capsys):
    project = make_project(tmp_path / "project")
    assert run(project, "new", "company", "Foo Bar", capsys=capsys)[0] == 0
    path = project.root / "content/companies/foo-bar.md"
    text = path.read_text().replace("summary:\n", "summary: A firm. [@report-2020]\n")
    text = "\n".join(line[1:] if line.startswith(("#image:", "#  file:", "#  alt:")) else line for line in text.splitlines())
    path.write_text(text + "\n")
    (project.root / "content/images").mkdir()
    (project.root / "content/images/acme-logo.png").write_bytes(tagged_png())
    status, out, err = run(project, "build", capsys=capsys)
    assert status == 0, err
    html = (project.root / "site/companies/foo-bar.html").read_text()
    assert '<img class="page-image" src="../images/acme-logo-64.png" width="64" height="48" alt="What the image shows">' in html


@pytest.mark.parametrize("title", [
    "Investigative Case Management and the FALCON Search and Analysis System",  # four lines at the largest size
    "Immigration and Customs Enforcement's Investigative Case Management system " * 3,  # too long at any size
])
def test_a_long_title_stays_above_the_rule(title: str):
    fonts = ENGINE_HOME / "assets" / cards.FONT_FOLDER
    card = Image.open(io.BytesIO(cards.draw_card(PageInfo("systems/icm.html", title, "Data system"), "Who's Behind ICE", "", fonts)))
    assert card.size == (1200, 630)
    pixels = card.convert("RGB")
    band = {pixels.getpixel((x, y)) for y in range(cards.RULE_Y - cards.TITLE_GAP, cards.RULE_Y - 1) for x in range(cards.MARGIN, 1120)}
    assert band == {cards.PAPER}
    # the title is drawn, and in more than one line
    ink_rows = [y for y in range(cards.MARGIN, cards.RULE_Y) if pixels.getpixel((cards.MARGIN + 30, y)) != cards.PAPER]
    assert ink_rows and max(ink_rows) - min(ink_rows) > 150


@pytest.mark.parametrize("page", [
    PageInfo("systems/icm.html", "ICM", "Data system"),  # one short line under the kind
    PageInfo("companies/acme.html", "Acme Holdings and the Records It Sells to Agencies Across the Country", "Company"),
    PageInfo("systems/x.html", "Investigative Case Management system " * 6, "Data system"),  # cut short
    PageInfo("index.html", "Site", "", "Acme holds 200 million records."),  # no kind above
    PageInfo("pages/blank.html", " ", "Page"),  # no title to draw
])
def test_a_card_is_a_valid_png_of_its_lines_pasted_into_the_blank_card(page: PageInfo):
    """The card is written without drawing it whole (its blank rows deflated once, its stream
    pieced together): any decoder must read the same picture as drawing it whole, and zlib's
    own checks (the Adler-32 of the stream, each chunk's CRC) must hold."""
    fonts = ENGINE_HOME / "assets" / cards.FONT_FOLDER
    data = cards.draw_card(page, "Who's Behind ICE", "A tagline", fonts)
    whole = cards._blank("Who's Behind ICE", fonts).copy()
    for top, band in cards._bands(page, "A tagline", fonts):
        whole.paste(band, (cards.MARGIN, top))
    card = Image.open(io.BytesIO(data))
    card.load()
    assert (card.mode, card.size) == ("P", cards.SIZE)
    assert card.convert("RGB").tobytes() == whole.convert("RGB").tobytes()
    chunks, at = {}, 8
    while at < len(data):
        length, kind = struct.unpack(">I4s", data[at: at + 8])
        body, crc = data[at + 8: at + 8 + length], data[at + 8 + length: at + 12 + length]
        assert crc == zlib.crc32(kind + body).to_bytes(4, "big"), kind
        chunks[kind], at = body, at + 12 + length
    rows = zlib.decompress(chunks[b"IDAT"])  # checks the Adler-32
    assert len(rows) == (cards.SIZE[0] + 1) * cards.SIZE[1] and rows[:: cards.SIZE[0] + 1] == bytes(cards.SIZE[1])


def as_a_reader_sees_it(page: PageInfo, site_name: str, fonts: Path) -> tuple[Image.Image, list[str]]:
    """The card drawn the plain way, in RGB, and its title's lines: the accent bar, the kicker in
    the accent colour, the title's lines in ink at the size and places `_fit_title` chose, the rule
    and the site's name, each antialiased straight onto the paper by Pillow, with no palette and
    no pasting."""
    image = Image.new("RGB", cards.SIZE, cards.PAPER)
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 0, 24, cards.SIZE[1]), fill=cards.ACCENT)
    draw.line((cards.MARGIN, cards.RULE_Y, cards.SIZE[0] - cards.MARGIN, cards.RULE_Y), fill=cards.MUTED, width=2)
    footer = ImageFont.truetype(str(fonts / cards.BOLD), 36)
    draw.text((cards.MARGIN, cards.SIZE[1] - cards.MARGIN - 36), site_name, font=footer, fill=cards.MUTED)
    y = cards.MARGIN
    if page.kicker:
        draw.text((cards.MARGIN, y), page.kicker.upper(), font=ImageFont.truetype(str(fonts / cards.REGULAR), 34), fill=cards.ACCENT)
        y += 70
    font, lines = cards._fit_title(page.title, fonts / cards.BOLD, cards.SIZE[0] - 2 * cards.MARGIN, cards.RULE_Y - cards.TITLE_GAP - y)
    for line in lines:
        draw.text((cards.MARGIN, y), line, font=font, fill=cards.INK)
        y += round(font.size * 1.18)
    return image, lines


@pytest.mark.parametrize("page", [
    PageInfo("systems/icm.html", "ICM", "Data system"),
    PageInfo("companies/acme.html", "Acme Holdings and the Records It Sells to Agencies Across the Country", "Company"),
    PageInfo("pages/about.html", "About this investigation", ""),
])
def test_a_card_shows_its_text_where_a_reader_expects_it(page: PageInfo):
    """Decoded, the card looks like its text drawn on paper: every pixel within a palette step
    of the plain drawing (the palette holds 16 or 32 blends of each ink), so a wrong colour, a
    line at the wrong row or column, or a broken stream shows; and the title's rows of ink are
    those of its lines."""
    fonts = ENGINE_HOME / "assets" / cards.FONT_FOLDER
    card = Image.open(io.BytesIO(cards.draw_card(page, "Who's Behind ICE", "", fonts)))
    card.load()
    assert card.size == cards.SIZE
    seen, (expected, lines) = card.convert("RGB"), as_a_reader_sees_it(page, "Who's Behind ICE", fonts)
    worst = max(high for _, high in ImageChops.difference(seen, expected).getextrema())
    assert worst <= 8, f"a pixel differs by {worst} from the text drawn plainly"
    assert len(title_lines(seen)) == len(lines) and title_lines(seen) == title_lines(expected)


def title_lines(card: Image.Image) -> list[tuple[int, int]]:
    """The runs of rows above the rule holding the title's ink (darker in red than halfway from
    the paper to the ink: the accent and the paper never are), each (first row, last row)."""
    red = card.getchannel("R").crop((cards.MARGIN, 0, cards.SIZE[0] - cards.MARGIN, cards.RULE_Y - 1))
    dark = red.point(lambda v: 255 if v < (cards.PAPER[0] + cards.INK[0]) // 2 else 0)
    rows = [y for y in range(dark.height) if dark.crop((0, y, dark.width, y + 1)).getbbox()]
    runs: list[tuple[int, int]] = []
    for y in rows:
        runs[-1:] = [(runs[-1][0], y)] if runs and runs[-1][1] == y - 1 else [*runs[-1:], (y, y)]
    return runs


def test_cards_carry_no_metadata_and_are_the_same_bytes_each_time():
    """Only the chunks a picture needs (no text, time or EXIF chunk), and the same bytes when
    drawn again from nothing, as by another build or another process."""
    fonts = ENGINE_HOME / "assets" / cards.FONT_FOLDER
    page = PageInfo("companies/acme.html", "Acme Holdings", "Company")
    first = cards.draw_card(page, "Who's Behind ICE", "", fonts)
    assert png_chunks(first) == [b"IHDR", b"PLTE", b"IDAT", b"IEND"]
    for made_once in (cards._blank, cards._blank_filtered, cards._blank_rows, cards._kicker, cards._font):
        made_once.cache_clear()
    assert cards.draw_card(page, "Who's Behind ICE", "", fonts) == first


def show_image(project: Project, page: str, name: str, colour=(200, 30, 30), size=(100, 50)) -> None:
    """Put a plain picture in content/images/ and show it on `page`, its field on lines 2 to 4."""
    folder = project.root / "content/images"
    folder.mkdir(exist_ok=True)
    out = io.BytesIO()
    fmt = {".gif": "GIF", ".webp": "WEBP", ".jpg": "JPEG"}.get(Path(name).suffix, "PNG")
    Image.new("RGB", size, colour).save(out, fmt)
    (folder / name).write_bytes(out.getvalue())
    path = project.root / "content" / page
    path.write_text(path.read_text().replace("---\n", f"---\nimage:\n  file: '{name}'\n  alt: A picture\n", 1))


def test_images_that_differ_only_in_their_extension_are_an_error_not_one_file(tmp_path: Path, capsys):
    """same.png, same.gif and same.webp are all written as PNG at 100 pixels: one file, once the
    wrong picture on two of the pages."""
    project = make_project(tmp_path / "project")
    show_image(project, "companies/acme.md", "same.png", (200, 30, 30))
    show_image(project, "pages/about.md", "same.gif", (30, 200, 30))
    show_image(project, "systems/ledger.md", "same.webp", (30, 30, 200))
    status, out, err = run(project, "build", capsys=capsys)
    assert status == 1, err
    assert err.splitlines()[:2] == [
        "content/companies/acme.md:3:9: content/images/same.png and content/images/same.gif would both be"
        " published as images/same-100.png; rename one of them",
        "content/systems/ledger.md:3:9: content/images/same.webp and content/images/same.gif would both be"
        " published as images/same-100.png; rename one of them",
    ]
    assert not (project.root / "site").exists()


@pytest.mark.parametrize("name", ["logo with spaces.png", "logo#1.png", "what?.png", "100%41.png", "a,b.png", "é.png"])
def test_an_image_name_needing_escapes_is_linked_to_its_file(tmp_path: Path, capsys, name: str):
    project = make_project(tmp_path / "project")
    show_image(project, "companies/acme.md", name, size=(700, 350))
    status, out, err = run(project, "build", capsys=capsys)
    assert status == 0, err
    site = project.root / "site"
    page = (site / "companies/acme.html").read_text()
    [tag] = re.findall(r"<img [^>]*>", page)
    src = html.unescape(re.search(r' src="([^"]*)"', tag).group(1))
    srcset = html.unescape(re.search(r' srcset="([^"]*)"', tag).group(1))
    candidates = [c.split() for c in srcset.split(",")]  # how a browser splits it: URLs hold no space
    assert [c[1] for c in candidates] == ["1x", "2x"], srcset
    for url in [src] + [c[0] for c in candidates]:
        parts = urlsplit(urljoin("https://example.org/mini/companies/acme.html", url))
        assert not parts.query and not parts.fragment, url
        path = unquote(parts.path).removeprefix("/mini/")
        assert (site / path).is_file() and path.startswith("images/"), url


@pytest.mark.parametrize("first, second", [("caf\u00e9.png", "cafe\u0301.png"), ("Logo.png", "logo.gif")])
def test_images_that_are_one_file_on_macos_are_an_error(tmp_path: Path, capsys, first: str, second: str):
    """café.png with é as one character (NFC) and with e and an accent (NFD) are two files on
    Linux and their outputs one file on macOS, as are Logo.png and logo.png: the wrong picture."""
    project = make_project(tmp_path / "project")
    show_image(project, "companies/acme.md", first, (200, 30, 30))
    show_image(project, "systems/ledger.md", second, (30, 30, 200))
    page = {first: "companies/acme.md", second: "systems/ledger.md"}
    kept, told = sorted((first, second))  # the images are taken in the order of their names
    output = {n: f"images/{n.rpartition('.')[0]}-100.png".encode("ascii", "backslashreplace").decode() for n in page}
    message = (
        f"content/{page[told]}:3:9: content/images/{told} and content/images/{kept} would be published as"
        f" '{output[told]}' and '{output[kept]}', one file on macOS (which ignores case and how an accent is"
        " written); rename one of them"
    )
    for command in ("check", "build"):
        status, out, err = run(project, command, capsys=capsys)
        assert status == 1, err
        assert err.splitlines()[0] == message, err
    assert not (project.root / "site").exists()

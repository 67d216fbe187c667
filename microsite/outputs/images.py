"""Images: resized to the sizes a page shows them at, with every byte of metadata dropped.

A photo can carry where and when it was taken (EXIF GPS), the camera, the editing software (XMP),
comments and text chunks. Readers of this site may be watched, and so may its contributors: every
image written is rebuilt from its pixels alone, so nothing but the picture reaches the site. Colour
profiles are applied to the pixels (converted to sRGB) before they are dropped, and the EXIF
orientation is turned into the pixels too, so the picture still looks as it was meant to.

Two sources of images: a page's `image:` field (files in content/images/, shown at DISPLAY_WIDTH
CSS pixels, written at 1x and 2x for `srcset`) and raster files in assets/ (same name and size,
metadata dropped). Results are cached in .cache/images/ by a hash of the input bytes and the recipe.
"""
from __future__ import annotations

import io
import posixpath
import unicodedata
import warnings
from urllib.parse import quote
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

from PIL import Image, ImageCms, ImageOps, UnidentifiedImageError

from ..store.cache import cached, content_key
from ..confine import overlay
from ..errors import Location, Problems
from ..content.load import IMAGES_FOLDER
from ..resolve.site import Site

DISPLAY_WIDTH = 320  # CSS pixels a page's image takes: its width attribute
DENSITIES = (1, 2)  # screen pixel densities written for srcset
RASTER_SUFFIXES = (".png", ".jpg", ".jpeg", ".webp", ".gif")
RECIPE = "images-1"  # change it when the processing changes, so cached results are redone
JPEG_QUALITY = 85
_FORMATS = {"JPEG": ".jpg", "PNG": ".png", "WEBP": ".webp", "GIF": ".gif"}
# A file of a few kilobytes can declare 100,000 x 100,000 pixels, 40 GB once decoded. Far more than
# any photo a page shows at DISPLAY_WIDTH needs; Pillow warns above this and refuses above twice it.
MAX_PIXELS = 64_000_000
Image.MAX_IMAGE_PIXELS = MAX_PIXELS
# What Pillow raises for a damaged file: cut short, a broken chunk, a bad header.
_DAMAGED = (UnidentifiedImageError, OSError, SyntaxError, EOFError)


@dataclass(frozen=True)
class Variant:
    path: str  # output path, such as images/acme-logo-320.png
    width: int
    height: int
    density: int

    @property
    def href(self) -> str:
        """The path as a link: a file named 'a b#1.png' is 'a%20b%231.png' in src and srcset."""
        return quote(self.path)


@dataclass(frozen=True)
class Picture:
    """One image file at the sizes written; the template adds the alt text of the page using it."""

    variants: tuple[Variant, ...]

    @property
    def src(self) -> str:
        return self.variants[0].path

    @property
    def href(self) -> str:
        return self.variants[0].href

    @property
    def width(self) -> int:
        return self.variants[0].width

    @property
    def height(self) -> int:
        return self.variants[0].height


def image_outputs(
    site: Site, root: Path, cache: Path | None, problems: Problems
) -> tuple[dict[str, bytes], dict[str, Picture]]:
    """Every page image at its sizes, keyed by the file named in `image:`; an unreadable file is a
    problem at the `image:` naming it."""
    outputs: dict[str, bytes] = {}
    pictures: dict[str, Picture] = {}
    refs = sorted(
        (d.image for d in site.documents() if getattr(d, "image", None) is not None),
        key=lambda ref: (ref.file, ref.location),
    )
    made_from: dict[str, tuple[str, str]] = {}  # `same_file` of an output: the file it was made from, the output
    for ref in refs:
        if ref.file in pictures:
            continue
        data = (root / IMAGES_FOLDER / ref.file).read_bytes()
        try:
            picture, files = _picture(ref.file, data, cache)
        except ValueError as exc:
            problems.error(ref.location, f"cannot read image {IMAGES_FOLDER}/{ref.file}: {exc}")
            continue
        # logo.png and logo.gif, both written as PNG at the same width, would be one file: the
        # wrong picture on one of the pages. So would Logo.png beside logo.png, or café.png with
        # its é as one character (NFC) beside café.png with e and an accent (NFD), where the site
        # is built or published on macOS.
        clashes = [path for path in files if same_file(path) in made_from]
        if clashes:
            path, (other, other_path) = clashes[0], made_from[same_file(clashes[0])]
            if path == other_path:
                problems.error(
                    ref.location,
                    f"{IMAGES_FOLDER}/{ref.file} and {IMAGES_FOLDER}/{other} would both be"
                    f" published as {path}; rename one of them",
                )
            else:
                problems.error(
                    ref.location,
                    f"{IMAGES_FOLDER}/{ref.file} and {IMAGES_FOLDER}/{other} would be published as"
                    f" '{_spelled(path)}' and '{_spelled(other_path)}', one file on macOS (which ignores case"
                    " and how an accent is written); rename one of them",
                )
            continue
        made_from.update({same_file(path): (ref.file, path) for path in files})
        pictures[ref.file] = picture
        outputs.update(files)
    return outputs, pictures


def same_file(name: str) -> str:
    """`name` as a file system that ignores case and Unicode normalisation (macOS's) sees it: two
    names with the same `same_file` are one file there (on Windows too when they differ in case)."""
    return unicodedata.normalize("NFC", unicodedata.normalize("NFC", name).casefold())


def _spelled(name: str) -> str:
    """A name with every character beyond ASCII as its code (`cafe\\u0301.png`, `caf\\xe9.png`), so
    two names that look the same in the error show how they differ."""
    return name.encode("ascii", "backslashreplace").decode("ascii")


def asset_image_outputs(assets: Sequence[Path], cache: Path | None, problems: Problems) -> dict[str, bytes]:
    """Raster images in assets/ (the project's over the engine's, `confine.overlay`), under their
    own names and sizes, without their metadata (a link out of assets/ is left out: the build
    reported it before); an unreadable one is a problem."""
    outputs = {}
    for relative, path in overlay(assets, "assets", None).items():
        if not is_raster(path) or any(part.startswith(".") for part in relative.split("/")):
            continue
        data = path.read_bytes()
        try:
            outputs[f"assets/{relative}"] = _clean_cached(data, None, _format_of(data), cache)
        except ValueError as exc:
            problems.error(Location(f"assets/{relative}"), f"cannot read image: {exc}")
    return outputs


def is_raster(path: Path) -> bool:
    return path.is_file() and path.suffix.lower() in RASTER_SUFFIXES


def _picture(file: str, data: bytes, cache: Path | None) -> tuple[Picture, dict[str, bytes]]:
    fmt = "JPEG" if _format_of(data) == "JPEG" else "PNG"  # photos stay JPEG; the rest lossless PNG
    width = _upright_size(data)[0]
    stem = posixpath.splitext(file)[0]
    variants, files = [], {}
    for density in DENSITIES:
        target = DISPLAY_WIDTH * density
        if density > 1 and width < target:
            break  # never enlarge: a 2x copy no sharper than 1x is only weight
        encoded = _clean_cached(data, min(width, target), fmt, cache)
        with Image.open(io.BytesIO(encoded)) as written:
            size = written.size
        path = f"images/{stem}-{size[0]}{_FORMATS[fmt]}"
        variants.append(Variant(path, size[0], size[1], density))
        files[path] = encoded
    return Picture(tuple(variants)), files


def _clean_cached(data: bytes, width: int | None, fmt: str, cache: Path | None) -> bytes:
    key = content_key(RECIPE, data, str(width), fmt)
    return cached(cache, key, _FORMATS[fmt], lambda: clean_image(data, width, fmt))


def _format_of(data: bytes) -> str:
    """The file's format, read from its header; raises ValueError for what the build cannot use."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)  # a located error instead
            with Image.open(io.BytesIO(data)) as image:
                fmt = image.format or ""
    except (Image.DecompressionBombWarning, Image.DecompressionBombError) as exc:
        raise ValueError(
            f"the picture has more than {MAX_PIXELS:,} pixels; export it smaller"
            f" (a page shows it {DISPLAY_WIDTH} pixels wide)"
        ) from exc
    except _DAMAGED as exc:
        raise ValueError("not an image the build can read (PNG, JPEG, WebP or GIF)") from exc
    if fmt not in _FORMATS:
        raise ValueError(f"{fmt or 'unknown'} images are not supported; use PNG, JPEG, WebP or GIF")
    return fmt


def _upright_size(data: bytes) -> tuple[int, int]:
    try:
        with Image.open(io.BytesIO(data)) as image:
            turned = image.getexif().get(0x0112) in (5, 6, 7, 8)  # EXIF orientation: rotated a quarter
            return (image.height, image.width) if turned else image.size
    except _DAMAGED as exc:
        raise ValueError(f"the file is damaged ({exc})") from exc


def clean_image(data: bytes, width: int | None, fmt: str) -> bytes:
    """The picture alone: upright, in sRGB, at `width` pixels wide (None: as it is), no metadata."""
    try:
        with Image.open(io.BytesIO(data)) as original:
            original.seek(0)  # an animated GIF keeps its first frame
            original.load()  # decoded here, so a file cut short is found here and not later
            image = ImageOps.exif_transpose(original)
            image = _to_srgb(image, original.info.get("icc_profile"))
    except _DAMAGED as exc:
        raise ValueError(f"the file is damaged or not an image ({exc})") from exc
    image = image.convert(_mode_for(image, fmt))
    if width and image.width != width:
        height = max(1, round(image.height * width / image.width))
        image = image.resize((width, height), Image.Resampling.LANCZOS)
    # A new image from the raw pixels carries no info dict: no EXIF, XMP, ICC, comments or text.
    pixels = Image.frombytes(image.mode, image.size, image.tobytes())
    out = io.BytesIO()
    if fmt == "JPEG":
        pixels.save(out, "JPEG", quality=JPEG_QUALITY, optimize=True, progressive=True)
    elif fmt == "WEBP":
        pixels.save(out, "WEBP", quality=JPEG_QUALITY, method=6, exact=True)
    elif fmt == "GIF":
        pixels.save(out, "GIF", optimize=True)
    else:
        pixels.save(out, "PNG", optimize=True)
    return out.getvalue()


def _to_srgb(image: Image.Image, icc: bytes | None) -> Image.Image:
    if not icc or image.mode not in ("RGB", "RGBA", "CMYK"):
        return image
    try:
        source = ImageCms.ImageCmsProfile(io.BytesIO(icc))
        mode = "RGBA" if image.mode == "RGBA" else "RGB"
        return ImageCms.profileToProfile(image, source, ImageCms.createProfile("sRGB"), outputMode=mode)
    except (ImageCms.PyCMSError, OSError):
        return image  # an unreadable profile: keep the pixels as they are


def _mode_for(image: Image.Image, fmt: str) -> str:
    has_alpha = image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info
    if fmt == "JPEG":
        return "L" if image.mode in ("1", "L") else "RGB"
    if fmt == "GIF":
        return "RGBA" if has_alpha else "RGB"
    if image.mode in ("1", "L") and not has_alpha:
        return "L"
    if image.mode in ("L", "LA") and has_alpha:
        return "LA"
    return "RGBA" if has_alpha else "RGB"


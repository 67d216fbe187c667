"""Static files from assets/, copied as they are into site/assets/.

Two exceptions: raster images, which images.py rewrites without their metadata, and the fonts the
social cards are drawn with (assets/fonts/cards/), which are build inputs no page uses.
"""
from __future__ import annotations

from pathlib import Path

from .cards import FONT_FOLDER
from .confine import files_inside
from .images import is_raster


def collect_assets(assets: Path) -> dict[str, bytes]:
    """Every file to copy; a link out of assets/ is left out (the build reported it before)."""
    return {
        f"assets/{path.relative_to(assets).as_posix()}": path.read_bytes()
        for path in files_inside(assets, "assets", None)
        if not any(part.startswith(".") for part in path.relative_to(assets).parts)
        and not is_raster(path)
        and not path.relative_to(assets).as_posix().startswith(FONT_FOLDER + "/")
    }

"""Static files from assets/, copied as they are into site/assets/.

Two exceptions: raster images, which images.py rewrites without their metadata, and the fonts the
social cards are drawn with (assets/fonts/cards/), which are build inputs no page uses.
"""
from __future__ import annotations

from pathlib import Path
from typing import Sequence

from .cards import FONT_FOLDER
from ..confine import overlay
from .images import is_raster


def collect_assets(assets: Sequence[Path]) -> dict[str, bytes]:
    """Every file to copy, the project's over the engine's (`confine.overlay`); a link out of
    assets/ is left out (the build reported it before)."""
    return {
        f"assets/{relative}": path.read_bytes()
        for relative, path in overlay(assets, "assets", None).items()
        if not any(part.startswith(".") for part in relative.split("/"))
        and not is_raster(path)
        and not relative.startswith(FONT_FOLDER + "/")
    }

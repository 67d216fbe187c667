"""Static files from assets/, copied as they are into site/assets/."""
from __future__ import annotations

from pathlib import Path


def collect_assets(assets: Path) -> dict[str, bytes]:
    if not assets.is_dir():
        return {}
    return {
        f"assets/{path.relative_to(assets).as_posix()}": path.read_bytes()
        for path in sorted(assets.rglob("*"))
        if path.is_file() and not any(part.startswith(".") for part in path.relative_to(assets).parts)
    }

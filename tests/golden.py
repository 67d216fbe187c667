"""The golden-output check of the fixture site: `make golden` (python -m tests.golden --update)
rewrites tests/golden/mini/ after an intended change to the templates or the engine."""
from __future__ import annotations

import shutil
import sys
import tempfile
from pathlib import Path

from microsite.build import build
from microsite.outputs import SEARCH_INDEX
from tests.conftest import make_project

GOLDEN = Path(__file__).resolve().parent / "golden" / "mini"


BINARY = (".png", ".jpg", ".webp", ".gif", ".sqlite", ".zip")  # checked by their own tests, not by eye


def build_fixture(workdir: Path) -> dict[str, bytes]:
    """Every text file of the fixture's build except the copied assets, which are not the engine's
    output (the search index, written beside them, is)."""
    project = make_project(workdir)
    result = build(project)
    return {
        name: data for name, data in result.outputs.items()
        if (name == SEARCH_INDEX or not name.startswith("assets/")) and not name.endswith(BINARY)
    }


def update() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        outputs = build_fixture(Path(tmp))
    shutil.rmtree(GOLDEN, ignore_errors=True)
    for name, data in outputs.items():
        path = GOLDEN / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    print(f"wrote {len(outputs)} files to {GOLDEN.relative_to(Path.cwd()) if GOLDEN.is_relative_to(Path.cwd()) else GOLDEN}")


if __name__ == "__main__":
    if sys.argv[1:] != ["--update"]:
        sys.exit("usage: python -m tests.golden --update")
    update()

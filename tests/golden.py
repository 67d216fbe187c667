"""The golden-output check of the fixture site: `make golden` (python -m tests.golden --update)
rewrites tests/golden/mini/ after an intended change to the templates or the engine. It prints
every file it adds, removes or changes, and adds or removes files only when told to
(`--allow-added-removed`, `make golden ARGS=--allow-added-removed`): a page that appears or
vanishes is rarely what a change to a template meant."""
from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

from microsite.build import build
from microsite.addresses import SEARCH_INDEX
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


def read_golden() -> dict[str, bytes]:
    return {p.relative_to(GOLDEN).as_posix(): p.read_bytes() for p in GOLDEN.rglob("*") if p.is_file()}


def update(allow_added_removed: bool) -> int:
    """Rewrite the golden files; returns the exit status."""
    with tempfile.TemporaryDirectory() as tmp:
        outputs = build_fixture(Path(tmp))
    golden = read_golden()
    added = sorted(outputs.keys() - golden.keys())
    removed = sorted(golden.keys() - outputs.keys())
    changed = sorted(n for n in outputs.keys() & golden.keys() if outputs[n] != golden[n])
    for label, names in (("added", added), ("removed", removed), ("changed", changed)):
        for name in names:
            print(f"{label:8} {name}")
    if (added or removed) and not allow_added_removed:
        print(
            f"refused: {len(added)} files added and {len(removed)} removed; nothing written. If they are "
            "meant, run: make golden ARGS=--allow-added-removed", file=sys.stderr,
        )
        return 1
    for name in removed:
        (GOLDEN / name).unlink()
    for name in [*added, *changed]:
        path = GOLDEN / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(outputs[name])
    for folder in sorted((p for p in GOLDEN.rglob("*") if p.is_dir()), reverse=True):
        if not any(folder.iterdir()):
            folder.rmdir()
    print(f"{len(added)} added, {len(removed)} removed, {len(changed)} changed, {len(outputs)} files in {GOLDEN.name}")
    return 0


if __name__ == "__main__":
    parser = argparse.ArgumentParser(prog="python -m tests.golden", description="Rewrite tests/golden/mini/.")
    parser.add_argument("--update", action="store_true", required=True, help="rewrite the golden files")
    parser.add_argument("--allow-added-removed", action="store_true", help="also add and remove files")
    sys.exit(update(parser.parse_args().allow_added_removed))

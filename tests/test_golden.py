"""The fixture site builds to exactly the reviewed output in tests/golden/mini/."""
from __future__ import annotations

from pathlib import Path

from tests.golden import GOLDEN, build_fixture


def test_fixture_site_matches_golden_output(tmp_path: Path):
    outputs = build_fixture(tmp_path / "project")
    golden = {p.relative_to(GOLDEN).as_posix(): p.read_bytes() for p in GOLDEN.rglob("*") if p.is_file()}
    assert sorted(outputs) == sorted(golden), "files differ; after an intended change run: make golden"
    for name in sorted(golden):
        assert outputs[name].decode() == golden[name].decode(), f"{name} differs; after an intended change run: make golden"

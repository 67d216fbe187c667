"""The fixture site builds to exactly the reviewed output in tests/golden/mini/."""
from __future__ import annotations

import shutil
from pathlib import Path

from tests import golden
from tests.golden import GOLDEN, build_fixture, read_golden


def test_fixture_site_matches_golden_output(tmp_path: Path):
    outputs = build_fixture(tmp_path / "project")
    golden = read_golden()
    assert sorted(outputs) == sorted(golden), "files differ; after an intended change run: make golden"
    for name in sorted(golden):
        assert outputs[name].decode() == golden[name].decode(), f"{name} differs; after an intended change run: make golden"


def test_make_golden_names_each_file_and_adds_or_removes_only_when_told(tmp_path: Path, monkeypatch, capsys):
    copy = tmp_path / "golden"
    shutil.copytree(golden.GOLDEN, copy)
    monkeypatch.setattr(golden, "GOLDEN", copy)
    (copy / "index.html").unlink()
    (copy / "stray.html").write_text("left over")
    (copy / "sitemap.xml").write_text("edited")
    assert golden.update(allow_added_removed=False) == 1
    out, err = capsys.readouterr()
    assert out.splitlines() == ["added    index.html", "removed  stray.html", "changed  sitemap.xml"]
    assert "refused: 1 files added and 1 removed; nothing written" in err
    assert (copy / "stray.html").exists() and not (copy / "index.html").exists()  # untouched
    assert golden.update(allow_added_removed=True) == 0
    rewritten = golden.read_golden()
    monkeypatch.setattr(golden, "GOLDEN", GOLDEN)
    assert rewritten == golden.read_golden()  # the reviewed files again, every one

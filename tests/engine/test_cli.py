"""The command line as a user meets it: exit codes, summaries, and what happens to site/."""
from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO, run, write


def tree_digest(root: Path) -> dict[str, str]:
    return {
        p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def test_build_prints_one_summary_line(project, capsys):
    status, out, err = run(project, "build", capsys=capsys)
    assert status == 0
    [line] = out.splitlines()
    assert line.startswith("built 14 pages, 2 sources, 13 citations (1 quotation and 2 numbers checked) in ")
    assert (project.root / "site/companies/acme.html").is_file()
    assert (project.root / "site/.nojekyll").is_file()
    assert err == ""


def test_check_writes_nothing(project, capsys):
    status, out, _ = run(project, "check", capsys=capsys)
    assert status == 0
    assert out == "checked 3 entities, 1 pages, 2 sources: no errors, 0 warnings\n"
    assert not (project.root / "site").exists()


def test_failed_build_leaves_site_byte_for_byte(project, capsys):
    assert run(project, "build", capsys=capsys)[0] == 0
    before = tree_digest(project.root / "site")
    write(project, "content/companies/acme.md", "---\nname: Acme\nsummary: S [@nowhere]\n---\n")
    status, out, err = run(project, "build", capsys=capsys)
    assert status == 1
    assert out == ""
    assert "unknown source 'nowhere'" in err
    assert tree_digest(project.root / "site") == before
    assert sorted(p.name for p in project.root.iterdir()) == [".cache", "assets", "content", "site", "templates"]


def test_rebuild_replaces_site_and_leaves_no_temporary_folders(project, capsys):
    run(project, "build", capsys=capsys)
    (project.root / "site/stale.html").write_text("old")
    run(project, "build", capsys=capsys)
    assert not (project.root / "site/stale.html").exists()
    assert sorted(p.name for p in project.root.iterdir()) == [".cache", "assets", "content", "site", "templates"]


def test_two_builds_are_byte_identical(project, capsys, tmp_path):
    run(project, "build", "--out", str(tmp_path / "one"), capsys=capsys)
    run(project, "build", "--out", str(tmp_path / "two"), capsys=capsys)
    assert tree_digest(tmp_path / "one") == tree_digest(tmp_path / "two")


def test_usage_errors_exit_2(project, capsys):
    assert run(project, "frobnicate", capsys=capsys)[0] == 2
    assert run(project, "new", "widget", "X", capsys=capsys)[0] == 2


def test_new_writes_a_file_that_names_every_field_and_refuses_to_overwrite(project, capsys):
    status, out, _ = run(project, "new", "company", "Initech Systems", capsys=capsys)
    assert status == 0
    assert out.startswith("wrote content/companies/initech-systems.md")
    text = (project.root / "content/companies/initech-systems.md").read_text()
    for field in ("name:", "summary:", "figures:", "label:", "value:", "as_of:", "cite:", "note:"):
        assert field in text
    assert 'name: "Initech Systems"' in text
    status, _, err = run(project, "new", "company", "Initech Systems", capsys=capsys)
    assert status == 2
    assert "already exists; not overwriting it" in err
    # Until it is filled in, check says what is missing rather than crashing.
    status, _, err = run(project, "check", capsys=capsys)
    assert status == 1
    assert "content/companies/initech-systems.md:5:1: 'summary' is empty: write one sentence" in err


def test_new_source_and_system(project, capsys):
    assert run(project, "new", "source", "guardian-2018-10-23", capsys=capsys)[0] == 0
    text = (project.root / "content/sources/guardian-2018-10-23.yaml").read_text()
    for field in ("title:", "publisher:", "kind:", "date:", "author:", "url:", "archive_url:", "accessed:", "quotes:", "note:"):
        assert field in text
    assert run(project, "new", "system", "Face Match", capsys=capsys)[0] == 0
    assert "vendors: []" in (project.root / "content/systems/face-match.md").read_text()


def test_errors_reach_the_terminal_without_a_traceback(project):
    write(project, "content/companies/acme.md", "---\nname: [unclosed\n---\n")
    result = subprocess.run(
        [sys.executable, str(REPO / "build.py"), "--root", str(project.root), "build"],
        capture_output=True, text=True,
    )
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert result.stderr.startswith("content/companies/acme.md:3:1: invalid YAML:")


def test_github_annotations_under_actions(project, monkeypatch, capsys):
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    write(project, "content/companies/acme.md", "---\nname: Acme\nsummary: S [@nowhere]\n---\n")
    status, out, _ = run(project, "check", capsys=capsys)
    assert status == 1
    assert "::error file=content/companies/acme.md,line=3,col=13::unknown source 'nowhere'" in out


def test_a_summary_starting_with_a_citation_gets_a_hint(project, capsys):
    write(project, "content/companies/acme.md", "---\nname: Acme\nsummary: [@nowhere] says\n---\n")
    status, _, err = run(project, "check", capsys=capsys)
    assert status == 1
    assert err.splitlines()[0].endswith("(a value starting with [, {, @ or ` must be in quotes)")


def test_timings_name_every_pass_and_what_was_written_and_the_next_build_says_the_same(project, capsys):
    """`build --timings` after a change: the passes in order, the pages rendered and the files
    written; the build after it, with nothing changed, reports the same site and only reads."""
    assert run(project, "build", capsys=capsys)[0] == 0
    acme = project.root / "content/companies/acme.md"
    acme.write_text(acme.read_text().replace("The report calls Acme", "The report names Acme"))
    status, out, _ = run(project, "build", "--timings", capsys=capsys)
    assert status == 0
    summary, timings = out.strip().splitlines()
    counts, phases = timings.split("; ", 1)
    assert counts == "rendered 1 pages, wrote 2 files"  # the page and the search index (its size the same)
    assert [p.rsplit(" ", 2)[0] for p in phases.split(", ")] == [
        "read", "load and resolve", "other outputs", "plan", "render and write",
    ]
    status, again, _ = run(project, "build", "--timings", capsys=capsys)
    assert status == 0
    assert again.splitlines()[0].split(" in ")[0] == summary.split(" in ")[0]
    assert again.splitlines()[1].startswith("rendered 0 pages, wrote 0 files; read ")


def test_a_site_folder_whose_name_is_not_utf8_is_built_into(project, tmp_path, capsys):
    """Linux allows any bytes in a folder's name, and `--out` may name such a folder."""
    out = tmp_path / os.fsdecode(b"site-caf\xe9")
    try:
        out.mkdir()
    except (OSError, UnicodeEncodeError):
        pytest.skip("this file system refuses names that are not UTF-8")
    status, _, err = run(project, "build", "--out", str(out), capsys=capsys)
    assert status == 0, err
    assert (out / "index.html").is_file()

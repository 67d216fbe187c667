"""Shared helpers: a throw-away project made from a fixture's content and the real templates."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from microsite.build import Project
from microsite.cli import main

REPO = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"


def make_project(where: Path, fixture: str = "mini") -> Project:
    """Copy a fixture's content into `where`, beside the project's own templates and assets."""
    shutil.copytree(FIXTURES / fixture / "content", where / "content")
    for part in ("templates", "assets"):
        (where / part).symlink_to(REPO / part, target_is_directory=True)
    return Project(where)


@pytest.fixture
def project(tmp_path: Path) -> Project:
    return make_project(tmp_path / "project")


def run(project: Project, *args: str, capsys=None) -> tuple[int, str, str]:
    """Run the command line in-process; returns (exit status, stdout, stderr)."""
    try:
        status = main(["--root", str(project.root), *args], root=project.root)
    except SystemExit as exc:  # argparse usage errors
        status = exc.code
    out, err = capsys.readouterr() if capsys else ("", "")
    return status, out, err


def write(project: Project, relative: str, text: str) -> Path:
    path = project.root / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path

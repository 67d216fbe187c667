"""The passes are layers (pyproject.toml, [tool.importlinter]): a module imports only the layers
below its own. import-linter checks the whole package; the second test shows it would notice a
pass reaching into a later one."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from tests.conftest import REPO

LINT = Path(sys.executable).with_name("lint-imports")


def lint(root: Path) -> subprocess.CompletedProcess:
    """import-linter over the package at `root`, with the project's contract, nothing cached."""
    env = {**os.environ, "PYTHONPATH": str(root), "NO_COLOR": "1"}
    return subprocess.run(
        [str(LINT), "--config", str(root / "pyproject.toml"), "--no-cache"],
        cwd=root, env=env, capture_output=True, text=True, timeout=300,
    )


def test_every_module_imports_only_the_layers_below_it():
    result = lint(REPO)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "1 kept, 0 broken" in result.stdout


def test_a_pass_importing_a_later_pass_breaks_the_contract(tmp_path):
    shutil.copytree(REPO / "microsite", tmp_path / "microsite", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(REPO / "pyproject.toml", tmp_path)
    loader = tmp_path / "microsite" / "content" / "load.py"
    loader.write_text(loader.read_text() + "\nfrom ..render import slots  # a planted reach into a later pass\n")
    result = lint(tmp_path)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "microsite.content.load -> microsite.render.slots" in result.stdout


def test_a_module_no_layer_names_breaks_the_contract(tmp_path):
    """A new top-level module must be given its place among the layers."""
    shutil.copytree(REPO / "microsite", tmp_path / "microsite", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(REPO / "pyproject.toml", tmp_path)
    (tmp_path / "microsite" / "stray.py").write_text("from . import errors\n")
    result = lint(tmp_path)
    assert result.returncode != 0
    assert "microsite.stray" in result.stdout + result.stderr

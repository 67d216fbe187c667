"""The Makefile on a fresh machine, with stand-in Pythons that say which version they are and
log what they are asked to do: a Python too old is said in one line before anything is
installed, a .venv made by one is made again, and only `make test` installs the test tools."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO

FAKE_PYTHON = """#!/bin/sh
# Python {version}, as far as the Makefile can tell; logs what it is asked to run.
echo "$0 $*" >> "{log}"
case "$1" in
  -V) echo "Python {version}" ;;
  -c) exit {too_old} ;;  # the Makefile's version check
  -m) if [ "$2" = venv ]; then mkdir -p "$3/bin" && cp "{good}" "$3/bin/python"; fi ;;
esac
"""


@pytest.fixture
def checkout(tmp_path: Path) -> Path:
    """A copy of what the Makefile reads, with a Python 3.10 and a Python 3.12 stand-in."""
    if shutil.which("make") is None:
        pytest.skip("make is missing")
    where = tmp_path / "checkout"
    where.mkdir()
    for name in ("Makefile", "pyproject.toml", "requirements.lock"):
        shutil.copy(REPO / name, where / name)
    log = tmp_path / "log"
    good = tmp_path / "python3.12"
    for path, version, too_old in ((good, "3.12.1", 0), (tmp_path / "python3.10", "3.10.12", 1)):
        path.write_text(FAKE_PYTHON.format(version=version, log=log, too_old=too_old, good=good))
        path.chmod(0o755)
    return where


def make(checkout: Path, *args: str) -> subprocess.CompletedProcess:
    """`make` as a person types it: run from `make test`, it would otherwise take itself for a
    sub-make of that one (MAKELEVEL) and say `make[1]:`."""
    env = {k: v for k, v in os.environ.items() if k not in ("MAKELEVEL", "MAKEFLAGS", "MFLAGS", "MAKEOVERRIDES")}
    return subprocess.run(
        ["make", "--no-print-directory", "NODE_TOOLS=", *args], cwd=checkout, capture_output=True, text=True, timeout=60, env=env
    )


def log(checkout: Path) -> list[str]:
    path = checkout.parent / "log"
    return path.read_text().splitlines() if path.exists() else []


def test_a_python_too_old_is_said_before_anything_is_installed(checkout: Path):
    old = checkout.parent / "python3.10"
    done = make(checkout, "site", f"PYTHON={old}")
    assert done.returncode != 0
    said = [line for line in done.stderr.splitlines() if not line.startswith("make: ***")]
    assert said == [
        f"make: the project needs Python 3.11 or later, and {old} is Python 3.10.12; install a newer one "
        "and run make again with it, such as make PYTHON=python3.12 site"
    ]
    assert not (checkout / ".venv").exists()
    assert [line for line in log(checkout) if " -m " in line] == []  # no venv, no pip


def test_a_venv_made_by_a_python_too_old_is_made_again(checkout: Path):
    (checkout / ".venv/bin").mkdir(parents=True)
    shutil.copy(checkout.parent / "python3.10", checkout / ".venv/bin/python")  # left by a failed make
    good = checkout.parent / "python3.12"
    done = make(checkout, "site", f"PYTHON={good}")
    assert done.returncode == 0, done.stderr
    venv_python = str(checkout / ".venv/bin/python")
    assert f"{good} -m venv .venv" in log(checkout)
    assert ".venv/bin/python -m pip install --quiet --disable-pip-version-check -c requirements.lock -e ." in [
        line.replace(venv_python, ".venv/bin/python") for line in log(checkout)
    ]
    assert (checkout / ".venv/bin/python").read_bytes() == good.read_bytes()


def test_only_make_test_installs_the_test_tools(checkout: Path):
    good = checkout.parent / "python3.12"
    for target in ("site", "check"):
        assert make(checkout, target, f"PYTHON={good}").returncode == 0
    pips = [line for line in log(checkout) if " pip install " in line]
    assert len(pips) == 1 and pips[0].endswith(" -e .")
    assert make(checkout, "test", f"PYTHON={good}").returncode == 0
    pips = [line for line in log(checkout) if " pip install " in line]
    assert len(pips) == 2 and pips[1].endswith(" -e .[test]")
    assert log(checkout)[-1].endswith(" -m pytest")


def test_test_fast_names_folders_that_exist_and_no_browser_test():
    """`make test-fast` lists its tests by path: a folder moved or renamed would leave it running
    fewer tests without a word, and a browser test in it would need Chromium."""
    make = (REPO / "Makefile").read_text()
    listed = make.split("FAST_TESTS :=", 1)[1].split("\ntest-fast:", 1)[0].replace("\\\n", " ").split()
    assert listed and all((REPO / path).exists() for path in listed), listed
    collected = subprocess.run(
        [sys.executable, "-m", "pytest", "--collect-only", "-q", "-p", "no:cacheprovider", "-m", "browser", *listed],
        cwd=REPO, capture_output=True, text=True, timeout=300,
    )
    assert "no tests collected" in collected.stdout or " deselected" in collected.stdout, collected.stdout[-500:]
    assert "::" not in collected.stdout, "browser tests among test-fast's: " + collected.stdout[-500:]


def test_make_mutate_names_files_that_exist():
    """A test file moved or a module renamed would stop `make mutate` at its first step, in a
    run nobody starts often: each path its settings name is there."""
    import tomllib

    settings = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["mutmut"]
    named = [*settings["only_mutate"], *settings["pytest_add_cli_args_test_selection"], *settings["also_copy"]]
    assert [path for path in named if not (REPO / path).exists()] == []

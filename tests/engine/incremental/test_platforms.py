"""Campaign staff build on macOS and Windows too: the engine imports and builds without Linux's
modules, and forks its workers only on Linux (elsewhere a build runs in one process)."""
from __future__ import annotations

import subprocess
import sys

from microsite import parallel

from tests.conftest import REPO, make_project

WITHOUT_FCNTL = """
import os, sys
sys.modules["fcntl"] = None  # as on Windows: `import fcntl` raises ImportError
for name in ("O_NOFOLLOW", "O_NONBLOCK", "O_CLOEXEC", "geteuid"):  # nor these
    delattr(os, name)
from pathlib import Path
from microsite.cli import main
root = Path(sys.argv[1])
sys.exit(main(["--root", str(root), "build"], root))
"""


def test_a_build_runs_where_there_is_no_fcntl_nor_unix_open_flags(tmp_path):
    project = make_project(tmp_path / "project")
    result = subprocess.run(
        [sys.executable, "-c", WITHOUT_FCNTL, str(project.root)], cwd=REPO, capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert (project.site / "index.html").is_file()
    again = subprocess.run(  # from the cache it sealed, read back without those flags
        [sys.executable, "-c", WITHOUT_FCNTL, str(project.root)], cwd=REPO, capture_output=True, text=True, timeout=120,
    )
    assert again.returncode == 0, again.stderr


def test_workers_are_forked_on_linux_only(monkeypatch):
    for platform, forks in (("linux", True), ("darwin", False), ("win32", False)):
        monkeypatch.setattr(sys, "platform", platform)
        assert parallel.can_fork() is forks, platform

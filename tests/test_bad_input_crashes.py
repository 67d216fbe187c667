"""Input that used to crash the build (a segfault, a traceback) or publish broken files: each ends
in a located error, exit 1 and the previous site/ untouched, or in a site that is still right.

The builds run in a subprocess, so that a crash of the interpreter (libyaml overflowing the C stack)
is a failing test rather than a dead test run."""
from __future__ import annotations

import re
import subprocess
import sys

import pytest

from microsite.build import Project
from tests.conftest import REPO, run, write
from tests.test_robustness import digest

LOCATED = re.compile(r"^content/[^:]+:\d+:\d+: ")


def build_in_subprocess(project: Project) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, str(REPO / "build.py"), "--root", str(project.root), "build"],
        capture_output=True, text=True, timeout=120,
    )


def assert_refused(project: Project, before: dict[str, str], expected: str) -> None:
    """The build stops with `expected` as its first, located message and leaves site/ as it was."""
    result = build_in_subprocess(project)
    assert result.returncode == 1, (result.returncode, result.stderr[-2000:])
    assert "Traceback" not in result.stderr, result.stderr
    first = result.stderr.splitlines()[0]
    assert LOCATED.match(first) and expected in first, first
    assert digest(project.root / "site") == before


@pytest.fixture
def built(project: Project, capsys) -> dict[str, str]:
    """The project built once: what site/ holds before a bad edit."""
    status, _, err = run(project, "build", capsys=capsys)
    assert status == 0, err
    return digest(project.root / "site")


DEEP = 25_000
DEEP_YAML = {
    "flow-sequence-in-a-source": (
        "content/sources/deep.yaml", "title: " + "[" * DEEP + "]" * DEEP + "\n", "content/sources/deep.yaml:1:72: "),
    "flow-mapping-in-front-matter": (
        "content/companies/deep.md", "---\nname: " + "{a: " * DEEP + "1" + "}" * DEEP + "\n---\nText.\n",
        "content/companies/deep.md:2:263: "),
    "block-sequence-in-changes": ("content/changes.yaml", "- " * DEEP + "x\n", "content/changes.yaml:1:131: "),
    "unclosed-brackets-in-site-yaml": ("content/site.yaml", "title: " + "[" * DEEP + "\n", "content/site.yaml:1:72: "),
}


@pytest.mark.parametrize("relative, text, where", DEEP_YAML.values(), ids=DEEP_YAML.keys())
def test_yaml_nested_thousands_deep_is_a_located_error_not_a_crash(project, built, relative, text, where):
    write(project, relative, text)
    assert_refused(project, built, where + "YAML nested deeper than 64 levels")


NOT_UTF8 = {
    "site-yaml": ("content/site.yaml", "content/site.yaml:1:"),
    "changes": ("content/changes.yaml", "content/changes.yaml:1:"),
    "source": ("content/sources/report-2020.yaml", "content/sources/report-2020.yaml:1:"),
    "page": ("content/pages/about.md", "content/pages/about.md:1:"),
}


@pytest.mark.parametrize("relative, where", NOT_UTF8.values(), ids=NOT_UTF8.keys())
def test_a_content_file_that_is_not_utf8_is_a_located_error(project, built, relative, where):
    path = project.root / relative
    path.write_bytes(b"# caf\xe9\n" + path.read_bytes())
    assert_refused(project, built, where + "6: not UTF-8 text (byte 0xE9); save the file as UTF-8")

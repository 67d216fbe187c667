"""What a contributor is told: the way to run build.py, what an older site needs, a translation
starter with everything to translate, counts in the right number, the preview's banner."""
from __future__ import annotations

import re
import subprocess
import sys

import yaml

from microsite.build import ENGINE_HOME
from microsite.preview.serve import error_banner
from microsite.errors import Location, Problem
from tests.conftest import REPO, run, write


def test_build_py_without_the_engine_s_packages_says_what_to_run(tmp_path):
    """-S: a Python without the installed packages, as `python build.py` is on a fresh machine."""
    done = subprocess.run([sys.executable, "-S", str(REPO / "build.py"), "new", "company", "Acme Corp"],
                          capture_output=True, text=True, cwd=tmp_path, timeout=60)
    assert done.returncode == 2 and "Traceback" not in done.stderr
    [line] = done.stderr.splitlines()
    assert "make site" in line and line.endswith(".venv/bin/python build.py new company 'Acme Corp'")


def test_a_site_from_before_required_citations_is_told_the_one_line_that_builds_it(project, capsys):
    config = project.root / "content/site.yaml"
    config.write_text(re.sub(r"(?m)^require_citations: off\n", "", config.read_text()))
    write(project, "content/pages/notes.md", "---\ntitle: Notes\nsummary: Old notes.\n---\nOne.\n\nTwo.\n")
    status, out, err = run(project, "check", capsys=capsys)
    lines = err.splitlines()
    assert status == 1 and sum("without a citation" in line for line in lines) >= 3
    assert "require_citations: off" in lines[-1] and sum("require_citations: off" in line for line in lines) == 1
    config.write_text(config.read_text() + "require_citations: paragraphs\n")  # chosen: no hint
    status, out, err = run(project, "check", capsys=capsys)
    assert status == 1 and "require_citations: off" not in err


def test_a_translation_starter_has_the_figures_and_roles_to_translate(tmp_path, capsys):
    from tests.conftest import make_project

    project = make_project(tmp_path / "p", "mini")
    config = project.root / "content/site.yaml"
    config.write_text(config.read_text().replace("language: en", "languages: [en, es]"))
    assert run(project, "new", "translation", "systems/ledger", "es", capsys=capsys)[0] == 0
    assert run(project, "new", "translation", "companies/acme", "es", capsys=capsys)[0] == 0
    ledger = yaml.safe_load((project.root / "content/systems/ledger.es.md").read_text().split("---")[1])
    assert ledger["roles"] == {"vendors": {"acme": "Builds and hosts it"}}
    acme = yaml.safe_load((project.root / "content/companies/acme.es.md").read_text().split("---")[1])
    assert [f["value"] for f in acme["figures"]] == ["200 million", "230 million"]
    assert "cite" not in acme["figures"][0]


def test_counts_take_the_right_number():
    one = error_banner([Problem(Location("content/x.md", 1), "bad")]).decode()
    two = error_banner([Problem(Location("content/x.md", 1), "bad")] * 2).decode()
    assert "1 content error;" in one and "2 content errors;" in two


def test_the_preview_s_error_banner_leaves_the_header_in_view():
    css = (ENGINE_HOME / "assets/style.css").read_text()
    rule = css[css.index(".preview-errors {"):].split("}")[0]
    assert "position: fixed" not in rule and "position: absolute" not in rule

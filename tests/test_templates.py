"""A broken or missing template is an error at its template's line, like a content error: exit 1,
site/ untouched, shown on the preview's pages; never a traceback."""
from __future__ import annotations

import pytest

from microsite.build import Project
from microsite.serve import Preview
from tests.conftest import run


@pytest.fixture
def own_templates(project: Project) -> Project:
    """The mini project with a copy of the templates of its own, to break."""
    return project


def break_line(project: Project, name: str, line: int, text: str) -> None:
    path = project.root / "templates" / name
    lines = path.read_text().splitlines(keepends=True)
    lines[line - 1] = text + "\n"
    path.write_text("".join(lines))


def site_files(project: Project) -> dict[str, bytes]:
    return {p.relative_to(project.site).as_posix(): p.read_bytes() for p in sorted(project.site.rglob("*")) if p.is_file()}


def test_a_jinja_syntax_error_is_located(own_templates: Project, capsys):
    project = own_templates
    assert run(project, "build", capsys=capsys)[0] == 0
    before = site_files(project)
    break_line(project, "entity.html", 5, "  <h1>{{ entity.name }</h1>")
    break_line(project, "_listing.html", 3, "  <li>{{ entity.name | no_such_filter }}</li>")
    status, _, err = run(project, "build", capsys=capsys)
    assert status == 1
    assert "Traceback" not in err
    assert "templates/entity.html:5:1: template error: unexpected '}'" in err
    assert "templates/_listing.html:3:1: template error: No filter named 'no_such_filter'." in err
    assert site_files(project) == before
    status, _, err = run(project, "check", capsys=capsys)
    assert status == 1
    assert "templates/entity.html:5:1: template error" in err


def test_a_missing_template_is_located(own_templates: Project, capsys):
    project = own_templates
    assert run(project, "build", capsys=capsys)[0] == 0
    before = site_files(project)
    break_line(project, "page.html", 4, '{% include "nope.html" %}')
    (project.root / "templates/base.html").unlink()
    (project.root / "templates/map.html").unlink()
    status, _, err = run(project, "build", capsys=capsys)
    assert status == 1
    assert "Traceback" not in err
    assert "templates/page.html:4:1: template 'nope.html' does not exist in templates/" in err
    assert "templates/entity.html:1:1: template 'base.html' does not exist in templates/" in err
    assert "templates/map.html: missing template" in err
    assert site_files(project) == before


def test_a_template_error_shows_in_the_preview(own_templates: Project, capsys):
    project = own_templates
    preview = Preview(project, project.root / ".cache" / "preview")
    assert preview.rebuild()
    break_line(project, "entity.html", 3, "{% for x in %}")
    assert not preview.rebuild()
    page = (preview.out / "companies/acme.html").read_text()
    assert 'role="alert"' in page
    assert "templates/entity.html:3:1: template error:" in page
    assert "Traceback" not in capsys.readouterr().err

"""A broken or missing template is an error at its template's line, like a content error: exit 1,
site/ untouched, shown on the preview's pages; never a traceback."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from microsite import project as build_module
from microsite.build import ENGINE_HOME, Project
from microsite.preview.serve import Preview
from tests.conftest import FIXTURES, run, tree


@pytest.fixture
def own_templates(project: Project, monkeypatch) -> Project:
    """The mini project with a copy of the templates of its own, to break, as if it were the
    engine's repository: its templates are the only ones (no engine's behind them to fall back on)."""
    monkeypatch.setattr(build_module, "ENGINE_HOME", project.root.resolve())
    return project


def break_line(project: Project, name: str, line: int, text: str) -> None:
    path = project.root / "templates" / name
    lines = path.read_text().splitlines(keepends=True)
    lines[line - 1] = text + "\n"
    path.write_text("".join(lines))


def site_files(project: Project) -> dict[str, bytes]:
    return tree(project.site)


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
    good = tree(preview.out)
    template = project.root / "templates" / "entity.html"
    working = template.read_text()
    break_line(project, "entity.html", 3, "{% for x in %}")
    assert not preview.rebuild()
    page = (preview.out / "companies/acme.html").read_text()
    assert 'role="alert"' in page
    assert "templates/entity.html:3:1: template error:" in page
    assert "Traceback" not in capsys.readouterr().err
    # Mended, every page is rendered again: none keeps the banner.
    template.write_text(working)
    assert preview.rebuild()
    assert tree(preview.out) == good


def test_the_preview_shows_a_template_error_until_it_is_mended(own_templates: Project):
    """A save that leaves the templates as they are does not make the preview forget that one of
    them is broken, even one no page renders."""
    project = own_templates
    preview = Preview(project, project.root / ".cache" / "preview")
    assert preview.rebuild()
    (project.root / "templates" / "_unused.html").write_text("{% for x in %}\n")
    assert not preview.rebuild()
    company = project.root / "content/companies/acme.md"
    company.write_text(company.read_text().replace("name: Acme Corp", "name: Acme Corporation"))
    assert not preview.rebuild()
    assert "templates/_unused.html:1:1: template error:" in (preview.out / "companies/acme.html").read_text()
    (project.root / "templates" / "_unused.html").unlink()
    assert preview.rebuild()


# A project of its own content with some templates or assets of its own: those win, file by file;
# every other file is the engine's (the repository's templates/ and assets/).

def content_only(where: Path) -> Project:
    shutil.copytree(FIXTURES / "mini" / "content", where / "content")
    return Project(where)


def built_site(project: Project, capsys) -> dict[str, bytes]:
    status, _, err = run(project, "build", capsys=capsys)
    assert status == 0, err
    return site_files(project)


def test_a_projects_own_template_wins_and_the_engine_gives_the_rest(tmp_path, capsys):
    plain = built_site(content_only(tmp_path / "plain"), capsys)
    project = content_only(tmp_path / "own")
    (project.root / "templates").mkdir()
    engines = (ENGINE_HOME / "templates/entity.html").read_text()
    (project.root / "templates/entity.html").write_text(engines.replace("<h1>{{ entity.name }}", "<h1>Profile: {{ entity.name }}", 1))
    own = built_site(project, capsys)
    assert sorted(own) == sorted(plain)
    changed = sorted(name for name in own if own[name] != plain[name])
    assert "companies/acme.html" in changed
    for name in changed:  # the entity pages, and the offline copy holding them
        assert name.endswith(".zip") or b"<h1>Profile: " in own[name], name
    assert all(b"<h1>Profile: " not in own[name] for name in own if name not in changed)


def test_a_projects_own_asset_wins_and_the_engine_gives_the_rest(tmp_path, capsys):
    plain = built_site(content_only(tmp_path / "plain"), capsys)
    project = content_only(tmp_path / "own")
    (project.root / "assets").mkdir()
    style = (ENGINE_HOME / "assets/style.css").read_bytes() + b"\n.own { color: red; }\n"
    (project.root / "assets/style.css").write_bytes(style)
    own = built_site(project, capsys)
    assert own["assets/style.css"] == style
    assets = [name for name in plain if name.startswith("assets/")]
    assert len(assets) > 1
    assert {name: own.get(name) for name in assets if name != "assets/style.css"} == {
        name: plain[name] for name in assets if name != "assets/style.css"
    }


def test_an_include_in_neither_folder_is_located(tmp_path, capsys):
    project = content_only(tmp_path / "own")
    (project.root / "templates").mkdir()
    shutil.copy(ENGINE_HOME / "templates/page.html", project.root / "templates/page.html")
    break_line(project, "page.html", 4, '{% include "nope.html" %}')
    status, _, err = run(project, "build", capsys=capsys)
    assert status == 1
    assert err == "templates/page.html:4:1: template 'nope.html' does not exist in templates/\n1 error; nothing was written\n"

"""A symbolic link in content/, assets/ or templates/ never publishes, or lets the build read, a
file outside its folder: a located error, exit 1, site/ as it was, and `check` says so too."""
from __future__ import annotations

import hashlib
import io
import re
import shutil
from pathlib import Path

import pytest
from PIL import Image

from microsite.preview.session import Session
from microsite.build import ENGINE_HOME, BuildState, Project, build
from microsite.content.cached import PreparedCache
from microsite.preview.edits import apply_saves
from microsite.errors import ContentErrors
from microsite.render.templates import make_environment

from tests.conftest import REPO, run

SECRET = "SECRET-7f3a"  # what a file outside the project holds: it must never reach the site
LEAKED_PAGE = f"---\ntitle: Leaked\n---\n{SECRET}\n"
LEAKED_SOURCE = f'title: "{SECRET}"\npublisher: Someone\nkind: report\n'


def tree(root: Path) -> dict[str, str]:
    return {p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(root.rglob("*")) if p.is_file()}


def secret_file(tmp_path: Path, name: str, data: bytes | str) -> Path:
    path = tmp_path / "elsewhere" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data.encode() if isinstance(data, str) else data)
    return path


def png(colour: tuple[int, int, int]) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (40, 30), colour).save(out, "PNG")
    return out.getvalue()


def own_copy(project: Project, part: str) -> None:
    """The fixture's own copy of assets/ or templates/ (a copy already: kept for the tests' words)."""
    assert (project.root / part).is_dir() and not (project.root / part).is_symlink()


def use_image(project: Project, name: str) -> None:
    acme = project.root / "content/companies/acme.md"
    acme.write_text(acme.read_text().replace("figures:", f'image:\n  file: {name}\n  alt: "A red square"\nfigures:', 1))


def refused(project: Project, capsys, message: str) -> None:
    """The build and `check` both stop at `message`, and site/ is as the last good build left it."""
    site = project.root / "site"
    before = tree(site)
    status, _, err = run(project, "build", capsys=capsys)
    assert status == 1, err
    assert message in err
    assert "Traceback" not in err
    assert tree(site) == before
    assert not any(SECRET.encode() in p.read_bytes() for p in site.rglob("*") if p.is_file())
    status, _, err = run(project, "check", capsys=capsys)
    assert status == 1 and message in err, err


def built(project: Project, capsys) -> None:
    status, _, err = run(project, "build", capsys=capsys)
    assert status == 0, err


def test_a_page_linked_to_a_file_outside_content(project, tmp_path, capsys):
    built(project, capsys)
    (project.root / "content/pages/leak.md").symlink_to(secret_file(tmp_path, "leak.md", LEAKED_PAGE))
    refused(project, capsys, "content/pages/leak.md:1:1: content/pages/leak.md is a link to a file outside content/; replace it with the file itself")


def test_a_folder_of_pages_linked_to_a_folder_outside_content(project, tmp_path, capsys):
    built(project, capsys)
    pages = project.root / "content/pages"
    elsewhere = secret_file(tmp_path, "about.md", LEAKED_PAGE).parent
    shutil.rmtree(pages)
    pages.symlink_to(elsewhere, target_is_directory=True)
    refused(project, capsys, "content/pages:1:1: content/pages is a link to a folder outside content/; replace it with the folder itself")


def test_a_source_linked_to_a_file_outside_content(project, tmp_path, capsys):
    built(project, capsys)
    (project.root / "content/sources/leak.yaml").symlink_to(secret_file(tmp_path, "leak.yaml", LEAKED_SOURCE))
    refused(project, capsys, "content/sources/leak.yaml:1:1: content/sources/leak.yaml is a link to a file outside content/")


def test_cname_linked_to_a_file_outside_content(project, tmp_path, capsys):
    built(project, capsys)
    (project.root / "content/CNAME").symlink_to(secret_file(tmp_path, "environ", f"HOME=/root\nTOKEN={SECRET}\n"))
    refused(project, capsys, "content/CNAME:1:1: content/CNAME is a link to a file outside content/; replace it with the file itself")


def test_site_yaml_linked_to_a_file_outside_content(project, tmp_path, capsys):
    built(project, capsys)
    config = project.root / "content/site.yaml"
    outside = secret_file(tmp_path, "site.yaml", re.sub("^title: .*", f"title: {SECRET}", config.read_text(), count=1, flags=re.M))
    config.unlink()
    config.symlink_to(outside)
    refused(project, capsys, "content/site.yaml:1:1: content/site.yaml is a link to a file outside content/")


@pytest.mark.parametrize("linked", ["file", "folder"])
def test_an_image_linked_to_a_file_outside_content_images(project, tmp_path, capsys, linked):
    images = project.root / "content/images"
    images.mkdir()
    (images / "logo.png").write_bytes(png((200, 0, 0)))
    use_image(project, "logo.png")
    built(project, capsys)
    picture = secret_file(tmp_path, "logo.png", png((0, 0, 200)))
    if linked == "file":
        (images / "logo.png").unlink()
        (images / "logo.png").symlink_to(picture)
    else:  # the whole folder: what the check before this one let through
        shutil.rmtree(images)
        images.symlink_to(picture.parent, target_is_directory=True)
    refused(project, capsys, "content/images/logo.png:1:1: content/images/logo.png is a link to a file outside content/; replace it")


def test_an_asset_linked_to_a_file_outside_assets(project, tmp_path, capsys):
    own_copy(project, "assets")
    built(project, capsys)
    (project.root / "assets/leak.css").symlink_to(secret_file(tmp_path, "id_rsa", f"{SECRET}\n"))
    refused(project, capsys, "assets/leak.css:1:1: assets/leak.css is a link to a file outside assets/; replace it with the file itself")


def test_a_template_linked_to_a_file_outside_templates(project, tmp_path, capsys):
    own_copy(project, "templates")
    built(project, capsys)
    source = project.root / "templates/_source.html"
    source.unlink()
    source.symlink_to(secret_file(tmp_path, "passwd", f"{SECRET}\n"))
    refused(project, capsys, "templates/_source.html:1:1: templates/_source.html is a link to a file outside templates/")


def test_a_folder_of_templates_linked_to_a_folder_outside_templates(project, tmp_path, capsys):
    own_copy(project, "templates")
    built(project, capsys)
    (project.root / "templates/parts").symlink_to(secret_file(tmp_path, "passwd", SECRET).parent, target_is_directory=True)
    refused(project, capsys, "templates/parts:1:1: templates/parts is a link to a folder outside templates/; replace it with the folder itself")


def test_jinja_itself_refuses_a_template_outside_templates(tmp_path):
    templates = tmp_path / "templates"
    templates.mkdir()
    (templates / "page.html").symlink_to(secret_file(tmp_path, "passwd", SECRET))
    # The engine's own page.html behind it changes nothing: the project's link is refused.
    with pytest.raises(ContentErrors, match="templates/page.html is a link to a file outside templates/"):
        make_environment((templates, ENGINE_HOME / "templates")).get_template("page.html")


def test_a_link_that_stays_inside_its_folder_is_allowed(project, capsys):
    own_copy(project, "assets")
    (project.root / "assets/alias.css").symlink_to("style.css")
    (project.root / "content/CNAME.txt").write_text("news.example\n")
    (project.root / "content/CNAME").symlink_to("CNAME.txt")
    built(project, capsys)
    site = project.root / "site"
    assert (site / "assets/alias.css").read_bytes() == (ENGINE_HOME / "assets/style.css").read_bytes()
    assert (site / "CNAME").read_text() == "news.example\n"


def test_an_image_linked_to_a_file_elsewhere_in_content_follows_that_file(project, capsys, tmp_path):
    """content/images/ may link into the rest of content/: the picture is the linked file's, and an
    edit of that file reaches the site as it reaches a clean build."""
    photos, images = project.root / "content/photos", project.root / "content/images"
    photos.mkdir()
    images.mkdir()
    (photos / "logo.png").write_bytes(png((200, 0, 0)))
    (images / "logo.png").symlink_to("../photos/logo.png")
    use_image(project, "logo.png")
    built(project, capsys)
    (photos / "logo.png").write_bytes(png((0, 0, 200)))
    built(project, capsys)
    build(project, tmp_path / "clean", state=BuildState(PreparedCache(None), None))
    assert tree(project.root / "site") == tree(tmp_path / "clean")


def test_the_preview_refuses_a_saved_file_that_became_a_link_out(project, tmp_path):
    out = tmp_path / "preview"
    state = Session.on_disk(project)  # as `build.py serve` keeps it
    state.build(project, out)
    about = project.root / "content/pages/about.md"
    same_shape = about.read_text().replace("This site is a test fixture.", SECRET)  # else the quick path declines anyway
    about.unlink()
    about.symlink_to(secret_file(tmp_path, "about.md", same_shape))
    assert apply_saves(project, out, state, {about}) is None  # not the quick path: the full one checks
    with pytest.raises(ContentErrors, match="content/pages/about.md is a link to a file outside content/"):
        state.build(project, out)
    assert not any(SECRET.encode() in p.read_bytes() for p in out.rglob("*") if p.is_file())


@pytest.mark.parametrize("folder", ["assets", "templates", "content"])
def test_a_whole_folder_linked_outside_the_project(project, tmp_path, capsys, folder):
    """A pull request may replace assets/ itself with a link: to /, it would publish the machine."""
    built(project, capsys)
    elsewhere = tmp_path / "elsewhere" / folder
    shutil.copytree(project.root / folder, elsewhere)
    (elsewhere / "leak.txt").write_text(SECRET)
    shutil.rmtree(project.root / folder)
    (project.root / folder).symlink_to(elsewhere, target_is_directory=True)
    refused(project, capsys, f"{folder}:1:1: {folder}/ is a link to a folder outside the project; replace it with the folder itself")


def test_plain_files_of_a_confined_folder_are_not_each_followed(project, monkeypatch):
    """Only a link can lead out of content/sources/ once the folder itself is checked: following
    every plain file's path as well (a realpath each, an lstat per part of the path) was most of a
    rebuild with nothing changed at 10,000 entities."""
    from microsite import confine
    from microsite.content import load
    from microsite.errors import Problems

    for n in range(40):
        shutil.copy(next((project.root / "content/sources").glob("*.yaml")), project.root / f"content/sources/copy-{n}.yaml")
    followed = []
    realpath = confine.os.path.realpath
    monkeypatch.setattr(confine.os.path, "realpath", lambda path: followed.append(path) or realpath(path))
    problems = Problems()
    found = load._files(project.root, "sources", (".yaml",), problems)
    assert len(found) > 40 and not problems.errors
    assert len(followed) <= 4, followed


def refused_new(project: Project, capsys, *args: str) -> str:
    """`build.py new ...` refuses in one line, exit 2, and writes nothing."""
    status, out, err = run(project, "new", *args, capsys=capsys)
    assert status == 2, (out, err)
    assert "Traceback" not in err and out == ""
    assert len(err.strip().splitlines()) == 1, err
    return err


def test_new_never_writes_through_a_link(project, capsys, tmp_path):
    """A dangling link where `new` writes (content/companies/x.md -> ~/.bashrc) wrote the file
    it points at, anywhere on the machine; a linked folder likewise."""
    target = tmp_path / "elsewhere" / "bashrc"
    target.parent.mkdir()
    (project.root / "content/companies/initech.md").symlink_to(target)
    err = refused_new(project, capsys, "company", "Initech")
    assert "content/companies/initech.md is a symbolic link, and `new` never writes through one" in err
    assert not target.exists()

    shutil.rmtree(project.root / "content/systems", ignore_errors=True)
    (project.root / "content/systems").symlink_to(target.parent, target_is_directory=True)
    err = refused_new(project, capsys, "system", "Face Match")
    assert "content/systems is a symbolic link, and `new` never writes through one: replace it with the folder itself" in err
    assert sorted(p.name for p in target.parent.iterdir()) == []


def test_new_translation_never_writes_through_a_link(project, capsys, tmp_path):
    site = project.root / "content/site.yaml"
    site.write_text(site.read_text().replace("language: en", "languages: [en, es]"))
    target = tmp_path / "elsewhere" / "authorized_keys"
    target.parent.mkdir()
    (project.root / "content/companies/acme.es.md").symlink_to(target)
    err = refused_new(project, capsys, "translation", "companies/acme", "es")
    assert "content/companies/acme.es.md is a symbolic link, and `new` never writes through one" in err
    assert not target.exists()


def test_new_translation_reads_no_original_outside_content(project, capsys, tmp_path):
    """The starter copies the original's body: an original linked outside would copy a secret in."""
    site = project.root / "content/site.yaml"
    site.write_text(site.read_text().replace("language: en", "languages: [en, es]"))
    (project.root / "content/companies/leak.md").symlink_to(secret_file(tmp_path, "leak.md", LEAKED_PAGE))
    status, _, err = run(project, "new", "translation", "companies/leak", "es", capsys=capsys)
    assert status == 1 and "content/companies/leak.md is a link to a file outside content/" in err
    assert not (project.root / "content/companies/leak.es.md").exists()
    (project.root / "secret.md").write_text(LEAKED_PAGE)
    status, _, err = run(project, "new", "translation", "companies/../../secret", "es", capsys=capsys)
    assert status == 2 and "no page content/companies/../../secret.md to translate" in err
    assert not (project.root / "secret.es.md").exists()

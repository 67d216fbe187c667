"""What a pull request commits can run no code on the machine that builds it and touch no file
outside the project: a forged .cache/, links where the build writes, templates reaching for Python.

Each attack is planted in a copy of the fixture project; the test checks that nothing ran (a marker
file a successful attack would create), nothing outside the project changed, and that the site is
what a clean build makes."""
from __future__ import annotations

import hashlib
import io
import pickle
import struct
import threading
from pathlib import Path

import pytest

from microsite.build import Project
from microsite.errors import Location
from microsite.store.cache import SEAL, seal
from microsite.pickling import records_from

from tests.conftest import make_project, run, tree


class RunsCommand:
    """A pickle that, unpickled by `pickle.loads`, runs a shell command (writes `marker`)."""

    def __init__(self, marker: Path):
        self.marker = marker

    def __reduce__(self):
        import os

        return os.system, (f"touch {self.marker}",)


def unkeyed_seal(data: bytes) -> bytes:
    """The seal as anyone can compute it: a plain blake2b of the bytes (the engine's until now)."""
    return hashlib.blake2b(data, digest_size=SEAL).digest() + data


def cache_files(project: Project) -> list[Path]:
    found = sorted(p for p in (project.root / ".cache").rglob("*") if p.is_file() and p.name != "lock")
    assert found
    return found


@pytest.fixture
def clean_site(tmp_path: Path) -> dict[str, bytes]:
    clean = make_project(tmp_path / "clean")
    assert run(clean, "build")[0] == 0
    return tree(clean.site)


@pytest.mark.parametrize("sealed", [unkeyed_seal, seal], ids=["sealed-as-anyone-can", "sealed-with-the-users-key"])
def test_a_forged_cache_runs_nothing_and_changes_no_page(tmp_path, capsys, clean_site, sealed):
    """Every cache file replaced by a pickle that runs a command: sealed as a stranger can (the
    seal is keyed now), and every pickled one even sealed with this user's own key (only records
    are unpickled; a drawn card sealed with the key is the user's own)."""
    project = make_project(tmp_path / "project")
    assert run(project, "build")[0] == 0
    marker = tmp_path / "ran"
    evil = pickle.dumps(RunsCommand(marker))
    pickled = ("build", "prepared", "search")
    for path in cache_files(project):
        if sealed is seal and not set(pickled) & set(path.parts):
            continue
        if "prepared" in path.parts:  # html and words sizes first, then the pickled record
            path.write_bytes(sealed(struct.pack(">II", 0, 0) + evil))
        else:
            path.write_bytes(sealed(evil))
    (project.root / "content" / "companies" / "acme.md").touch()  # a build that reads the cache
    for command in (["check"], ["build"]):
        status, _, err = run(project, *command, capsys=capsys)
        assert status == 0, err
        assert not marker.exists(), f"{command[0]} ran the cache's command"
    assert tree(project.site) == clean_site


def test_a_forged_prepared_entry_publishes_nothing_of_its_own(tmp_path, capsys, clean_site):
    """A prepared entry's rendered HTML swapped for a script, sealed as anyone can: the page is
    made from the Markdown again."""
    project = make_project(tmp_path / "project")
    assert run(project, "build")[0] == 0
    for path in (project.root / ".cache" / "prepared").rglob("*"):
        if path.is_file():
            data = path.read_bytes()[SEAL:]
            html_size, words_size = struct.unpack_from(">II", data)
            if html_size:
                script = b"<script src=https://tracker.example/x.js></script>"
                data = struct.pack(">II", len(script), words_size) + script + data[8 + html_size:]
            path.write_bytes(unkeyed_seal(data))
    (project.root / "content" / "site.yaml").touch()
    assert run(project, "build", capsys=capsys)[0] == 0
    assert not any(b"tracker.example" in page for page in tree(project.site).values())
    assert tree(project.site) == clean_site


def test_the_preview_runs_nothing_from_a_forged_cache(tmp_path):
    from microsite.preview.serve import Preview

    project = make_project(tmp_path / "project")
    assert run(project, "build")[0] == 0
    marker = tmp_path / "ran"
    for path in cache_files(project):
        path.write_bytes(unkeyed_seal(pickle.dumps(RunsCommand(marker))))
    preview = Preview(project, project.root / ".cache" / "preview")
    assert preview.rebuild()
    assert not marker.exists()


def test_only_the_engines_records_are_unpickled(tmp_path):
    marker = tmp_path / "ran"
    with pytest.raises(pickle.UnpicklingError):
        records_from(pickle.dumps(RunsCommand(marker)))
    with pytest.raises(pickle.UnpicklingError):  # a class of the engine that is not a record
        records_from(pickle.dumps(io.BytesIO))
    with pytest.raises(pickle.UnpicklingError):  # a function of the engine
        records_from(pickle.dumps(records_from))
    assert not marker.exists()
    assert records_from(pickle.dumps(Location("a.md", 3, 4))) == Location("a.md", 3, 4)
    assert records_from(pickle.dumps({"a": (1, frozenset({2}))})) == {"a": (1, frozenset({2}))}


def outside_with_files(tmp_path: Path) -> tuple[Path, dict[str, bytes]]:
    outside = tmp_path / "elsewhere"
    (outside / "prepared").mkdir(parents=True)
    (outside / "notes.txt").write_text("keep me")
    (outside / "prepared" / "ab").write_text("keep me too")
    return outside, tree(outside)


@pytest.mark.parametrize("linked", [".cache", ".cache/prepared", ".cache/prepared/00", ".cache/build"])
@pytest.mark.parametrize("command", ["build", "check"])
def test_a_linked_cache_is_refused_and_nothing_outside_is_touched(tmp_path, capsys, linked, command):
    project = make_project(tmp_path / "project")
    if linked != ".cache":
        assert run(project, "build")[0] == 0
        capsys.readouterr()
    outside, before = outside_with_files(tmp_path)
    link = project.root / linked
    if link.exists():
        import shutil

        shutil.rmtree(link)
    link.parent.mkdir(parents=True, exist_ok=True)
    link.symlink_to(outside, target_is_directory=True)
    status, out, err = run(project, command, capsys=capsys)
    assert status == 2
    assert len(err.strip().splitlines()) == 1 and "symbolic link" in err, err
    assert tree(outside) == before
    assert sorted(p.name for p in outside.iterdir()) == ["notes.txt", "prepared"]


def test_the_preview_refuses_a_linked_cache(tmp_path):
    from microsite.guard import OutputRefused
    from microsite.preview.serve import Preview

    project = make_project(tmp_path / "project")
    outside, before = outside_with_files(tmp_path)
    (project.root / ".cache").symlink_to(outside)
    with pytest.raises(OutputRefused):
        Preview(project, project.root / ".cache" / "preview")
    assert tree(outside) == before


def test_a_site_folder_linked_to_a_tracked_folder_is_not_replaced(tmp_path, capsys):
    """`site -> docs` with docs/.nojekyll (which every build writes) looked like an earlier site."""
    project = make_project(tmp_path / "project")
    docs = project.root / "docs"
    docs.mkdir()
    (docs / ".nojekyll").write_text("")
    (docs / "screenshot.png").write_bytes(b"\x89PNG tracked")
    before = tree(docs)
    (project.root / "site").symlink_to("docs")
    status, _, err = run(project, "build", capsys=capsys)
    assert status == 2 and "symbolic link" in err, err
    assert tree(docs) == before
    status, _, err = run(project, "build", "--out", str(project.root / "site"), capsys=capsys)
    assert status == 2 and tree(docs) == before


def test_an_output_inside_a_linked_folder_of_the_project_is_refused(tmp_path, capsys):
    project = make_project(tmp_path / "project")
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (project.root / "out").symlink_to(outside)
    status, _, err = run(project, "build", "--out", str(project.root / "out" / "site"), capsys=capsys)
    assert status == 2 and "symbolic link" in err, err
    assert list(outside.iterdir()) == []


def test_an_output_folder_holding_only_dotfiles_is_not_taken_for_empty(tmp_path, capsys):
    """A folder whose only entry is .git/ is someone's repository, not an empty folder."""
    project = make_project(tmp_path / "project")
    repo = tmp_path / "other-repository"
    (repo / ".git").mkdir(parents=True)
    (repo / ".git" / "HEAD").write_text("ref: refs/heads/main\n")
    status, _, err = run(project, "build", "--out", str(repo), capsys=capsys)
    assert status == 2, err
    assert (repo / ".git" / "HEAD").read_text() == "ref: refs/heads/main\n"


def test_content_outside_is_not_confined_by_a_name_that_merely_starts_alike(tmp_path, capsys):
    """content-private/ starts like content/ but is not inside it: a page linked there is refused."""
    project = make_project(tmp_path / "project")
    private = project.root / "content-private"
    private.mkdir()
    (private / "leak.md").write_text("---\ntitle: Leak\nsummary: SECRET-TEXT\n---\nSECRET-TEXT\n")
    (project.root / "content" / "pages" / "leak.md").symlink_to(private / "leak.md")
    status, _, err = run(project, "build", capsys=capsys)
    assert status == 1
    assert "content/pages/leak.md:1:1" in err and "outside" in err
    assert not project.site.exists() or not any(b"SECRET-TEXT" in b for b in tree(project.site).values())


REACHES = [
    '{{ cycler.__init__.__globals__.os.system("touch MARKER") }}',
    '{{ lipsum.__globals__["os"].system("touch MARKER") }}',
    "{{ ''.__class__.__mro__[1].__subclasses__() }}{{ t.__init__.__globals__['os'].system('touch MARKER') }}",
    '{% set g = t.__call__.__globals__ %}{{ g["os"].system("touch MARKER") }}',
]


@pytest.mark.parametrize("reach", REACHES)
def test_a_template_reaching_for_python_is_a_located_error_and_runs_nothing(tmp_path, capsys, reach):
    project = make_project(tmp_path / "project")
    assert run(project, "build")[0] == 0
    before = tree(project.site)
    marker = tmp_path / "ran"
    base = project.root / "templates" / "base.html"
    lines = base.read_text().splitlines(keepends=True)
    at = next(i for i, line in enumerate(lines) if "</body>" in line)
    lines.insert(at, reach.replace("MARKER", str(marker)) + "\n")
    base.write_text("".join(lines))
    status, _, err = run(project, "build", capsys=capsys)
    assert status == 1
    assert f"templates/base.html:{at + 1}:" in err and "Traceback" not in err, err
    assert not marker.exists()
    assert tree(project.site) == before  # the previous site untouched


@pytest.mark.parametrize("reach, name", [("cycler.__init__", "__init__"), ("t._one_underscore", "_one_underscore")])
def test_a_template_reaching_for_python_is_reported_with_the_contents_errors(tmp_path, capsys, reach, name):
    """The sandbox's refusal is known from the template alone: a contributor whose pull request
    also breaks a content file sees both in one run, not the template's after mending the content."""
    project = make_project(tmp_path / "project")
    base = project.root / "templates" / "base.html"
    lines = base.read_text().splitlines(keepends=True)
    at = next(i for i, line in enumerate(lines) if "</body>" in line)
    lines.insert(at, "{{ %s }}\n" % reach)
    base.write_text("".join(lines))
    company = project.root / "content" / "companies" / "acme.md"
    company.write_text(company.read_text().replace("---\n", "---\nname: [unclosed\n", 1))
    status, _, err = run(project, "build", capsys=capsys)
    assert status == 1
    assert f"templates/base.html:{at + 1}:" in err and f"'{name}'" in err, err
    assert "content/companies/acme.md:" in err, err


def test_the_preview_shows_a_sandboxed_template_as_an_error(tmp_path):
    from microsite.preview.serve import Preview

    project = make_project(tmp_path / "project")
    marker = tmp_path / "ran"
    base = project.root / "templates" / "base.html"
    base.write_text(base.read_text().replace("</body>", REACHES[0].replace("MARKER", str(marker)) + "</body>"))
    assert not Preview(project, project.root / ".cache" / "preview").rebuild()
    assert not marker.exists()


def test_only_plain_files_are_read_from_the_cache(tmp_path):
    """A link (to /dev/zero, read for ever) or a pipe (waits for ever) is not read. Tested on a
    link to a plain file and on a pipe with no writer: neither hangs should the guard break."""
    import os

    from microsite.store.cache import read_entry

    (tmp_path / "plain").write_bytes(b"x")
    assert read_entry(tmp_path / "plain") == b"x"
    (tmp_path / "link").symlink_to(tmp_path / "plain")
    os.mkfifo(tmp_path / "pipe")
    for name in ("link", "pipe"):
        raised = []

        def read() -> None:
            try:
                read_entry(tmp_path / name)
            except OSError as e:
                raised.append(e)

        reader = threading.Thread(target=read, daemon=True)  # a pipe opened blocking waits for a writer
        reader.start()
        reader.join(5)
        assert raised, f"{name} read"


@pytest.mark.parametrize("kind", ["fifo", "link-outside"])
def test_a_cache_file_that_is_no_plain_file_is_made_again(tmp_path, capsys, clean_site, kind):
    """Every cache file replaced by a pipe or a link to a file outside: each is a miss, made
    again, and the file outside is kept."""
    import os

    project = make_project(tmp_path / "project")
    assert run(project, "build")[0] == 0
    outside = tmp_path / "outside.txt"
    outside.write_text("keep me")
    for path in cache_files(project):
        path.unlink()
        if kind == "fifo":
            os.mkfifo(path)
        else:
            path.symlink_to(outside)
    (project.root / "content" / "companies" / "acme.md").touch()
    assert run(project, "build", capsys=capsys)[0] == 0
    assert tree(project.site) == clean_site
    assert outside.read_text() == "keep me"

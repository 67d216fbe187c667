"""The output folder: a build replaces only a folder it made, one build at a time, readable by
all, and a disk that cannot be written is one clear line, never a traceback."""
from __future__ import annotations

import errno
import hashlib
import os
import shutil
import stat
import subprocess
import time
import sys
import zipfile
from pathlib import Path

import pytest

from microsite.preview.session import Session
from microsite.build import ENGINE_HOME, build
from microsite.write import STAMP, _Tree
from tests.conftest import REPO, ended_pid, run, tree, write, require


def snapshot(root: Path) -> dict[str, str]:
    """Everything under `root`, byte for byte: files, folders and links (not followed), modes."""
    found = {}
    for folder, dirs, files in os.walk(root):
        for name in dirs + files:
            path = Path(folder, name)
            st = path.lstat()
            if stat.S_ISLNK(st.st_mode):
                found[str(path.relative_to(root))] = "link " + os.readlink(path)
            elif stat.S_ISDIR(st.st_mode):
                found[str(path.relative_to(root))] = f"folder {st.st_mode:o}"
            else:
                found[str(path.relative_to(root))] = f"{st.st_mode:o} " + hashlib.sha256(path.read_bytes()).hexdigest()
    return found


# 1. Only a folder the tool made is replaced

@pytest.mark.parametrize("out, guarded, why", [
    ("{project}", "{project}", "it is the project folder"),
    ("content", "{project}", "inside the project's content/ folder"),
    (".", "{project}", "it is the project folder"),
    ("..", "{parent}", "it holds the project folder"),
    ("{parent}/foreign", "{parent}", "it is not empty and was not made by this tool (it has no .microsite-output file)"),
])
def test_a_folder_the_tool_did_not_make_is_refused_and_left_as_it_was(project, capsys, monkeypatch, out, guarded, why):
    parent = project.root.parent
    (parent / "foreign").mkdir()
    (parent / "foreign/notes.txt").write_text("my own notes")
    monkeypatch.chdir(project.root)  # where '.', '..' and 'content' are
    names = {"project": str(project.root), "parent": str(parent)}
    before = snapshot(Path(guarded.format(**names)))
    status, out_text, err = run(project, "build", "--out", out.format(**names), capsys=capsys)
    assert status == 2
    assert out_text == ""
    [line] = err.splitlines()
    assert line.startswith("error: cannot build into ") and why in line and "--out DIR" in line
    assert snapshot(Path(guarded.format(**names))) == before


def test_the_default_site_folder_is_refused_when_something_else_is_there(project, capsys):
    write(project, "site/index.md", "A folder named site that this tool never wrote")
    before = snapshot(project.root)
    status, _, err = run(project, "build", capsys=capsys)
    assert status == 2
    assert "it is not empty and was not made by this tool" in err
    assert snapshot(project.root) == before


def test_a_file_in_place_of_the_folder_is_refused(project, capsys, tmp_path):
    (tmp_path / "out").write_text("a file")
    status, _, err = run(project, "build", "--out", str(tmp_path / "out"), capsys=capsys)
    assert status == 2
    assert "it is a file, not a folder" in err
    assert (tmp_path / "out").read_text() == "a file"


def test_a_new_or_empty_folder_is_built_into_and_stamped(project, capsys, tmp_path):
    (tmp_path / "empty").mkdir()
    for out in (tmp_path / "empty", tmp_path / "new/nested"):
        assert run(project, "build", "--out", str(out), capsys=capsys)[0] == 0
        assert (out / "index.html").is_file() and (out / STAMP).is_file()


def test_a_site_is_rebuilt_in_place_and_stays_stamped(project, capsys):
    assert run(project, "build", capsys=capsys)[0] == 0
    write(project, "content/companies/acme.md", (project.root / "content/companies/acme.md").read_text() + "\nMore.\n")
    status, out, err = run(project, "build", capsys=capsys)
    assert (status, err) == (0, "")
    assert "More." in (project.root / "site/companies/acme.html").read_text()
    assert (project.root / "site" / STAMP).is_file()
    assert STAMP not in build(project).outputs  # not an output: not in the zip, the golden files, the manifest


def test_links_named_like_a_killed_builds_trees_lead_nowhere_outside_the_project(project, capsys, tmp_path):
    """A build removes the trees a killed build left beside `site/`, and puts back a previous site
    it left aside. A pull request can commit links named like them: what they lead to, outside the
    project, is neither moved into the site nor removed."""
    outside = tmp_path / "outside"
    (outside / "site").mkdir(parents=True)
    (outside / "site" / "keep.txt").write_text("someone's file")
    before = snapshot(outside)
    pid = ended_pid()
    (project.root / f".site.old-{pid}-a").symlink_to(outside)
    (project.root / f".site.old-{pid}-b").mkdir()
    (project.root / f".site.old-{pid}-b" / "site").symlink_to(outside / "site")
    (project.root / f".site.new-{pid}-c").symlink_to(outside / "site")
    assert run(project, "build", capsys=capsys)[0] == 0
    assert snapshot(outside) == before
    assert (project.root / "site" / "index.html").is_file() and not (project.root / "site" / "keep.txt").exists()


def test_a_site_written_before_outputs_were_stamped_is_still_rebuilt(project, capsys, tmp_path):
    """An earlier version wrote no stamp: its output is known by the build manifest in .cache/, or,
    for the project's own site/, by the .nojekyll every build writes."""
    for out in (project.root / "site", tmp_path / "elsewhere"):
        assert run(project, "build", "--out", str(out), capsys=capsys)[0] == 0
        (out / STAMP).unlink()
        assert run(project, "build", "--out", str(out), capsys=capsys)[0] == 0
        assert (out / STAMP).is_file()
        (out / STAMP).unlink()
    shutil.rmtree(project.root / ".cache")
    assert run(project, "build", capsys=capsys)[0] == 0
    status, _, err = run(project, "build", "--out", str(tmp_path / "elsewhere"), capsys=capsys)
    assert status == 2 and "was not made by this tool" in err  # nothing says this one is ours


def test_the_offline_copy_replaces_only_an_earlier_offline_copy(project, capsys, tmp_path):
    out = tmp_path / "out" / "site"
    assert run(project, "build", "--out", str(out), "--zip", capsys=capsys)[0] == 0
    [copy] = (tmp_path / "out").glob("*.zip")
    assert run(project, "build", "--out", str(out), "--zip", capsys=capsys)[0] == 0  # an earlier copy: replaced
    with zipfile.ZipFile(copy, "w") as other:
        other.writestr("thesis/chapter-1.md", "my own work")
    before = copy.read_bytes()
    status, _, err = run(project, "build", "--out", str(out), "--zip", capsys=capsys)
    assert status == 2
    assert "is in the way of the offline copy and is not one this tool wrote" in err
    assert copy.read_bytes() == before


# 2. One build at a time

PAUSED_BUILD = """
import sys
from pathlib import Path
import microsite.pipeline
from microsite.cli import main

real = microsite.pipeline.update_site

def paused(*args, **kwargs):
    open(sys.argv[1], "w").close()  # the test waits for this file
    open(sys.argv[2]).read()  # a fifo: returns once the test lets this build go on
    return real(*args, **kwargs)

microsite.pipeline.update_site = paused
root = sys.argv[3]
sys.exit(main(["--root", root, "build"], root=Path(root)))
"""


def test_a_second_build_waits_for_the_first_and_the_site_is_the_last_ones(project, tmp_path):
    started, go = tmp_path / "started", tmp_path / "go"
    os.mkfifo(go)
    acme = project.root / "content/companies/acme.md"
    first = subprocess.Popen([sys.executable, "-c", PAUSED_BUILD, str(started), str(go), str(project.root)], cwd=REPO)
    try:
        deadline = time.monotonic() + 120
        while not started.exists():  # the first build is about to write site/, holding the lock
            assert first.poll() is None and time.monotonic() < deadline, "the first build never reached its writing"
            time.sleep(0.05)
        acme.write_text(acme.read_text() + "\nSaved while the first build ran.\n")
        second = subprocess.Popen(
            [sys.executable, "build.py", "--root", str(project.root), "build"],
            cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )
        assert "another build is running" in second.stderr.readline()
        assert second.poll() is None  # still waiting
        go.write_text("")
        assert first.wait(timeout=60) == 0
        out, err = second.communicate(timeout=60)
        assert second.returncode == 0, err
    finally:
        for process in (first, locals().get("second")):
            if process is not None and process.poll() is None:
                process.kill()
    clean = tmp_path / "clean"
    shutil.copytree(project.root / "content", clean / "content")
    for part in ("templates", "assets"):
        shutil.copytree(ENGINE_HOME / part, clean / part)
    subprocess.run([sys.executable, "build.py", "--root", str(clean), "build"], cwd=REPO, check=True, capture_output=True)
    assert tree(project.root / "site") == tree(clean / "site")  # the second build's site, whole


# 3. Readable by all, whatever the umask

def test_files_are_0644_and_folders_0755_under_umask_077(project, tmp_path):
    out = tmp_path / "out" / "site"
    subprocess.run(
        [sys.executable, "build.py", "--root", str(project.root), "build", "--out", str(out), "--zip"],
        cwd=REPO, check=True, capture_output=True, preexec_fn=lambda: os.umask(0o077),
    )
    preview = project.root / ".cache/preview"
    old = os.umask(0o077)
    try:
        Session.on_disk(project).build(project, preview)
    finally:
        os.umask(old)
    [copy] = (tmp_path / "out").glob("*.zip")
    for root in (out, preview):
        modes = {p: stat.S_IMODE(p.stat().st_mode) for p in [root, *root.rglob("*")]}
        assert {p: m for p, m in modes.items() if m != (0o755 if p.is_dir() else 0o644)} == {}
    assert stat.S_IMODE(copy.stat().st_mode) == 0o644
    assert (out / STAMP).is_file() and (preview / STAMP).is_file()  # the preview's folder is stamped too


# 4. A disk that cannot be written

def test_a_full_disk_is_one_line_and_the_site_is_untouched(project, capsys, monkeypatch):
    assert run(project, "build", capsys=capsys)[0] == 0
    before = snapshot(project.root / "site")
    write(project, "content/companies/acme.md", (project.root / "content/companies/acme.md").read_text() + "\nMore.\n")

    def full(self, name, data):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(_Tree, "write", full)
    status, out, err = run(project, "build", capsys=capsys)
    assert (status, out) == (1, "")
    [line] = err.splitlines()
    assert line.startswith(f"error: cannot write {project.root / 'site'}")
    assert "No space left on device; free some space on that disk, or build elsewhere with --out DIR" in line
    assert snapshot(project.root / "site") == before
    assert [p.name for p in project.root.iterdir() if p.name.startswith(".site.")] == []


def test_a_kept_file_that_cannot_be_linked_is_one_line_naming_it(project, capsys, monkeypatch):
    """The files an edit leaves unchanged are hard-linked into the new tree; a link refused (a
    disk out of inodes, a file system without hard links) names the file, as the user knows it."""
    assert run(project, "build", capsys=capsys)[0] == 0
    before = snapshot(project.root / "site")
    write(project, "content/companies/acme.md", (project.root / "content/companies/acme.md").read_text() + "\nMore.\n")
    link = os.link

    def refused(source, path, *args, **kwargs):
        if str(path).endswith("about.html"):
            raise OSError(errno.EMLINK, os.strerror(errno.EMLINK))
        return link(source, path, *args, **kwargs)

    monkeypatch.setattr(os, "link", refused)
    status, out, err = run(project, "build", capsys=capsys)
    assert (status, out) == (1, "")
    [line] = err.splitlines()
    assert line == f"error: cannot write {project.root / 'site' / 'about.html'}: {os.strerror(errno.EMLINK)}; check that folder, or build elsewhere with --out DIR"
    assert snapshot(project.root / "site") == before


def test_a_read_only_disk_is_one_line_and_the_site_is_untouched(project, tmp_path):
    """A real read-only mount, in a mount namespace of its own (root can write anywhere else)."""
    outs = tmp_path / "outs"
    command = [sys.executable, "build.py", "--root", str(project.root), "build", "--out", str(outs / "site")]
    subprocess.run(command, cwd=REPO, check=True, capture_output=True)
    before = snapshot(outs)
    write(project, "content/companies/acme.md", (project.root / "content/companies/acme.md").read_text() + "\nMore.\n")
    read_only = f"mount --bind {outs} {outs} && mount -o remount,bind,ro {outs} && exec \"$@\""
    usable = shutil.which("unshare") is not None and not subprocess.run(
        ["unshare", "-m", "sh", "-c", read_only, "-", "true"], capture_output=True).returncode
    require(usable, "unshare and mount (root in a private mount namespace)", "run the tests as root on Linux (CI does)")
    result = subprocess.run(["unshare", "-m", "sh", "-c", read_only, "-", *command], cwd=REPO, capture_output=True, text=True)
    assert result.returncode == 1
    [line] = result.stderr.splitlines()
    assert line == (f"error: cannot write {outs}: Read-only file system; the disk is mounted read-only; "
                    "make it writable, or build elsewhere with --out DIR")
    assert snapshot(outs) == before


@pytest.mark.parametrize("number, advice", [
    (errno.ENOSPC, "free some space on that disk"),
    (errno.EDQUOT, "free some space on that disk"),
    (errno.EROFS, "the disk is mounted read-only; make it writable"),
    (errno.EACCES, "give yourself write permission there"),
    (errno.EPERM, "give yourself write permission there"),
    (errno.EMLINK, "check that folder"),
])
def test_a_write_error_says_what_to_do_about_its_cause(number, advice):
    from microsite.write import WriteError

    assert str(WriteError(number, os.strerror(number), "/x/site")) == (
        f"cannot write /x/site: {os.strerror(number)}; {advice}, or build elsewhere with --out DIR"
    )


def test_a_preview_folder_that_cannot_be_made_is_named(tmp_path):
    from microsite.write import WriteError, update_in_place

    (tmp_path / "file").write_text("not a folder")
    with pytest.raises(WriteError) as raised:
        update_in_place([("index.html", b"x")], [], tmp_path / "file" / "preview")
    assert str(raised.value).startswith(f"cannot write {tmp_path / 'file' / 'preview'}: ")


def test_a_file_or_folder_that_cannot_be_written_or_linked_is_named_as_in_the_site(tmp_path, monkeypatch):
    """Not by the temporary tree's name, which the user never sees."""
    from microsite.write import WriteError, update_site

    target = tmp_path / "site"
    update_site([("a/kept.html", b"x")], (), target)
    real_open, real_link = os.open, os.link

    def full(path, *args, **kwargs):
        if str(path).endswith("new.html"):
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return real_open(path, *args, **kwargs)

    def refused(source, path, *args, **kwargs):
        raise OSError(errno.EMLINK, os.strerror(errno.EMLINK))

    monkeypatch.setattr(os, "open", full)
    with pytest.raises(WriteError) as raised:
        update_site([("a/new.html", b"y")], (), target)
    assert str(raised.value).startswith(f"cannot write {target / 'a/new.html'}: ")
    monkeypatch.setattr(os, "open", real_open)
    monkeypatch.setattr(os, "link", refused)
    with pytest.raises(WriteError) as raised:
        update_site([("a/kept.html", None)], (), target)  # kept as it is: linked
    assert str(raised.value).startswith(f"cannot write {target / 'a/kept.html'}: ")
    monkeypatch.setattr(os, "link", real_link)
    with pytest.raises(WriteError) as raised:
        update_site([("b", b"a page"), ("b/c.html", b"z")], (), target)  # a folder where a file is
    assert str(raised.value).startswith(f"cannot write {target / 'b'}: ")
    assert (target / "a/kept.html").read_bytes() == b"x"


def test_a_file_replaced_alone_that_cannot_be_written_is_named(tmp_path):
    """As the preview and the caches replace one file: by its name, not its temporary one's."""
    from microsite.write import WriteError, write_file

    with pytest.raises(WriteError) as raised:
        write_file(tmp_path / "gone" / "index.html", b"x")
    assert str(raised.value).startswith(f"cannot write {tmp_path / 'gone' / 'index.html'}: ")


def test_a_file_replaced_alone_on_a_full_disk_is_kept_whole_and_nothing_is_left_beside_it(tmp_path, monkeypatch):
    from microsite.write import WriteError, write_file

    write_file(tmp_path / "index.html", b"old")

    def full(source, target):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(os, "replace", full)
    with pytest.raises(WriteError, match="free some space"):
        write_file(tmp_path / "index.html", b"new")
    assert [p.name for p in tmp_path.iterdir()] == ["index.html"]
    assert (tmp_path / "index.html").read_bytes() == b"old"


def test_a_site_folder_is_made_with_its_parents_and_a_parent_that_is_a_file_is_named(tmp_path):
    from microsite.write import WriteError, update_site

    update_site([("index.html", b"x")], (), tmp_path / "a" / "b" / "site")
    assert (tmp_path / "a/b/site/index.html").read_bytes() == b"x"
    (tmp_path / "file").write_text("not a folder")
    with pytest.raises(WriteError) as raised:
        update_site([("index.html", b"x")], (), tmp_path / "file" / "site")
    assert str(raised.value).startswith(f"cannot write {tmp_path / 'file'}: ")


def test_a_kept_file_of_a_build_made_under_a_stricter_umask_is_opened_to_all(tmp_path):
    from microsite.write import FILE_MODE, update_site

    target = tmp_path / "site"
    update_site([("kept.html", b"x")], (), target)
    os.chmod(target / "kept.html", 0o600)
    update_site([("index.html", b"y")], ["kept.html"], target)
    assert stat.S_IMODE(os.stat(target / "kept.html").st_mode) == FILE_MODE

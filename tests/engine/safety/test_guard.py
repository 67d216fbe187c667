"""`guard.py` asked directly: which folders a build refuses to replace, which links and cache
folders it refuses, what it says, and one build at a time. `test_output_safety.py` and
`test_untrusted_repository.py` check the same through the command line."""
from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
import zipfile
from pathlib import Path

import pytest

from microsite import guard
from microsite.guard import OutputRefused, check_cache, check_offline, check_output, check_unlinked, exclusive
from microsite.write import STAMP


@pytest.fixture
def root(tmp_path) -> Path:
    root = tmp_path / "project"
    for name in ("content", "templates", "assets", ".git"):
        (root / name).mkdir(parents=True)
    return root


def refused(root: Path, target: Path, defaults=(), built_before=False) -> str:
    with pytest.raises(OutputRefused) as raised:
        check_output(root, target, tuple(defaults), built_before)
    return str(raised.value)


def test_the_project_and_the_folders_holding_it_are_refused(root):
    assert refused(root, root) == (
        f"cannot build into {root}: it is the project folder, and the build replaces its output folder whole; "
        f"choose a new or empty folder with --out DIR, such as {root / 'site'}"
    )
    assert refused(root, root.parent) == (
        f"cannot build into {root.parent}: it holds the project folder {root}, and the build replaces its output "
        f"folder whole; choose a new or empty folder with --out DIR, such as {root / 'site'}"
    )


@pytest.mark.parametrize("name", ["content", "templates", "assets", ".git"])
def test_the_folders_a_build_reads_are_refused(root, name):
    for target in (root / name, root / name / "site"):
        assert refused(root, target) == (
            f"cannot build into {target}: it is inside the project's {name}/ folder, which is not the build's "
            f"to replace; choose a new or empty folder with --out DIR, such as {root / 'site'}"
        )


def test_a_folder_named_like_a_read_one_is_not_inside_it(root):
    check_output(root, root / "contents", (), False)
    check_output(root, root / "site", (), False)


def test_a_file_is_refused_and_site_is_not_suggested_for_itself(root):
    (root / "site").write_text("x")
    assert refused(root, root / "site") == (
        f"cannot build into {root / 'site'}: it is a file, not a folder; choose a new or empty folder with --out DIR"
    )


def test_a_folder_of_something_else_is_refused_unless_a_build_made_it(root, tmp_path):
    other = tmp_path / "photos"
    other.mkdir()
    check_output(root, other, (), False)  # empty
    (other / ".hidden").write_text("x")
    assert refused(root, other) == (
        f"cannot build into {other}: it is not empty and was not made by this tool (it has no {STAMP} file), "
        "and a build replaces everything in its output folder; choose a new or empty folder with --out DIR, "
        f"such as {root / 'site'}, or move the files away"
    )
    check_output(root, other, (), True)  # this project's manifest says a build wrote it
    (other / STAMP).write_text("")
    check_output(root, other, (), False)
    (other / STAMP).unlink()
    (other / STAMP).mkdir()  # a folder is no stamp
    assert "was not made by this tool" in refused(root, other)


def test_an_old_site_without_a_stamp_is_replaced_only_where_the_project_builds(root, tmp_path):
    site = root / "site"
    site.mkdir()
    (site / "index.html").write_text("x")
    (site / ".nojekyll").write_text("")
    check_output(root, site, (site,), False)
    assert "was not made by this tool" in refused(root, site, ())
    (site / ".nojekyll").unlink()
    (site / ".nojekyll").mkdir()
    assert "was not made by this tool" in refused(root, site, (site,))
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / ".nojekyll").write_text("")
    assert "was not made by this tool" in refused(root, elsewhere, (site,))
    check_output(root, tmp_path / "new", (), False)  # not there yet


def test_a_linked_output_or_folder_on_its_way_in_the_project_is_refused(root, tmp_path):
    (tmp_path / "docs").mkdir()
    (root / "site").symlink_to(tmp_path / "docs")
    with pytest.raises(OutputRefused) as raised:
        check_unlinked(root, root / "site")
    assert str(raised.value) == (
        f"cannot use {root / 'site'}: {root / 'site'} is a symbolic link, and the build writes only into real "
        "folders; remove the link (the build makes the folder itself)"
    )
    (root / "out").symlink_to(tmp_path / "docs")
    with pytest.raises(OutputRefused, match=f": {root / 'out'} is a symbolic link"):
        check_unlinked(root, root / "out" / "deeper" / "site")
    with pytest.raises(OutputRefused, match=f"cannot use {root / 'out' / 'site'}:"):
        check_unlinked(root, Path(os.path.relpath(root / "out" / "site")))  # named relative to here


def test_links_outside_the_project_are_the_users_own(root, tmp_path):
    (tmp_path / "mnt").symlink_to(tmp_path)
    check_unlinked(root, tmp_path / "mnt" / "site")
    check_unlinked(root, root / "site")
    linked_root = tmp_path / "linked-project"
    linked_root.symlink_to(root)
    check_unlinked(linked_root, linked_root / "site")  # the project itself, however it is reached


def test_a_cache_holding_a_link_is_refused(root, tmp_path):
    cache = root / ".cache"
    check_cache(root, cache)  # none yet
    (cache / "prepared" / "ab").mkdir(parents=True)
    (cache / "prepared" / "ab" / "linked-file").symlink_to(tmp_path)  # a file in a shard: never written through
    check_cache(root, cache)
    for where in (cache / "images", cache / "prepared" / "cd"):
        where.symlink_to(tmp_path)
        with pytest.raises(OutputRefused) as raised:
            check_cache(root, cache)
        assert str(raised.value) == (
            f"the cache folder {cache} holds a symbolic link, {where}, which no build makes; delete the cache "
            "folder (it is made again) and build again"
        )
        where.unlink()
    (cache / "prepared" / "cd").write_text("")
    check_cache(root, cache)


def test_a_linked_cache_is_refused(root, tmp_path):
    (root / ".cache").symlink_to(tmp_path)
    with pytest.raises(OutputRefused, match="is a symbolic link"):
        check_cache(root, root / ".cache")
    (root / ".cache").unlink()
    (root / ".cache").mkdir()
    (root / ".cache" / "prepared").symlink_to(tmp_path)
    with pytest.raises(OutputRefused, match="holds a symbolic link"):
        check_cache(root, root / ".cache")


def test_the_offline_copy_replaces_only_an_earlier_one(tmp_path):
    path = tmp_path / "site.zip"
    check_offline(path, "site")  # free
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("site/index.html", "x")
        archive.writestr("site/a/b.html", "x")
    check_offline(path, "site")
    for names in (["site/index.html", "sitemap.txt"], ["other/index.html"], ["site"]):
        path.unlink()
        with zipfile.ZipFile(path, "w") as archive:
            for name in names:
                archive.writestr(name, "x")
        with pytest.raises(OutputRefused) as raised:
            check_offline(path, "site")
        assert str(raised.value) == (
            f"{path} is in the way of the offline copy and is not one this tool wrote: move it away and build "
            "again (the site itself was built)"
        )
    path.unlink()
    path.write_text("not a zip")
    with pytest.raises(OutputRefused):
        check_offline(path, "site")
    path.unlink()
    path.symlink_to(tmp_path / "nowhere")  # a dangling link is in the way too
    with pytest.raises(OutputRefused):
        check_offline(path, "site")
    path.unlink()
    path.mkdir()
    with pytest.raises(OutputRefused):
        check_offline(path, "site")


def test_an_empty_earlier_copy_is_one_this_tool_wrote(tmp_path):
    path = tmp_path / "site.zip"
    zipfile.ZipFile(path, "w").close()
    check_offline(path, "site")


HOLD = """
import sys, time
from pathlib import Path
from microsite.guard import exclusive
with exclusive([Path(p) for p in sys.argv[1:]]):
    print("held", flush=True)
    sys.stdin.readline()
"""


def test_a_second_holder_waits_for_the_first_and_says_so_once(tmp_path, capfd):
    lock, folder = tmp_path / "cache" / "lock", tmp_path / "out"
    folder.mkdir()
    holder = subprocess.Popen([sys.executable, "-c", HOLD, str(lock), str(folder)], stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, text=True, env={**os.environ, "PYTHONPATH": os.getcwd()})
    try:
        assert holder.stdout.readline() == "held\n"
        assert lock.is_file() and oct(lock.stat().st_mode & 0o777) == oct(0o644 & ~_umask())
        entered = threading.Event()

        def second():
            with exclusive([lock, folder]):
                entered.set()

        thread = threading.Thread(target=second)
        thread.start()
        time.sleep(0.5)
        assert not entered.is_set()
        holder.stdin.write("\n")
        holder.stdin.flush()
        thread.join(10)
        assert entered.is_set()
    finally:
        holder.kill()
        holder.wait()
    err = capfd.readouterr().err
    assert err == f"another build is running (it holds {lock}); waiting for it to finish\n"


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def test_the_locks_are_let_go_at_the_end(tmp_path):
    lock = tmp_path / "lock"
    with exclusive([lock]):
        pass
    done = subprocess.run([sys.executable, "-c", "import fcntl, os, sys; fd = os.open(sys.argv[1], os.O_RDWR); "
                           "fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)", str(lock)], capture_output=True)
    assert done.returncode == 0, done.stderr


def test_a_lock_that_cannot_be_made_stops_the_build_unless_it_is_not_required(tmp_path):
    (tmp_path / "file").write_text("")
    lock = tmp_path / "file" / "lock"  # no folder can be made inside a file
    with pytest.raises(OSError):
        with exclusive([lock]):
            pass
    ran = []
    with exclusive([lock, tmp_path / "other"], required=False):
        ran.append(True)
    assert ran == [True] and (tmp_path / "other").is_file()


def test_a_linked_lock_file_is_not_followed(tmp_path):
    (tmp_path / "lock").symlink_to(tmp_path / "elsewhere")
    with pytest.raises(OSError):
        with exclusive([tmp_path / "lock"]):
            pass
    assert not (tmp_path / "elsewhere").exists()


def test_without_flock_the_block_runs_unlocked(tmp_path, monkeypatch):
    monkeypatch.setattr(guard, "fcntl", None)
    ran = []
    with exclusive([tmp_path / "no" / "lock"]):
        ran.append(True)
    assert ran == [True] and not (tmp_path / "no").exists()

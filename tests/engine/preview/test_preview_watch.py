"""The preview's watcher tells every save, or says it cannot: a file made in a folder the watcher
has not seen yet counts, and when the kernel drops events (its queue overflowed), the preview
rebuilds everything rather than miss a save."""
from __future__ import annotations

import asyncio
import os
import threading
import struct
from pathlib import Path

import pytest

from microsite.preview.watch import IN_Q_OVERFLOW, Inotify

pytestmark = pytest.mark.skipif(not Inotify.available(), reason="inotify is Linux's")


def test_a_file_made_in_a_new_folder_before_it_is_watched_counts(tmp_path):
    watcher = Inotify([tmp_path])
    try:
        (tmp_path / "companies" / "deep").mkdir(parents=True)
        (tmp_path / "companies" / "deep" / "new.md").write_text("x")  # before the watcher heard of the folder
        (tmp_path / "companies" / "other.md").write_text("y")
        changed = set(watcher.changes())
        assert {tmp_path / "companies" / "deep" / "new.md", tmp_path / "companies" / "other.md"} <= changed
        (tmp_path / "companies" / "deep" / "new.md").write_text("z")  # and the new folder is watched
        assert tmp_path / "companies" / "deep" / "new.md" in watcher.changes()
    finally:
        watcher.close()


def events(*pairs: tuple[int, int]) -> bytes:
    return b"".join(struct.pack("iIII", wd, mask, 0, 0) for wd, mask in pairs)


def test_an_overflowed_queue_is_told_as_everything_changed(tmp_path):
    watcher = Inotify([tmp_path])
    read, write = os.pipe()
    os.set_blocking(read, False)
    os.close(watcher.fd)
    watcher.fd = read  # the kernel's queue, as it reads after an overflow
    os.write(write, events((-1, IN_Q_OVERFLOW)))
    assert watcher.changes() is None
    assert watcher.changes() == []
    os.close(write)
    watcher.close()


class Queue:
    """The kernel's queue as the preview's watcher reads it: `events` wake-ups, then each read
    of `changes()` gives the next of `answers` (a list of files, or None for an overflow)."""

    def __init__(self, answers: list, events: int):
        self.answers = list(answers)
        self.read, self.write = os.pipe()
        os.set_blocking(self.read, False)
        os.write(self.write, b"!" * events)

    def fileno(self):
        return self.read

    def changes(self):
        try:
            os.read(self.read, 1)
        except BlockingIOError:
            pass
        return self.answers.pop(0) if self.answers else []


A, B = Path("content/a.md"), Path("content/b.md")


@pytest.mark.parametrize("answers, events, rebuilt, named", [
    ([[A], None], 1, [None], str(A)),  # a save, then an overflow while it settles
    ([None, [A]], 1, [None], str(A)),  # an overflow, then a save
    ([None], 1, [None], ""),  # an overflow alone
    ([[A], [B]], 2, [{A, B}], str(A)),  # two events before it settles: one rebuild of both files
    ([[]], 1, [], None),  # an event for no file of the site (an editor's swap file): nothing
], ids=["save then overflow", "overflow then save", "overflow alone", "two saves at once", "no file"])
def test_each_settled_save_is_one_rebuild_and_an_overflow_rebuilds_everything(answers, events, rebuilt, named):
    from microsite.preview.serve import _save_watcher

    done: list = []
    watcher = _save_watcher(Queue(answers, events), done.append)

    async def saves() -> None:
        reloaded = asyncio.Event()
        watcher.start(reloaded.set)
        try:
            await asyncio.wait_for(reloaded.wait(), 5 if rebuilt else 0.3)
            await asyncio.sleep(0.1)  # a second rebuild would come now
        except asyncio.TimeoutError:
            pass

    # In a thread of its own: the browser tests' driver may hold a running loop in this one.
    saving = threading.Thread(target=asyncio.run, args=(saves(),))
    saving.start()
    saving.join(10)
    assert done == rebuilt
    if named is not None:
        assert watcher.examine() == ("__livereload__", None) and watcher.filepath == named
    assert watcher.examine() == (None, None)


def test_two_looks_tell_saves_new_files_and_deletions_but_not_editors_files(tmp_path):
    """Where there is no inotify (macOS, Windows) the preview compares looks at the folders."""
    from microsite.preview.watch import changed_between, look

    (tmp_path / "sub").mkdir()
    (tmp_path / "a.md").write_text("x")
    (tmp_path / "sub" / "b.md").write_text("y")
    before = look([tmp_path])
    (tmp_path / "a.md").write_text("xy")
    (tmp_path / "sub" / "b.md").unlink()
    (tmp_path / "sub" / "c.md").write_text("z")
    for name in (".a.md.swp", "a.md~", "#a.md#", "a.md.tmp", ".git/HEAD"):  # what the build never reads, too
        (tmp_path / name).parent.mkdir(exist_ok=True)
        (tmp_path / name).write_text("an editor's or a tool's")
    (tmp_path / "loop").symlink_to(tmp_path)  # not followed
    after = look([tmp_path])
    assert changed_between(before, after) == {tmp_path / "a.md", tmp_path / "sub" / "b.md", tmp_path / "sub" / "c.md"}
    assert changed_between(after, look([tmp_path])) == set()

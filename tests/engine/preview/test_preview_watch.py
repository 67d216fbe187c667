"""The preview's watcher tells every save, or says it cannot: a file made in a folder the watcher
has not seen yet counts, and when the kernel drops events (its queue overflowed), the preview
rebuilds everything rather than miss a save."""
from __future__ import annotations

import asyncio
import os
import threading
import struct

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


@pytest.mark.parametrize("overflow_first", [False, True], ids=["save then overflow", "overflow then save"])
def test_the_preview_rebuilds_everything_after_an_overflow(tmp_path, overflow_first):
    from microsite.preview.serve import _save_watcher

    class Queue:
        def __init__(self, answers):
            self.answers = list(answers)
            self.read, self.write = os.pipe()
            os.set_blocking(self.read, False)
            os.write(self.write, b"!")  # one event: the answers after the first are read on settling

        def fileno(self):
            return self.read

        def changes(self):
            try:
                os.read(self.read, 1)
            except BlockingIOError:
                pass
            return self.answers.pop(0) if self.answers else []

    rebuilt = []
    queue = Queue([None, [tmp_path / "a.md"]] if overflow_first else [[tmp_path / "a.md"], None])
    watcher = _save_watcher(queue, rebuilt.append)

    async def one_save() -> None:
        reloaded = asyncio.Event()
        watcher.start(reloaded.set)
        await asyncio.wait_for(reloaded.wait(), 5)

    # In a thread of its own: the browser tests' driver may hold a running loop in this one.
    saving = threading.Thread(target=asyncio.run, args=(one_save(),))
    saving.start()
    saving.join(10)
    assert rebuilt == [None]
    assert watcher.examine() == ("__livereload__", None) and watcher.filepath == str(tmp_path / "a.md")

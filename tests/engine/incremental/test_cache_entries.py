"""Reading .cache/ asked directly (`cache.py`): what a sealed entry gives back, and that a damaged,
forged, cut or odd file gives nothing and is made again, never read as it stands."""
from __future__ import annotations

import errno
import os
import pickle
import struct
import threading

import pytest

from microsite.content.cached import _parse_entry
from microsite.content.prepare import Prepared
from microsite.store import cache
from microsite.store.cache import (
    ENTRY_HEAD, KEY, SEAL, TEXTS, cached, read_entry, read_sealed_pickle, seal, unsealed,
    write_sealed_pickle,
)
from microsite.errors import Location


@pytest.fixture(autouse=True)
def key(monkeypatch):
    monkeypatch.setattr(cache, "seal_key", lambda: b"k" * KEY)


def test_a_sealed_entry_gives_back_its_bytes_and_a_changed_one_nothing():
    entry = seal(b"bytes of an image")
    assert len(entry) == SEAL + len(b"bytes of an image")
    assert bytes(unsealed(entry)) == b"bytes of an image"
    assert bytes(unsealed(seal(b""))) == b""
    for damaged in (entry[:-1], entry[1:], entry[:SEAL], entry[: SEAL - 1], b"", b"x" + entry[1:],
                    entry[:SEAL] + b"bytes of an imagf"):
        assert unsealed(damaged) is None


def test_read_entry_reads_a_plain_file_whole(tmp_path):
    (tmp_path / "entry").write_bytes(b"x" * 100_000)
    assert read_entry(tmp_path / "entry") == b"x" * 100_000
    assert read_entry(str(tmp_path / "entry")) == b"x" * 100_000
    with pytest.raises(FileNotFoundError):
        read_entry(tmp_path / "missing")


def error_reading_a_pipe(path) -> OSError | None:
    """`read_entry(path)`'s error, read in a thread: a reading that waits for a writer fails the
    test after 5 s rather than hanging the run (and `make mutate`'s workers, whose limit counts
    CPU time, which a blocked `open` does not use)."""
    raised: list[OSError] = []

    def read():
        try:
            read_entry(path)
        except OSError as e:
            raised.append(e)

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    reader.join(5)
    assert not reader.is_alive(), "reading a pipe waited for a writer"
    return raised[0] if raised else None


def test_read_entry_refuses_a_folder_and_a_pipe_with_a_reason(tmp_path):
    (tmp_path / "folder").mkdir()
    os.mkfifo(tmp_path / "pipe")
    with pytest.raises(OSError):
        read_entry(tmp_path / "folder")
    error = error_reading_a_pipe(tmp_path / "pipe")
    assert error is not None and (error.errno, error.filename) == (errno.EINVAL, str(tmp_path / "pipe"))


def test_read_entry_of_a_pipe_does_not_wait_for_a_writer(tmp_path):
    os.mkfifo(tmp_path / "pipe")
    error_reading_a_pipe(tmp_path / "pipe")


def test_a_sealed_pickle_comes_back_and_anything_else_is_none(tmp_path):
    path = tmp_path / "deep" / "value.pickle"
    write_sealed_pickle(path, Location("content/a.md", 3, 4))
    assert read_sealed_pickle(path) == Location("content/a.md", 3, 4)
    data = path.read_bytes()
    path.write_bytes(data[:-1])
    assert read_sealed_pickle(path) is None
    assert read_sealed_pickle(tmp_path / "missing") is None
    path.write_bytes(seal(b"not a pickle"))
    assert read_sealed_pickle(path) is None
    path.write_bytes(seal(pickle.dumps(os.getcwd)))  # sealed, but not a record of the engine
    assert read_sealed_pickle(path) is None
    path.unlink()
    path.symlink_to(tmp_path / "elsewhere")
    (tmp_path / "elsewhere").write_bytes(data)
    assert read_sealed_pickle(path) is None


def test_cached_makes_once_and_reads_back(tmp_path):
    made = []

    def make():
        made.append(1)
        return b"made %d" % len(made)

    folder = tmp_path / ".cache" / "cards"  # neither made yet
    assert cached(folder, "key", ".png", make) == b"made 1"
    assert (folder / "key.png").read_bytes() == seal(b"made 1")
    assert cached(folder, "key", ".png", make) == b"made 1"
    assert type(cached(folder, "key", ".png", make)) is bytes
    assert made == [1]
    assert cached(folder, "other", ".png", make) == b"made 2"
    assert cached(None, "key", ".png", make) == b"made 3"  # no cache: made each time
    assert not (tmp_path / "None").exists()


def test_cached_makes_a_damaged_or_odd_entry_again_and_replaces_it(tmp_path):
    folder = tmp_path / "cards"
    folder.mkdir()
    (folder / "key.png").write_bytes(seal(b"old")[:-1])
    assert cached(folder, "key", ".png", lambda: b"new") == b"new"
    assert (folder / "key.png").read_bytes() == seal(b"new")
    (folder / "key.png").unlink()
    (folder / "key.png").symlink_to(tmp_path / "outside")
    (tmp_path / "outside").write_bytes(seal(b"outside"))
    assert cached(folder, "key", ".png", lambda: b"new") == b"new"
    assert (tmp_path / "outside").read_bytes() == seal(b"outside")  # replaced, not written through
    assert not (folder / "key.png").is_symlink()


def prepared() -> Prepared:
    return Prepared(None, (), None, None, "digest", "card", "links")


def entry_of(value: object, html: bytes = b"<p>x</p>", words: bytes = b"x") -> bytes:
    return seal(ENTRY_HEAD.pack(len(html), len(words)) + html + words + pickle.dumps(value))


def test_a_prepared_entry_gives_its_record_and_the_sizes_of_its_texts():
    assert _parse_entry(entry_of(prepared())) == (prepared(), 8, 1)
    assert _parse_entry(entry_of(prepared(), b"", b"")) == (prepared(), 0, 0)
    assert TEXTS == SEAL + 8


def test_a_damaged_or_foreign_prepared_entry_gives_nothing():
    entry = entry_of(prepared())
    assert _parse_entry(entry[:-1]) is None
    assert _parse_entry(seal(b"\0\0\0")) is None  # too short for its head
    assert _parse_entry(seal(struct.pack(">II", 1000, 0) + b"x")) is None  # sizes beyond its end
    assert _parse_entry(entry_of(Location("a", 1, 1))) is None  # a record, but no prepared file
    assert _parse_entry(entry_of(os.getcwd)) is None
    assert _parse_entry(seal(ENTRY_HEAD.pack(0, 0) + b"not a pickle")) is None


def test_every_prepared_file_is_stored_even_beside_another_in_its_folder(tmp_path):
    """Entries are spread over folders named by their key's first two characters: the second
    entry of a folder is stored as the first was, not refused because the folder exists."""
    from microsite.build import build
    from microsite.content.cached import PreparedCache
    from tests.conftest import make_project

    project = make_project(tmp_path / "project")
    build(project)
    entry = sorted((project.cache / "prepared").glob("*/*"))[0]
    value = PreparedCache(project.cache / "prepared").get(entry.name)
    cache = PreparedCache(tmp_path / "fresh")
    for name in ("ab" + "0" * 30, "ab" + "1" * 30):
        cache.store(name, value)
        assert cache.get(name) is not None and (tmp_path / "fresh" / "ab" / name).is_file()


def test_a_stray_file_among_the_cache_folders_is_left_and_the_build_goes_on(tmp_path):
    """A file beside the entries' folders (a desktop's `.DS_Store`, a note) is no folder to prune."""
    from microsite.build import build
    from tests.conftest import make_project

    project = make_project(tmp_path / "project")
    build(project)
    stray = project.cache / "prepared" / ".DS_Store"
    stray.write_bytes(b"\0Bud1")
    acme = project.root / "content/companies/acme.md"
    acme.write_text(acme.read_text(encoding="utf-8") + "\nOne more paragraph.\n", encoding="utf-8")
    build(project)
    assert "One more paragraph." in (project.site / "companies/acme.html").read_text(encoding="utf-8")
    assert stray.read_bytes() == b"\0Bud1"

"""Where the seal's key lives and which key file is trusted (`cache.seal_key`), asked of the
functions themselves: a key in the project, or one another user could write, would let a pull
request's cache files pass their seal."""
from __future__ import annotations

import hashlib
import os
import stat
from pathlib import Path

import pytest

from microsite.store import cache
from microsite.store.cache import KEY, SEAL, key_file, seal, seal_key, unsealed

make_key = seal_key.__wrapped__  # uncached: each call reads the key file again


@pytest.fixture
def home(tmp_path, monkeypatch) -> Path:
    """A user's home with no cache folder named in the environment."""
    monkeypatch.delenv("XDG_CACHE_HOME", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    return tmp_path / "home"


def test_the_key_lives_in_the_users_cache_folder_named_by_xdg(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert key_file() == tmp_path / "xdg" / "microsite" / "seal-key"


@pytest.mark.parametrize("empty", [None, ""])
def test_the_key_lives_in_dot_cache_without_xdg(home, monkeypatch, empty):
    if empty is not None:
        monkeypatch.setenv("XDG_CACHE_HOME", empty)
    assert key_file() == home / ".cache" / "microsite" / "seal-key"


def test_the_key_is_made_once_readable_by_the_user_alone_and_kept(home):
    key = make_key()
    path = home / ".cache" / "microsite" / "seal-key"
    assert path.read_bytes() == key and len(key) == KEY
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert make_key() == key  # the next run seals with the same key: what it cached is read again


def test_a_key_file_of_the_user_is_used_as_it_is(home):
    path = home / ".cache" / "microsite" / "seal-key"
    path.parent.mkdir(parents=True)
    path.write_bytes(b"k" * KEY)
    path.chmod(0o600)
    assert make_key() == b"k" * KEY
    path.chmod(0o644)  # readable by others is their reading a secret, not forging: still the user's own
    assert make_key() == b"k" * KEY


def untrusted(path: Path, how: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    if how == "link":
        target = path.parent / "elsewhere"
        target.write_bytes(b"k" * KEY)
        target.chmod(0o600)
        path.symlink_to(target)
        return
    path.write_bytes({"short": b"k" * (KEY - 1), "long": b"k" * (KEY + 1), "empty": b""}.get(how, b"k" * KEY))
    path.chmod({"group-writable": 0o620, "world-writable": 0o602}.get(how, 0o600))


@pytest.mark.parametrize("how", ["link", "group-writable", "world-writable", "short", "long", "empty"])
def test_a_key_file_that_is_not_the_users_alone_is_not_trusted(home, how):
    path = home / ".cache" / "microsite" / "seal-key"
    untrusted(path, how)
    first, second = make_key(), make_key()
    assert len(first) == KEY and first != b"k" * KEY
    assert first != second  # a key of the run's own: nothing it seals is read by another run
    assert first[: KEY - 1] != b"k" * (KEY - 1)


def test_a_key_file_of_another_user_is_not_trusted(home, monkeypatch):
    path = home / ".cache" / "microsite" / "seal-key"
    untrusted(path, "plain")
    monkeypatch.setattr(os, "geteuid", lambda: os.stat(path).st_uid + 1)
    assert make_key() != b"k" * KEY


def test_a_key_file_that_is_a_folder_or_cannot_be_made_is_not_trusted(home, tmp_path, monkeypatch):
    path = home / ".cache" / "microsite" / "seal-key"
    path.mkdir(parents=True)
    first = make_key()
    assert len(first) == KEY and first != make_key()
    blocked = tmp_path / "file"
    blocked.write_bytes(b"")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocked))  # no folder can be made inside a file
    assert len(make_key()) == KEY and make_key() != make_key()


def test_a_key_file_written_later_is_not_overwritten(home):
    path = home / ".cache" / "microsite" / "seal-key"
    path.parent.mkdir(parents=True)
    path.write_bytes(b"k" * KEY)
    path.chmod(0o600)
    make_key()
    assert path.read_bytes() == b"k" * KEY


def test_a_seal_is_keyed_with_the_users_key(home, monkeypatch):
    monkeypatch.setattr(cache, "seal_key", lambda: b"k" * KEY)

    sealed = seal(b"data")
    assert sealed == hashlib.blake2b(b"data", digest_size=SEAL, key=b"k" * KEY).digest() + b"data"
    assert bytes(unsealed(sealed)) == b"data"
    monkeypatch.setattr(cache, "seal_key", lambda: b"o" * KEY)
    assert unsealed(sealed) is None  # another user's key: not this user's cache

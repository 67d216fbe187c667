"""A damaged file in .cache/ never reaches the site: each entry is checked against the digest of
its bytes, and one that does not match is made again. After any damage the site is, byte for
byte, what a build with no cache at all makes, and no build shows a traceback."""
from __future__ import annotations

import io
import shutil
from pathlib import Path
from typing import Callable

import pytest
from PIL import Image

from microsite.store import stamps
from microsite.build import Project

from tests.conftest import run, tree


def entries(project: Project, folder: str) -> list[Path]:
    found = sorted(p for p in (project.root / ".cache" / folder).rglob("*") if p.is_file())
    assert found, f"no entries in .cache/{folder}"
    return found


def prepared_narrative(project: Project) -> None:
    """A changed word in a narrative's rendered HTML, the part a page is made from."""
    [entry] = [p for p in entries(project, "prepared") if b"The report calls Acme" in p.read_bytes()]
    entry.write_bytes(entry.read_bytes().replace(b"The report calls Acme", b"The report calls Axme"))


def prepared_record(project: Project) -> None:
    """A flipped byte in the pickled record of every entry."""
    for entry in entries(project, "prepared"):
        data = bytearray(entry.read_bytes())
        data[-20] ^= 0x55
        entry.write_bytes(bytes(data))


def cut_short(folder: str) -> Callable[[Project], None]:
    """Every entry of .cache/`folder` cut to half its length (a copy interrupted, a full disk)."""
    def damage(project: Project) -> None:
        for entry in entries(project, folder):
            entry.write_bytes(entry.read_bytes()[: entry.stat().st_size // 2])
    return damage


def flipped_in_the_middle(folder: str) -> Callable[[Project], None]:
    def damage(project: Project) -> None:
        for entry in entries(project, folder):
            data = bytearray(entry.read_bytes())
            data[len(data) // 2] ^= 0xFF
            entry.write_bytes(bytes(data))
    return damage


def not_utf8_in(name: str, marker: bytes) -> Callable[[Project], None]:
    """A byte in a pickled file name made 0xFF: unpickled as it is, a UnicodeDecodeError."""
    def damage(project: Project) -> None:
        [entry] = [p for p in entries(project, "build") if p.name.startswith(name)]
        data = entry.read_bytes()
        assert marker in data
        entry.write_bytes(data.replace(marker, b"\xff" + marker[1:], 1))
    return damage


def search_term_changed(project: Project) -> None:
    """A term in the kept search terms spelled otherwise, the file still a valid pickle."""
    for entry in entries(project, "search"):
        data = entry.read_bytes()
        assert b"report" in data
        entry.write_bytes(data.replace(b"report", b"rep0rt"))


def flipped_at(name: str, marker: bytes) -> Callable[[Project], None]:
    """The first byte of `marker` in .cache/build/`name`* flipped."""
    def damage(project: Project) -> None:
        [entry] = [p for p in entries(project, "build") if p.name.startswith(name)]
        data = bytearray(entry.read_bytes())
        data[data.index(marker)] ^= 0xFF
        entry.write_bytes(bytes(data))
    return damage


DAMAGE = {  # what is damaged, how, and whether the build must write into a new folder to read it
    "a prepared entry's narrative": (prepared_narrative, True),
    "every prepared entry's record": (prepared_record, True),
    "every card cut short": (cut_short("cards"), True),
    "every card with a flipped byte": (flipped_in_the_middle("cards"), True),
    "every processed image cut short": (cut_short("images"), True),
    "every processed image with a flipped byte": (flipped_in_the_middle("images"), True),
    "the search terms cut short": (cut_short("search"), True),
    "the search terms with a flipped byte": (flipped_in_the_middle("search"), True),
    "a search term changed": (search_term_changed, True),
    "the sitemap cut short": (cut_short("sitemap"), True),
    "the sitemap with a flipped byte": (flipped_in_the_middle("sitemap"), True),
    "the output's manifest": (not_utf8_in("manifest-", b"companies/acme.html"), False),
    "the manifest cut short": (cut_short("build"), False),
    "a file name in the inputs' stamps": (not_utf8_in("stamps", b"acme.md"), False),
    # Pickle's LONG1 opcode with 8 bytes (a file's time, in ns), flipped: unpickled as it is, a TypeError.
    "a time in the inputs' stamps": (flipped_at("stamps", b"\x8a\x08"), False),
}


def with_image(project: Project) -> None:
    images = project.root / "content/images"
    images.mkdir()
    out = io.BytesIO()
    Image.new("RGB", (700, 400), (180, 30, 30)).save(out, "PNG")
    (images / "logo.png").write_bytes(out.getvalue())
    acme = project.root / "content/companies/acme.md"
    acme.write_text(acme.read_text().replace("figures:", 'image:\n  file: logo.png\n  alt: "A red square"\nfigures:', 1))


@pytest.mark.parametrize("what", list(DAMAGE))
def test_a_damaged_cache_entry_is_made_again(project, tmp_path, capsys, monkeypatch, what):
    monkeypatch.setattr(stamps, "SETTLED_NS", 0)  # every input stamped, as files saved long ago are
    damage, new_folder = DAMAGE[what]
    with_image(project)
    assert run(project, "build", capsys=capsys)[0] == 0
    damage(project)
    out = tmp_path / "after-damage" if new_folder else project.site  # a new folder reads every entry
    status, _, err = run(project, "build", "--out", str(out), capsys=capsys)
    assert status == 0 and "Traceback" not in err, err
    status, _, err = run(project, "check", capsys=capsys)
    assert status == 0 and "Traceback" not in err, err
    after = tree(out)
    if new_folder:  # the damaged entries were made again: read now, they give the same site
        assert run(project, "build", "--out", str(tmp_path / "again"), capsys=capsys)[0] == 0
        assert tree(tmp_path / "again") == after
    shutil.rmtree(project.root / ".cache")
    assert run(project, "build", "--out", str(tmp_path / "clean"), capsys=capsys)[0] == 0
    assert after == tree(tmp_path / "clean")


def test_the_engine_digest_covers_modules_in_the_package_s_folders(tmp_path, monkeypatch):
    """A change to a module in a folder of the engine makes every cache entry stale, as one at its top does."""
    from microsite.store import cache

    engine = tmp_path / "engine"
    (engine / "stage").mkdir(parents=True)
    (engine / "top.py").write_text("A = 1\n")
    (engine / "stage" / "inner.py").write_text("B = 1\n")
    monkeypatch.setattr(cache, "ENGINE", engine)
    cache.engine_digest.cache_clear()
    try:
        before = cache.engine_digest()
        cache.engine_digest.cache_clear()
        (engine / "stage" / "inner.py").write_text("B = 2\n")
        assert cache.engine_digest() != before
    finally:
        cache.engine_digest.cache_clear()

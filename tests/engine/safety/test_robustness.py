"""What a build does with hostile or unlucky input: killed half-way, huge files, deep nesting,
unusual Unicode. It builds, or stops with a located error and no traceback; site/ is never left
half-written."""
from __future__ import annotations

import hashlib
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from microsite.build import ENGINE_HOME, Project
from microsite.content.fields import MAX_EXCERPT
from microsite.yamlfile import MAX_FILE_BYTES
from microsite.build import ENGINE_HOME
from tests.conftest import REPO, run, write

LOCATED = re.compile(r"^content/[^:]+:\d+:\d+: ")


def digest(root: Path) -> dict[str, str]:
    return {
        p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*")) if p.is_file()
    }


def add_companies(project, count: int, marker: str) -> None:
    for n in range(count):
        write(project, f"content/companies/firm-{n:03}.md", (
            f"---\nname: Firm {n} {marker}\nsummary: A firm. [@report-2020]\n---\n"
            + f"Paragraph {marker} [@daily-2020-01-02].\n\n" * 10
        ))


def test_a_killed_build_leaves_the_previous_site_intact(project, capsys, tmp_path):
    add_companies(project, 150, "old")
    assert run(project, "build", capsys=capsys)[0] == 0
    site = project.root / "site"
    before = digest(site)
    add_companies(project, 150, "new")
    total = len(before)
    killed_while_writing = 0
    for stop in [*(max(1, int(total * f)) for f in (0.0, 0.05, 0.25, 0.5, 0.75, 0.9, 0.99)), "before swap", "after swap"]:
        killed, err = _build_killed_at(project.root, stop)
        assert killed, err
        if stop == "after swap":  # the new site is in place, whole: what the next build checks
            swapped = digest(site)
        else:
            killed_while_writing += 1
            assert digest(site) == before, f"site/ changed by a build killed at {stop} of {total} files"
    assert killed_while_writing >= 4
    assert [p.name for p in project.root.iterdir() if p.name.startswith(".site.")]  # what the killed builds left
    assert run(project, "build", capsys=capsys)[0] == 0
    assert [p.name for p in project.root.iterdir() if p.name.startswith(".site.")] == []  # cleared by the next
    after = digest(site)
    assert after.keys() == before.keys() and after != before
    assert swapped == after
    # Nothing a killed build left behind (a cache, a temporary tree) changes the next build:
    # it gives what a clean checkout of the same content gives.
    clean = tmp_path / "clean"
    shutil.copytree(project.root / "content", clean / "content")
    for part in ("templates", "assets"):
        shutil.copytree(ENGINE_HOME / part, clean / part)
    assert run(Project(clean), "build", capsys=capsys)[0] == 0
    assert digest(clean / "site") == after


# A build that stops itself (SIGSTOP) at a given point of writing its tree: the test waits for
# that stop (waitpid), an event, then kills it there, rather than polling the half-made tree.
STOPPING_BUILD = """
import os, signal, sys
from pathlib import Path
from microsite import write
from microsite.cli import main

root, stop = sys.argv[1], sys.argv[2]
files = 0

def counted(method):
    def call(self, *args):
        global files
        method(self, *args)
        files += 1
        if str(files) == stop:
            os.kill(os.getpid(), signal.SIGSTOP)
    return call

def swap(fresh, target, real=write._swap_into_place):
    if stop == "before swap":
        os.kill(os.getpid(), signal.SIGSTOP)
    real(fresh, target)
    if stop == "after swap":
        os.kill(os.getpid(), signal.SIGSTOP)

write._Tree.write, write._Tree.link = counted(write._Tree.write), counted(write._Tree.link)
write._swap_into_place = swap
sys.exit(main(["--root", root, "build"], root=Path(root)))
"""


def _build_killed_at(root: Path, stop: int | str) -> tuple[bool, str]:
    """Run a build, kill it where it stops itself; returns whether it was killed, and its stderr."""
    process = subprocess.Popen(
        [sys.executable, "-c", STOPPING_BUILD, str(root), str(stop)], cwd=REPO,
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )
    _, status = os.waitpid(process.pid, os.WUNTRACED)  # returns when it stops, or ends first
    if not os.WIFSTOPPED(status):
        process.returncode = os.waitstatus_to_exitcode(status)
        return False, process.stderr.read().decode()
    process.kill()
    _, err = process.communicate(timeout=60)
    return True, err.decode()


FRONT = "---\nname: Acme\nsummary: S [@report-2020]\n---\n"


@pytest.mark.parametrize("relative, data, outcome", [
    ("content/sources/nul.yaml", b"title: a\x00b\npublisher: P\nkind: report\n",
     "content/sources/nul.yaml:1:9: character U+0000 is not allowed in YAML"),
    ("content/companies/acme.md", b"---\nname: Ac\x00me\nsummary: S [@report-2020]\n---\n",
     "content/companies/acme.md:2:9: character U+0000 is not allowed in YAML"),
    ("content/companies/acme.md", b"---\nname: Acme\nsummary: S\x07 [@report-2020]\n---\n",
     "content/companies/acme.md:3:11: character U+0007 is not allowed in YAML"),
    ("content/sources/report-2020.yaml", "title: 'A\u2028B'\npublisher: P\nkind: report\n".encode(),
     "content/sources/report-2020.yaml:1:10: character U+2028 is not allowed in YAML; replace it with a space"),
    ("content/companies/acme.md", FRONT.encode() + b"Body \x00 with NUL [@report-2020]\n", "built"),
    ("content/companies/acme.md", b"---\nname: Acme\nsummary: S\xe9 [@report-2020]\n---\n",
     "content/companies/acme.md:3:11: not UTF-8 text (byte 0xE9)"),
    ("content/companies/acme.md", "\ufeff---\r\nname: Acme\r\nsummary: S [@report-2020]\r\n---\r\n\r\nText [@nowhere]\r\n".encode(),
     "content/companies/acme.md:6:7: unknown source 'nowhere'"),
    ("content/sources/report-2020.yaml", "\ufefftitle: T\r\npublisher: P\r\nkind: reprt\r\n".encode(),
     "content/sources/report-2020.yaml:3:7: unknown source kind 'reprt'"),
    ("content/companies/acme.md", b"---\rname: Acme\rsummary: S [@report-2020]\r---\rText [@nowhere]\r",
     "content/companies/acme.md:5:7: unknown source 'nowhere'"),
    ("content/sources/deep.yaml", ("title: " + "[" * 5000 + "]" * 5000 + "\n").encode(),
     "content/sources/deep.yaml:1:72: YAML nested deeper than 64 levels"),
    ("content/sources/deep.yaml", "".join(" " * i + "k:\n" for i in range(3000)).encode(),
     "content/sources/deep.yaml:66:66: YAML nested deeper than 64 levels"),
    ("content/sources/bomb.yaml", b"a: &a [x,x,x,x,x,x,x,x,x]\n" + b"".join(
        f"{k}: &{k} [{', '.join(['*' + p] * 9)}]\n".encode() for p, k in zip("abcdef", "bcdefg")),
     "YAML nested deeper than 64 levels or larger than 200000 values"),
    ("content/companies/acme.md", (FRONT + "> " * 5000 + "deep\n\n" + "".join("  " * i + "- x\n" for i in range(2000))).encode(), "built"),
    ("content/companies/acme.md", (FRONT + "[" * 50_000 + "@report-2020\n").encode(),
     "content/companies/acme.md:5:50000: citation '[@report-2020' is not closed"),
    ("content/companies/acme.md", (FRONT + "[@" + "a" * 100_000 + "]\n").encode(), "content/companies/acme.md:5:2: unknown source"),
], ids=["nul-yaml", "nul-front-matter", "bell-in-summary", "line-separator", "nul-in-markdown", "latin-1", "bom-crlf", "bom-crlf-yaml",
        "cr-only", "deep-flow-yaml", "deep-block-yaml", "alias-bomb", "deep-markdown", "open-brackets", "long-id"])
def test_odd_input_builds_or_fails_at_its_place(project, capsys, relative, data, outcome):
    (project.root / relative).write_bytes(data)
    status, _, err = run(project, "build", capsys=capsys)
    assert "Traceback" not in err
    if outcome == "built":
        assert status == 0, err
        assert b"\x00" not in b"".join(p.read_bytes() for p in (project.root / "site").rglob("*.html"))
    else:
        assert status == 1
        first = err.splitlines()[0]
        assert LOCATED.match(first) and outcome in first, first
        assert not (project.root / "site").exists()


def test_unusual_unicode_reaches_the_page_as_written(project, capsys):
    text = "שלום עולם مرحبا e\u0301\u0301\u0301 Z\u0335\u0321a\u0334 👩🏽‍💻🏳️‍🌈 \u200f\u202eevil\u202c ﷽ 𝔘𝔫𝔦"
    write(project, "content/companies/acme.md", f"---\nname: '{text}'\nsummary: '{text} [@report-2020]'\n---\n{text} [@daily-2020-01-02]\n")
    assert run(project, "build", capsys=capsys)[0] == 0
    html = (project.root / "site/companies/acme.html").read_text(encoding="utf-8")
    assert html.count(text) >= 3


def test_megabytes_of_content_build_in_seconds(project, capsys):
    paragraph = ("Words of a long narrative, with a citation " * 20 + "[@report-2020, p. 4].\n\n")
    write(project, "content/companies/acme.md", FRONT + paragraph * 5000)  # about 5 MB
    write(project, "content/sources/report-2020.yaml", (
        "title: T\npublisher: P\nkind: report\nquotes:\n" + "".join(f"  - 'quote {i} {'x' * 300}'\n" for i in range(10_000))
    ))
    assert (project.root / "content/companies/acme.md").stat().st_size > 4_000_000
    start = time.perf_counter()
    status, _, err = run(project, "build", capsys=capsys)
    assert status == 0, err
    assert time.perf_counter() - start < 30


def test_file_names_that_are_not_utf8_get_a_printable_error(project):
    """Linux allows any bytes in a name; a strict UTF-8 terminal must still get the report."""
    folder = os.fsencode(project.root / "content/companies")
    for name in (b"\xed\xa0\x80.md", b"caf\xe9.md"):  # a lone surrogate, Latin-1
        try:
            with open(os.path.join(folder, name), "wb") as f:
                f.write(FRONT.encode())
        except OSError:
            pytest.skip("this file system refuses names that are not UTF-8")
    env = {**os.environ, "GITHUB_ACTIONS": "true", "PYTHONIOENCODING": "utf-8"}
    result = subprocess.run(
        [sys.executable, str(REPO / "build.py"), "--root", str(project.root), "check"],
        capture_output=True, text=True, env=env, timeout=60,
    )
    assert result.returncode == 1 and "Traceback" not in result.stderr, result.stderr
    assert "content/companies/\\udced\\udca0\\udc80.md:1:1: bad slug" in result.stderr
    assert "content/companies/caf\\udce9.md:1:1: bad slug" in result.stderr
    assert "::error file=content/companies/caf\\udce9.md,line=1,col=1::bad slug" in result.stdout


def test_content_cannot_command_the_terminal_or_the_workflow(project):
    """A link to `%0A::error file=...` printed a line GitHub Actions runs as a workflow command, and
    a file name holding OSC 52 wrote the terminal's clipboard: what an error quotes is escaped."""
    acme = project.root / "content/companies/acme.md"
    acme.write_text(acme.read_text() + "\nSee [x](%0A::error%20file=.github/workflows/publish.yml,line=1::pwned).\n")
    clipboard = "\x1b]52;c;aGVsbG8=\x07"
    (project.root / f"content/companies/x{clipboard}.md").write_text(FRONT)
    env = {**os.environ, "GITHUB_ACTIONS": "true", "PYTHONIOENCODING": "utf-8"}
    result = subprocess.run(
        [sys.executable, str(REPO / "build.py"), "--root", str(project.root), "check"],
        capture_output=True, text=True, env=env, timeout=60,
    )
    assert result.returncode == 1 and "Traceback" not in result.stderr, result.stderr
    for line in (result.stdout + result.stderr).splitlines():
        assert not re.search("[\x00-\x08\x0b-\x1f\x7f-\x9f]", line), line
        assert not line.startswith("::") or re.match(r"::error file=content/companies/[^:]*,line=\d+,col=\d+::", line), line
    assert "link to missing page '\\n::error file=.github/workflows/publish.yml,line=1::pwned'" in result.stderr
    assert "content/companies/x\\x1b]52;c;aGVsbG8=\\x07.md:1:1: bad slug" in result.stderr
    assert "::error file=content/companies/x\\x1b]52;c;aGVsbG8=\\x07.md,line=1,col=1::bad slug" in result.stdout


def test_a_cache_removed_during_a_build_stops_it_with_a_clear_error(project, capsys, monkeypatch):
    """A build reads each narrative back from its cache entry when its page is made (`texts.py`):
    `rm -rf .cache` meanwhile must not leave a traceback or a half-made site."""
    assert run(project, "build", capsys=capsys)[0] == 0
    before = digest(project.root / "site")
    write(project, "content/companies/acme.md", (project.root / "content/companies/acme.md").read_text() + "\nMore.\n")
    import microsite.pipeline.load as engine  # the load pass calls `resolve` through it

    def resolve_then_remove_the_cache(*args, **kwargs):
        site = resolve(*args, **kwargs)
        shutil.rmtree(project.root / ".cache")
        return site

    resolve = engine.resolve
    monkeypatch.setattr(engine, "resolve", resolve_then_remove_the_cache)
    status, _, err = run(project, "build", capsys=capsys)
    assert status == 1 and "Traceback" not in err, err
    assert "a cache file was removed or changed during the build" in err and "run the build again" in err
    assert digest(project.root / "site") == before
    monkeypatch.undo()
    assert run(project, "build", capsys=capsys)[0] == 0  # and the next build is whole again
    assert "More." in (project.root / "site/companies/acme.html").read_text()


def test_an_excerpt_longer_than_the_limit_is_located(project, capsys):
    """One pasted article as an excerpt made two pages of 100 MB: it is shown beside every mark
    that quotes it."""
    write(project, "content/sources/report-2020.yaml", (
        "title: T\npublisher: P\nkind: report\nquotes:\n"
        f"  - '{'x' * MAX_EXCERPT}'\n  - '{'y' * (MAX_EXCERPT + 1)}'\n"
    ))
    for command in ("check", "build"):
        status, _, err = run(project, command, capsys=capsys)
        assert status == 1 and "Traceback" not in err
        assert err.splitlines()[:-1] == [
            f"content/sources/report-2020.yaml:6:5: the excerpt has more than {MAX_EXCERPT:,} characters "
            f"({MAX_EXCERPT + 1:,}); quote only the passage the site cites"
        ], err
    assert not (project.root / "site").exists()


def test_a_file_larger_than_the_limit_is_located(project, capsys):
    (project.root / "content/companies/acme.md").write_bytes((FRONT + "Words [@report-2020].\n").encode().ljust(MAX_FILE_BYTES + 1, b"x"))
    status, _, err = run(project, "check", capsys=capsys)
    assert status == 1 and "Traceback" not in err
    assert err.splitlines()[0] == (
        f"content/companies/acme.md:1:1: the file has more than {MAX_FILE_BYTES:,} bytes ({MAX_FILE_BYTES + 1:,}); split it or shorten it"
    ), err

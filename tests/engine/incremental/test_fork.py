"""Worker processes are forked only while this process runs no other thread: a fork copies one
thread, and a lock another held stays held in the child forever (Python 3.12 and later warn of
it with a DeprecationWarning, which becomes an error here)."""
from __future__ import annotations

import subprocess
import sys
import textwrap
import time

from tests.conftest import REPO

BUILDS = textwrap.dedent("""
    import os, sys, threading
    from pathlib import Path
    from microsite import parallel
    from microsite.build import Project, build, check

    threads_at_fork = []
    os.register_at_fork(before=lambda: threads_at_fork.append(sorted(t.name for t in threading.enumerate())))
    parallel.MIN_PARALLEL = 1  # the fixture is small: use the pools anyway
    project, out = Project(Path(sys.argv[1])), Path(sys.argv[2])
    build(project, out, workers=2)  # pages rendered beside the cards drawn by the early helpers
    acme = project.root / "content/companies/acme.md"
    acme.write_text(acme.read_text().replace("The report calls Acme", "The report names Acme"))
    build(project, out, workers=2)  # the same cards: the pages rendered by a pool of their own
    check(project, workers=2)
    assert threads_at_fork, "no fork: the test no longer tests anything"
    print(len(threads_at_fork), [names for names in threads_at_fork if names != ["MainThread"]])
""")


def test_builds_fork_with_no_other_thread_running(project, tmp_path):
    done = subprocess.run(
        [sys.executable, "-W", "error::DeprecationWarning", "-c", BUILDS, str(project.root), str(tmp_path / "site")],
        capture_output=True, text=True, cwd=REPO, timeout=300,
    )
    assert done.returncode == 0, done.stderr
    forks, with_threads = done.stdout.split(" ", 1)
    assert int(forks) > 0
    assert with_threads.strip() == "[]"


SERVE = textwrap.dedent("""
    import os, sys, threading
    from pathlib import Path
    from microsite import parallel
    from microsite.cli import main

    def before_fork():
        print("fork", sorted(t.name for t in threading.enumerate()), file=sys.stderr, flush=True)

    os.register_at_fork(before=before_fork)
    parallel.MIN_PARALLEL = 1  # the fixture is small: use the pools anyway
    sys.exit(main(sys.argv[1:], root=Path(sys.argv[2])))
""")


def test_the_preview_forks_with_no_other_thread_running(project):
    """The preview made the search index and the downloads after each save in a child forked
    from a thread, while the server's thread ran."""
    from tests.engine.preview.test_preview_server import free_port, wait_for_start

    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-W", "error::DeprecationWarning", "-c", SERVE, "--root", str(project.root), "serve", "--port", str(port)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=REPO,
    )
    try:
        wait_for_start(server)
        acme = project.root / "content/companies/acme.md"
        index = project.root / ".cache/preview/assets/search-index.js"
        for word in ("describes", "portrays"):  # the second save comes while the first's rest may run
            acme.write_text(acme.read_text().replace("The report calls Acme", f"The report {word} Acme"))
            acme.write_text(acme.read_text().replace(f"The report {word} Acme", "The report calls Acme"))
        acme.write_text(acme.read_text().replace("The report calls Acme", "The report depicts Acme"))
        deadline = time.monotonic() + 60
        while b"report depicts Acme" not in index.read_bytes():  # made by the child forked after the save
            assert time.monotonic() < deadline and server.poll() is None
            time.sleep(0.05)
    finally:
        server.terminate()
        _, err = server.communicate(timeout=10)
    forks = [line for line in err.splitlines() if line.startswith("fork ")]
    assert forks
    assert [f for f in forks if f != "fork ['MainThread']"] == []
    assert "Traceback" not in err

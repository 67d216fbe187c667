"""Shared helpers: a throw-away project made from a fixture's content and the real templates."""
from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from microsite.build import ENGINE_HOME, Project
from microsite.cli import main

REPO = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"


def make_project(where: Path, fixture: str = "mini") -> Project:
    """Copy a fixture's content into `where`, with copies of the project's own templates and assets
    (copies: a build refuses a folder that is a link out of its project)."""
    shutil.copytree(FIXTURES / fixture / "content", where / "content")
    for part in ("templates", "assets"):
        shutil.copytree(ENGINE_HOME / part, where / part)
    return Project(where)


@pytest.fixture(autouse=True, scope="session")
def _engine_caches_cleared_for_each_mutant():
    """`make mutate` (mutmut) runs each mutant's tests in a process forked from one that already
    ran them: a value the engine cached then (the Markdown parser, made once) would be the
    unmutated one, and the mutant would seem to survive."""
    if os.environ.get("MUTANT_UNDER_TEST"):
        import sys

        for name, module in list(sys.modules.items()):
            if name.startswith("microsite."):
                for value in list(vars(module).values()):
                    if callable(getattr(value, "cache_clear", None)):
                        value.cache_clear()
    yield


def pytest_collection_modifyitems(config, items) -> None:
    """Under `make mutate`, a mutant's tests run quickest first (by the times mutmut measured in its
    first, unmutated run): mutmut stops at the first failure, so most mutants, the ones some small
    test kills, are done before the slow builds start. Any other run keeps the files' order."""
    if os.environ.get("MUTANT_UNDER_TEST") in (None, "", "stats", "list_all_tests"):
        return
    try:
        seconds = json.loads(Path("mutmut-stats.json").read_text(encoding="utf-8"))["duration_by_test"]
    except (OSError, ValueError, KeyError):
        return
    items.sort(key=lambda item: seconds.get(item.nodeid, float("inf")))


def least_cpu_seconds(run, repeats: int = 3) -> float:
    """The least CPU time of a few calls `run(i)`: a busy machine adds wall-clock time to a run,
    hardly any to its CPU time, so tests of how time grows with the input do not fail under load."""
    times = []
    for i in range(repeats):
        start = time.process_time()
        run(i)
        times.append(time.process_time() - start)
    return min(times)


def ended_pid() -> int:
    """The pid of a process that has ended, as a killed build's has."""
    process = subprocess.Popen([sys.executable, "-c", "pass"])
    process.wait()
    return process.pid


def free_port() -> int:
    """A port nothing listens on now, for a test's own server."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def serve_command(project: Project, port: int, polling: bool = False) -> list[str]:
    """`build.py serve`; `polling`: as on a system without inotify (macOS, Windows), where the
    preview looks at the folders each time livereload asks, every 0.8 s."""
    arguments = ["--root", str(project.root), "serve", "--port", str(port)]
    if not polling:
        return [sys.executable, str(REPO / "build.py"), *arguments]
    without_inotify = (
        f"import sys; from pathlib import Path; sys.path.insert(0, {str(REPO)!r}); "
        "from microsite.preview.watch import Inotify; Inotify.available = staticmethod(lambda: False); "
        f"from microsite.cli import main; sys.exit(main(sys.argv[1:], root=Path({str(REPO)!r})))"
    )
    return [sys.executable, "-c", without_inotify, *arguments]


@pytest.fixture
def project(tmp_path: Path) -> Project:
    return make_project(tmp_path / "project")


def tree(root: Path) -> dict[str, bytes]:
    """Every file under `root` by its path there: what a reader of the built site gets."""
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def run(project: Project, *args: str, capsys=None) -> tuple[int, str, str]:
    """Run the command line in-process; returns (exit status, stdout, stderr)."""
    try:
        status = main(["--root", str(project.root), *args], root=project.root)
    except SystemExit as exc:  # argparse usage errors
        status = exc.code
    out, err = capsys.readouterr() if capsys else ("", "")
    return status, out, err


def write(project: Project, relative: str, text: str) -> Path:
    path = project.root / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture(scope="session")
def real_site(tmp_path_factory) -> Path:
    """The real investigation, built once per test run into a temporary folder."""
    from microsite.build import build

    out = tmp_path_factory.mktemp("real") / "site"
    build(Project(REPO), out)
    return out


CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
NODE_MODULES = REPO / "node_modules"
# Set by .ci/run: there, a test whose tool (Chromium, Java, the npm checkers) is missing fails
# instead of skipping, so a green CI run means every gate ran.
IN_CI = bool(os.environ.get("MICROSITE_CI"))
# Each tool found missing -> (how to install it, how many tests it skipped): named at the end of
# the run, so a local run that skipped a gate cannot pass for one that ran them all.
SKIPPED_GATES: dict[str, tuple[str, int]] = {}


def require(present: bool, what: str, install: str) -> None:
    """Skip when a tool is missing on a developer's machine; fail in CI."""
    if present:
        return
    if IN_CI:
        pytest.fail(f"{what} must be present in CI but is missing ({install})")
    SKIPPED_GATES[what] = (install, SKIPPED_GATES.get(what, (install, 0))[1] + 1)
    pytest.skip(f"{what} is missing: {install}")


def pytest_unconfigure(config) -> None:
    """After the run's last line: which gates did not run, and how to install what they need."""
    terminal = config.pluginmanager.get_plugin("terminalreporter")
    if not SKIPPED_GATES or terminal is None:
        return
    tests = sum(count for _, count in SKIPPED_GATES.values())
    write = terminal.write_line
    terminal.write_sep("!", f"{len(SKIPPED_GATES)} GATES SKIPPED", red=True, bold=True)
    write(f"{tests} tests did not run because a tool they need is missing; CI runs them all:", red=True, bold=True)
    for what, (install, count) in sorted(SKIPPED_GATES.items()):
        write(f"  {what} ({count} tests): {install}", red=True)


def npm_tool(relative: str) -> Path:
    """A file from the pinned npm packages (package-lock.json), installed by `make test`."""
    path = NODE_MODULES / relative
    require(path.exists(), f"node_modules/{relative}", "make test runs npm ci; needs node and npm")
    return path


@pytest.fixture(scope="session")
def browser():
    """Headless Debian Chromium through Playwright."""
    require(CHROMIUM.exists(), "/usr/bin/chromium", "apt-get install chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context()
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture(scope="session")
def subpath_server(real_site):
    """Serves the real site under /whos-behind-ice/ on loopback, as GitHub Pages serves a project."""
    import functools
    import http.server
    import threading

    class Handler(http.server.SimpleHTTPRequestHandler):
        def translate_path(self, path):
            prefix = "/whos-behind-ice/"
            if not path.startswith(prefix):
                return str(real_site / "__missing__")
            return super().translate_path("/" + path[len(prefix):])

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Handler, directory=str(real_site)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/whos-behind-ice/"
    server.shutdown()

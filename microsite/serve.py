"""`build.py serve`: build, preview on 127.0.0.1, rebuild and reload on every save.

The preview is written to .cache/preview/, never to site/. A content error does not stop the
server: it is printed in the terminal and shown at the top of every page until it is fixed.
livereload is used only here, so it can be replaced without touching the engine.
"""
from __future__ import annotations

import sys
import time
from pathlib import Path

from markupsafe import escape

from .build import Project, build
from .errors import ContentErrors, Problem
from .write import write_site

BANNER_STYLE = (
    "position:sticky;top:0;z-index:99;margin:0;padding:1rem 1.25rem;background:#7f1d1d;color:#fff;"
    "font:15px/1.5 ui-monospace,monospace;white-space:pre-wrap"
)


class Preview:
    """Holds the last good build so an error can be shown on top of it."""

    def __init__(self, project: Project, out: Path):
        self.project, self.out = project, out
        self.last_good: dict[str, bytes] = {}

    def rebuild(self) -> bool:
        start = time.perf_counter()
        try:
            result = build(self.project, self.out, preview=True)
        except ContentErrors as exc:
            self._show_errors(exc.problems)
            return False
        self.last_good = result.outputs
        for warning in result.warnings:
            print(warning, file=sys.stderr)
        print(f"{result.summary()} (rebuilt in {time.perf_counter() - start:.2f} s)", flush=True)
        return True

    def _show_errors(self, problems: list[Problem]) -> None:
        for problem in problems:
            print(problem, file=sys.stderr)
        print(f"{len(problems)} errors: the preview shows them until they are fixed", file=sys.stderr, flush=True)
        banner = error_banner(problems)
        pages = self.last_good or {"index.html": b"<!doctype html><html><head><meta charset=utf-8></head><body></body></html>"}
        write_site({name: with_banner(data, banner) if name.endswith(".html") else data for name, data in pages.items()}, self.out)


def error_banner(problems: list[Problem]) -> bytes:
    lines = "\n".join(str(p) for p in problems)
    return (
        f'<pre role="alert" style="{BANNER_STYLE}">{escape(f"{len(problems)} content errors; fix them and save:")}'
        f"\n{escape(lines)}</pre>"
    ).encode("utf-8")


def with_banner(page: bytes, banner: bytes) -> bytes:
    head, sep, rest = page.partition(b"<body>")
    return head + sep + banner + rest if sep else banner + page


def serve(project: Project, host: str, port: int) -> None:
    from livereload import Server
    from livereload.handlers import LiveReloadHandler

    # livereload skips any reload within 3 s of the previous one; a writer saving twice in a row
    # should see both saves.
    LiveReloadHandler.DEFAULT_RELOAD_TIME = 0
    preview = Preview(project, project.root / ".cache" / "preview")
    preview.rebuild()
    server = Server()
    for folder in ("content", "templates", "assets"):
        server.watch(str(project.root / folder), preview.rebuild, delay=0)
    print(f"previewing at http://{host}:{port}/ (Ctrl+C to stop)", flush=True)
    server.serve(host=host, port=port, root=str(preview.out), open_url_delay=None, restart_delay=0)

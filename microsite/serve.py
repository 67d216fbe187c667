"""`build.py serve`: build, preview on 127.0.0.1, rebuild and reload on every save.

The preview is written to .cache/preview/, never to site/. A content error does not stop the
server: it is printed in the terminal and shown at the top of every page until it is fixed.
livereload is used only here, so it can be replaced without touching the engine.
"""
from __future__ import annotations

import sys
import threading
import time
from pathlib import Path

from markupsafe import escape

from .build import BuildState, Project, build
from .edits import apply_saves
from .errors import ContentErrors, Problem
from .watch import Inotify
from .write import write_site

BANNER_STYLE = (
    "position:sticky;top:0;z-index:99;margin:0;padding:1rem 1.25rem;background:#7f1d1d;color:#fff;"
    "font:15px/1.5 ui-monospace,monospace;white-space:pre-wrap"
)


class Preview:
    """Holds the last good build so an error can be shown on top of it."""

    def __init__(self, project: Project, out: Path):
        self.project, self.out = project, out
        self.state = BuildState.on_disk(project, preview=True)  # kept between rebuilds: only changes are redone
        self.finishing = threading.Lock()  # one save's remaining work at a time

    def rebuild(self, saved: set[Path] | None = None) -> bool:
        """Build again; `saved`: the files saved since the last build, when the watcher knows."""
        start = time.perf_counter()
        with self.state.lock:
            try:
                result = apply_saves(self.project, self.out, self.state, saved) if saved else None
                if result is None:
                    result = build(self.project, self.out, preview=True, state=self.state)
            except ContentErrors as exc:
                self._show_errors(exc.problems)
                return False
        for warning in result.warnings:
            print(warning, file=sys.stderr)
        print(f"{result.summary()} (rebuilt in {time.perf_counter() - start:.2f} s)", flush=True)
        if result.pending:
            threading.Thread(target=self._finish, args=(result.pending,), daemon=True).start()
        return True

    def _finish(self, pending) -> None:
        """What the build left for after the reload (the search index, the data downloads), once
        the browser has had the page: started at once, it held the interpreter (one thread at a
        time runs Python) while the server sent the page, which then took twice as long to come.
        A save meanwhile does not wait for it: this work then stops, and that save's is done."""
        time.sleep(AFTER_RELOAD)
        with self.finishing:
            for work in pending:
                work()

    def _show_errors(self, problems: list[Problem]) -> None:
        for problem in problems:
            print(problem, file=sys.stderr)
        print(f"{len(problems)} errors: the preview shows them until they are fixed", file=sys.stderr, flush=True)
        banner = error_banner(problems)
        pages = {n: _without_banner(d) for n, d in last_pages(self.out).items()} or {"index.html": b"<!doctype html><html><head><meta charset=utf-8></head><body></body></html>"}
        write_site({name: with_banner(data, banner) if name.endswith(".html") else data for name, data in pages.items()}, self.out)
        self.state.forget(self.out.resolve())  # the pages now carry the banner: render them all once fixed


def last_pages(out: Path) -> dict[str, bytes]:
    """The preview as it stands: the last good build (or the last build with its banner)."""
    if not out.is_dir():
        return {}
    return {p.relative_to(out).as_posix(): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()}


def error_banner(problems: list[Problem]) -> bytes:
    lines = "\n".join(str(p) for p in problems)
    return (
        f'<pre role="alert" style="{BANNER_STYLE}">{escape(f"{len(problems)} content errors; fix them and save:")}'
        f"\n{escape(lines)}</pre>"
    ).encode("utf-8")


def _without_banner(page: bytes) -> bytes:
    start = page.find(b'<pre role="alert"')
    return page[:start] + page[page.index(b"</pre>", start) + 6 :] if start >= 0 else page


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
    folders = [project.root / folder for folder in ("content", "templates", "assets")]
    if Inotify.available():
        server = Server(watcher=_save_watcher(Inotify(folders), preview.rebuild))
    else:  # livereload polls every 0.8 s
        server = Server()
        for folder in folders:
            server.watch(str(folder), preview.rebuild, delay=0)
    print(f"previewing at http://{host}:{port}/ (Ctrl+C to stop)", flush=True)
    server.serve(host=host, port=port, root=str(preview.out), open_url_delay=None, restart_delay=0)


SETTLE = 0.005  # seconds to wait after a save for the saves that come with it (an editor's rename)
AFTER_RELOAD = 1.0  # seconds the browser has to fetch the reloaded page before the rest is made


def _save_watcher(inotify: Inotify, rebuild):
    """livereload's watcher interface over inotify: rebuild on each save, then tell the browsers."""
    from livereload.watcher import Watcher
    from tornado.ioloop import IOLoop

    class SaveWatcher(Watcher):
        def watch(self, *args, **kwargs) -> None:
            pass  # the folders are given to inotify

        def start(self, callback) -> bool:
            loop = IOLoop.current()
            saved: set[Path] = set()

            def on_event(fd, events) -> None:
                changed = inotify.changes()
                if changed and not saved:
                    loop.call_later(SETTLE, settle)
                saved.update(changed)

            def settle() -> None:
                saved.update(inotify.changes())  # saves that came together make one rebuild
                paths = set(saved)
                saved.clear()
                rebuild(paths)
                self._changes.append((str(min(paths)), None))
                callback()  # livereload asks examine() what changed, then reloads the browsers

            loop.add_handler(inotify.fileno(), on_event, IOLoop.READ)
            return True

        def examine(self):
            if self._changes:
                self.filepath, delay = self._changes.pop()
                return self.filepath, delay
            return None, None

    return SaveWatcher()

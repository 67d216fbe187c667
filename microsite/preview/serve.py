"""`build.py serve`: build, preview on 127.0.0.1, rebuild and reload on every save.

The preview is written to .cache/preview/, never to site/. A content error does not stop the
server: it is printed in the terminal and shown at the top of every page until it is fixed.
livereload is used only here, so it can be replaced without touching the engine.
"""
from __future__ import annotations

import errno
import sys
import time
from pathlib import Path

from markupsafe import escape

from ..project import Project
from .edits import apply_saves
from .session import Rest, Session
from ..errors import ContentErrors, Problem
from ..parallel import Child, can_fork
from .watch import Inotify, changed_between, look
from ..write import write_site


class Preview:
    """Holds the last good build so an error can be shown on top of it.

    It runs in the server's event loop, the process's only thread: the work a save leaves for
    after the reload is done by a forked child, waited for by the loop, not by a thread (a process
    forked while another thread runs copies that thread's locks as they stand, held forever)."""

    def __init__(self, project: Project, out: Path, loop=None):
        self.project, self.out = project, out
        self.session = Session.on_disk(project)  # kept between rebuilds: only changes are redone
        self.loop = loop  # tornado's IOLoop; without one, what a save leaves for later is done at once
        self.waiting = None  # the timeout after which the rest of the last save's work starts
        self.child: Child | None = None  # the process doing it

    def rebuild(self, saved: set[Path] | None = None) -> bool:
        """Build again; `saved`: the files saved since the last build, when the watcher knows."""
        start = time.perf_counter()
        self._stop_rest()  # this save has its own
        with self.session.lock:
            try:
                result = apply_saves(self.project, self.out, self.session, saved) if saved else None
                if result is None:
                    result = self.session.build(self.project, self.out)
            except ContentErrors as exc:
                self._show_errors(exc.problems)
                return False
        for warning in result.warnings:
            print(warning, file=sys.stderr)
        print(f"{result.summary()} (rebuilt in {time.perf_counter() - start:.2f} s)", flush=True)
        if result.pending:
            self._later(list(result.pending))
        return True

    def _later(self, pending: list[Rest]) -> None:
        """What the build left for after the reload (the search index, the data downloads), once
        the browser has had the page: started at once, it held the interpreter while the server
        sent the page, which then took twice as long to come. A save meanwhile stops it."""
        if self.loop is None or not can_fork():
            for rest in pending:
                rest()
            return
        self.waiting = self.loop.call_later(AFTER_RELOAD, self._start_rest, pending)

    def _start_rest(self, pending: list[Rest]) -> None:
        from tornado.ioloop import IOLoop

        self.waiting = None
        if not pending:
            return
        rest = pending.pop(0)
        child = self.child = Child.fork(rest.make)

        def on_output(fd: int, events: int) -> None:
            if not child.read():
                return
            self.loop.remove_handler(fd)
            self.child = None
            changed = child.answer()
            if rest.wanted():
                rest.keep(changed)
            self._start_rest(pending)

        self.loop.add_handler(child.fd, on_output, IOLoop.READ)

    def _stop_rest(self) -> None:
        if self.waiting is not None:
            self.loop.remove_timeout(self.waiting)
            self.waiting = None
        if self.child is not None:
            self.loop.remove_handler(self.child.fd)
            self.child.stop()
            self.child = None

    def _show_errors(self, problems: list[Problem]) -> None:
        for problem in problems:
            print(problem, file=sys.stderr)
        print(f"{_errors(problems)}: the preview shows them until they are fixed", file=sys.stderr, flush=True)
        banner = error_banner(problems)
        pages = {n: _without_banner(d) for n, d in last_pages(self.out).items()} or {"index.html": b"<!doctype html><html><head><meta charset=utf-8></head><body></body></html>"}
        write_site({name: with_banner(data, banner) if name.endswith(".html") else data for name, data in pages.items()}, self.out)
        self.session.forget(self.out.resolve())  # the pages now carry the banner: render them all once fixed


def last_pages(out: Path) -> dict[str, bytes]:
    """The preview as it stands: the last good build (or the last build with its banner)."""
    if not out.is_dir():
        return {}
    return {p.relative_to(out).as_posix(): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()}


def error_banner(problems: list[Problem]) -> bytes:
    """The errors, over the top of every page; styled by the stylesheet (`.preview-errors`), since
    the pages' Content-Security-Policy refuses inline styles."""
    lines = "\n".join(str(p) for p in problems)
    return (
        f'<pre role="alert" class="preview-errors">{escape(_errors(problems, "content error") + "; fix them and save:")}'
        f"\n{escape(lines)}</pre>"
    ).encode("utf-8")


def _errors(problems: list, noun: str = "error") -> str:
    """`1 error`, `2 errors`: the count with its noun in the right number."""
    return f"{len(problems)} {noun}{'' if len(problems) == 1 else 's'}"


def _without_banner(page: bytes) -> bytes:
    start = page.find(b'<pre role="alert"')
    return page[:start] + page[page.index(b"</pre>", start) + 6 :] if start >= 0 else page


def with_banner(page: bytes, banner: bytes) -> bytes:
    head, sep, rest = page.partition(b"<body>")
    return head + sep + banner + rest if sep else banner + page


class PortInUse(Exception):
    """The preview's port is taken (often by another preview)."""

    def __init__(self, port: int):
        super().__init__(
            f"port {port} is in use (another preview?): stop what uses it, or choose another port: "
            f"make serve PORT=9000 (or build.py serve --port 9000)"
        )


def serve(project: Project, host: str, port: int) -> None:
    from tornado.ioloop import IOLoop

    sockets = listen(host, port)  # before building: a taken port is said at once
    preview = Preview(project, project.root / ".cache" / "preview", IOLoop.current())  # livereload's loop
    preview.rebuild()
    # The engine's templates/ and assets/ too, for a project using them: a save there shows at once.
    folders = [project.root / "content", *project.templates, *project.assets]
    server_class = preview_server()
    if Inotify.available():
        server = server_class(sockets, allowed_hosts(host, port), allowed_origins(host, port),
                              watcher=_save_watcher(Inotify(folders), preview.rebuild))
    else:  # livereload polls every 0.8 s
        server = server_class(sockets, allowed_hosts(host, port), allowed_origins(host, port), watcher=_polling_watcher())
        for folder in folders:
            server.watch(str(folder), preview.rebuild, delay=0)
    print(f"previewing at http://{host}:{port}/ (Ctrl+C to stop)", flush=True)
    server.serve(host=host, port=port, root=str(preview.out), open_url_delay=None, restart_delay=0)


def listen(host: str, port: int) -> list:
    """The preview's listening sockets; `PortInUse` when the port is taken."""
    from tornado.netutil import bind_sockets

    try:
        return bind_sockets(port, host)
    except OSError as exc:
        if exc.errno == errno.EADDRINUSE:
            raise PortInUse(port) from None
        raise


def _local_names(host: str) -> set[str]:
    """This machine's names, as a browser writes them in Host and Origin."""
    names = {"127.0.0.1", "localhost", "[::1]"}
    if host not in ("", "0.0.0.0", "::"):
        names.add(f"[{host}]" if ":" in host else host.lower())
    return names


def allowed_hosts(host: str, port: int) -> frozenset[str]:
    """The Host headers the preview answers: this machine's names, with or without the port.
    Any other name is refused, so a web page whose own name was pointed at 127.0.0.1 (DNS
    rebinding) cannot read the preview."""
    names = _local_names(host)
    return frozenset(names | {f"{name}:{port}" for name in names})


def allowed_origins(host: str, port: int) -> frozenset[str]:
    """The Origin headers of the preview's own pages, as browsers write them (`http://127.0.0.1:8000`,
    without the port for 80), compared whole: neither another scheme or port of this machine nor a
    name that only starts like it (`http://127.0.0.1:8000.evil.example`) is the preview."""
    return frozenset(f"http://{name}" + ("" if port == 80 else f":{port}") for name in _local_names(host))


def preview_server():
    """livereload's server, answering only requests for this machine (`allowed_hosts`) on sockets
    bound beforehand, and serving the preview's files with a 400, not a traceback, for a path no
    file can have (a NUL byte)."""
    from livereload import Server
    from livereload.handlers import LiveReloadHandler, LiveReloadJSHandler, StaticFileHandler
    from livereload.server import LiveScriptInjector
    from tornado import web
    from tornado.httpserver import HTTPServer

    class PreviewFiles(StaticFileHandler):
        def parse_url_path(self, url_path: str) -> str:
            if "\0" in url_path:
                raise web.HTTPError(400)
            return super().parse_url_path(url_path)

    class LocalReloads(LiveReloadHandler):
        def prepare(self) -> None:
            """Only the preview's own pages hear of saves (livereload lets any web page listen): a
            browser's Origin is compared whole here, as tornado's `check_origin` would not be asked
            for one whose host and port match the Host header (whatever its scheme)."""
            origin = self.request.headers.get("Origin")
            if origin is not None and origin.lower() not in self.settings["allowed_origins"]:
                raise web.HTTPError(403)

        def check_origin(self, origin: str) -> bool:
            return origin.lower() in self.settings["allowed_origins"]

    class LocalApplication(web.Application):
        def find_handler(self, request, **kwargs):
            if request.host.lower() not in self.settings["allowed_hosts"]:
                return self.get_handler_delegate(request, web.ErrorHandler, {"status_code": 403})
            return super().find_handler(request, **kwargs)

    class PreviewServer(Server):
        def __init__(self, sockets: list, hosts: frozenset[str], origins: frozenset[str], watcher=None):
            super().__init__(watcher=watcher)
            self.sockets, self.hosts, self.origins = sockets, hosts, origins

        def application(self, port, host, liveport=None, debug=None, live_css=True) -> None:
            """As livereload's (one port for pages and reloads), on the bound sockets."""
            LiveReloadHandler.watcher = self.watcher
            LiveReloadHandler.live_css = live_css

            class Script(LiveScriptInjector):
                script = LIVE_SCRIPT

            # Not livereload's /forcereload: any web page could reload the preview with it (a GET
            # needs no permission), and nothing of ours asks for it; a save reloads by the socket.
            handlers = [
                (r"/livereload", LocalReloads),
                (r"/livereload.js", LiveReloadJSHandler),
                (r"/(.*)", PreviewFiles, {"path": self.root, "default_filename": self.default_filename}),
            ]
            app = LocalApplication(
                handlers=handlers, transforms=[Script], allowed_hosts=self.hosts, allowed_origins=self.origins,
            )
            HTTPServer(app).add_sockets(self.sockets)

    return PreviewServer


# livereload's loader for its script, put into every page the preview serves.
LIVE_SCRIPT = (
    b'<script type="text/javascript">(function(){var s=document.createElement("script");'
    b"var port=(window.location.port || (window.location.protocol == 'https:' ? 443: 80));"
    b's.src="//"+window.location.hostname+":"+port+ "/livereload.js?port=" + port;'
    b"document.head.appendChild(s);})();</script>"
)


SETTLE = 0.005  # seconds to wait after a save for the saves that come with it (an editor's rename)
AFTER_RELOAD = 1.0  # seconds the browser has to fetch the reloaded page before the rest is made


# What a watcher's `examine` answers for a reload livereload must not hold back: it skips any
# reload within 3 s of the previous one (a writer saving twice in a row would miss the second),
# except the one it names so; the page reloaded is still the watcher's `filepath`.
RELOAD_NOW = "__livereload__"


def _polling_watcher():
    """livereload's watcher interface where the kernel cannot tell of saves: livereload asks it
    every 0.8 s, and it compares a look at the folders with the last one (`watch.look`). So the
    saved files are rebuilt as inotify's are, quickly; livereload's own polling watcher rebuilt
    the whole site, and counted each file it first saw as saved, which reloaded the browser
    once or twice just after the preview started."""
    from livereload.watcher import Watcher

    class PollingWatcher(Watcher):
        def __init__(self):
            super().__init__()
            self.folders: list[Path] = []
            self.seen: dict[Path, tuple[int, int]] = {}
            self.rebuild = None

        def watch(self, path, func=None, delay=None, ignore=None) -> None:
            super().watch(path, func, delay, ignore)  # else livereload watches its working folder
            self.folders.append(Path(path))
            self.seen.update(look([Path(path)]))
            self.rebuild = func

        def examine(self):
            now = look(self.folders)
            saved, self.seen = changed_between(self.seen, now), now
            if not saved:
                return None, None
            self.rebuild(saved)
            self.filepath = str(min(saved))
            return RELOAD_NOW, None

    return PollingWatcher()


def _save_watcher(inotify: Inotify, rebuild):
    """livereload's watcher interface over inotify: rebuild on each save, then tell the browsers."""
    from livereload.watcher import Watcher
    from tornado.ioloop import IOLoop

    class SaveWatcher(Watcher):
        def __init__(self):
            super().__init__()
            self.saves: list[str] = []  # the first file of each rebuild, for examine()

        def watch(self, *args, **kwargs) -> None:
            pass  # the folders are given to inotify

        def start(self, callback) -> bool:
            loop = IOLoop.current()
            saved: set[Path] = set()
            lost = False  # the kernel dropped events: rebuild everything

            def on_event(fd, events) -> None:
                nonlocal lost
                changed = inotify.changes()
                if (changed or changed is None) and not (saved or lost):
                    loop.call_later(SETTLE, settle)
                if changed is None:
                    lost = True
                else:
                    saved.update(changed)

            def settle() -> None:
                nonlocal lost
                later = inotify.changes()  # saves that came together make one rebuild
                if later is None:
                    lost = True
                else:
                    saved.update(later)
                paths, everything = set(saved), lost
                saved.clear()
                lost = False
                rebuild(None if everything else paths)
                self.saves.append(str(min(paths)) if paths else "")
                callback()  # livereload asks examine() what changed, then reloads the browsers

            loop.add_handler(inotify.fileno(), on_event, IOLoop.READ)
            return True

        def examine(self):
            if self.saves:
                self.filepath = self.saves.pop()
                return RELOAD_NOW, None
            return None, None

    return SaveWatcher()

"""The command line: parse arguments, run a command, report problems without a traceback.

Exit status: 0 success, 1 bad content (every problem listed) or an output that cannot be written,
2 bad usage (an output folder the build may not replace among them).
"""
from __future__ import annotations

import argparse
import os
import sys
from dataclasses import replace
from pathlib import Path
from typing import Sequence

from .build import Project, build, check
from .content.config import normal_base_url
from .errors import ContentErrors, Problem, Problems, printable
from .guard import OutputRefused
from .write import WriteError


def main(argv: Sequence[str], root: Path) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    project = Project(Path(args.root).resolve() if args.root else root, _published_at(args))
    try:
        return args.run(project, args)
    except ContentErrors as exc:
        report(exc.problems, sys.stderr)
        print(f"{_count(exc.problems, 'error')}; nothing was written", file=sys.stderr)
        return 1
    except (UsageError, OutputRefused) as exc:
        print(printable(f"error: {exc}"), file=sys.stderr)
        return 2
    except WriteError as exc:
        print(printable(f"error: {exc}"), file=sys.stderr)
        return 1


class UsageError(Exception):
    """A command given wrongly, such as an unknown kind for `new`."""


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="build.py", description="Build the investigation's static site.")
    parser.add_argument("--root", help="the project folder (default: the folder of build.py)")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = commands.add_parser("build", help="write the site into site/")
    p.add_argument("--out", help="write here instead of site/")
    p.add_argument("--zip", action="store_true", help="also write the offline copy, a zip of the site, beside it")
    p.add_argument("--timings", action="store_true", help="also print the seconds spent in each pass")
    p.add_argument("--pdf", action="store_true", help="also write the whole investigation as a PDF per language (make pdf)")
    _base_url_option(p)
    p.set_defaults(run=_build)

    p = commands.add_parser("check", help="validate content and links; write nothing")
    p.add_argument("--strict", action="store_true", help="fail on warnings too")
    _base_url_option(p)
    p.add_argument(
        "--external", action="store_true",
        help="also request every source's address and report those gone or moved (needs the network)",
    )
    p.set_defaults(run=_check)

    p = commands.add_parser("serve", help="build and preview with live reload")
    p.add_argument("--port", type=int, default=8000)
    p.add_argument("--host", default="127.0.0.1")
    _base_url_option(p)
    p.set_defaults(run=_serve)

    p = commands.add_parser("new", help="write a ready-to-fill content file")
    p.add_argument("kind", help="company, system, agency, page or source (or a kind's plural)")
    p.add_argument("name", help='the name, such as "Acme Corp", or a source id; for a translation, the page, such as companies/amazon')
    p.add_argument("language", nargs="?", help="for `new translation`: the language code, such as es")
    p.set_defaults(run=_new)
    return parser


def _base_url_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--base-url", type=_base_url, metavar="URL",
        help="the address the site is published at, such as https://org.github.io/repo/ (default: base_url in content/site.yaml)",
    )


def _base_url(value: str) -> str:
    """argparse's type for --base-url: a bad one is a usage error (exit 2) that says what is wrong."""
    try:
        return normal_base_url(value)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"'{value}' is not a usable base URL: {exc}") from None


def _published_at(args) -> str | None:
    """--base-url, or for the preview its own address: it is published nowhere else, so site.yaml's
    (and a warning that it is a placeholder at every save) would only mislead."""
    if getattr(args, "base_url", None) is None and args.command == "serve":
        host = f"[{args.host}]" if ":" in args.host else args.host
        return f"http://{host}:{args.port}/"
    return getattr(args, "base_url", None)


def _build(project: Project, args) -> int:
    if args.pdf:
        from .outputs.report import weasyprint_missing

        missing = weasyprint_missing()
        if missing:
            raise UsageError(missing)
        project = replace(project, pdf=True)
    result = build(project, Path(os.path.abspath(args.out)) if args.out else None, offline=args.zip)  # links kept: guard.check_unlinked
    report(result.warnings, sys.stderr)
    print(result.summary())
    if args.timings:
        print(f"rendered {result.rendered} pages, wrote {result.written} files; "
              + ", ".join(f"{name} {seconds:.2f} s" for name, seconds in result.phases))
    return 0


def _check(project: Project, args) -> int:
    site, warnings = check(project)
    report(warnings, sys.stderr)
    content = site.content
    print(
        f"checked {len(content.entities)} entities, {len(content.pages)} pages, "
        f"{len(content.sources)} sources: no errors, {_count(warnings, 'warning')}"
    )
    failed = _check_external(content) if args.external else False
    return 1 if failed or (warnings and args.strict) else 0


def _check_external(content) -> bool:
    """Every source address asked once; those gone, moved or not checked listed like content errors."""
    from .linkcheck import check_external

    problems = Problems()
    tally = check_external(content.sources, content.config.base_url or content.config.title, problems)
    report(problems.errors, sys.stderr)
    gone = len(problems.errors) - tally.not_checked
    unchecked = f"; {tally.not_checked} not checked" if tally.not_checked else ""
    print(f"asked {tally.asked} source address{'' if tally.asked == 1 else 'es'}: {gone} gone or moved{unchecked}")
    return bool(problems.errors)


def _serve(project: Project, args) -> int:
    from .preview.serve import PortInUse, serve  # livereload is imported only when previewing

    try:
        serve(project, args.host, args.port)
    except PortInUse as exc:
        raise UsageError(str(exc)) from None
    return 0


def _new(project: Project, args) -> int:
    from .content.scaffold import ScaffoldError, new_file, new_translation

    try:
        if args.kind == "translation":
            path = new_translation(project.root, args.name, args.language or "")
        elif args.language is not None:
            raise ScaffoldError(f"unexpected '{args.language}': only `new translation PAGE LANGUAGE` takes a language")
        else:
            path = new_file(project.root, args.kind, args.name)
    except ScaffoldError as exc:
        raise UsageError(str(exc)) from None
    print(f"wrote {path.relative_to(project.root).as_posix()}: fill in the fields, then run make check")
    return 0


def report(problems: Sequence[Problem], stream) -> None:
    """One line per problem (`Problem.__str__` escapes what it quotes: `printable`); under GitHub
    Actions also an annotation on the file and line."""
    annotate = os.environ.get("GITHUB_ACTIONS") == "true"
    for problem in problems:
        print(problem, file=stream)
        if annotate:
            print(github_annotation(problem), file=sys.stdout)


def github_annotation(problem: Problem) -> str:
    """GitHub's `::error file=...::message` line, its data escaped as GitHub documents, then any
    control character left (an ESC) shown as an escape (`printable`), like the line above it."""
    loc = problem.location
    level = "warning" if problem.severity == "warning" else "error"
    where = f"file={_escape(loc.path, property=True)}" + (f",line={loc.line},col={loc.col or 1}" if loc.line else "")
    return printable(f"::{level} {where}::{_escape(problem.message)}")


def _escape(text: str, property: bool = False) -> str:
    """GitHub's workflow-command escaping; a property value also escapes ',' and ':'."""
    text = text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    return text.replace(":", "%3A").replace(",", "%2C") if property else text


def _count(items: Sequence, noun: str) -> str:
    return f"{len(items)} {noun}{'' if len(items) == 1 else 's'}"

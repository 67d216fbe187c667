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


def main(argv: Sequence[str], root: Path, prog: str = "build.py") -> int:
    parser = _parser(prog)
    args = parser.parse_args(argv)
    project = Project(Path(args.root).resolve() if args.root else root, _published_at(args))
    try:
        return args.run(project, args)
    except ContentErrors as exc:
        report(exc.problems, sys.stderr)
        print(f"{_count(exc.problems, 'error')}; nothing was written", file=sys.stderr)
        hint = _citations_hint(project.root, exc.problems)
        if hint:
            print(hint, file=sys.stderr)
        return 1
    except (UsageError, OutputRefused) as exc:
        print(printable(f"error: {exc}"), file=sys.stderr)
        return 2
    except WriteError as exc:
        print(printable(f"error: {exc}"), file=sys.stderr)
        return 1


def run() -> None:
    """The `microsite` command a pip install gives: the project is the current folder."""
    sys.exit(main(sys.argv[1:], root=Path.cwd(), prog="microsite"))


class UsageError(Exception):
    """A command given wrongly, such as an unknown kind for `new`."""


def _parser(prog: str) -> argparse.ArgumentParser:
    from . import __version__

    parser = argparse.ArgumentParser(prog=prog, description="Build the investigation's static site.")
    parser.add_argument("--version", action="version", version=f"microsite {__version__}")
    parser.add_argument("--root", help="the project folder (default: the current folder for microsite, the folder of build.py for build.py)")
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

    p = commands.add_parser(
        "changes", help="list in Markdown the claims, sources and translations changed since a git commit"
    )
    p.add_argument("ref", metavar="REF", help="the commit to compare with, such as origin/main or a pull request's base")
    _base_url_option(p)
    p.set_defaults(run=_changes)

    p = commands.add_parser("new", help="write a ready-to-fill content file")
    p.add_argument("kind", help="company, system, agency, page or source (or a kind's plural)")
    p.add_argument("name", help='the name, such as "Acme Corp", or a source id; for a translation, the page, such as companies/acme')
    p.add_argument("language", nargs="?", help="for `new translation`: the language code, such as es")
    p.set_defaults(run=_new)

    p = commands.add_parser("init", help="write a new site's repository into DIR, ready to build and publish")
    p.add_argument("dir", metavar="DIR", help="a new or empty folder")
    p.add_argument("--title", help="the site's title (default: a placeholder to change in content/site.yaml)")
    p.add_argument("--languages", default="en", help="the site's languages, the main one first, such as es,en (default: en)")
    p.set_defaults(run=_init)
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
    report(_for_this_run(result.warnings, publishing=bool(os.environ.get("CI")) and args.base_url is None), sys.stderr)
    print(result.summary())
    if args.timings:
        print(f"rendered {result.rendered} pages, wrote {result.written} files; "
              + ", ".join(f"{name} {seconds:.2f} s" for name, seconds in result.phases))
    return 0


def _check(project: Project, args) -> int:
    site, warnings = check(project)
    warnings = _for_this_run(warnings, publishing=args.strict)
    report(warnings, sys.stderr)
    content = site.content
    print(
        f"checked {len(content.entities)} entities, {len(content.pages)} pages, "
        f"{len(content.sources)} sources: no errors, {_count(warnings, 'warning')}"
    )
    failed = _check_external(content) if args.external else False
    return 1 if failed or (warnings and args.strict) else 0


def _for_this_run(warnings: Sequence[Problem], publishing: bool) -> list[Problem]:
    """The placeholder base_url matters only to a site being published: a build in CI without
    --base-url, or `check --strict`. Elsewhere (every `make check` of a fresh clone) a contributor
    could do nothing about it."""
    return [w for w in warnings if publishing or not _is_placeholder_warning(w)]


def _is_placeholder_warning(problem: Problem) -> bool:
    return problem.location.path == "content/site.yaml" and "is a placeholder" in problem.message


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


def _changes(project: Project, args) -> int:
    from .changes import ChangesError, changes_since

    try:
        text = changes_since(project, args.ref)
    except ChangesError as exc:
        raise UsageError(str(exc)) from None
    print(text)
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


def _init(project: Project, args) -> int:
    from .init import InitError, init

    target = Path(os.path.abspath(args.dir))
    try:
        init(target, args.title, [lang.strip() for lang in args.languages.split(",") if lang.strip()])
    except InitError as exc:
        raise UsageError(str(exc)) from None
    print(f"wrote a new site into {args.dir}: cd {args.dir}, then make site (README.md says more)")
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


def _citations_hint(root: Path, problems: Sequence[Problem]) -> str | None:
    """Once, after the list: a site written before every claim had to cite a source fails with a
    "without a citation" error per paragraph; one line of its site.yaml builds it as before."""
    if not any(" without a citation" in p.message for p in problems):
        return None
    try:
        import yaml

        settings = yaml.safe_load((root / "content/site.yaml").read_text(encoding="utf-8"))
    except (OSError, ValueError, yaml.YAMLError):
        return None
    if not isinstance(settings, dict) or "require_citations" in settings:
        return None
    return ("content/site.yaml: hint: every claim must now cite a source; a site written before that rule "
            "builds as before with the line 'require_citations: off' in content/site.yaml")


def _count(items: Sequence, noun: str) -> str:
    return f"{len(items)} {noun}{'' if len(items) == 1 else 's'}"

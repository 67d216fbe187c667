"""The Jinja environment pages are rendered with, and the templates' problems found before any
page is: templates are code a pull request can change, so they run sandboxed, read only from the
project's templates/ and the engine's, and each mistake is reported at its template's line."""
from __future__ import annotations


import os
from pathlib import Path
from typing import Sequence

from jinja2.sandbox import SandboxedEnvironment, SecurityError
from jinja2 import Environment, TemplateError, FileSystemLoader, StrictUndefined, TemplateSyntaxError, nodes, select_autoescape

from ..confine import confined
from .fragments import FragmentExtension
from ..errors import ContentErrors, Location, Problem, Problems
from ..messages import SEARCH_MESSAGES, Messages, engine_table




class ConfinedLoader(FileSystemLoader):
    """Jinja's loader over the templates' folders, the first one's file winning (the project's
    over the engine's), refusing a template that is a link out of its own folder (`confine.py`)."""

    def __init__(self, templates: Sequence[Path]):
        super().__init__(list(templates))
        self.folders = tuple(templates)

    def get_source(self, environment: Environment, template: str):
        source, filename, uptodate = super().get_source(environment, template)
        folder = next(f for f in self.folders if Path(os.path.abspath(filename)).is_relative_to(os.path.abspath(f)))
        problems = Problems()
        if not confined(Path(filename), folder, f"templates/{template}", problems):
            raise ContentErrors(problems.items)
        return source, filename, uptodate


def make_environment(templates: Sequence[Path], preview: bool = False) -> Environment:
    """Templates are code a pull request can change: Jinja's sandbox refuses what reaches past the
    values handed to them (`cycler.__init__.__globals__.os`), as Hugo's and Jekyll's cannot."""
    env = SandboxedEnvironment(
        loader=ConfinedLoader(templates),
        autoescape=select_autoescape(["html", "xml"], default_for_string=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        auto_reload=False,  # a build reads each template once: no stat per page and per include
        extensions=[FragmentExtension],  # `{% fragment %}`: parts made once for many pages
    )
    use_language(env, Messages("en", engine_table("en")))  # until a renderer sets the site's language
    env.globals["preview"] = preview
    return env


def use_language(env: Environment, messages: Messages) -> None:
    """The interface's words and the dates in one language, for the templates: `t('key', ...)`
    (`messages.py`) and the `human_date` filter."""
    env.globals["t"] = messages
    env.globals["SEARCH_MESSAGES"] = SEARCH_MESSAGES
    env.filters["human_date"] = messages.date


# The templates the engine renders pages with (`PageRenderer`); the others are theirs to include.
PAGE_TEMPLATES = ("home.html", "sources.html", "404.html", "data.html", "map.html", "kind_index.html", "entity.html", "page.html")


def template_problems(env: Environment) -> list[Problem]:
    """Every template of `env` compiled, and every template one names present: a Jinja mistake
    is an error at its template's line, found before any page is rendered, not a traceback from
    the middle of rendering. Compiling here also leaves each template compiled for the pages."""
    present = set(env.list_templates())
    problems = [
        Problem(Location(f"templates/{name}"), f"missing template: the build renders pages with it; restore it (git checkout templates/{name})")
        for name in PAGE_TEMPLATES
        if name not in present
    ]
    for name in sorted(n for n in present if n.endswith(".html")):
        where = f"templates/{name}"
        try:
            source, filename, _ = env.loader.get_source(env, name)
            tree = env.parse(source, name, filename)
            env.get_template(name)
        except TemplateSyntaxError as e:
            problems.append(Problem(Location(where, e.lineno or 0), f"template error: {e.message}"))
            continue
        except UnicodeDecodeError as e:
            problems.append(Problem(Location(where), f"not UTF-8 text (byte 0x{e.object[e.start]:02X}); save it as UTF-8"))
            continue
        problems.extend(private_names(tree, where))
        for node in tree.find_all((nodes.Extends, nodes.Include, nodes.Import, nodes.FromImport)):
            named = node.template
            if isinstance(node, nodes.Include) and node.ignore_missing:
                continue
            if isinstance(named, nodes.Const) and isinstance(named.value, str) and named.value not in present:
                problems.append(Problem(Location(where, node.lineno), f"template '{named.value}' does not exist in templates/"))
    return problems


ONLY_GIVEN = "a template may use only the values the build gives it"  # what the sandbox allows, in its errors


def private_names(tree: nodes.Template, where: str) -> list[Problem]:
    """Each `x.__name__` a template reads, a line each: the sandbox refuses every name starting
    with `_` whatever it is read on, so this is known before any page is rendered, and is
    reported with the content's errors rather than after they are mended."""
    by_line: dict[int, dict[str, None]] = {}  # each line's names, once each, in reading order
    for node in reversed(list(tree.find_all(nodes.Getattr))):  # `a.b.c` is walked from `.c`
        if node.attr.startswith("_"):
            by_line.setdefault(node.lineno, {})[node.attr] = None
    return [
        Problem(Location(where, line), f"template error: {', '.join(map(repr, names))} {'start' if len(names) > 1 else 'starts'}"
                f" with '_', which the sandbox refuses; {ONLY_GIVEN}")
        for line, names in sorted(by_line.items())
    ]


def template_failure(error: TemplateError, template: str) -> Problem:
    """A template that failed while rendering, at the line of the template it failed in (Jinja
    gives its compiled templates' frames the template's file and line): a value it named that is
    not there, or what the sandbox refuses."""
    where = Location(f"templates/{template}")
    trace = error.__traceback__
    while trace is not None:
        filename = trace.tb_frame.f_code.co_filename
        if filename.endswith((".html", ".xml", ".js", ".txt")):
            where = Location(f"templates/{Path(filename).name}", trace.tb_lineno)
        trace = trace.tb_next
    if isinstance(error, SecurityError):
        return Problem(where, f"template error: {(error.message or '').rstrip('.')}; {ONLY_GIVEN}")
    return Problem(where, f"template error: {error.message}")

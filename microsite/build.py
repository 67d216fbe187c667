"""The build, pass by pass: load, resolve, render, write. Each pass is a plain function."""
from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

from markdown_it import MarkdownIt

from .assets import collect_assets
from .errors import ContentErrors, Problem, Problems
from .load import load_content
from .markdown import make_markdown
from .render import make_environment, render_site
from .resolve import Site, resolve
from .write import write_site


@dataclass(frozen=True)
class Project:
    """Where a project's parts live; everything else is derived from these."""

    root: Path

    @property
    def templates(self) -> Path:
        return self.root / "templates"

    @property
    def assets(self) -> Path:
        return self.root / "assets"

    @property
    def site(self) -> Path:
        return self.root / "site"


@dataclass(frozen=True)
class BuildResult:
    pages: int
    sources: int
    citations: int
    seconds: float
    warnings: tuple[Problem, ...]
    outputs: dict[str, bytes]

    def summary(self) -> str:
        return (
            f"built {self.pages} pages, {self.sources} sources, {self.citations} citations "
            f"in {self.seconds:.2f} s"
        )


def check(project: Project, md: MarkdownIt | None = None) -> tuple[Site, list[Problem]]:
    """Load and cross-check everything; raise ContentErrors listing every problem found."""
    problems = Problems()
    content = load_content(project.root, problems)
    if content is None:
        problems.raise_if_errors()
    site = resolve(content, md or make_markdown(), problems)
    problems.raise_if_errors()
    return site, problems.warnings


def render(project: Project, site: Site, md: MarkdownIt, preview: bool = False) -> dict[str, bytes]:
    outputs = render_site(site, md, make_environment(project.templates, preview))
    outputs.update(collect_assets(project.assets))
    outputs[".nojekyll"] = b""  # GitHub Pages: serve the files as they are
    cname = project.root / "content" / "CNAME"
    if cname.is_file():  # GitHub Pages: the custom domain
        outputs["CNAME"] = cname.read_bytes()
    return outputs


def build(project: Project, out: Path | None = None, preview: bool = False) -> BuildResult:
    """Build into `out` (default site/); the old output stays untouched if anything fails.

    `preview` pages let the live-reload script reach its server; published pages connect nowhere."""
    start = time.perf_counter()
    md = make_markdown()
    site, warnings = check(project, md)
    outputs = render(project, site, md, preview)
    write_site(outputs, out or project.site)
    pages = sum(1 for name in outputs if name.endswith(".html"))
    citations = sum(
        len(p.cites) for p in (*site.summaries.values(), *site.bodies.values())
    ) + sum(
        len(c.cites) for e in site.content.entities.values() for c in (*e.figures, *e.links)
    )
    return BuildResult(
        pages=pages,
        sources=len(site.content.sources),
        citations=citations,
        seconds=time.perf_counter() - start,
        warnings=tuple(warnings),
        outputs=outputs,
    )


__all__ = ["BuildResult", "ContentErrors", "Project", "build", "check", "render"]

"""The build, pass by pass: load, resolve, render, write. Each pass is a plain function."""
from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

from markdown_it import MarkdownIt

from .assets import collect_assets
from .cards import card_outputs, card_path
from .datasets import dataset_outputs, downloads
from .errors import ContentErrors, Problem, Problems
from .feeds import FEED, feed_outputs
from .images import asset_image_outputs, image_outputs
from .load import load_content
from .markdown import make_markdown
from .offline import offline_outputs
from .render import make_environment, render_site
from .resolve import Site, resolve
from .search import search_index
from .write import write_file, write_site


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

    @property
    def cache(self) -> Path:
        """Processed images and drawn cards, by content hash (git-ignored; safe to delete)."""
        return self.root / ".cache"


@dataclass(frozen=True)
class BuildResult:
    pages: int
    sources: int
    citations: int
    seconds: float
    warnings: tuple[Problem, ...]
    outputs: dict[str, bytes]
    offline: Path | None = None  # the offline copy, when asked for

    def summary(self) -> str:
        return (
            f"built {self.pages} pages, {self.sources} sources, {self.citations} citations "
            f"in {self.seconds:.2f} s" + (f"; offline copy {self.offline.name}" if self.offline else "")
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
    images, pictures = image_outputs(site, project.root, project.cache / "images")
    data = dataset_outputs(site)
    env = make_environment(project.templates, preview)
    env.globals.update(pictures=pictures, card_path=card_path, feed=FEED if site.content.changes else None)
    outputs = render_site(site, md, env, downloads(site, data))
    outputs.update(collect_assets(project.assets))
    outputs.update(asset_image_outputs(project.assets, project.cache / "images"))
    outputs.update(images)
    outputs.update(data)
    outputs.update(card_outputs(site, project.assets, project.cache / "cards"))
    outputs.update(feed_outputs(site))
    outputs.update(search_index(site))  # a script beside the assets: search works from disk too
    outputs[".nojekyll"] = b""  # GitHub Pages: serve the files as they are
    cname = project.root / "content" / "CNAME"
    if cname.is_file():  # GitHub Pages: the custom domain
        outputs["CNAME"] = cname.read_bytes()
    return outputs


def build(project: Project, out: Path | None = None, preview: bool = False, offline: bool = False) -> BuildResult:
    """Build into `out` (default site/); the old output stays untouched if anything fails.

    `preview` pages let the live-reload script reach its server; published pages connect nowhere.
    `offline` also writes the offline copy, a zip of the site, beside the output folder."""
    start = time.perf_counter()
    md = make_markdown()
    site, warnings = check(project, md)
    outputs = render(project, site, md, preview)
    target = out or project.site
    write_site(outputs, target)
    written = None
    if offline:
        for name, data in offline_outputs(site, outputs).items():
            written = target.resolve().parent / name
            write_file(written, data)
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
        offline=written,
    )


__all__ = ["BuildResult", "ContentErrors", "Project", "build", "check", "render"]

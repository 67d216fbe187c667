"""The floor under the cold build: the issue's "naive loop" over the benchmark's own corpus.

For each entity file: read it, parse its front matter with PyYAML's C loader, render its
Markdown with markdown-it-py, fill a one-line Jinja template, write the page. No citations,
relations, listings, cards, search index or downloads: the least any page of the real build
costs. Run once in one process and once on every core, it says how much of the real build's
time is these three libraries alone, and whether a target is within reach on this machine.

    python bench/floor.py /dev/shm/microsite-bench/entities-10000
"""
from __future__ import annotations

import argparse
import multiprocessing
import os
import shutil
import sys
import time
from pathlib import Path

import yaml
from jinja2 import Environment
from markdown_it import MarkdownIt

TEMPLATE = "<!doctype html><title>{{ name }}</title><h1>{{ name }}</h1><main>{{ body }}</main>"
_page = Environment(autoescape=True).from_string(TEMPLATE)
_markdown = MarkdownIt("commonmark", {"html": False})
_loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def build_one(path: str, out: str) -> None:
    text = Path(path).read_text(encoding="utf-8")
    _, front, body = text.split("---\n", 2)
    record = yaml.load(front, Loader=_loader)
    html = _markdown.render(body)
    page = _page.render(name=record.get("name") or record.get("title"), body=html)
    Path(out, Path(path).stem + ".html").write_text(page, encoding="utf-8")


def _chunk(args: tuple[list[str], str]) -> None:
    paths, out = args
    for path in paths:
        build_one(path, out)


def naive_build(paths: list[str], out: Path, processes: int) -> float:
    """Wall seconds to build every path into `out`, on `processes` forked processes."""
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    start = time.perf_counter()
    if processes == 1:
        _chunk((paths, str(out)))
    else:
        size = max(1, len(paths) // (processes * 8))
        chunks = [(paths[i : i + size], str(out)) for i in range(0, len(paths), size)]
        with multiprocessing.get_context("fork").Pool(processes) as pool:
            pool.map(_chunk, chunks)
    return time.perf_counter() - start


def entity_pages(project: Path) -> list[str]:
    """Every Markdown file of the project's content: its entities and free pages."""
    content = project / "content"
    return sorted(str(p) for kind in content.iterdir() if kind.is_dir() for p in kind.glob("*.md"))


def measure_floor(project: Path, out: Path, runs: int) -> dict[int, list[float]]:
    """Wall seconds of each run, in one process and on every core."""
    paths = entity_pages(project)
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    try:
        return {processes: [naive_build(paths, out, processes) for _ in range(runs)] for processes in sorted({1, cores})}
    finally:
        shutil.rmtree(out, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("project", type=Path, help="a project made by bench/generate.py")
    parser.add_argument("--out", type=Path, default=Path("/dev/shm/microsite-floor"))
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    pages = len(entity_pages(args.project))
    for processes, times in measure_floor(args.project, args.out, args.runs).items():
        median = sorted(times)[len(times) // 2]
        print(f"{pages} pages, {processes} process(es): {median:.2f} s ({pages / median:.0f} pages/s; "
              f"runs {', '.join(f'{t:.2f}' for t in times)})")


if __name__ == "__main__":
    sys.exit(main())

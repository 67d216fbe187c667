"""What a build reports: counts, time per pass, warnings, where it wrote."""
from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

from ..errors import Problem
from ..write import tree_stats


@dataclass(frozen=True)
class BuildResult:
    pages: int
    sources: int
    citations: int
    seconds: float
    warnings: tuple[Problem, ...]
    out: Path
    rendered: int = 0  # pages rendered this time (the others had not changed)
    written: int = 0  # files written this time
    phases: tuple[tuple[str, float], ...] = ()  # seconds spent in each pass
    offline: Path | None = None  # the offline copy, when asked for
    title: str = ""  # the site's title (names the offline copy)
    pending: tuple = ()  # work left for after the page is shown: the preview's search index, downloads, sitemap
    quotations: int = 0  # quotations verified against their sources' excerpts
    numbers: int = 0  # numbers checked against their sources' records

    def summary(self) -> str:
        return (
            f"built {self.pages} pages, {self.sources} sources, {self.citations} citations "
            f"({self.quotations} quotation{'' if self.quotations == 1 else 's'} and "
            f"{self.numbers} number{'' if self.numbers == 1 else 's'} checked) "
            f"in {self.seconds:.2f} s" + (f"; offline copy {self.offline.name}" if self.offline else "")
        )

    @property
    def outputs(self) -> dict[str, bytes]:
        """Every file of the output folder, read back (the build itself streams them to disk)."""
        return read_tree(self.out)


def read_tree(root: Path) -> dict[str, bytes]:
    return {name: (root / name).read_bytes() for name in sorted(tree_stats(root))}


class Clock:
    """Seconds spent in each pass, for `build --timings` and the benchmark."""

    def __init__(self):
        self.start = self.last = time.perf_counter()
        self.phases: list[tuple[str, float]] = []

    def lap(self, name: str) -> None:
        now = time.perf_counter()
        self.phases.append((name, now - self.last))
        self.last = now

    @property
    def seconds(self) -> float:
        return time.perf_counter() - self.start

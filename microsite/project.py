"""Where a project's parts live: its content, its own templates and assets over the engine's, the
output folder and the cache. Everything else is derived from these."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

# What a build reads. Each may arrive by pull request, so each must be a folder of the project
# itself: `assets` linked to / would publish the machine (`confine.py` guards what is inside).
PROJECT_FOLDERS = ("content", "templates", "assets")

# The package itself: its templates/ and assets/ ship in the wheel and serve every project, this
# repository's own investigation included, behind the project's own files.
ENGINE_HOME = Path(__file__).resolve().parent


def _own_over_engine(root: Path, folder: str) -> tuple[Path, ...]:
    """The project's folder, then the engine's (`confine.overlay`: the project's files win, file
    by file); one folder when the project's folder is the engine's own."""
    own = root / folder
    return (own,) if root.resolve() == ENGINE_HOME else (own, ENGINE_HOME / folder)


@dataclass(frozen=True)
class Project:
    """Where a project's parts live; everything else is derived from these."""

    root: Path
    base_url: str | None = None  # the published address, replacing site.yaml's (`build --base-url`)
    pdf: bool = False  # also the printed report of each language (`build --pdf`, outputs/report.py)

    @property
    def templates(self) -> tuple[Path, ...]:
        """Where templates are looked for: the project's templates/, then the engine's."""
        return _own_over_engine(self.root, "templates")

    @property
    def assets(self) -> tuple[Path, ...]:
        """Where assets are looked for: the project's assets/, then the engine's."""
        return _own_over_engine(self.root, "assets")

    @property
    def site(self) -> Path:
        return self.root / "site"

    @property
    def cache(self) -> Path:
        """Prepared content files, processed images and drawn cards, by content hash (git-ignored;
        safe to delete)."""
        return self.root / ".cache"

    @property
    def lock(self) -> Path:
        """Held by a build from start to end (`guard.exclusive`)."""
        return self.cache / "lock"

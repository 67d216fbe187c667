"""Load and resolve: every content file prepared (from the cache when its bytes were seen before,
else on every core), assembled, cross-checked and translated; the images decoded with them, so a
damaged one is reported with every other problem (and by `check`)."""
from __future__ import annotations

from dataclasses import dataclass
from functools import partial
from pathlib import Path

from ..content.cached import PreparedCache
from ..content.load import ContentFile, assemble
from ..content.prepare import Prepared, prepare, unreadable
from ..errors import Problem, Problems
from ..incremental.inputs import Inputs
from ..model import SiteConfig
from ..outputs.images import asset_image_outputs, image_outputs
from ..parallel import Helpers, map_beside, map_chunks
from ..project import Project
from ..resolve.site import Site, resolve, with_translated_numbers
from ..resolve.translations import with_translations
from ..store.cache import digest


@dataclass(frozen=True)
class Checked:
    """A resolved site with what was prepared for it."""

    site: Site
    prepared: dict[str, Prepared]  # content file -> prepared
    warnings: list[Problem]


@dataclass(frozen=True)
class Images:
    """The page images and raster assets, kept apart from `Checked`: the preview keeps that
    between saves, and these bytes need not stay."""

    outputs: dict[str, bytes]  # output path -> bytes, page images and raster assets
    pictures: dict  # the file named in `image:` -> its `images.Picture`, for the templates


def load_and_resolve(
    project: Project, inputs: Inputs, cache: PreparedCache, problems: Problems, workers: int | None,
    helpers: Helpers | None = None,
) -> tuple[Checked, Images]:
    files = inputs.files
    prepared = prepare_files(project.root, inputs, cache, workers, helpers)
    for p in prepared:
        problems.items.extend(p.problems)
    content = assemble(project.root, inputs.config, [(f, p.record) for f, p in zip(files, prepared)], problems)
    texts = {f.name: (p.summary, p.body) for f, p in zip(files, prepared)}
    site = resolve(content, texts, problems)
    site = with_translations(project.root, site, problems)
    site = with_translated_numbers(site, problems)
    pages, pictures = image_outputs(site, project.root, project.cache / "images", problems)
    assets = asset_image_outputs(project.assets, project.cache / "images", problems)
    problems.raise_if_errors()
    checked = Checked(site, {f.name: p for f, p in zip(files, prepared)}, problems.warnings)
    return checked, Images({**assets, **pages}, pictures)


def prepare_files(
    root: Path, inputs: Inputs, cache: PreparedCache, workers: int | None, helpers: Helpers | None = None,
) -> list[Prepared]:
    """Each file prepared, from the cache when its content was seen before, else on every core
    (by the `helpers` when there are, with this process)."""
    found: dict[str, Prepared] = {}
    missing = []
    for key, file in zip(inputs.keys, inputs.files):
        value = cache.get(key)
        if value is None:
            missing.append((key, file))
        else:
            found[key] = value
    task = partial(_prepare_chunk, root, inputs.config, inputs.config_digest, cache.folder, cache.texts_in_memory)
    spread = map_chunks(task, missing, workers) if helpers is None else map_beside((), task, missing, helpers)
    for key, value, as_digested in spread:
        if as_digested:
            cache.memory[key] = value
        found[key] = value
    cache.keep_only(set(inputs.keys), prune_disk=bool(missing))
    return [found[k] for k in inputs.keys]


def _prepare_chunk(
    root: Path, config: SiteConfig, config_digest: str, folder: Path | None, texts_in_memory: bool,
    chunk: list[tuple[str, ContentFile]],
) -> list[tuple[str, Prepared, bool]]:
    """`(key, prepared, as digested)` for each `(key, file)`, each also stored on disk for the next
    run (not kept in memory: in a worker, only the parent would read it). What comes back leaves
    each narrative's texts in its entry, unless `texts_in_memory` (`texts.py`).

    Each file is read here, by the process preparing it: the bytes read to digest it were let go,
    as holding every changed file's bytes until then cost 60 MB at 10,000 entities, in the parent
    and in every helper forked from it. A file saved again since it was digested is prepared as it
    is now, but not cached under the key of what it was (`as digested` false); the next build
    digests it anew."""
    cache = PreparedCache(folder, texts_in_memory)
    results = []
    for key, file in chunk:
        try:
            data = file.path.read_bytes()
        except OSError as e:
            results.append((key, unreadable(file, e), False))
            continue
        value = prepare(root, file, data, config)
        as_digested = cache.key(config_digest, file.folder, file.name, digest(data)) == key
        if as_digested:
            value = cache.store(key, value)
        results.append((key, value, as_digested))
    return results

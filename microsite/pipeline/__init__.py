"""The build's passes, in order (`make`), each a plain function of what the passes before it made:

    load      content/         each content file parsed, its Markdown too; from the cache when its
                               bytes were seen before (`pipeline/load.py`)
    resolve   resolve/         every reference checked, back-references derived, translations placed
    outputs   outputs/         assets, images, feeds; a social card per page
    plan      incremental/     each output's key against what the last build wrote: what to keep
    render    render/          the pages whose key changed, over the cores, while helpers draw cards
                               (`pipeline/spread.py`)
    write     write.py         into a fresh tree swapped in whole (the preview: in place)
    late      pipeline/late.py what no page reads: search index, downloads, sitemap, printed report

`build.py` digests the inputs first and stops there when nothing changed, the most frequent build:
this package, which imports Jinja, Pillow, SQLite and lunr, is imported once something is to be made.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

from jinja2 import Environment

from .late import late_outputs, made_later
from .load import Checked, Images, load_and_resolve
from .spread import pages_and_cards
from ..confine import outside
from ..errors import Problems
from ..incremental.deps import fingerprints, inputs_of_pages, keys_of
from ..incremental.inputs import Inputs
from ..incremental.plan import Plan, plan_outputs, site_wide_fingerprints
from ..incremental.result import BuildResult, Clock
from ..incremental.state import BuildState, Manifest
from ..outputs.assets import collect_assets
from ..outputs.cards import CardSet, card_path, site_cards
from ..outputs.feeds import FEED, feed_outputs
from ..outputs.lunr_index import TermCounter
from ..outputs.report import report_names
from ..parallel import Helpers, early_helpers
from ..project import Project
from ..render.graph import Graph, relation_graph
from ..render.pages import PageRenderer, page_outputs
from ..render.templates import make_environment, template_problems
from ..resolve.site import Site, document_cites
from ..resolve.translations import translation_fingerprints
from ..store.cache import digest
from ..write import FileStat, update_in_place, update_site


@dataclass
class Reuse:
    """What a preview keeps from one build for the next (`preview/session.py`): its templates
    compiled (compiling them again was a third of its time per save) and last found sound, each
    text's search terms counted once, and the last build itself, which a save is applied to."""

    environments: dict[tuple, Environment] = field(default_factory=dict)
    search_terms: TermCounter = field(default_factory=TermCounter)
    templates_checked: str = ""  # the digest of the templates last found without a problem
    made: Made | None = None

    def environment(self, project: Project, preview: bool, templates: str) -> Environment:
        key = (project.templates, preview, templates)
        if key not in self.environments:
            self.environments = {key: make_environment(project.templates, preview)}
        return self.environments[key]


@dataclass(frozen=True)
class Made:
    """A finished build, as the preview keeps it."""

    target: Path
    inputs: Inputs
    checked: Checked
    manifest: Manifest  # what it wrote (complete once the late outputs are made)
    fps: dict[str, str]  # every input's fingerprint, the site-wide ones included
    inputs_of: dict[str, tuple[str, ...]]  # page -> the inputs it reads
    env: Environment
    values: dict[str, object]  # what every page's templates read of the build (`page_values`)
    graphs: dict[str, Graph]  # each language's relation graph, made as its pages first need one
    deferred: bool  # its late outputs are still to be made (`late.late_outputs`)


def check_site(
    project: Project, inputs: Inputs, state: BuildState, problems: Problems, env: Environment, workers: int | None,
    reuse: Reuse | None = None, helpers: Helpers | None = None,
) -> tuple[Checked, Images]:
    """Every problem of the project in one list: the templates of `env` compiled, the content
    loaded and resolved (raises `ContentErrors`)."""
    if reuse is None or reuse.templates_checked != inputs.templates:
        found = template_problems(env)
        problems.items.extend(found)
        if reuse is not None:
            reuse.templates_checked = "" if found else inputs.templates
    return load_and_resolve(project, inputs, state.cache, problems, workers, helpers)


def make(
    project: Project, inputs: Inputs, problems: Problems, state: BuildState, target: Path, current: dict[str, FileStat], clock: Clock,
    preview: bool, workers: int | None, reuse: Reuse | None,
) -> BuildResult:
    """The build once some input has changed: every pass, making only what changed. `problems`:
    those found reading the inputs, reported with the rest."""
    previous = state.manifest(target)
    # Helpers forked first, while this process holds little; the preview keeps its last build in
    # memory, which any worker forked from it shares anyway.
    with early_helpers(1 if reuse else workers, len(inputs.files)) as helpers:
        env = reuse.environment(project, preview, inputs.templates) if reuse else make_environment(project.templates, preview)
        checked, images = check_site(project, inputs, state, problems, env, workers, reuse, helpers)
        site = checked.site
        clock.lap("load and resolve")

        extras = whole_site_outputs(project, site, images)
        cards = site_cards(site, project.assets, project.cache / "cards")
        values = page_values(site, images, project.pdf)
        clock.lap("other outputs")

        fps = input_fingerprints(site, checked, inputs.templates, preview, values)
        inputs_of = inputs_of_pages(site, page_outputs(site))
        keys = {**keys_of(inputs_of, fps), **cards.keys, **{name: digest(data) for name, data in extras.items()}}
        plan = plan_outputs(previous, current, keys, made_later(site, project.pdf), reuse is not None)
        graphs: dict[str, Graph] = {}

        def late(drawn: dict[str, Graph] | None) -> Iterator[tuple[str, str, bytes]]:
            """`drawn`: the relation graphs the pages made, which the printed report reuses."""
            counter = reuse.search_terms if reuse else None  # only a preview's next save reuses the counts
            kept = project.cache if state.folder is not None else None
            return late_outputs(site, fps, env, values, drawn, counter, kept, project.pdf)

        made_late = None  # the late outputs, made now when nothing else is: whether to write hangs on them
        if not (plan.deferred or plan.pages_to_make):
            made_late = {name: data for name, key, data in late(None) if not plan.settle(name, key)}
        clock.lap("plan")

        stale_pages = plan.to_make(inputs_of)
        written: list[str] = []
        stats = current
        if plan.writes or reuse is not None:
            graphs[site.content.config.language] = relation_graph(site)
        if plan.writes:
            state.forget(target)  # until the new tree is complete, trust nothing in it
            if reuse is not None:
                reuse.made = None
            renderer = PageRenderer(site, env, (), graphs, values=values)
            made = _outputs(plan, pages_and_cards(renderer, stale_pages, cards, _stale_cards(plan, cards), workers, helpers),
                            extras, made_late, late(graphs))
            stats = _write(made, plan, target, written, in_place=reuse is not None)
            clock.lap("render and write")

    manifest, result = _finished(checked, inputs, plan, stats, target, clock, written, stale_pages)
    if reuse is not None:
        reuse.made = Made(target, inputs, checked, manifest, fps, inputs_of, env, values, graphs, plan.deferred)
    if not plan.deferred:
        state.remember(target, manifest)
    return result


def whole_site_outputs(project: Project, site: Site, images: Images) -> dict[str, bytes]:
    """Everything besides the pages, their cards and the late outputs, each a function of the
    resolved site, made on every build that is not skipped outright and written only where its
    bytes changed: assets, images, feeds, and what GitHub Pages reads."""
    outputs = collect_assets(project.assets)
    outputs.update(images.outputs)
    outputs.update(feed_outputs(site))
    outputs[".nojekyll"] = b""  # GitHub Pages: serve the files as they are
    cname = project.root / "content" / "CNAME"
    if cname.is_file() and not outside(cname, project.root / "content"):  # GitHub Pages: the custom domain
        outputs["CNAME"] = cname.read_bytes()
    return outputs


def page_values(site: Site, images: Images, pdf: bool) -> dict[str, object]:
    """What every page's templates read of this build besides the site: the pictures (`_image.html`),
    each page's card, the feed and the printed reports, which the home and Data pages link."""
    return {
        "pictures": images.pictures,
        "card_path": card_path,
        "feed": FEED if site.content.changes else None,
        "reports": report_names(site) if pdf else {},
    }


def input_fingerprints(site: Site, checked: Checked, templates: str, preview: bool, values: dict) -> dict[str, str]:
    """Every input's fingerprint (`deps.py`), the site-wide ones included."""
    site_wide = site_wide_fingerprints(site, preview, templates + ("pdf" if values["reports"] else ""))
    site_wide["pictures"] = digest(repr(sorted(values["pictures"].items())))
    fps = fingerprints(site, checked.prepared, site_wide)
    fps.update(translation_fingerprints(site))
    return fps


def _stale_cards(plan: Plan, cards: CardSet) -> list:
    return [card for card in cards.cards if card.path not in plan.keep]


def _outputs(
    plan: Plan, pages: Iterator[tuple[str, bytes]], extras: dict[str, bytes], made_late: dict[str, bytes] | None,
    late: Iterator[tuple[str, str, bytes]],
) -> Iterator[tuple[str, bytes | None]]:
    """What this build writes, in order: the pages and cards, the other outputs that changed, then
    the late outputs (made already, or made now, each kept when its bytes are the last build's)."""
    yield from pages
    yield from ((name, data) for name, data in extras.items() if name not in plan.keep)
    if made_late is not None:
        yield from made_late.items()
    elif not plan.deferred:
        for name, key, data in late:
            yield name, None if plan.settle(name, key) else data
            del data  # see late._keyed


def _write(
    outputs: Iterator[tuple[str, bytes | None]], plan: Plan, target: Path, written: list[str], in_place: bool,
) -> dict[str, FileStat]:
    """Each output written as it comes (None: kept as it is), the others the plan keeps left as
    they are; `written` lists what was written."""
    def noted() -> Iterator[tuple[str, bytes | None]]:
        for name, data in outputs:
            if data is not None:
                written.append(name)
            yield name, data
            del data  # see late._keyed

    if in_place:
        return update_in_place(noted(), list(plan.keep), target, present=plan.current)
    return update_site(noted(), list(plan.keep), target)


def _finished(
    checked: Checked, inputs: Inputs, plan: Plan, stats: dict[str, FileStat], target: Path, clock: Clock, written: list[str],
    rendered: list[str],
) -> tuple[Manifest, BuildResult]:
    """What the build wrote, for the next, and what it says."""
    site = checked.site
    content = site.content
    citations = sum(len(document_cites(d, site.summaries.get(d.output), site.bodies[d.output])) for d in site.documents())
    pages = sum(1 for name in plan.keys if name.endswith(".html"))
    warnings = tuple(checked.warnings)
    result = BuildResult(
        pages=pages, sources=len(content.sources), citations=citations, seconds=clock.seconds, warnings=warnings,
        out=target, rendered=len(rendered), written=len(written), phases=tuple(clock.phases), title=content.config.title,
        quotations=site.quotations, numbers=site.numbers,
    )
    files = {name: (key, stats[name]) for name, key in plan.keys.items()}
    manifest = Manifest(inputs.digest, files, pages, result.sources, citations, warnings, site.quotations, site.numbers)
    return manifest, result

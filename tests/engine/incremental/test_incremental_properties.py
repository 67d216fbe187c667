"""Incremental builds equal clean builds, for random series of edits.

tests/engine/incremental/test_incremental.py walks through edits chosen by hand; here Hypothesis chooses them, over
every kind of input a page reads: a source's title, what a summary, a figure, a narrative or a
relation cites, an entity's name, a file renamed, added or deleted, site.yaml, a template, an
asset and a picture. After each edit the command line's incremental build and the preview's
save (`edits.py`'s quick path, or the full path when it cannot tell) must both give, byte for
byte, what a clean build of the same content gives.

The project is a small model (`Model`) written out as files, so every edit keeps the content
valid and the test knows which files each edit saved, as the preview's watcher would.
"""
from __future__ import annotations

import atexit
import os
import io
import shutil
import tempfile
from dataclasses import dataclass, replace
from pathlib import Path

from hypothesis import HealthCheck, Phase, settings
from jinja2 import BytecodeCache
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule
from PIL import Image

from microsite import pipeline as render_module  # the build makes its template environments with `pipeline.make_environment`
from microsite.build import ENGINE_HOME, BuildState, Project, build
from microsite.content.cached import PreparedCache
from tests.conftest import FIXTURES, REPO
from tests.engine.incremental.test_incremental import preview_save, started_preview, tree

SOURCES = ("alpha", "beta", "gamma")
WORDS = ("Red", "Green", "Blue", "Amber")
COLOURS = (None, (200, 30, 30), (30, 30, 200))
BASE_HTML = (ENGINE_HOME / "templates/base.html").read_text(encoding="utf-8")
STYLE_CSS = (ENGINE_HOME / "assets/style.css").read_text(encoding="utf-8")
SITE_YAML = (FIXTURES / "mini/content/site.yaml").read_text(encoding="utf-8")
CHANGES_YAML = (FIXTURES / "mini/content/changes.yaml").read_text(encoding="utf-8")


@dataclass(frozen=True)
class Model:
    """What the project's files say; each field is one kind of input. At the start `beta` is
    cited by a figure alone and `gamma` by a relation alone, shown on its target's page too."""

    titles: tuple[str, str, str] = ("Red", "Red", "Red")  # of SOURCES, in order
    name: str = "Acme"  # the company's
    summary_cite: str = "alpha"
    figure_cite: str = "beta"
    body_cite: str = "alpha"
    relation_cite: str | None = "gamma"  # ledger -> acme (None: uncited)
    agency: str = "agency-one"  # its file's slug: renamed between two names
    zeta: str | None = None  # a second system, present citing this source, or absent
    page_cite: str = "alpha"  # the free page's
    site_title: str = "Mini"
    template: str = ""  # a comment in base.html
    asset: str = ""  # a comment in style.css
    picture: tuple[int, int, int] | None = None  # the company's picture, and its colour


def files(m: Model) -> dict[str, bytes]:
    """Every file the model makes, by path relative to the project."""
    agency_name = "Agency " + m.agency.removeprefix("agency-").title()
    text = {
        "content/site.yaml": SITE_YAML.replace('title: "Mini Investigation"', f'title: "{m.site_title} Investigation"'),
        "content/changes.yaml": CHANGES_YAML,
        "content/companies/acme.md": (
            f"---\nname: {m.name} Corp\nsummary: A company. [@{m.summary_cite}]\n"
            f"figures:\n  - label: Records held\n    value: \"200 million\"\n    as_of: 2020\n    cite: {m.figure_cite}\n"
            + (f"image:\n  file: picture.png\n  alt: A square\n" if m.picture else "")
            + f"---\nAcme builds the [Ledger](../systems/ledger.md) system [@{m.body_cite}, p. 7].\n"
        ),
        "content/systems/ledger.md": (
            "---\nname: Ledger\nsummary: A database. [@alpha]\nvendors:\n  - id: acme\n    role: Builds it\n"
            + (f"    cite: {m.relation_cite}\n" if m.relation_cite else "")
            + f"operators: [{m.agency}]\n---\n"
            f"Ledger holds records for [{agency_name}](../agencies/{m.agency}.md). [@alpha, ch. 2]\n"
        ),
        f"content/agencies/{m.agency}.md": f"---\nname: {agency_name}\nsummary: An agency. [@alpha]\n---\nIt runs Ledger. [@alpha]\n",
        "content/pages/about.md": (
            "---\ntitle: About\nsummary: What this is.\norder: 1\nshow_changes: true\n---\n"
            f"A fixture; see [the sources](/sources.html). [@{m.page_cite}]\n"
        ),
        "templates/base.html": BASE_HTML.replace("<body>", f"<body><!-- {m.template} -->", 1) if m.template else BASE_HTML,
        "assets/style.css": STYLE_CSS + (f"/* {m.asset} */\n" if m.asset else ""),
    }
    for source, title in zip(SOURCES, m.titles):
        text[f"content/sources/{source}.yaml"] = f'title: "{title} {source}"\npublisher: P\ndate: 2020-03\nkind: report\nfacts: ["200 million records"]\n'
    if m.zeta is not None:
        text["content/systems/zeta.md"] = (
            f"---\nname: Zeta\nsummary: Another system. [@alpha]\nvendors:\n  - id: acme\n    cite: {m.zeta}\n"
            f"operators: [{m.agency}]\n---\nZeta. [@alpha]\n"
        )
    made = {path: data.encode() for path, data in text.items()}
    if m.picture:
        made["content/images/picture.png"] = png(m.picture)
    return made


def png(colour: tuple[int, int, int]) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (48, 48), colour).save(out, "PNG")
    return out.getvalue()


class CompiledTemplates(BytecodeCache):
    """Jinja's compiled templates, kept across builds and checked against each template's text
    (Jinja's own checksum), so an edited template is compiled again: compiling every template
    for every build was most of this test's time."""

    def __init__(self) -> None:
        self.stored: dict[str, bytes] = {}

    def load_bytecode(self, bucket) -> None:
        if bucket.key in self.stored:
            bucket.bytecode_from_string(self.stored[bucket.key])

    def dump_bytecode(self, bucket) -> None:
        self.stored[bucket.key] = bucket.bytecode_to_string()


COMPILED = CompiledTemplates()
MAKE_ENVIRONMENT = render_module.make_environment


def make_environment(templates: Path, preview: bool = False):
    env = MAKE_ENVIRONMENT(templates, preview)
    env.bytecode_cache = COMPILED
    return env


a_source = st.sampled_from(SOURCES)
a_word = st.sampled_from(WORDS)


class IncrementalEqualsClean(RuleBasedStateMachine):
    """Edits as rules; after each, both incremental paths are compared with a clean build."""

    shared: Path | None = None  # social cards and images, drawn once for all examples

    def __init__(self) -> None:
        super().__init__()
        render_module.make_environment = make_environment
        shm = Path("/dev/shm")
        self.dir = Path(tempfile.mkdtemp(prefix="microsite-incremental-", dir=shm if shm.is_dir() else None))
        root = self.dir / "project"
        (root / "content").mkdir(parents=True)
        if IncrementalEqualsClean.shared is None:
            IncrementalEqualsClean.shared = Path(tempfile.mkdtemp(prefix="microsite-cards-", dir=self.dir.parent))
            atexit.register(shutil.rmtree, IncrementalEqualsClean.shared, ignore_errors=True)
        (root / ".cache").mkdir()
        for cache in ("cards", "images"):  # content-addressed: a shared entry is the one a build would make
            (self.shared / cache).mkdir(exist_ok=True)
            # Hard links, not a linked folder: a build refuses links in its cache (`guard.check_cache`).
            shutil.copytree(self.shared / cache, root / ".cache" / cache, copy_function=os.link)
        for part in ("templates", "assets"):  # copies: templates and assets are edited too
            shutil.copytree(ENGINE_HOME / part, root / part)
        self.project = Project(root)
        self.model = Model()
        self.written: dict[str, bytes] = {}
        self.saved = self.write_model()
        build(self.project)
        self.preview = self.dir / "preview"
        self.preview_state = started_preview(self.project, self.preview)

    def teardown(self) -> None:
        render_module.make_environment = MAKE_ENVIRONMENT
        for cache in ("cards", "images"):  # what this example drew, for the next ones
            for entry in (self.dir / "project" / ".cache" / cache).glob("*"):
                if not (self.shared / cache / entry.name).exists():
                    os.link(entry, self.shared / cache / entry.name)
        shutil.rmtree(self.dir, ignore_errors=True)

    def write_model(self) -> set[Path]:
        """Write the files whose bytes changed and delete those the model no longer makes."""
        wanted, root, saved = files(self.model), self.project.root, set()
        for path in self.written.keys() - wanted.keys():
            (root / path).unlink()
            saved.add(root / path)
        for path, data in wanted.items():
            if self.written.get(path) != data:
                (root / path).parent.mkdir(parents=True, exist_ok=True)
                (root / path).write_bytes(data)
                saved.add(root / path)
        self.written = wanted
        return saved

    def edit(self, **changes) -> None:
        self.model = replace(self.model, **changes)
        self.saved = self.write_model()

    @rule(source=st.sampled_from(range(len(SOURCES))), title=a_word)
    def retitle_a_source(self, source, title):
        self.edit(titles=tuple(title if n == source else t for n, t in enumerate(self.model.titles)))

    @rule(field=st.sampled_from(["summary_cite", "figure_cite", "body_cite", "page_cite"]), source=a_source)
    def cite_another_source(self, field, source):
        self.edit(**{field: source})

    @rule(source=st.one_of(st.none(), a_source))
    def cite_another_source_in_the_relation(self, source):
        self.edit(relation_cite=source)

    @rule(name=a_word)
    def rename_the_company(self, name):
        self.edit(name=name)

    @rule()
    def rename_the_agency_file(self):
        self.edit(agency="agency-two" if self.model.agency == "agency-one" else "agency-one")

    @rule(source=st.one_of(st.none(), a_source))
    def add_change_or_delete_a_system(self, source):
        self.edit(zeta=source)

    @rule(word=a_word)
    def retitle_the_site(self, word):
        self.edit(site_title=word)

    @rule(word=a_word)
    def edit_a_template(self, word):
        self.edit(template=word)

    @rule(word=a_word)
    def edit_an_asset(self, word):
        self.edit(asset=word)

    @rule(colour=st.sampled_from(COLOURS))
    def change_the_picture(self, colour):
        self.edit(picture=colour)

    @invariant()
    def incremental_builds_equal_a_clean_build(self):
        build(self.project)  # the command line: a new process, its state read from .cache/
        preview_save(self.project, self.preview, self.preview_state, *self.saved)
        self.saved = set()
        stale = {
            path: sorted(name for name in made.keys() | clean.keys() if made.get(name) != clean.get(name))
            for path, made, clean in (
                ("command line", tree(self.project.site), self.clean(preview=False)),
                ("preview", tree(self.preview), self.clean(preview=True)),
            )
        }
        assert stale == {"command line": [], "preview": []}, f"files unlike a clean build's after {self.model}"

    def clean(self, preview: bool) -> dict[str, bytes]:
        out = self.dir / "clean"
        shutil.rmtree(out, ignore_errors=True)
        build(self.project, out, preview=preview, state=BuildState(PreparedCache(None), None))
        return tree(out)


IncrementalEqualsClean.TestCase.settings = settings(
    max_examples=20, stateful_step_count=8, deadline=None, database=None,
    suppress_health_check=[HealthCheck.too_slow],
    # No shrinking: it took minutes, and the message already shows the model and every edit made.
    phases=[Phase.explicit, Phase.reuse, Phase.generate],
)
test_incremental_builds_equal_clean_builds_after_random_edits = IncrementalEqualsClean.TestCase

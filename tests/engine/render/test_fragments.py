"""`{% fragment %}` (microsite/render/fragments.py): a part of a template made once and reused by every
page showing it with the same key. Sharing may only save time: each page is the page it would be
if it made its own fragments, and a fragment whose key would miss what it shows is a template
error."""
from __future__ import annotations

from pathlib import Path

import pytest

from microsite.render import pages as render
from microsite.build import BuildState, Project, build
from microsite.render.fragments import FragmentCache
from tests.conftest import run, write
from tests.engine.incremental.test_incremental import clean_build, edit, tree

# A second company citing both sources, with other locators: pages of one folder citing one source.
BETA = """---
name: Beta Systems
summary: Another company. [@report-2020, p. 2]
---
Beta resells what [Acme](acme.md) builds [@daily-2020-01-02; @report-2020, p. 11].
"""


class CountingCache(FragmentCache):
    """A renderer's fragments, counting those reused."""

    made: list[CountingCache] = []

    def __init__(self, limit: int = 4096):
        super().__init__(limit)
        self.reused = 0
        entries = self.entries
        cache = self

        class Entries(dict):
            def get(self, key, default=None):
                found = dict.get(self, key, default)
                cache.reused += found is not None
                return found

        self.entries = Entries(entries)
        CountingCache.made.append(self)


def two_languages(project: Project) -> Project:
    edit(project, "content/site.yaml", "language: en", "languages: [en, es]")
    write(project, "content/companies/beta.md", BETA)
    return project


def test_pages_sharing_fragments_are_the_pages_made_alone(project: Project, tmp_path: Path, monkeypatch):
    """Every page of two languages (sources cited in three folders, on root pages, on the 404
    page that links from the host's root, and listed on the Sources page), built with each
    language's fragments shared, equals the same page built with none kept."""
    two_languages(project)
    CountingCache.made = []
    monkeypatch.setattr(render, "FragmentCache", CountingCache)
    shared = clean_build(project, tmp_path / "shared")
    assert sum(c.reused for c in CountingCache.made) > 0  # fragments were reused: the comparison means something
    monkeypatch.setattr(render, "FragmentCache", lambda: FragmentCache(limit=0))  # nothing kept
    assert shared == clean_build(project, tmp_path / "alone")


def test_an_edit_to_what_a_fragment_shows_shows_on_every_page(project: Project, tmp_path: Path):
    """A source's publisher and address (its entry in every page's list of sources, a fragment)
    and the site's title (in the masthead and the footer, fragments keyed by the page's folder):
    after the edit, one long-lived build state's pages are a clean build's."""
    two_languages(project)
    state = BuildState.on_disk(project)
    build(project, state=state)
    edit(project, "content/sources/daily-2020-01-02.yaml", "publisher: The Daily", "publisher: The Weekly")
    edit(project, "content/sources/daily-2020-01-02.yaml", "news.example.org/acme", "news.example.org/acme-2")
    edit(project, "content/site.yaml", 'title: "Mini Investigation"', 'title: "Mini Inquiry"')
    build(project, state=state)
    built = tree(project.site)
    assert built == clean_build(project, tmp_path / "clean")
    assert b"The Weekly" in built["systems/ledger.html"] and b"The Daily" not in built["systems/ledger.html"]
    assert b"Mini Inquiry" in built["es/companies/beta.html"]


@pytest.mark.parametrize("fragment, line, name", [
    ('{% fragment url %}<p>{{ url("index.html") }} {{ output }}</p>{% endfragment %}', 1, "'output'"),
    ('{% fragment entry.number %}\n{{ entry.number }}\n{{ entry.anchors|length }}{% endfragment %}', 3, "'entry.anchors'"),
    ('{% fragment url %}{{ url(link) }}{% set link = "x" %}{% endfragment %}', 1, "'link'"),  # read before it is set
    ('{% for a in "ab" %}{% fragment a %}{{ a }}{{ loop.index }}{% endfragment %}{% endfor %}', 1, "'loop.index'"),
])
def test_a_fragment_using_what_its_key_does_not_list_is_a_template_error(project: Project, capsys, fragment, line, name):
    (project.root / "templates/_part.html").write_text(fragment)
    status, _, err = run(project, "build", capsys=capsys)
    assert status == 1
    assert f"templates/_part.html:{line}:1: template error: " in err and name in err
    assert "Traceback" not in err


def test_a_fragment_cannot_include_what_it_does_not_see(project: Project, capsys):
    (project.root / "templates/_part.html").write_text('{% fragment url %}{% include "_listing.html" %}{% endfragment %}')
    status, _, err = run(project, "build", capsys=capsys)
    assert status == 1 and "templates/_part.html:1:1: template error: " in err


def test_a_fragment_listing_all_it_uses_is_accepted(project: Project, capsys):
    (project.root / "templates/_part.html").write_text(
        '{% fragment url, entry.number %}{% set link = "x" %}{{ url(link) }}{{ t("cited") }}'
        '{% for a in entry.number|string %}{{ loop.index }}{% endfor %}{% endfragment %}'
    )
    assert run(project, "build", capsys=capsys)[0] == 0

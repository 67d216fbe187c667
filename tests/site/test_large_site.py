"""A site with a thousand pages of one kind or more: numbers the pages show are written once, as
the language writes them ("1,000 agencies"), and the build does not fail on them."""
from __future__ import annotations

from microsite.build import build

from tests.conftest import write


def test_a_kind_with_a_thousand_entities_is_counted_on_the_home_page(project, tmp_path):
    agency = (project.root / "content/agencies/agency-one.md").read_text(encoding="utf-8")
    for n in range(1000):
        write(project, f"content/agencies/agency-{n:04}.md", agency.replace("name: Agency One", f"name: Agency {n:04}"))
    out = tmp_path / "site"
    build(project, out, workers=1)
    home = (out / "index.html").read_text(encoding="utf-8")
    assert "(1,001)" in home

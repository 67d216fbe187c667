"""The feed exists only for a site with a change log: without one, no page links a feed."""
from __future__ import annotations

from tests.conftest import run


def test_a_site_without_a_change_log_links_no_feed(project, capsys):
    assert run(project, "build", capsys=capsys)[0] == 0
    site = project.root / "site"
    assert (site / "feed.xml").is_file() and 'type="application/atom+xml"' in (site / "index.html").read_text()
    (project.root / "content/changes.yaml").unlink()
    assert run(project, "build", capsys=capsys)[0] == 0
    assert not (site / "feed.xml").exists()
    assert not [p for p in site.rglob("*.html") if "application/atom+xml" in p.read_text()]

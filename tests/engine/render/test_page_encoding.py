"""A page is encoded a few thousand pieces of its template's output at a time (`render._page`,
to keep a large site's listings from taking the build's memory): cut into batches of any size, it
is the same bytes as encoded whole."""
from __future__ import annotations

from microsite.render import pages as render

from tests.conftest import make_project, run
from tests.engine.incremental.test_cache_integrity import tree


def test_pages_encoded_in_small_batches_are_the_pages_encoded_whole(tmp_path, monkeypatch):
    project = make_project(tmp_path / "p")
    sites = {}
    for pieces in (10**9, 3):
        monkeypatch.setattr(render, "PIECES", pieces)
        out = tmp_path / f"site-{pieces}"
        assert run(project, "build", "--out", str(out))[0] == 0
        sites[pieces] = tree(out)
    pages = [name for name in sites[3] if name.endswith(".html")]
    assert len(pages) > 5
    assert sites[3] == sites[10**9]

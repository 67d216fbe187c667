"""`confine.py` asked directly: which files of a folder a build reads, which links it refuses and
what it says of them. `test_input_links.py` checks the same through whole builds."""
from __future__ import annotations

from pathlib import Path

import pytest

from microsite.confine import confined, files_inside, first_link, outside, overlay
from microsite.errors import Location, Problem, Problems


@pytest.fixture
def tree(tmp_path) -> Path:
    """content/ with a page, a folder of pictures, a link inside and links outside; secret/ beside."""
    (tmp_path / "secret").mkdir()
    (tmp_path / "secret" / "key").write_text("secret")
    (tmp_path / "contented").mkdir()  # a name that starts like content
    (tmp_path / "contented" / "page.md").write_text("x")
    content = tmp_path / "content"
    (content / "images").mkdir(parents=True)
    (content / "b.md").write_text("b")
    (content / "images" / "a.png").write_bytes(b"png")
    (content / "a.md").symlink_to("b.md")  # stays inside
    (content / "z-out.md").symlink_to(tmp_path / "secret" / "key")
    (content / "out-folder").symlink_to(tmp_path / "secret")
    (content / "alike.md").symlink_to(tmp_path / "contented" / "page.md")
    (content / "dangling.md").symlink_to(tmp_path / "nowhere")
    return content


def test_outside_follows_every_link_and_compares_whole_folders(tree):
    assert not outside(tree / "b.md", tree)
    assert not outside(tree / "a.md", tree)
    assert not outside(tree / "images" / "a.png", tree)
    assert not outside(tree, tree)
    assert outside(tree / "z-out.md", tree)
    assert outside(tree / "out-folder" / "key", tree)
    assert outside(tree / "alike.md", tree)  # contented/ is not inside content/
    assert not outside(tree / "images" / "a.png", tree / "images")
    assert outside(tree / "b.md", tree / "images")


def test_a_linked_folder_seen_from_outside_is_judged_by_where_it_leads(tree, tmp_path):
    (tmp_path / "link-to-content").symlink_to(tree)
    assert not outside(tree / "b.md", tmp_path / "link-to-content")  # the folder's own links followed too


def test_a_file_outside_is_refused_with_a_located_error(tree):
    problems = Problems()
    assert confined(tree / "b.md", tree, "content/b.md", problems)
    assert confined(tree / "a.md", tree, "content/a.md", problems)
    assert problems.items == []
    assert not confined(tree / "z-out.md", tree, "content/z-out.md", problems)
    assert not confined(tree / "out-folder", tree, "content/out-folder", problems)
    assert problems.items == [
        Problem(Location("content/z-out.md", 1, 1),
                "content/z-out.md is a link to a file outside content/; replace it with the file itself"),
        Problem(Location("content/out-folder", 1, 1),
                "content/out-folder is a link to a folder outside content/; replace it with the folder itself"),
    ]


def test_the_folder_is_named_as_the_reader_knows_it(tree):
    problems = Problems()
    (tree / "images" / "out.png").symlink_to(tree.parent / "secret" / "key")
    assert not confined(tree / "images" / "out.png", tree / "images", "content/images/out.png", problems)
    assert [str(p) for p in problems.items] == [
        "content/images/out.png:1:1: content/images/out.png is a link to a file outside content/images/; "
        "replace it with the file itself",
    ]


def test_the_files_inside_are_the_plain_files_and_links_inside_sorted(tree):
    problems = Problems()
    found = list(files_inside(tree, "content", problems))
    assert found == [tree / "a.md", tree / "b.md", tree / "images" / "a.png"]
    assert [p.location.path for p in problems.items] == [
        "content/alike.md", "content/dangling.md", "content/out-folder", "content/z-out.md",
    ]
    assert [p.message for p in problems.items][1] == (
        "content/dangling.md is a link to a file outside content/; replace it with the file itself")


def test_files_inside_without_problems_leaves_out_quietly_what_was_reported(tree):
    assert list(files_inside(tree, "content", None)) == [tree / "a.md", tree / "b.md", tree / "images" / "a.png"]


def test_files_inside_are_confined_to_another_folder_when_asked(tree):
    problems = Problems()
    images = tree / "images"
    (images / "up.png").symlink_to(tree / "b.md")  # inside content/, outside content/images/
    assert list(files_inside(images, "content/images", problems, within=tree)) == [images / "a.png", images / "up.png"]
    assert problems.items == []
    assert list(files_inside(images, "content/images", problems)) == [images / "a.png"]
    assert [str(p.location) for p in problems.items] == ["content/images/up.png:1:1"]


def test_no_folder_has_no_files(tmp_path):
    assert list(files_inside(tmp_path / "none", "content", Problems())) == []
    (tmp_path / "file").write_text("x")
    assert list(files_inside(tmp_path / "file", "content", Problems())) == []


def test_the_first_folders_file_wins_file_by_file(tmp_path):
    own, engine = tmp_path / "own", tmp_path / "engine"
    for folder, names in ((own, ["page.html", "parts/head.html"]), (engine, ["page.html", "base.html", "parts/head.html", "parts/foot.html"])):
        for name in names:
            (folder / name).parent.mkdir(parents=True, exist_ok=True)
            (folder / name).write_text(folder.name)
    files = overlay([own, engine], "templates", Problems())
    assert list(files) == ["base.html", "page.html", "parts/foot.html", "parts/head.html"]
    assert {name: path.read_text() for name, path in files.items()} == {
        "base.html": "engine", "page.html": "own", "parts/foot.html": "engine", "parts/head.html": "own",
    }


def test_an_overlays_link_outside_is_reported_with_the_name_given(tmp_path):
    own = tmp_path / "own"
    own.mkdir()
    (own / "x.html").symlink_to(tmp_path / "elsewhere")
    problems = Problems()
    assert overlay([own], "templates", problems) == {}
    assert [p.location.path for p in problems.items] == ["templates/x.html"]
    assert overlay([own], "templates", None) == {}


def test_the_first_link_on_the_way_down_is_found(tmp_path):
    root = tmp_path / "project"
    (root / "content" / "real").mkdir(parents=True)
    (tmp_path / "elsewhere").mkdir()
    (root / "content" / "linked").symlink_to(tmp_path / "elsewhere")
    (root / "content" / "real" / "inner").symlink_to(root / "content" / "real")
    (root / "content" / "real" / "file.md").symlink_to(tmp_path / "nowhere")  # dangling
    assert first_link(root / "content" / "real" / "page.md", root) is None
    assert first_link(root / "content", root) is None
    assert first_link(root, root) is None
    assert first_link(root / "content" / "linked" / "page.md", root) == root / "content" / "linked"
    assert first_link(root / "content" / "real" / "inner" / "page.md", root) == root / "content" / "real" / "inner"
    assert first_link(root / "content" / "real" / "file.md", root) == root / "content" / "real" / "file.md"


def test_the_root_itself_is_trusted(tmp_path):
    (tmp_path / "real").mkdir()
    (tmp_path / "root").symlink_to(tmp_path / "real")
    assert first_link(tmp_path / "root" / "content" / "page.md", tmp_path / "root") is None

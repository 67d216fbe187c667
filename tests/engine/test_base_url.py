"""`--base-url URL` replaces site.yaml's base_url: a usable address or a usage error, every page it
reaches built again; `check --strict` warns while site.yaml's is a placeholder; the preview is
built for its own address."""
from __future__ import annotations

import re
import pytest

from tests.conftest import make_project, run, tree, write


@pytest.mark.parametrize("value", ["ftp://campaign.org/x/", "campaign.org/x/", "https://", "https://x.org/a b/",
                                   "https://user:secret@x.org/", "https://x.org/?page=1", "https://x.org:port/"])
def test_a_bad_base_url_is_a_usage_error_that_says_so(project, capsys, value):
    status, out, err = run(project, "build", "--base-url", value, capsys=capsys)
    assert status == 2
    assert f"argument --base-url: '{value}' is not a usable base URL: " in err
    assert "source address" not in err and "Traceback" not in err
    assert not (project.root / "site").exists()


def test_the_base_url_gets_its_final_slash(project, capsys):
    assert run(project, "build", "--base-url", "https://campaign.test/sub", capsys=capsys)[0] == 0
    assert '<link rel="canonical" href="https://campaign.test/sub/">' in (project.root / "site/index.html").read_text()


def test_another_base_url_rebuilds_everything_it_reaches(project, capsys, tmp_path):
    """An incremental build into a folder built for another address equals a clean build."""
    out = str(project.root / "site")
    assert run(project, "build", "--out", out, capsys=capsys)[0] == 0
    assert run(project, "build", "--out", out, "--base-url", "https://one.test/a/", capsys=capsys)[0] == 0
    clean = make_project(tmp_path / "clean")
    assert run(clean, "build", "--base-url", "https://one.test/a/", capsys=capsys)[0] == 0
    assert tree(project.root / "site") == tree(clean.root / "site")


PLACEHOLDERS = ["https://example.github.io/whos-behind-ice/", "https://example.com/", "http://www.example.org/x/",
                "https://example.net/", "https://campaign.example/"]


@pytest.mark.parametrize("address", PLACEHOLDERS)
def test_check_warns_at_a_placeholder_base_url(project, capsys, address):
    site_yaml = project.root / "content/site.yaml"
    text = site_yaml.read_text(encoding="utf-8")
    lines = text.splitlines()
    line = next(i for i, l in enumerate(lines, 1) if l.startswith("base_url:"))
    write(project, "content/site.yaml", re.sub(r"(?m)^base_url: .*$", f'base_url: "{address}"', text))
    status, out, err = run(project, "check", capsys=capsys)  # a contributor's check: nothing they could fix
    assert (status, err) == (0, "") and out.endswith(", 0 warnings\n")
    status, out, err = run(project, "check", "--strict", capsys=capsys)  # before publishing: said
    assert status == 1 and out.endswith(", 1 warning\n")
    assert err.startswith(f"content/site.yaml:{line}:11: warning: base_url '{address}' is a placeholder: ")
    assert "--base-url" in err
    status, out, err = run(project, "check", "--strict", "--base-url", "https://org.github.io/repo", capsys=capsys)
    assert (status, err) == (0, "") and out.endswith(", 0 warnings\n")


def test_a_placeholder_warning_does_not_stop_a_build_from_being_skipped(project, capsys, monkeypatch):
    """A second build with nothing changed stops after reading its inputs, and still warns when
    it publishes (in CI, without --base-url); a build on a contributor's machine does not."""
    text = (project.root / "content/site.yaml").read_text(encoding="utf-8")
    write(project, "content/site.yaml", re.sub(r"(?m)^base_url: .*$", 'base_url: "https://example.com/"', text))
    monkeypatch.delenv("CI", raising=False)
    status, out, err = run(project, "build", capsys=capsys)
    assert status == 0 and "is a placeholder" not in err
    monkeypatch.setenv("CI", "true")
    status, out, err = run(project, "build", "--timings", capsys=capsys)
    assert status == 0 and "is a placeholder" in err
    assert [phase.split()[0] for phase in out.splitlines()[1].split("; ")[1].split(", ")] == ["read"]


@pytest.mark.parametrize("address", ["https://org.github.io/repo/", "https://examples.org/", "https://myexample.com/",
                                     "https://investigation.test/"])
def test_a_real_address_is_no_placeholder(project, capsys, address):
    text = (project.root / "content/site.yaml").read_text(encoding="utf-8")
    write(project, "content/site.yaml", re.sub(r"(?m)^base_url: .*$", f'base_url: "{address}"', text))
    status, out, err = run(project, "check", "--strict", capsys=capsys)
    assert (status, err) == (0, "")


def test_the_preview_is_built_for_its_own_address(project, capsys, monkeypatch):
    """`serve` publishes nowhere but on its port: it warns of no placeholder, unless given one."""
    import microsite.preview.serve
    from microsite.build import check

    seen = []
    monkeypatch.setattr(microsite.preview.serve, "serve", lambda project, host, port: seen.append((project, check(project)[1])))
    text = (project.root / "content/site.yaml").read_text(encoding="utf-8")
    write(project, "content/site.yaml", re.sub(r"(?m)^base_url: .*$", 'base_url: "https://example.com/"', text))
    assert run(project, "serve", "--port", "9123", capsys=capsys)[0] == 0
    assert run(project, "serve", "--base-url", "https://example.org/x", capsys=capsys)[0] == 0
    [(preview, warnings), (given, _)] = seen
    assert (preview.base_url, warnings) == ("http://127.0.0.1:9123/", [])
    assert given.base_url == "https://example.org/x/"

"""`microsite init DIR`: a new campaign's repository that builds, checks and publishes with the
installed engine, nothing of this investigation in it; and the engine as a pip-installed package."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest
import yaml

from microsite import __version__, init as init_module
from microsite.cli import main
from tests.conftest import REPO

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


def investigation_words() -> set[str]:
    """What only this repository's investigation says: its title, the name of every page and the
    first word of each (Palantir, Amazon...)."""
    title = yaml.safe_load((REPO / "content/site.yaml").read_text(encoding="utf-8"))["title"]
    words = set(title.values()) if isinstance(title, dict) else {title}  # per language, or one
    for path in (REPO / "content").glob("*/*.md"):
        if len(path.suffixes) == 1:  # an original, not a translation
            name = yaml.safe_load(path.read_text(encoding="utf-8").split("---")[1]).get("name")
            words |= {name, name.split()[0]} if name else set()
    return {w for w in words if len(w) > 3} | {"ICE"}


def mentions(files) -> set[str]:
    """The investigation's words found, as whole words, in `files`."""
    import re

    pattern = re.compile("|".join(rf"\b{re.escape(w)}\b" for w in investigation_words()))
    return {m.group(0) for p in files for m in pattern.finditer(p.read_text(encoding="utf-8", errors="replace"))}


def cli(root: Path, *args: str, capsys) -> tuple[int, str, str]:
    try:
        status = main(list(args), root=root, prog="microsite")
    except SystemExit as exc:
        status = exc.code
    out, err = capsys.readouterr()
    return status, out, err


@pytest.mark.parametrize("languages", ["en", "es,en"])
def test_a_new_site_builds_and_checks_with_the_engine_s_templates(tmp_path, capsys, languages):
    site = tmp_path / "my-campaign"
    assert cli(tmp_path, "init", str(site), "--languages", languages, capsys=capsys)[0] == 0
    assert not (site / "templates").exists() and not (site / "assets").exists()
    assert investigation_words()  # the names the check looks for, read from content/
    assert mentions(p for p in site.rglob("*") if p.is_file()) == set()
    status, out, err = cli(site, "check", capsys=capsys)
    assert status == 0 and "no errors" in out, err
    status, out, err = cli(site, "build", capsys=capsys)
    assert status == 0, err
    assert (site / "site/index.html").is_file() and (site / "site/assets/style.css").is_file()
    first = languages.split(",")[0]
    assert f'lang="{first}"' in (site / "site/index.html").read_text(encoding="utf-8")
    for other in languages.split(",")[1:]:
        assert (site / "site" / other / "index.html").is_file()
    assert mentions([*(site / "site").rglob("*.html"), *(site / "site").rglob("*.css")]) == set()


def test_the_main_language_gives_every_word_of_the_starter(tmp_path, capsys):
    """Spanish first: comments, README and the original pages in Spanish; English only as the
    translations' words, beside the Spanish in site.yaml's mappings."""
    site = tmp_path / "sitio"
    assert cli(tmp_path, "init", str(site), "--languages", "es,en", "--title", "Mi campaña", capsys=capsys)[0] == 0
    es = yaml.safe_load((init_module.STARTER / "es/words.yaml").read_text(encoding="utf-8"))
    en = yaml.safe_load((init_module.STARTER / "en/words.yaml").read_text(encoding="utf-8"))
    config = (site / "content/site.yaml").read_text(encoding="utf-8")
    assert es["comments"]["kinds"].splitlines()[0] in config and en["comments"]["kinds"].splitlines()[0] not in config
    assert "Mi campaña" in (site / "README.md").read_text(encoding="utf-8")
    assert es["comments"]["publish"] in (site / ".github/workflows/publish.yml").read_text(encoding="utf-8")
    organization = site / "content" / es["kinds"]["organizations"]["id"] / f"{es['examples']['organization']['slug']}.md"
    assert es["examples"]["organization"]["name"] in organization.read_text(encoding="utf-8")
    translation = organization.with_name(organization.stem + ".en.md").read_text(encoding="utf-8")
    assert en["examples"]["organization"]["role"] in translation  # roles translated, not left to the original


def test_init_refuses_a_folder_that_is_not_empty(tmp_path, capsys):
    (tmp_path / "taken").mkdir()
    (tmp_path / "taken/notes.txt").write_text("mine\n")
    status, out, err = cli(tmp_path, "init", str(tmp_path / "taken"), capsys=capsys)
    assert status == 2 and len(err.strip().splitlines()) == 1 and "not empty" in err
    assert sorted(p.name for p in (tmp_path / "taken").iterdir()) == ["notes.txt"]


def test_init_names_the_languages_it_can_write(tmp_path, capsys):
    status, out, err = cli(tmp_path, "init", str(tmp_path / "x"), "--languages", "xx", capsys=capsys)
    assert status == 2 and "'xx'" in err and "en, es" in err
    assert not (tmp_path / "x").exists()


class FakeDist:
    def __init__(self, direct_url: dict | None, version: str = __version__):
        self.version, self.direct = version, direct_url

    def read_text(self, name):
        return json.dumps(self.direct) if self.direct is not None and name == "direct_url.json" else None


@pytest.mark.parametrize("direct_url, requirement", [
    (None, f"microsite=={__version__}"),
    ({"url": "https://github.com/org/engine", "vcs_info": {"vcs": "git", "commit_id": "ab" * 20}},
     f"microsite @ git+https://github.com/org/engine@{'ab' * 20}"),
    ({"url": "https://files.example/microsite-1.whl", "archive_info": {}}, "microsite @ https://files.example/microsite-1.whl"),
])
def test_the_new_site_installs_the_engine_it_was_made_with(monkeypatch, direct_url, requirement):
    monkeypatch.setattr(init_module.metadata, "distribution", lambda name: FakeDist(direct_url))
    assert init_module.engine_requirement() == requirement


def test_a_checkout_gives_its_remote_and_commit(tmp_path, monkeypatch):
    git = lambda *args: subprocess.run(["git", "-C", str(tmp_path), *args], check=True, capture_output=True, text=True).stdout.strip()
    git("init", "-q")
    git("-c", "user.name=t", "-c", "user.email=t@t", "commit", "-q", "--allow-empty", "-m", "x")
    git("remote", "add", "origin", "https://github.com/org/engine.git")
    monkeypatch.setattr(init_module.metadata, "distribution", lambda name: FakeDist({"url": tmp_path.as_uri(), "dir_info": {}}))
    assert init_module.engine_requirement() == f"microsite @ git+https://github.com/org/engine.git@{git('rev-parse', 'HEAD')}"


# --- The package as a campaign installs it: a wheel, a fresh virtual environment, no checkout. ---

@pytest.fixture(scope="session")
def installed(tmp_path_factory) -> Path:
    """A fresh virtual environment outside the repository with the engine's wheel installed (not
    editable). Its dependencies are the test run's own (a .pth line: no network)."""
    where = tmp_path_factory.mktemp("installed")
    subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(where / "wheels"), str(REPO)],
                   check=True, capture_output=True, timeout=300)
    venv = where / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=120)
    python = venv / "bin/python"
    site_packages = subprocess.run([python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                                   check=True, capture_output=True, text=True).stdout.strip()
    Path(site_packages, "engine-dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    wheel = next((where / "wheels").glob("microsite-*.whl"))
    subprocess.run([python, "-m", "pip", "install", "-q", "--no-deps", "--no-index", "--ignore-installed", str(wheel)], check=True, timeout=120)
    return venv


def outside(venv: Path, cwd: Path, *command: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV", "MAKEFLAGS", "MFLAGS")}
    env["PATH"] = f"{venv / 'bin'}:{env['PATH']}"
    return subprocess.run(list(command), cwd=cwd, env=env, capture_output=True, text=True, timeout=300)


@pytest.mark.slow
def test_pip_install_then_init_build_and_check_then_the_readme_s_commands_from_a_clone(installed, tmp_path):
    done = outside(installed, tmp_path, "microsite", "--version")
    assert done.stdout.strip() == f"microsite {__version__}", done.stderr
    done = outside(installed, tmp_path, "microsite", "init", "my-campaign", "--title", "Campaign")
    assert done.returncode == 0, done.stderr
    site = tmp_path / "my-campaign"
    for command in ("build", "check"):
        done = outside(installed, site, "microsite", command)
        assert done.returncode == 0, done.stderr
    assert outside(installed, site, installed / "bin/python", "-c", "import microsite; print(microsite.__file__)").stdout.startswith(str(installed))
    assert not (site / "templates").exists() and not (site / "assets").exists()
    requirement = (site / "requirements.txt").read_text().strip()
    assert requirement.startswith("microsite @ file://") and requirement.endswith(".whl")

    git = lambda cwd, *args: subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@t", *args], cwd=cwd, check=True, capture_output=True)
    git(site, "init", "-q")
    git(site, "add", "-A")
    git(site, "commit", "-q", "-m", "first")
    git(tmp_path, "clone", "-q", str(site), "clone")
    clone = tmp_path / "clone"
    readme = (clone / "README.md").read_text(encoding="utf-8")
    commands = [line.split("#")[0].strip() for line in readme.split("```")[1].strip().splitlines()]
    assert commands == ["make site", "make check"]
    for command in commands:  # the README's own commands, the virtual environment already made
        done = outside(installed, clone, *command.split(), f"VENV={installed}")
        assert done.returncode == 0, done.stdout + done.stderr
    assert (clone / "site/index.html").is_file()

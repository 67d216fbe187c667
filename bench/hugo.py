"""The benchmark's corpus as a Hugo site doing the same page work, to measure Hugo beside the build.

`generate.py` writes a project in this generator's content model; this turns it into a Hugo site:
one page per entity with its name, summary, figures, related links (both directions of each
relation, as the project shows them) and narrative; a list per kind; the home page, the sitemap
and the RSS feeds Hugo makes by default. Citations (`[@source]`) are left as text: Hugo has no
equivalent, and the project's citation work (numbered notes, source pages) is beyond it here.
Every page is made in each of site.yaml's `languages`, the first at the root and the others
under `/LANG/` (Hugo's multilingual mode, a content folder per language), as the project makes
them: a page not translated yet is published with its original text.

    python bench/hugo.py /dev/shm/microsite-bench/project-10000 /dev/shm/hugo-10000
    hugo --source /dev/shm/hugo-10000 --destination /dev/shm/hugo-10000-public

`run.py` does both when `hugo` is on the PATH, and builds with Hugo between the project's builds.
"""
from __future__ import annotations

import argparse
import re
import shutil
import subprocess
from pathlib import Path

import yaml

_loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)

CONFIG = """\
baseURL = "https://example.org/"
title = "{title}"
uglyURLs = true
defaultContentLanguage = "{first}"
disableKinds = ["taxonomy", "term"]
[markup.goldmark.renderer]
unsafe = false
"""
BASEOF = """\
<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{{ .Title }} · {{ site.Title }}</title>
<meta name="viewport" content="width=device-width, initial-scale=1"></head>
<body><header><a href="{{ relURL "/" }}">{{ site.Title }}</a>
<nav>{{ range site.Sections }}<a href="{{ .RelPermalink }}">{{ .Title }}</a> {{ end }}</nav></header>
<main>{{ block "main" . }}{{ end }}</main></body></html>
"""
SINGLE = """\
{{ define "main" }}<article><h1>{{ .Title }}</h1>
<p class="summary">{{ .Params.summary }}</p>
{{ with .Params.figures }}<table>{{ range . }}<tr><th>{{ .label }}</th><td>{{ .value }}</td><td>{{ .as_of }}</td><td>{{ .cite }}</td></tr>{{ end }}</table>{{ end }}
{{ with .Params.related }}<ul class="related">{{ range . }}{{ with site.GetPage .page }}<li><a href="{{ .RelPermalink }}">{{ .Title }}</a>{{ end }} {{ .label }}: {{ .role }}</li>{{ end }}</ul>{{ end }}
{{ .Content }}</article>{{ end }}
"""
LIST = """\
{{ define "main" }}<h1>{{ .Title }}</h1><ul>{{ range .Pages }}<li><a href="{{ .RelPermalink }}">{{ .Title }}</a>: {{ .Params.summary }}</li>{{ end }}</ul>{{ end }}
"""
HOME = """\
{{ define "main" }}<h1>{{ site.Title }}</h1>{{ range site.Sections }}<h2><a href="{{ .RelPermalink }}">{{ .Title }}</a></h2><p>{{ len .Pages }} pages</p>{{ end }}{{ end }}
"""
_LINK = re.compile(r"\]\(\.\./([\w-]+)/([\w-]+)\.md\)")


def convert(project: Path, out: Path) -> Path:
    """Write the Hugo site for `project` into `out` (replaced if it exists); returns `out`."""
    if out.exists():
        shutil.rmtree(out)
    settings = yaml.load((project / "content" / "site.yaml").read_text(encoding="utf-8"), Loader=_loader)
    languages = settings.get("languages") or ["en"]
    config = _first_language(settings)
    kinds, relations = config["kinds"], config["relations"]
    entities: dict[tuple[str, str], tuple[dict, str]] = {}
    for kind in kinds:
        for path in sorted((project / "content" / kind).glob("*.md")):
            _, front, body = path.read_text(encoding="utf-8").split("---\n", 2)
            entities[(kind, path.stem)] = (yaml.load(front, Loader=_loader), body)
    related: dict[tuple[str, str], list[dict]] = {key: [] for key in entities}
    for (kind, slug), (front, _) in entities.items():
        for field, spec in relations.items():
            if spec["from"] != kind:
                continue
            for link in front.get(field, []):
                target = (spec["to"], link["id"])
                related[(kind, slug)].append({"page": f"/{target[0]}/{target[1]}", "label": spec["label"], "role": link["role"]})
                related[target].append({"page": f"/{kind}/{slug}", "label": spec["inverse"], "role": link["role"]})
    for language in languages:
        content = out / "content" / language
        for kind, spec in kinds.items():
            (content / kind).mkdir(parents=True)
            (content / kind / "_index.md").write_text(f"---\ntitle: {spec['plural']}\n---\n{spec.get('intro', '')}\n", encoding="utf-8")
        for (kind, slug), (front, body) in entities.items():
            page = {"title": front["name"], "summary": front["summary"], "figures": front.get("figures", []), "related": related[(kind, slug)]}
            text = "---\n" + yaml.dump(page, Dumper=_dumper, sort_keys=False, width=1000) + "---\n" + _LINK.sub(r"](../\1/\2.html)", body)
            (content / kind / f"{slug}.md").write_text(text, encoding="utf-8")
    layouts = out / "layouts" / "_default"
    layouts.mkdir(parents=True)
    settings_text = CONFIG.format(title=config["title"].replace('"', "'"), first=languages[0])
    for weight, language in enumerate(languages, 1):
        settings_text += f'[languages.{language}]\ncontentDir = "content/{language}"\nlanguageCode = "{language}"\nweight = {weight}\n'
    (out / "config.toml").write_text(settings_text, encoding="utf-8")
    for name, text in (("baseof", BASEOF), ("single", SINGLE), ("list", LIST)):
        (layouts / f"{name}.html").write_text(text, encoding="utf-8")
    (out / "layouts" / "index.html").write_text(HOME, encoding="utf-8")
    return out


def _first_language(value):
    """site.yaml with each text given by language (`{en: ..., es: ...}`) reduced to its first
    language's: the titles and lists' names, the same in every language of the Hugo site."""
    if isinstance(value, dict):
        languages = value.get("languages")
        if isinstance(languages, list) and languages:
            return {k: _in(v, languages[0]) for k, v in value.items()}
    return value


def _in(value, language: str):
    if isinstance(value, dict):
        if language in value and all(isinstance(k, str) and len(k) == 2 for k in value):
            return value[language]
        return {k: _in(v, language) for k, v in value.items()}
    return value


def hugo_version() -> str | None:
    """`hugo version`'s first words, or None when Hugo is not on the PATH."""
    if shutil.which("hugo") is None:
        return None
    return subprocess.run(["hugo", "version"], capture_output=True, text=True, check=True).stdout.split(" BuildDate")[0].strip()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("project", type=Path, help="a project written by generate.py")
    parser.add_argument("out", type=Path)
    args = parser.parse_args()
    convert(args.project, args.out)
    print(f"wrote the Hugo site to {args.out}")


if __name__ == "__main__":
    main()

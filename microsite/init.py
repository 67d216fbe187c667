"""`microsite init DIR`: a new campaign's repository, ready to build, check and publish.

What it writes is the package's `starter/`: `files/` (the Makefile, the workflows, .gitignore,
requirements.txt) and, per language, `words.yaml` and `README.md`. This module only assembles
them: every word comes from those files, in the site's languages, the first one the main one.
No template or asset is copied: the installed engine's serve, and a file the campaign puts in
its own `templates/` or `assets/` overrides the engine's, file by file.
"""
from __future__ import annotations

import json
import subprocess
from datetime import date
from importlib import metadata
from pathlib import Path
from urllib.parse import unquote, urlsplit

import yaml

from . import __version__
from .content.translations import original_digest

STARTER = Path(__file__).resolve().parent / "starter"
MARK = "@@"  # a word from the main language's table, or one of `_fill`'s values: @@name@@


class InitError(Exception):
    """A DIR that is not empty, or a language with no starter words: said in one line (exit 2)."""


def starter_languages() -> list[str]:
    return sorted(p.name for p in STARTER.iterdir() if (p / "words.yaml").is_file())


def init(target: Path, title: str | None, languages: list[str], engine: str | None = None) -> list[str]:
    """Write the new repository into `target` (absent or empty); returns the files written."""
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise InitError(f"{target} is not empty: microsite init writes a new repository into an empty or new folder")
    known = starter_languages()
    unknown = [lang for lang in languages if lang not in known]
    if not languages or unknown:
        raise InitError(f"no starter words for language '{(unknown or [''])[0]}'; languages it can write: {', '.join(known)}")
    words = {lang: yaml.safe_load((STARTER / lang / "words.yaml").read_text(encoding="utf-8")) for lang in languages}
    main = words[languages[0]]
    engine = engine or engine_requirement()
    values = {
        "title": title or main["title"], "tagline": main["tagline"], "engine": engine, "version": __version__,
        "kind_a": main["kinds"]["organizations"]["id"], "kind_b": main["kinds"]["people"]["id"],
        **{f"{name}_comment": text.replace("\n", "\n# ") for name, text in main["comments"].items()},
    }
    files = {
        **{_dotted(p.relative_to(STARTER / "files")): _fill(p.read_text(encoding="utf-8"), values)
           for p in sorted((STARTER / "files").rglob("*")) if p.is_file()},
        "README.md": _fill((STARTER / languages[0] / "README.md").read_text(encoding="utf-8"), values),
        "content/site.yaml": site_yaml(words, languages, title),
        "content/changes.yaml": f"- date: {date.today().isoformat()}\n  text: {_texts(words, languages, 'examples', 'changes')}\n",
        **content_files(words, languages),
    }
    for name, text in files.items():
        path = target / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return sorted(files)


def engine_requirement() -> str:
    """The pip requirement that installs exactly this engine: where it was installed from, as its
    installed metadata records (`direct_url.json`): a git URL and commit, an archive's address,
    a local checkout's remote and commit; else the released version."""
    try:
        dist = metadata.distribution("microsite")
    except metadata.PackageNotFoundError:
        return f"microsite=={__version__}"
    if dist.version != __version__:  # metadata of another copy than the one running
        return f"microsite=={__version__}"
    info = json.loads(dist.read_text("direct_url.json") or "{}")
    url = info.get("url", "")
    if "vcs_info" in info:
        vcs = info["vcs_info"]
        return f"microsite @ {vcs['vcs']}+{url}@{vcs['commit_id']}"
    if "archive_info" in info:
        return f"microsite @ {url}"
    if "dir_info" in info:
        return _checkout_requirement(Path(unquote(urlsplit(url).path))) or f"microsite @ {url}"
    return f"microsite=={dist.version}"


def _checkout_requirement(folder: Path) -> str | None:
    """A local git checkout: its remote's address and the commit checked out, if it has both."""
    def git(*args: str) -> str:
        done = subprocess.run(["git", "-C", str(folder), *args], capture_output=True, text=True, timeout=10)
        return done.stdout.strip() if done.returncode == 0 else ""

    try:
        remote, commit = git("remote", "get-url", "origin"), git("rev-parse", "HEAD")
    except (OSError, subprocess.SubprocessError):
        return None
    if not remote or not commit or "://" not in remote:
        return None
    return f"microsite @ git+{remote}@{commit}"


def site_yaml(words: dict, languages: list[str], title: str | None) -> str:
    """content/site.yaml: the settings and the content model, each part explained above it."""
    main = words[languages[0]]
    kinds, people = main["kinds"]["organizations"]["id"], main["kinds"]["people"]["id"]
    say = lambda name: "".join(f"# {line}".rstrip() + "\n" for line in main["comments"][name].splitlines())
    text = lambda *keys: _texts(words, languages, *keys)
    titles = {lang: title or words[lang]["title"] for lang in languages}
    out = [say("header")]
    out.append(f"title: {_mapping(titles, languages)}\n")
    out.append(f"tagline: {text('tagline')}\n")
    out.append(say("base_url") + 'base_url: "https://example.github.io/site/"\n')
    out.append(say("languages") + f"languages: [{', '.join(languages)}]\n\n")
    out.append(say("kinds") + "kinds:\n")
    for key in ("organizations", "people"):
        out.append(f"  {main['kinds'][key]['id']}:\n")
        for field in ("singular", "plural", "intro"):
            out.append(f"    {field}: {text('kinds', key, field)}\n")
    out.append("\n" + say("relations") + "relations:\n")
    out.append(f"  {main['relation']['id']}:\n    from: {kinds}\n    to: {people}\n")
    for field in ("label", "inverse", "phrase", "inverse_phrase"):
        out.append(f"    {field}: {text('relation', field)}\n")
    out.append("\n" + say("source_kinds") + "source_kinds:\n")
    for key, primary in (("report", "true"), ("news", "false")):
        out.append(f"  {key}: {{ label: {text('source_kinds', key, 'label')}, "
                   f"plural: {text('source_kinds', key, 'plural')}, primary: {primary} }}\n")
    out.append("\n" + say("require_citations") + "require_citations: paragraphs\n")
    return "".join(out)


def content_files(words: dict, languages: list[str]) -> dict[str, str]:
    """One example of each kind, one example source and the about page, each original in the
    main language with a translation beside it in every other."""
    main = words[languages[0]]
    ex = main["examples"]
    kinds, people = main["kinds"]["organizations"]["id"], main["kinds"]["people"]["id"]
    relation, source = main["relation"]["id"], ex["source"]["slug"]
    org_path, person_path = f"{kinds}/{ex['organization']['slug']}", f"{people}/{ex['person']['slug']}"
    example = "".join(f"# {line}".rstrip() + "\n" for line in main["comments"]["example"].splitlines())
    cite = f" [@{source}]"
    link = f"../{org_path}.md"
    files: dict[str, str] = {}

    def page(path: str, name_field: str, key: str, extra: str, translated_extra) -> None:
        def body(lang: str) -> str:
            return words[lang]["examples"][key]["body"].replace("{organization}", link)

        def front(lang: str, head: str) -> str:
            e = words[lang]["examples"][key]
            no_cite = key == "about"
            return (f"---\n{head}{name_field}: {json.dumps(e[name_field], ensure_ascii=False)}\n"
                    f"summary: {json.dumps(e['summary'] + ('' if no_cite else cite), ensure_ascii=False)}\n")

        def cited(lang: str) -> str:
            paragraphs = body(lang).split("\n\n")
            return "\n\n".join(p if key == "about" else p + cite for p in paragraphs) + "\n"

        original = (front(languages[0], example if key != "about" else "") + extra + "---\n" + cited(languages[0]))
        files[f"content/{path}.md"] = original
        for lang in languages[1:]:
            head = f"translates: {original_digest(original.encode('utf-8'))}\n"
            files[f"content/{path}.{lang}.md"] = front(lang, head) + translated_extra(lang) + "---\n" + cited(lang)

    role = lambda lang: json.dumps(words[lang]["examples"]["organization"]["role"], ensure_ascii=False)
    page(org_path, "name", "organization",
         f"{relation}:\n  - id: {ex['person']['slug']}\n    role: {role(languages[0])}\n    cite: {source}\n",
         lambda lang: f"roles:\n  {relation}:\n    {ex['person']['slug']}: {role(lang)}\n")
    page(person_path, "name", "person", "", lambda lang: "")
    page("pages/about", "title", "about", "require_citations: off\n", lambda lang: "")
    s = ex["source"]
    files[f"content/sources/{source}.yaml"] = (
        example + f"title: {json.dumps(s['title'], ensure_ascii=False)}\n"
        + (f"translated_title: {_mapping({l: words[l]['examples']['source']['title'] for l in languages}, languages[1:], always=True)}\n"
           if len(languages) > 1 else "")
        + f"publisher: {json.dumps(s['publisher'], ensure_ascii=False)}\ndate: {date.today().year}\nkind: report\n"
        + "url: https://example.org/\n"
        + f"note: {json.dumps(s['note'], ensure_ascii=False)}\n"
    )
    return files


def _texts(words: dict, languages: list[str], *keys: str) -> str:
    """A text in every language, as site.yaml takes it: `{en: "...", es: "..."}`, or one string."""
    values = {}
    for lang in languages:
        value = words[lang]
        for key in keys:
            value = value[key]
        values[lang] = value
    return _mapping(values, languages)


def _mapping(values: dict[str, str], languages: list[str], always: bool = False) -> str:
    if len(languages) == 1 and not always:
        return json.dumps(values[languages[0]], ensure_ascii=False)
    return "{" + ", ".join(f"{lang}: {json.dumps(values[lang], ensure_ascii=False)}" for lang in languages) + "}"


def _dotted(relative: Path) -> str:
    """`dot-github/...` -> `.github/...`: the package keeps no dot-file, which a wheel may leave out."""
    return "/".join("." + part[4:] if part.startswith("dot-") else part for part in relative.parts)


def _fill(text: str, values: dict[str, str]) -> str:
    for name, value in values.items():
        text = text.replace(f"{MARK}{name}{MARK}", value)
    return text

"""`build.py changes REF`: what a change does to what the site claims, for the one reviewing it.

A reviewer of an investigation reviews claims, not diffs of Markdown. Both versions of the site,
the content at REF (a git commit) and the working tree, go through the passes a build makes
(`build.check`: load, resolve, translations), and their claims are compared page by page and
language by language: each paragraph, list item, table cell, summary, figure, relation and event,
with the sources it cites and whether its quotations and numbers were verified. Claims are matched by page,
kind and words: an identical one is unchanged; one of the same kind whose words are close enough
(`REWORDED`) is reworded; the rest are added or removed.

Only REF's content/ is taken from git (`git archive`, run with a list of arguments), never its
templates or anything else, and nothing from it is run. The words of the report are English in
code, as are the rest of the command line's (`cli.py`): they are for contributors, not readers.
"""
from __future__ import annotations

import difflib
import re
import shutil
import string
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass, replace
from pathlib import Path, PurePosixPath
from typing import Callable, Iterable

from .build import Project, check
from .content.load import _front_matter
from .content.quotations import Quotation, in_plain_text
from .content.translations import load_translations
from .errors import ContentErrors, Location, Problems, printable
from .model import Cite, Content, Document, Entity
from .resolve import numbers, quotes
from .resolve.site import Site

# Where a citation mark stood before punctuation (NUL: Markdown makes any of content's U+FFFD)
_MARK_GAP = re.compile(r"\s*\0[\s\0]*([.,;:!?)])")
REWORDED = 0.6  # difflib's ratio of two claims' words from which one is the other reworded
SHOWN = 200  # characters of a claim the report shows
BODY_BLOCKS = {"list_item_open": "list item", "blockquote_open": "quotation", "td_open": "table cell"}


class ChangesError(Exception):
    """REF cannot be compared with: not a commit, not a git repository, no content/ in it."""


@dataclass(frozen=True)
class Claim:
    """One thing a page states, as its reader sees it, and what backs it."""

    kind: str  # "paragraph", "list item", "summary", "figure", "relation", "event"...
    text: str  # its words, without marks or markup
    sources: tuple[str, ...]  # the ids of the sources it cites, in order
    quotations: tuple[str, ...] = ()
    # (what, how many verified, of how many) for each check the engine makes of its words
    checks: tuple[tuple[str, int, int], ...] = ()


@dataclass(frozen=True)
class PageClaims:
    name: str  # the page's name or title in its language
    claims: tuple[Claim, ...]
    translation: str = ""  # the translation file it is read from (another language only)


@dataclass(frozen=True)
class SiteClaims:
    pages: dict[tuple[str, str], PageClaims]  # (output, language) -> its claims
    sources: dict[str, str]  # id -> title
    stale: frozenset[tuple[str, str]]  # (output, language) of each translation older than its original
    languages: tuple[str, ...] = ()


@dataclass(frozen=True)
class Change:
    mark: str  # "+" added, "-" removed, "~" reworded (or citing other sources)
    old: Claim | None
    new: Claim | None


@dataclass(frozen=True)
class Report:
    pages: tuple[tuple[tuple[str, str], str, tuple[Change, ...]], ...]  # ((output, language), name, changes)
    sources: tuple[tuple[str, str, str], ...]  # (mark, id, title)
    stale: tuple[tuple[tuple[str, str], str, str], ...]  # ((output, language), name, translation file)
    titles: dict[str, str]  # every source's title, by id, in either version


# --- REF's content, from git -------------------------------------------------------------------


def changes_since(project: Project, ref: str) -> str:
    """The report, in Markdown, of what the working tree changes in the site built at `ref`."""
    commit, prefix = resolve_ref(project.root, ref)
    with tempfile.TemporaryDirectory(prefix="microsite-changes-") as folder:
        root = Path(folder) / "repository"
        extract_content(project.root, commit, prefix, root)
        try:
            before = site_claims(Project(root / prefix, project.base_url))
        except ContentErrors as exc:  # placed in REF, as git names a file there
            raise ContentErrors(replace(p, location=replace(p.location, path=f"{ref}:{p.location.path}")) for p in exc.problems) from None
    after = site_claims(project)
    return markdown(compare(before, after), ref, commit)


def _git(root: Path, *args: str) -> subprocess.CompletedProcess:
    if shutil.which("git") is None:
        raise ChangesError("git is not installed; install it to compare with a commit")
    return subprocess.run(["git", "-C", str(root), *args], capture_output=True, stdin=subprocess.DEVNULL)


def resolve_ref(root: Path, ref: str) -> tuple[str, str]:
    """REF's commit id, and the project's folder inside its repository ('' at its top)."""
    prefix = _git(root, "rev-parse", "--show-prefix")
    if prefix.returncode != 0:  # git's last line says why (none, or one another user owns)
        said = prefix.stderr.decode(errors="replace").strip().splitlines()
        why = f" ({said[-1]})" if said else ""
        raise ChangesError(f"{root} is not in a git repository{why}; run changes in a clone of one")
    found = None if ref.startswith("-") else _git(root, "rev-parse", "--verify", "--quiet", "--end-of-options", f"{ref}^{{commit}}")
    if found is None or found.returncode != 0:  # an option to git is no commit
        raise ChangesError(f"'{ref}' is not a commit of this repository; give a commit, branch or tag, such as origin/main")
    return found.stdout.decode().strip(), prefix.stdout.decode().strip()


def extract_content(root: Path, commit: str, prefix: str, into: Path) -> None:
    """The commit's content/ folder, and nothing else, written under `into`."""
    top = _git(root, "rev-parse", "--show-toplevel").stdout.decode().strip()
    into.mkdir(parents=True)
    with tempfile.TemporaryFile() as said, subprocess.Popen(
        ["git", "-C", top, "archive", "--format=tar", commit, "--", f"{prefix}content/"],
        stdout=subprocess.PIPE, stderr=said, stdin=subprocess.DEVNULL,
    ) as archive:
        failed = ""
        try:
            with tarfile.open(fileobj=archive.stdout, mode="r|") as tar:
                _extract(tar, into)
        except tarfile.TarError as exc:  # nothing came (git says why), or a file that cannot be data
            failed = str(exc)
        while archive.stdout.read(1 << 16):  # the archive's padding: closed before it, git would fail
            pass
        archive.wait()
        said.seek(0)
        lines = said.read().decode(errors="replace").strip().splitlines()
    if archive.returncode != 0 or failed:
        why = lines[-1] if archive.returncode and lines else failed
        raise ChangesError(printable(f"cannot read content/ at {commit[:12]}: {why}"))


def _extract(tar: tarfile.TarFile, into: Path) -> None:
    """Every file as data (`tarfile`'s data filter: no link out of `into`, no device); before
    Python 3.11.4, which has no filter, plain files and folders only."""
    if hasattr(tarfile, "data_filter"):
        tar.extractall(into, filter="data")
        return
    for member in tar:
        name = PurePosixPath(member.name)
        if (member.isfile() or member.isdir()) and not name.is_absolute() and ".." not in name.parts:
            tar.extract(member, into, set_attrs=False)


# --- The claims of one version of the site -----------------------------------------------------


def site_claims(project: Project) -> SiteClaims:
    """Every page's claims in every language, as `check` finds the site (ContentErrors if broken)."""
    site, _ = check(project)
    content = site.content
    pages: dict[tuple[str, str], PageClaims] = {}
    first, *others = content.config.languages
    for document in site.documents():
        pages[(document.output, first)] = PageClaims(_name(document), tuple(original_claims(site, project.root, document)))
    translations = {(t.original, t.language): t for t in load_translations(project.root, content.config, Problems())}
    stale = set()
    for language in others:
        translated = site.translated[language]
        stale |= {(output, language) for output in translated.stale}
        for document in site.documents():
            t = translations.get((document.path, language))
            if t is None or document.output not in translated.translated:
                continue
            record = translated.records.get(document.output, document)
            claims = list(_summary(site, translated.summaries.get(document.output)))
            if t.body.strip():
                claims += body_claims(content, t.body)
            claims += _changed_records(content, document, record, language)
            name = translated.names.get(document.output, _name(document))
            pages[(document.output, language)] = PageClaims(name, tuple(claims), t.path)
    return SiteClaims(pages, {s.id: s.title for s in content.sources.values()}, frozenset(stale), content.config.languages)


def _name(document: Document) -> str:
    return document.name if isinstance(document, Entity) else document.title


def original_claims(site: Site, root: Path, document: Document) -> list[Claim]:
    """A document's summary, body, figures, relations and events, in the order its page shows them."""
    content = site.content
    claims = list(_summary(site, site.summaries.get(document.output)))
    data = (root / document.path).read_bytes()
    _, _, body, _ = _front_matter(document.path, data, Problems())  # the record keeps only its rendering
    claims += body_claims(content, body)
    return claims + record_claims(content, document)


def _summary(site: Site, placed) -> Iterable[Claim]:
    if placed is not None:
        fragment = placed.fragment
        yield checked(site.content, Claim("summary", fragment.plain, _ids(fragment.cites), tuple(q.text for q in fragment.quotations)))


def body_claims(content: Content, body: str) -> list[Claim]:
    """Each block of a Markdown body with words of its own, parsed as a build parses it; headings
    are not claims."""
    from .content.prepare import _markdown

    claims, kinds, opened = [], [], ""
    for token in _markdown().parse(body):
        if token.type in BODY_BLOCKS:
            kinds.append(BODY_BLOCKS[token.type])
        elif token.type.replace("_close", "_open") in BODY_BLOCKS:
            kinds.pop()
        elif token.type == "inline" and opened in ("paragraph_open", "td_open"):  # not a heading's, nor a table header's
            words = _words(token.children or ())
            if not words:
                continue
            sources = tuple(dict.fromkeys(c.meta["source"] for c in token.children or () if c.type == "citation"))
            found = tuple(f.text for f in (token.meta or {}).get("quotations", ()) if f.text is not None)
            claims.append(checked(content, Claim(kinds[-1] if kinds else "paragraph", words, sources, found)))
        opened = token.type
    return claims


def _words(children) -> str:
    """The block's words as its reader sees them: a citation mark's place closed up ("x [@a]." is "x.")."""
    words = "".join(
        c.content if c.type in ("text", "code_inline") else "\0" if c.type == "citation" else " "
        for c in children if c.type in ("text", "code_inline", "softbreak", "hardbreak", "citation")
    )
    return " ".join(_MARK_GAP.sub(r"\1", words).replace("\0", " ").split())


def record_claims(content: Content, document: Document, language: str = "") -> list[Claim]:
    """The claims written as fields: figures, relations (in the words of `language`), events."""
    claims = []
    if isinstance(document, Entity):
        for figure in document.figures:
            text = f"{figure.label}: {figure.value}" + (f" ({figure.as_of})" if figure.as_of else "") + (f"; {figure.note}" if figure.note else "")
            found = [q.text for part in (figure.label, figure.value, figure.note or "") for q in in_plain_text(part, figure.location, (), Problems())]
            claims.append(checked(content, Claim("figure", text, _ids(figure.cites), tuple(found))))
        for link in document.links:
            relation = content.config.in_language(language).relation(link.relation)
            target = content.link_target(link)
            text = f"{relation.phrase or relation.label} {target.name if target else link.target}" + (f" ({link.role})" if link.role else "")
            claims.append(Claim("relation", text, _ids(link.cites)))
    claims += [Claim("event", f"{event.date}: {event.text}", _ids(event.cites)) for event in document.events]
    return claims


def _changed_records(content: Content, original: Document, translated: Document, language: str) -> list[Claim]:
    """A translation's figures, roles and events, where it gives them: the rest is the original's."""
    ours, theirs = record_claims(content, translated, language), record_claims(content, original, language)
    return [claim for claim in ours if claim not in theirs]


def _ids(cites: Iterable[Cite]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(c.source for c in cites))


def quotations_verified(content: Content, claim: Claim) -> tuple[str, int, int] | None:
    """The claim's quotations found in the excerpts of the sources it cites (`quotes.check`)."""
    if not claim.quotations:
        return None
    found = quotes.check((Quotation(q, Location(""), claim.sources) for q in claim.quotations), content.sources, Problems())
    return ("quotation", len(found), len(claim.quotations))


def numbers_verified(content: Content, claim: Claim) -> tuple[str, int, int] | None:
    """The claim's numbers (outside its quotations, which are checked word for word) found in what
    the sources it cites record (`numbers.check`), read as the page's language writes them."""
    text = claim.text
    for quotation in claim.quotations:
        text = text.replace(quotation, " ")
    stated = numbers.read(text, content.config.language)
    if not stated:
        return None
    cited = [content.sources[s] for s in claim.sources if s in content.sources]
    known = frozenset().union(*(numbers.provided(s, tuple(content.config.languages)) for s in cited))
    return ("number", sum(n.key in known for n in stated), len(stated))


# Each check the engine makes of a claim's words: (content, claim) -> (what, verified, of how many)
# or None; each claim shows its counts.
CHECKS: tuple[Callable[[Content, Claim], tuple[str, int, int] | None], ...] = (quotations_verified, numbers_verified)


def checked(content: Content, claim: Claim) -> Claim:
    return replace(claim, checks=tuple(c for c in (check(content, claim) for check in CHECKS) if c is not None))


# --- Comparing two versions --------------------------------------------------------------------


def compare(before: SiteClaims, after: SiteClaims) -> Report:
    """Page by page (each in the site's first language, then the others), then the sources, then
    the translations stale now that were not."""
    languages = [*after.languages, *before.languages]
    pages = []
    for key in sorted(before.pages.keys() | after.pages.keys(), key=lambda k: (k[0], languages.index(k[1]))):
        old, new = before.pages.get(key), after.pages.get(key)
        found = matched(old.claims if old else (), new.claims if new else ())
        if found:
            pages.append((key, (new or old).name, tuple(found)))
    sources = [("+", s, after.sources[s]) for s in sorted(after.sources.keys() - before.sources.keys())]
    sources += [("-", s, before.sources[s]) for s in sorted(before.sources.keys() - after.sources.keys())]
    stale = [(key, after.pages[key].name, after.pages[key].translation) for key in sorted(after.stale - before.stale)]
    return Report(tuple(pages), tuple(sources), tuple(stale), {**before.sources, **after.sources})


def matched(old: Iterable[Claim], new: Iterable[Claim]) -> list[Change]:
    """The changes from `old` to `new`: identical claims in order are unchanged; of the others,
    the closest pair of one kind (words at least `REWORDED` alike) is reworded, then the next;
    what is left is removed or added. Listed in the new order, each removed one where it stood."""
    old, new = list(old), list(new)
    same = difflib.SequenceMatcher(None, old, new, autojunk=False).get_matching_blocks()
    kept_old = {b.a + i for b in same for i in range(b.size)}
    kept_new = {b.b + i for b in same for i in range(b.size)}
    left = [i for i in range(len(old)) if i not in kept_old]
    right = [j for j in range(len(new)) if j not in kept_new]
    pairs = sorted(
        ((_alike(old[i], new[j]), -abs(i - j), i, j) for i in left for j in right if old[i].kind == new[j].kind),
        reverse=True,
    )
    reworded: dict[int, int] = {}
    for ratio, _, i, j in pairs:
        if ratio >= REWORDED and i not in reworded and j not in reworded.values():
            reworded[i] = j
    by_new = {j: i for i, j in reworded.items()}
    placed = {**{b.a + k: b.b + k for b in same for k in range(b.size)}, **reworded}  # old -> new
    changes: list[tuple[float, int, Change]] = []
    for j in right:
        changes.append((j, 0, Change("~", old[by_new[j]], new[j]) if j in by_new else Change("+", None, new[j])))
    for i in left:
        if i not in reworded:  # after the new place of the claim before it
            changes.append((max((placed[k] for k in range(i) if k in placed), default=-1) + 0.5, i, Change("-", old[i], None)))
    return [change for _, _, change in sorted(changes, key=lambda c: c[:2])]


def _alike(a: Claim, b: Claim) -> float:
    return difflib.SequenceMatcher(None, a.text, b.text, autojunk=False).ratio()


# --- The report, in Markdown -------------------------------------------------------------------

MARKUP = set(string.punctuation) - set(",;?'\"%/-=")  # what CommonMark or GFM may read as markup (`.`, `:`, `@`: an autolink)
ENTITIES = {"<": "&lt;", ">": "&gt;", "&": "&amp;"}


def code(text: str) -> str:
    """A path or an id as a code span, where nothing is markup (`escaped` if it holds a backtick)."""
    text = printable(" ".join(text.split()))
    return escaped(text) if "`" in text or not text else f"`{text}`"


def escaped(text: str) -> str:
    """Content as plain text in Markdown on one line: HTML's characters as entities, every other
    character Markdown may read as markup backslashed, each control character shown as its escape
    (`printable`), so a claim can neither inject markup nor start a line of its own."""
    text = printable(" ".join(text.split()))
    return "".join(ENTITIES.get(c) or (f"\\{c}" if c in MARKUP else c) for c in text)


def shortened(text: str, limit: int = SHOWN) -> str:
    """A claim cut at a word, with an ellipsis, so a long one does not fill the report."""
    if len(text) <= limit:
        return text
    cut = text[:limit].rsplit(" ", 1)[0] if " " in text[:limit] else text[:limit]
    return cut.rstrip(",;:") + "…"


def markdown(report: Report, ref: str, commit: str) -> str:
    lines = [f"## What this changes in what the site claims, compared with `{escaped(ref)}` ({commit[:12]})", ""]
    if not (report.pages or report.sources or report.stale):
        return "\n".join(lines + ["No claim, source or translation changed.", ""])
    for (output, language), name, changes in report.pages:
        lines += [f"### {escaped(name)} · {code(output)} ({escaped(language)})", ""]
        lines += [_item(change, report.titles) for change in changes] + [""]
    if report.sources:
        lines += ["## Sources", ""]
        lines += [f"- `{mark}` {code(id)}: {escaped(shortened(title))}" for mark, id, title in report.sources] + [""]
    if report.stale:
        lines += ["## Translations made stale", ""]
        lines += [f"- {escaped(name)} · {code(output)} ({escaped(language)}): {code(path)} translates the original as it was"
                  for (output, language), name, path in report.stale] + [""]
    return "\n".join(lines)


def _item(change: Change, titles: dict) -> str:
    claim = change.new or change.old
    assert claim is not None
    line = f"- `{change.mark}` {claim.kind}: {escaped(shortened(claim.text))}"
    if change.mark == "~" and change.old is not None and change.old.text != claim.text:
        line += f" (was: {escaped(shortened(change.old.text))})"
    line += " — sources: " + _sources(claim.sources, titles)
    if change.mark == "~" and change.old is not None and change.old.sources != claim.sources:
        line += " (were: " + _sources(change.old.sources, titles) + ")"
    for what, verified, total in claim.checks:
        line += f" — {verified} of {total} {what}{'' if total == 1 else 's'} verified"
    return line


def _sources(ids: tuple[str, ...], titles: dict[str, str]) -> str:
    """`report-2020 (“The Report”)`, for each source cited."""
    return ", ".join(f"{code(s)} (“{escaped(shortened(titles.get(s, ''), 80))}”)" for s in ids) or "none"

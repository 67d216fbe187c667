"""A deterministic synthetic investigation of N entities, for measuring the build.

It uses the project's real content model (`content/site.yaml`), templates and assets, and writes
entities shaped like real ones: about 600 words of narrative, a citation in each paragraph (of three sources), a link to
another page, two relations and three cited figures, over a shared pool of sources.

    python bench/generate.py /dev/shm/bench-10k --entities 10000
"""
from __future__ import annotations

import argparse
import random
import shutil
from pathlib import Path

import yaml

from microsite.build import ENGINE_HOME  # the engine's templates and assets, as a campaign gets them

REPO = Path(__file__).resolve().parent.parent
WORDS = (
    "contract data system agency records cloud biometric analysis vendor platform enforcement "
    "database migration identities hosted operates supplies federal report documents records shows "
    "according department services million program access sharing network case management search "
    "investigative fingerprints storage license procurement award budget office review audit public"
).split()
SOURCE_KINDS = ("report", "government-record", "news")


def kinds_and_relations(root: Path) -> tuple[list[str], dict[str, list[tuple[str, str]]]]:
    config = yaml.safe_load((root / "content" / "site.yaml").read_text(encoding="utf-8"))
    kinds = list(config["kinds"])
    relations = {k: [] for k in kinds}
    for field, spec in config["relations"].items():
        relations[spec["from"]].append((field, spec["to"]))
    return kinds, relations


def generate(out: Path, entities: int, seed: int = 1) -> Path:
    """Write a project of `entities` entities into `out` (replaced if it exists); returns `out`."""
    rng = random.Random(seed)
    if out.exists():
        shutil.rmtree(out)
    content = out / "content"
    content.mkdir(parents=True)
    shutil.copy(REPO / "content" / "site.yaml", content / "site.yaml")
    for part in ("templates", "assets"):
        shutil.copytree(ENGINE_HOME / part, out / part)
    kinds, relations = kinds_and_relations(out)

    sources = [f"source-{i:05d}" for i in range(max(20, entities // 20))]
    (content / "sources").mkdir()
    records: dict[str, dict] = {}
    for i, source in enumerate(sources):
        data = {
            "title": f"Record {i}: {_words(rng, 8).capitalize()}",
            "publisher": f"Publisher {i % 37}",
            "kind": SOURCE_KINDS[i % len(SOURCE_KINDS)],
            "date": f"{2010 + i % 12}-{1 + i % 12:02d}-{1 + i % 28:02d}",
            "url": f"https://example.org/records/{i}",
            "quotes": [_words(rng, 12).capitalize() + "."],
        }
        records[source] = data
    facts: dict[str, list[str]] = {source: [] for source in sources}  # the figures' values each source gives

    slugs = {kind: [f"{kind[:-1]}-{i:05d}" for i in range(k_count)] for kind, k_count in _split(kinds, entities)}
    cursor = 0
    for kind in kinds:
        (content / kind).mkdir()
        for index, slug in enumerate(slugs[kind]):
            cites = [sources[(cursor + j * 7) % len(sources)] for j in range(3)]
            cursor += 1
            links = []
            for n in range(2):
                field, to_kind = relations[kind][n % len(relations[kind])] if relations[kind] else (None, None)
                if field is None:
                    continue
                targets = [t for t in slugs[to_kind] if t != slug]
                target = targets[(index * 3 + n * 11) % len(targets)]
                links.append((field, {"id": target, "role": _words(rng, 5), "cite": cites[n]}))
            front = {
                "name": f"{kind[:-1].capitalize()} {index} {_words(rng, 2).title()}",
                "summary": f"{_words(rng, 14).capitalize()}. [@{cites[0]}]",
                "figures": [
                    {"label": f"{_words(rng, 3).capitalize()}", "value": str(rng.randint(1, 10**6)),
                     "as_of": f"{2015 + j}", "cite": cites[j]}
                    for j in range(3)
                ],
            }
            for figure in front["figures"]:
                facts[figure["cite"]].append(figure["value"])
            for field, link in links:
                front.setdefault(field, []).append(link)
            other = slugs[kind][(index + 1) % len(slugs[kind])]
            body = _narrative(rng, cites, f"../{kind}/{other}.md")
            text = "---\n" + yaml.safe_dump(front, sort_keys=False, width=100) + "---\n" + body
            (content / kind / f"{slug}.md").write_text(text, encoding="utf-8")

    for source, data in records.items():  # written last, with the numbers the figures take from them
        if facts[source]:
            data["facts"] = [", ".join(facts[source])]
        (content / "sources" / f"{source}.yaml").write_text(yaml.safe_dump(data, sort_keys=True), encoding="utf-8")

    (content / "pages").mkdir()
    for order, title in enumerate(("About", "Methodology", "Report")):
        (content / "pages" / f"{title.lower()}.md").write_text(
            f"---\ntitle: {title}\norder: {order}\nshow_changes: {str(order == 0).lower()}\n---\n"
            f"{_words(rng, 80).capitalize()}. [@{sources[order]}]\n",
            encoding="utf-8",
        )
    (content / "changes.yaml").write_text('- date: 2020-01-01\n  text: "First published."\n', encoding="utf-8")
    return out


def _split(kinds: list[str], total: int) -> list[tuple[str, int]]:
    """Entities per kind: roughly a third each, summing to `total`."""
    base, extra = divmod(total, len(kinds))
    return [(kind, base + (1 if i < extra else 0)) for i, kind in enumerate(kinds)]


def _words(rng: random.Random, n: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(n))


def _narrative(rng: random.Random, cites: list[str], link: str) -> str:
    """About 600 words in six paragraphs, each cited, and one link to another page."""
    paragraphs = []
    for p in range(6):
        sentences = [_words(rng, 12).capitalize() + "." for _ in range(8)]
        # Every paragraph is cited, as the build requires; the first three each cite another source.
        sentences[3] += f" [@{cites[p % 3]}, p. {p + 4}]" if p == 2 else f" [@{cites[p % 3]}]"
        if p == 4:
            sentences[1] = f"See also [a related page]({link}). " + sentences[1]
        paragraphs.append(" ".join(sentences))
    return "\n\n".join(paragraphs) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--entities", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    generate(args.out, args.entities, args.seed)
    print(f"wrote {args.entities} entities to {args.out}")


if __name__ == "__main__":
    main()

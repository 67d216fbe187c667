"""Judge the mutants mutmut cannot: those of functions that only a child process runs.

mutmut runs for a mutant the tests it saw reach the mutated function in its own process. The
preview's server (`build.py serve`) runs in a child process started by its tests, so mutmut
reports "no tests" for `serve`, `preview_server` and the rest, and "survived" for what only such a
test would notice. The child inherits `MUTANT_UNDER_TEST` and imports the mutated code from
`mutants/`, so running those tests there with each mutant's name set judges it as mutmut would.

    python tests/tools/mutants_in_children.py microsite.preview.serve. tests/engine/preview tests/browser/test_serve.py

runs, in `mutants/` (made by `make mutate`), the given tests once for each mutant of the prefix
that mutmut left "no tests" or "survived", stopping at the first failure, and prints one line per
mutant (killed, survived or timeout) and a count. A run is resumed where it stopped: verdicts are
kept in `mutants/children-verdicts.tsv`, one line per mutant.
"""
from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
MUTANTS = ROOT / "mutants"
VERDICTS = MUTANTS / "children-verdicts.tsv"
UNJUDGED = ("no tests", "survived")
TIMEOUT = 300  # seconds for one mutant's tests: a mutant that hangs the preview is killed by it


def undecided(prefix: str) -> list[str]:
    """The mutants of `prefix` that mutmut's own run left without a kill, in its order."""
    listing = subprocess.run(
        [sys.executable, "-m", "mutmut", "results", "--all", "true"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout
    names = []
    for line in listing.splitlines():
        name, _, status = line.strip().partition(": ")
        if name.startswith(prefix) and status in UNJUDGED:
            names.append(name)
    return names


def judged() -> dict[str, str]:
    if not VERDICTS.exists():
        return {}
    return dict(line.split("\t")[:2] for line in VERDICTS.read_text().splitlines() if "\t" in line)


def judge(name: str, tests: list[str]) -> tuple[str, float]:
    start = time.monotonic()
    command = [sys.executable, "-m", "pytest", "-x", "-q", "-p", "no:cacheprovider", "--rootdir=.", *tests]
    try:
        done = subprocess.run(command, cwd=MUTANTS, env={**os.environ, "MUTANT_UNDER_TEST": name},
                              capture_output=True, timeout=TIMEOUT)
        verdict = "survived" if done.returncode == 0 else "killed"
    except subprocess.TimeoutExpired:
        verdict = "timeout"
    return verdict, time.monotonic() - start


def main(prefix: str, tests: list[str]) -> int:
    if not (MUTANTS / "pyproject.toml").exists():
        print("no mutants/ yet: run make mutate first (it makes them)", file=sys.stderr)
        return 1
    known = judged()
    names = undecided(prefix)
    with VERDICTS.open("a") as record:
        for name in names:
            if name not in known:
                verdict, seconds = judge(name, tests)
                known[name] = verdict
                record.write(f"{name}\t{verdict}\t{seconds:.0f}\n")
                record.flush()
            print(f"{known[name]}\t{name}", flush=True)
    counts = {v: sum(1 for n in names if known[n] == v) for v in ("killed", "timeout", "survived")}
    print(f"{len(names)} mutants: " + ", ".join(f"{n} {v}" for v, n in counts.items()))
    return 0


if __name__ == "__main__":
    if len(sys.argv) < 3:
        print(__doc__.split("\n\n")[2], file=sys.stderr)
        sys.exit(2)
    sys.exit(main(sys.argv[1], sys.argv[2:]))

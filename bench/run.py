"""The build benchmark: cold build, rebuild with nothing changed, rebuild after one edit, and the
preview's save-to-reload time, on a synthetic investigation (`generate.py`).

    python bench/run.py                      # 10,000 entities, 3 runs each, output on /dev/shm
    python bench/run.py --entities 1000 2000 5000 10000 --json bench/results.json

Each build runs as `build.py build` in a child process, as a user runs it. Peak memory is the
highest total PSS (resident memory, pages shared between processes divided among them) of the
build and its worker processes, sampled every 0.2 s from /proc; the child's own peak RSS is
reported beside it, and the processor time (user and system) of the build and the children it
waited for. Each size is also built by the naive loop of `floor.py`, the least any page costs with
the same libraries, for scale, and, when `hugo` is on the PATH, by Hugo on the same corpus
(`hugo.py`), once per run between the project's builds; each of the project's figures is then
reported beside Hugo's, as a ratio.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.floor import measure_floor  # noqa: E402
from bench.generate import REPO, generate  # noqa: E402
from bench.hugo import convert, hugo_version  # noqa: E402

MiB = 1024 * 1024
# Reading smaps_rollup walks a process's page tables under its memory lock, stalling the build's
# page faults; sampled more often than this, the measurement slows the build down several times.
SAMPLE_EVERY = 0.2
# A writer saving often: at 10,000 entities the next save comes while the search index and the
# data downloads of the last are still being made (in a child process, which the save stops).
BETWEEN_SAVES = 2.0


def tree_pss(pid: int) -> int:
    """Total PSS in bytes of `pid` and its descendants (0 once gone)."""
    total, todo = 0, [pid]
    while todo:
        p = todo.pop()
        try:
            with open(f"/proc/{p}/smaps_rollup") as f:
                for line in f:
                    if line.startswith("Pss:"):
                        total += int(line.split()[1]) * 1024
                        break
            with open(f"/proc/{p}/task/{p}/children") as f:
                todo += [int(c) for c in f.read().split()]
        except (OSError, ValueError):
            continue
    return total


def run_build(project: Path, out: Path, command: list[str] | None = None) -> dict:
    """One `build.py build` (or `command`): wall and processor seconds, pages, peak PSS of the
    process tree, peak RSS of the child."""
    start = time.perf_counter()
    child = subprocess.Popen(
        command or [sys.executable, str(REPO / "build.py"), "--root", str(project), "build", "--out", str(out)],
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
    )
    peak = [0]
    done = threading.Event()

    def sample() -> None:
        while not done.is_set():
            peak[0] = max(peak[0], tree_pss(child.pid))
            time.sleep(SAMPLE_EVERY)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    _, status, usage = os.wait4(child.pid, 0)
    seconds = time.perf_counter() - start
    done.set()
    sampler.join()
    summary = child.stdout.read().decode()
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode != 0:
        raise SystemExit(f"build failed ({child.returncode}): {summary}")
    pages = int(summary.split()[1]) if command is None else sum(1 for _ in out.rglob("*.html"))
    return {
        "seconds": seconds, "cpu_seconds": usage.ru_utime + usage.ru_stime, "pages": pages, "pages_per_second": pages / seconds,
        "peak_pss_mib": peak[0] / MiB, "peak_rss_mib": usage.ru_maxrss * 1024 / MiB,
    }


def in_letters(number: int) -> str:
    """A number written in letters (1207: "bcah"): an edit's words must hold no number, which a
    cited paragraph may state only when its sources record it (`resolve/numbers.py`)."""
    return "".join("abcdefghij"[int(d)] for d in str(number))


def edit_entity(project: Path, n: int) -> Path:
    path = sorted((project / "content" / "companies").glob("*.md"))[len(list((project / "content" / "companies").glob("*.md"))) // 2]
    text = path.read_text(encoding="utf-8")
    # A sentence added to the last paragraph, which stays cited (an uncited paragraph is an error).
    path.write_text(text.rstrip("\n") + f" Edit {in_letters(n)} of this page.\n", encoding="utf-8")
    return path


def run_hugo(site: Path, out: Path) -> dict:
    """One cold Hugo build of `site` (made by `hugo.py`): no output, no resources cache."""
    shutil.rmtree(out, ignore_errors=True)
    shutil.rmtree(site / "resources", ignore_errors=True)
    return run_build(site, out, ["hugo", "--quiet", "--source", str(site), "--destination", str(out)])


def keep_only_cards(project: Path) -> None:
    """Delete every cache but the social cards', as a publish workflow that keeps `.cache/` and a
    changed engine would leave it."""
    for part in (project / ".cache").iterdir():
        if part.name != "cards":
            shutil.rmtree(part) if part.is_dir() else part.unlink()


def measure_builds(project: Path, out: Path, runs: int, hugo_site: Path | None = None) -> dict[str, list[dict]]:
    results: dict[str, list[dict]] = {"cold": [], "cold_cards_kept": [], "unchanged": [], "one_edit": []}
    if hugo_site is not None:
        results["hugo"] = []
    for n in range(runs):
        if hugo_site is not None:
            results["hugo"].append(run_hugo(hugo_site, out.with_name(out.name + "-hugo")))
        shutil.rmtree(project / ".cache", ignore_errors=True)
        shutil.rmtree(out, ignore_errors=True)
        results["cold"].append(run_build(project, out))
        keep_only_cards(project)
        shutil.rmtree(out, ignore_errors=True)
        results["cold_cards_kept"].append(run_build(project, out))
        results["unchanged"].append(run_build(project, out))
        edit_entity(project, n)
        results["one_edit"].append(run_build(project, out))
    return results


def measure_serve(project: Path, runs: int) -> list[float]:
    """Seconds from saving one entity file to the reloaded page holding the change: the save, the
    websocket 'reload' a browser acts on, then the page fetched as the browser fetches it."""
    import asyncio
    import urllib.request

    from tornado.websocket import websocket_connect

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = subprocess.Popen(
        [sys.executable, str(REPO / "build.py"), "--root", str(project), "serve", "--port", str(port)],
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
    )
    try:
        for line in server.stdout:
            if line.startswith("previewing at"):
                break
        path = sorted((project / "content" / "companies").glob("*.md"))[1]
        page = f"http://127.0.0.1:{port}/companies/{path.stem}.html"

        async def session() -> list[float]:
            ws = await websocket_connect(f"ws://127.0.0.1:{port}/livereload")
            ws.write_message(json.dumps({"command": "hello", "protocols": ["http://livereload.com/protocols/official-7"]}))
            await ws.read_message()
            ws.write_message(json.dumps({"command": "info", "url": page}))
            await asyncio.sleep(1.0)
            times = []
            for n in range(runs):
                marker = f"Saved edit {in_letters(n)} at {in_letters(time.time_ns())}"
                text = path.read_text(encoding="utf-8")
                start = time.perf_counter()
                path.write_text(text.rstrip("\n") + f" {marker}\n", encoding="utf-8")
                while True:
                    message = json.loads(await ws.read_message())
                    if message.get("command") == "reload":
                        break
                body = await asyncio.to_thread(lambda: urllib.request.urlopen(page).read().decode())
                elapsed = time.perf_counter() - start
                if marker not in body:
                    raise SystemExit("the reloaded page does not show the edit")
                times.append(elapsed)
                await asyncio.sleep(BETWEEN_SAVES)
            ws.close()
            return times

        return asyncio.run(session())
    finally:
        server.terminate()
        server.wait()


def measure_report(where: Path, runs: int) -> list[dict] | str:
    """The printed report's cost (`build --pdf`) on this repository's own investigation, cold, as
    `make pdf` builds it; a line saying why not when WeasyPrint is missing. The synthetic sites
    are not laid out: at 1,000 entities a report is some 2,000 pages a language (bench/README.md)."""
    from microsite.outputs.report import weasyprint_missing

    missing = weasyprint_missing()
    if missing is not None:
        return f"not measured: {missing}"
    project, out, rows = where / "report-project", where / "report-site", []
    shutil.rmtree(project, ignore_errors=True)
    shutil.copytree(REPO / "content", project / "content")  # the engine's templates and assets serve it
    for _ in range(runs):
        shutil.rmtree(out, ignore_errors=True)
        shutil.rmtree(project / ".cache", ignore_errors=True)
        command = [sys.executable, str(REPO / "build.py"), "--root", str(project), "build", "--pdf", "--out", str(out)]
        rows.append(run_build(project, out, command))
    shutil.rmtree(out, ignore_errors=True)
    shutil.rmtree(project, ignore_errors=True)
    return rows


def median(rows: list[dict], key: str) -> float:
    return statistics.median(r[key] for r in rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--entities", type=int, nargs="+", default=[10_000])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--where", type=Path, default=Path("/dev/shm/microsite-bench"), help="tmpfs by default")
    parser.add_argument("--no-serve", action="store_true", help="skip the preview measurement")
    parser.add_argument("--json", type=Path, help="also write the results here")
    args = parser.parse_args()

    hugo = hugo_version()
    report = {"machine": f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}", "hugo": hugo, "sizes": {}}
    print(report["machine"])
    print(f"Hugo: {hugo}" if hugo else "Hugo: not on the PATH; measuring the project alone (install hugo to compare)")
    for n in args.entities:
        project = generate(args.where / f"project-{n}", n)
        out = args.where / f"site-{n}"
        hugo_site = convert(project, args.where / f"hugo-{n}") if hugo else None
        builds = measure_builds(project, out, args.runs, hugo_site)
        entry = {"builds": builds}
        for name, rows in builds.items():
            ratio = cpu_ratio = ""
            if hugo and name != "hugo":  # on a shared machine, the processor time's ratio is the steadier
                ratio = f"  {median(rows, 'seconds') / median(builds['hugo'], 'seconds'):5.2f}x Hugo"
                cpu_ratio = f" {median(rows, 'cpu_seconds') / median(builds['hugo'], 'cpu_seconds'):5.2f}x Hugo's"
            print(
                f"{n:>6} entities  {name:<15}  {median(rows, 'seconds'):6.2f} s{ratio}  cpu {median(rows, 'cpu_seconds'):6.2f} s{cpu_ratio}  "
                f"{median(rows, 'pages_per_second'):7.0f} pages/s  peak {median(rows, 'peak_pss_mib'):5.0f} MiB PSS "
                f"({median(rows, 'peak_rss_mib'):4.0f} MiB RSS of the main process)   runs: "
                + " ".join(f"{r['seconds']:.2f}" for r in rows),
                flush=True,
            )
        floor = measure_floor(project, args.where / f"floor-{n}", args.runs)
        entry["floor_seconds"] = {str(k): v for k, v in floor.items()}
        for processes, times in floor.items():
            print(f"{n:>6} entities  floor      {statistics.median(times):6.2f} s  the naive loop (bench/floor.py), "
                  f"{processes} process(es)   runs: " + " ".join(f"{t:.2f}" for t in times), flush=True)
        if not args.no_serve:
            times = measure_serve(project, max(5, args.runs))
            entry["serve_seconds"] = times
            print(f"{n:>6} entities  serve      save to reloaded page {statistics.median(times) * 1000:.0f} ms median   runs: "
                  + " ".join(f"{t * 1000:.0f}" for t in times), flush=True)
        report["sizes"][str(n)] = entry
        shutil.rmtree(out, ignore_errors=True)
        shutil.rmtree(project, ignore_errors=True)
        if hugo_site is not None:
            shutil.rmtree(hugo_site, ignore_errors=True)
            shutil.rmtree(out.with_name(out.name + "-hugo"), ignore_errors=True)
    pdf = measure_report(args.where, args.runs)
    report["printed_report"] = pdf
    if isinstance(pdf, str):
        print(f"printed report (build --pdf): {pdf}", flush=True)
    else:
        print(f"printed report (build --pdf), this repository's investigation, cold: {median(pdf, 'seconds'):6.2f} s  "
              f"cpu {median(pdf, 'cpu_seconds'):6.2f} s  peak {median(pdf, 'peak_pss_mib'):5.0f} MiB PSS   runs: "
              + " ".join(f"{r['seconds']:.2f}" for r in pdf), flush=True)
        print(f"printed report at {', '.join(map(str, args.entities))} entities: not made (thousands of pages a language; bench/README.md)")
    if args.json:
        args.json.write_text(json.dumps(report, indent=1) + "\n")


if __name__ == "__main__":
    main()

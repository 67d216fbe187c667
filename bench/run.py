"""The build benchmark: cold build, rebuild with nothing changed, rebuild after one edit, and the
preview's save-to-reload time, on a synthetic investigation (`generate.py`).

    python bench/run.py                      # 10,000 entities, 3 runs each, output on /dev/shm
    python bench/run.py --entities 1000 2000 5000 10000 --json bench/results.json

Each build runs as `build.py build` in a child process, as a user runs it. Peak memory is the
highest total PSS (resident memory, pages shared between processes divided among them) of the
build and its worker processes, sampled every 0.2 s from /proc; the child's own peak RSS is
reported beside it. Each size is also built by the naive loop of `floor.py`, the least any page
costs with the same libraries, for scale.
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


def run_build(project: Path, out: Path) -> dict:
    """One `build.py build`: wall seconds, pages, peak PSS of the process tree, peak RSS of the child."""
    start = time.perf_counter()
    child = subprocess.Popen(
        [sys.executable, str(REPO / "build.py"), "--root", str(project), "build", "--out", str(out)],
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
    pages = int(summary.split()[1])
    return {
        "seconds": seconds, "pages": pages, "pages_per_second": pages / seconds,
        "peak_pss_mib": peak[0] / MiB, "peak_rss_mib": usage.ru_maxrss * 1024 / MiB,
    }


def edit_entity(project: Path, n: int) -> Path:
    path = sorted((project / "content" / "companies").glob("*.md"))[len(list((project / "content" / "companies").glob("*.md"))) // 2]
    text = path.read_text(encoding="utf-8")
    path.write_text(text.rstrip("\n") + f"\n\nEdit number {n} of this page.\n", encoding="utf-8")
    return path


def measure_builds(project: Path, out: Path, runs: int) -> dict[str, list[dict]]:
    results: dict[str, list[dict]] = {"cold": [], "unchanged": [], "one_edit": []}
    for n in range(runs):
        shutil.rmtree(project / ".cache", ignore_errors=True)
        shutil.rmtree(out, ignore_errors=True)
        results["cold"].append(run_build(project, out))
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
                marker = f"Saved edit {n} at {time.time_ns()}"
                text = path.read_text(encoding="utf-8")
                start = time.perf_counter()
                path.write_text(text.rstrip("\n") + f"\n\n{marker}\n", encoding="utf-8")
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

    report = {"machine": f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}", "sizes": {}}
    print(report["machine"])
    for n in args.entities:
        project = generate(args.where / f"project-{n}", n)
        out = args.where / f"site-{n}"
        builds = measure_builds(project, out, args.runs)
        entry = {"builds": builds}
        for name, rows in builds.items():
            print(
                f"{n:>6} entities  {name:<9}  {median(rows, 'seconds'):6.2f} s  "
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
    if args.json:
        args.json.write_text(json.dumps(report, indent=1) + "\n")


if __name__ == "__main__":
    main()

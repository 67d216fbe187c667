"""Draw build time against the number of entities from bench/results.json, as a plain SVG.

    python bench/figure.py bench/results.json bench/build-time.svg
"""
from __future__ import annotations

import json
import statistics
import sys
from pathlib import Path
from xml.sax.saxutils import escape

WIDTH, HEIGHT = 640, 400
LEFT, RIGHT, TOP, BOTTOM = 64, 170, 40, 56
SERIES = (
    ("cold", "cold build", "#b91c1c"),
    ("cold_cards_kept", "cold, cards kept", "#ea580c"),
    ("hugo", "Hugo, cold", "#111827"),
    ("one_edit", "one entity edited", "#1d4ed8"),
    ("floor", "naive loop, all cores", "#7c3aed"),  # bench/floor.py: plain pages only
    ("unchanged", "nothing changed", "#15803d"),
)
TARGET = 8.0  # seconds, for a cold build of 10,000 entities


def median_seconds(entry: dict, key: str, measure: str = "seconds") -> float:
    if key == "floor":  # on the most processes measured
        by_processes = entry["floor_seconds"]
        return statistics.median(by_processes[max(by_processes, key=int)])
    return statistics.median(r[measure] for r in entry["builds"][key])


def processor_time(results: dict) -> bool:
    """Whether every build has its processor seconds: on a shared machine, the figure to read."""
    return all("cpu_seconds" in r for entry in results["sizes"].values() for rows in entry["builds"].values() for r in rows)


def draw(results: dict) -> str:
    sizes = sorted(int(n) for n in results["sizes"])
    cpu = processor_time(results)  # the naive loop has wall seconds only: left out then
    series = [(key, label, colour) for key, label, colour in SERIES
              if all((not cpu and "floor_seconds" in entry) if key == "floor" else (key in entry["builds"])
                     for entry in (results["sizes"][str(n)] for n in sizes))]
    measure = "cpu_seconds" if cpu else "seconds"
    points = {key: [(n, median_seconds(results["sizes"][str(n)], key, measure)) for n in sizes] for key, _, _ in series}
    top = max(TARGET, *(s for series in points.values() for _, s in series)) * 1.1
    x_max = max(sizes)

    def x(n: float) -> float:
        return LEFT + (WIDTH - LEFT - RIGHT) * n / x_max

    def y(s: float) -> float:
        return HEIGHT - BOTTOM - (HEIGHT - TOP - BOTTOM) * s / top

    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}" viewBox="0 0 {WIDTH} {HEIGHT}" '
        'font-family="sans-serif" font-size="12">',
        f'<rect width="{WIDTH}" height="{HEIGHT}" fill="#fff"/>',
        f'<text x="{LEFT}" y="22" font-size="15" font-weight="bold">{"Processor" if cpu else "Build"} time against site size (median of runs)</text>',
    ]
    step = 2 if top < 20 else 5
    for s in range(0, int(top) + 1, step):
        out.append(f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y(s):.1f}" y2="{y(s):.1f}" stroke="#e5e7eb"/>')
        out.append(f'<text x="{LEFT - 8}" y="{y(s) + 4:.1f}" text-anchor="end">{s} s</text>')
    for n in sizes:
        out.append(f'<text x="{x(n):.1f}" y="{HEIGHT - BOTTOM + 18}" text-anchor="middle">{n:,}</text>')
    out.append(f'<text x="{(LEFT + WIDTH - RIGHT) / 2:.0f}" y="{HEIGHT - 14}" text-anchor="middle">entities</text>')
    out.append(f'<line x1="{LEFT}" x2="{LEFT}" y1="{TOP}" y2="{HEIGHT - BOTTOM}" stroke="#111"/>')
    out.append(f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{HEIGHT - BOTTOM}" y2="{HEIGHT - BOTTOM}" stroke="#111"/>')
    if not results.get("hugo"):  # with Hugo measured, the targets are ratios of its line
        out.append(
            f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y(TARGET):.1f}" y2="{y(TARGET):.1f}" stroke="#6b7280" stroke-dasharray="5 4"/>'
            f'<text x="{WIDTH - RIGHT + 6}" y="{y(TARGET) + 4:.1f}" fill="#6b7280">cold target, 10k</text>'
        )
    for row, (key, label, colour) in enumerate(series):
        path = " ".join(f"{x(n):.1f},{y(s):.1f}" for n, s in points[key])
        out.append(f'<polyline points="{path}" fill="none" stroke="{colour}" stroke-width="2"/>')
        for n, s in points[key]:
            out.append(f'<circle cx="{x(n):.1f}" cy="{y(s):.1f}" r="3.5" fill="{colour}"/>')
        n, s = points[key][-1]
        out.append(f'<text x="{x(n) + 8:.1f}" y="{y(s) + 4 :.1f}" fill="{colour}">{s:.2f} s</text>')
        out.append(f'<rect x="{LEFT + 16}" y="{TOP + 6 + row * 18}" width="12" height="3" fill="{colour}"/>')
        out.append(f'<text x="{LEFT + 34}" y="{TOP + 11 + row * 18}">{escape(label)}</text>')
    out.append(f'<text x="{LEFT}" y="{HEIGHT - 2}" font-size="10" fill="#6b7280">{escape(results["machine"])}; output on tmpfs'
               f'{"; " + escape(results["hugo"]) if results.get("hugo") else ""}</text>')
    out.append("</svg>")
    return "\n".join(out) + "\n"


def main() -> None:
    source = Path(sys.argv[1] if len(sys.argv) > 1 else "bench/results.json")
    target = Path(sys.argv[2] if len(sys.argv) > 2 else "bench/build-time.svg")
    target.write_text(draw(json.loads(source.read_text())))
    print(f"wrote {target}")


if __name__ == "__main__":
    main()

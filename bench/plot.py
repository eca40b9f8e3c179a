"""The plot of docs/benchmarks.md: wall time and CPU seconds per stage against fleet size
(scenario a sweep)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

STAGES = ("login", "scrape", "parse", "store", "prefect_overhead", "prefect_server")


def plot(runs: list[dict[str, Any]], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    points = sorted((p for r in runs for p in r.get("sweep", []) if "error" not in p),
                    key=lambda p: p["olts"])
    if not points:
        raise SystemExit("no sweep points to plot: run with --sweep")
    x = [p["olts"] for p in points]
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(11, 4.2))
    ax1.plot(x, [p["wall_s"] for p in points], "o-", label="sync-fleet wall")
    if any("floor_wall_s" in p for p in points):
        ax1.plot(x, [p.get("floor_wall_s") for p in points], "s--", label="floor")
    ax1.set_xlabel(f"OLTs ({points[0]['onus_per_olt']} ONUs each)")
    ax1.set_ylabel("seconds")
    ax1.set_title("Wall time, first sync into PostgreSQL")
    ax1.grid(alpha=0.3)
    ax1.legend()
    bottom = [0.0] * len(points)
    width = [max(1.0, 0.35 * (x[-1] - x[0]) / max(1, len(x) - 1)) for _ in x] if len(x) > 1 \
        else [1.0]
    for stage in STAGES:
        vals = [p["cpu_s"][stage] for p in points]
        ax2.bar(x, vals, width=width, bottom=bottom, label=stage.replace("_", " "))
        bottom = [b + v for b, v in zip(bottom, vals)]
    ax2.set_xlabel("OLTs")
    ax2.set_ylabel("CPU seconds")
    ax2.set_title("CPU by stage (flow process + Prefect server)")
    ax2.grid(alpha=0.3, axis="y")
    ax2.legend(fontsize=8)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)

"""Summaries for artifacts and the command line: plain functions over what a sync returned."""

from __future__ import annotations

from typing import Any


def olt_table(report: dict[str, Any]) -> list[dict[str, Any]]:
    """One row per dataset: status and counts, for the per-OLT table artifact."""
    rows = []
    for d in report["datasets"]:
        c = d.get("counts", {})
        rows.append({"dataset": d["dataset"], "status": d["status"], "rows": d.get("rows", 0),
                     "inserted": c.get("inserted", 0), "updated": c.get("updated", 0),
                     "unchanged": c.get("unchanged", 0), "removed": c.get("removed", 0),
                     "moved": c.get("moved", 0), "seconds": d.get("seconds"),
                     "error": d.get("error") or ""})
    return rows


def olt_markdown(report: dict[str, Any]) -> str:
    lines = [f"## {report['olt']}: {report['status']}", ""]
    if report.get("onus") is not None:
        lines.append(f"ONUs {report['onus']['total']}: {report['onus']['online']} online, "
                     f"{report['onus']['offline']} offline.")
    worst = report.get("worst_optical") or []
    if worst:
        lines += ["", "Worst ONU rx levels:", "", "| port | onu | serial | rx dBm | description |",
                  "|---|---|---|---|---|"]
        lines += [f"| {w['port']} | {w['onu_id']} | {w['serial']} | {w['rx_power_dbm']} | "
                  f"{w['description'] or ''} |" for w in worst]
    errors = [d["error"] for d in report["datasets"] if d.get("error")]
    if errors:
        lines += ["", "Errors:", ""] + [f"- {e}" for e in errors]
    return "\n".join(lines)


def worst_optical(onus: list[dict[str, Any]], n: int = 5) -> list[dict[str, Any]]:
    levels = [o for o in onus if o.get("rx_power_dbm") is not None]
    levels.sort(key=lambda o: o["rx_power_dbm"])
    return [{k: o.get(k) for k in ("port", "onu_id", "serial", "rx_power_dbm", "description")}
            for o in levels[:n]]


def fleet_table(results: dict[str, dict[str, Any]], problems: tuple[str, ...],
                counts: dict[str, tuple[int, int]]) -> list[dict[str, Any]]:
    """One row per OLT of the fleet run, invalid inventory entries included."""
    table = [{"olt": n, "status": r["status"], "onus": counts.get(n, (None, None))[0],
              "online": counts.get(n, (None, None))[1], "seconds": r.get("seconds"),
              "error": r.get("error") or ""} for n, r in results.items()]
    table += [{"olt": p.split(":", 1)[0], "status": "invalid", "onus": None, "online": None,
               "seconds": None, "error": p} for p in problems]
    return table

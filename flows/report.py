"""Summaries for artifacts and the command line: plain functions over what a sync returned."""

from __future__ import annotations

from typing import Any

from sqlalchemy import case, func, select
from sqlalchemy.engine import Engine

from core.terminal import printable
from storage import schema


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


def _listed() -> Any:
    """OLTs still in the inventory: the rows of one that left it are history, not present."""
    return select(schema.olts.c.name).where(schema.olts.c.removed_at.is_(None))


def onu_counts(engine: Engine) -> dict[str, tuple[int, int]]:
    """Present ONUs per OLT: (total, online)."""
    o = schema.onus
    online = func.sum(case((o.c.run_state == "online", 1), else_=0))
    q = (select(o.c.olt, func.count(), online)
         .where(o.c.removed_at.is_(None), o.c.olt.in_(_listed())).group_by(o.c.olt))
    with engine.connect() as conn:
        return {olt: (int(total), int(on or 0)) for olt, total, on in conn.execute(q)}


def fleet_table(results: dict[str, dict[str, Any]], problems: tuple[str, ...],
                counts: dict[str, tuple[int, int]]) -> list[dict[str, Any]]:
    """One row per OLT of the fleet run, invalid inventory entries included."""
    table = [{"olt": n, "status": r["status"], "onus": counts.get(n, (None, None))[0],
              "online": counts.get(n, (None, None))[1], "seconds": r.get("seconds"),
              "error": r.get("error") or ""} for n, r in results.items()]
    table += [{"olt": p.split(":", 1)[0], "status": "invalid", "onus": None, "online": None,
               "seconds": None, "error": p} for p in problems]
    return table


def database_summary(engine: Engine, olts: list[str] | None = None) -> dict[str, Any]:
    """What the inventory holds now (present rows only), for the quick start and the fleet."""
    def present(t, *extra):  # noqa: ANN001, ANN202
        q = select(func.count()).select_from(t).where(*extra)
        if "removed_at" in t.c:
            q = q.where(t.c.removed_at.is_(None))
        if "olt" in t.c:
            q = q.where(t.c.olt.in_(_listed()))
            if olts is not None:
                q = q.where(t.c.olt.in_(olts))
        return q

    o = schema.onus
    with engine.connect() as conn:
        summary = {
            "olts": conn.scalar(present(schema.olts, schema.olts.c.name.in_(olts)
                                        if olts is not None else True)),
            "onus": conn.scalar(present(o)),
            "online": conn.scalar(present(o, o.c.run_state == "online")),
            "offline": conn.scalar(present(o, o.c.run_state == "offline")),
            "macs": conn.scalar(present(schema.macs)),
            "service_ports": conn.scalar(present(schema.service_ports)),
            "clients": conn.scalar(select(func.count()).select_from(schema.clients)),
            "unregistered": conn.scalar(present(schema.unregistered_onus)),
        }
        q = (select(o.c.olt, o.c.port, o.c.onu_id, o.c.serial, o.c.rx_power_dbm, o.c.description)
             .where(o.c.removed_at.is_(None), o.c.rx_power_dbm.is_not(None),
                    o.c.olt.in_(_listed()))
             .order_by(o.c.rx_power_dbm, o.c.olt, o.c.serial).limit(5))
        if olts is not None:
            q = q.where(o.c.olt.in_(olts))
        summary["worst_optical"] = [dict(r._mapping) for r in conn.execute(q)]
    return summary


def format_summary(s: dict[str, Any]) -> str:
    lines = [
        f"OLTs: {s['olts']}   ONUs: {s['onus']} ({s['online']} online, {s['offline']} offline)",
        f"MACs: {s['macs']}   service ports: {s['service_ports']}   clients: {s['clients']}   "
        f"unregistered ONUs: {s['unregistered']}",
        "Five worst ONU rx levels:",
    ]
    for w in s["worst_optical"]:
        lines.append(f"  {w['rx_power_dbm']:>7.2f} dBm  {w['olt']}  {w['port']}:{w['onu_id']}  "
                     f"{w['serial']}  {w['description'] or ''}")
    return "\n".join(printable(line) for line in lines)  # descriptions are the OLT's text

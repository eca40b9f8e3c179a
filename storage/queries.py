"""The questions the command line and the flows ask of the inventory database: what is present now,
each OLT's last sync. All of it reads; nothing here writes."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import case, func, select
from sqlalchemy.engine import Engine

from storage import schema


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
        # the client's key, not the description (it holds the client's name: personal data, and
        # this summary is also the fleet run's artifact)
        q = (select(o.c.olt, o.c.port, o.c.onu_id, o.c.serial, o.c.rx_power_dbm, o.c.client_key)
             .where(o.c.removed_at.is_(None), o.c.rx_power_dbm.is_not(None),
                    o.c.olt.in_(_listed()))
             .order_by(o.c.rx_power_dbm, o.c.olt, o.c.serial).limit(5))
        if olts is not None:
            q = q.where(o.c.olt.in_(olts))
        summary["worst_optical"] = [dict(r._mapping) for r in conn.execute(q)]
    return summary


def last_syncs(engine: Engine) -> list[dict[str, Any]]:
    """Each inventory OLT's last sync: the datasets of its latest flow run, summed."""
    r = schema.sync_runs
    o = schema.olts
    latest = (select(r.c.olt, func.max(r.c.id).label("id")).group_by(r.c.olt).subquery())
    last_run = (select(r.c.olt, r.c.flow_run_id).join(latest, r.c.id == latest.c.id).subquery())
    q = (select(r).join(last_run, (r.c.olt == last_run.c.olt)
                        & (r.c.flow_run_id.is_not_distinct_from(last_run.c.flow_run_id)))
         .order_by(r.c.olt, r.c.id))
    with engine.connect() as conn:
        olts = {row.name: row._mapping for row in conn.execute(select(o).order_by(o.c.name))}
        rows = [row._mapping for row in conn.execute(q)]
    by_olt: dict[str, list[Any]] = {}
    for row in rows:
        by_olt.setdefault(row["olt"], []).append(row)
    out = []
    for name, olt in olts.items():
        ds = by_olt.get(name, [])
        rank = {"failed": 3, "held": 2, "partial": 1, "ok": 0, "carried": -1}
        status = max((d["status"] for d in ds), key=lambda s: rank.get(s, 3), default="never")
        started = min((d["started_at"] for d in ds), default=None)
        finished = max((d["finished_at"] for d in ds), default=None)
        if olt["removed_at"] is not None:  # left the inventory: history, not a present OLT
            status = "removed"
        out.append({
            "olt": name, "host": olt["host"], "status": status,
            "removed_at": olt["removed_at"].isoformat() if olt["removed_at"] else None,
            "last_sync": started.isoformat() if started else None,
            "seconds": round((finished - started).total_seconds(), 1) if started and finished else None,
            "last_ok": olt["last_sync_at"].isoformat() if olt["last_sync_at"] else None,
            **{k: sum(d[k] for d in ds) for k in ("inserted", "updated", "unchanged", "removed")},
            "datasets": {d["dataset"]: d["status"] for d in ds},
            "error": next((d["error"] for d in ds if d["error"]), None),
        })
    return out


def open_outages(engine: Engine) -> list[dict[str, Any]]:
    """Outages not closed yet, oldest first: a PON port gone dark, most of an OLT's ports (its
    port: how many), or an OLT not answering or not readable."""
    t = schema.outages
    q = (select(t.c.olt, t.c.port, t.c.kind, t.c.opened_at, t.c.affected, t.c.los,
                t.c.dying_gasp, t.c.clients, t.c.ports)
         .where(t.c.closed_at.is_(None), t.c.olt.in_(_listed())).order_by(t.c.opened_at, t.c.id))
    with engine.connect() as conn:
        rows = conn.execute(q).all()
    out = []
    for r in rows:
        row = {k: v for k, v in r._mapping.items() if k != "ports"}
        if r.port is None and r.ports:
            row["port"] = f"{len(json.loads(r.ports))} PON ports"
        out.append({**row, "opened_at": r.opened_at.isoformat()})
    return out


def open_signal_alerts(engine: Engine, limit: int = 20) -> list[dict[str, Any]]:
    """Open low-signal alerts, critical first, then the weakest."""
    a = schema.signal_alerts
    q = (select(a.c.olt, a.c.port, a.c.onu_id, a.c.serial, a.c.metric, a.c.severity,
                a.c.level_dbm, a.c.opened_at)
         .where(a.c.closed_at.is_(None), a.c.olt.in_(_listed()))
         .order_by(case((a.c.severity == "critical", 0), else_=1), a.c.level_dbm).limit(limit))
    with engine.connect() as conn:
        return [{**r._mapping, "opened_at": r.opened_at.isoformat()} for r in conn.execute(q)]


def stored_for_refresh(engine: Engine, olt: str, table: str, key: list[str], columns: list[str],
                       since: datetime) -> tuple[dict[tuple, dict[str, Any]], set[str]]:
    """What a change-driven command (profile `refresh:`) compares with: the OLT's present rows of
    `table` by `key`, and the serials whose state changed since `since` (the dataset's last
    complete read, `last_complete_reads`)."""
    from storage.catalogue import COLLECTED

    entry = COLLECTED[table]
    t = entry.table
    with engine.connect() as conn:
        cols = list(dict.fromkeys([*key, "serial", *columns]))
        rows = {tuple(row[c] for c in key): dict(row)
                for row in conn.execute(select(*(t.c[c] for c in cols if c in t.c))
                                        .where(t.c.olt == olt, t.c.removed_at.is_(None)))
                .mappings()}
        recent: set[str] = set()
        if entry.transitions_into is not None:
            tr = entry.transitions_into
            recent = set(conn.execute(select(tr.c.serial).distinct()
                                      .where(tr.c.olt == olt, tr.c.at >= since)).scalars())
    return rows, recent


def last_complete_reads(engine: Engine, olt: str) -> dict[str, datetime]:
    """Each dataset's last complete read of the OLT (the start of its last run that stored its
    rows: `ok`, or `partial` where only an enrichment was not read)."""
    r = schema.sync_runs
    with engine.connect() as conn:
        rows = conn.execute(select(r.c.dataset, func.max(r.c.started_at))
                            .where(r.c.olt == olt, r.c.status.in_(("ok", "partial")))
                            .group_by(r.c.dataset))
        return {d: (t if t.tzinfo else t.replace(tzinfo=UTC)) for d, t in rows}


def state_changes_since(engine: Engine, olt: str, since: datetime | None) -> int:
    """The most ONU state changes one PON port of the OLT had since `since`, by whichever run
    stored them (the status pass stores most); None: since ever. Per port: customers' ONUs
    going off over hours are spread over the ports, a port shut or cut is many on one."""
    sc = schema.onu_state_changes
    cond = sc.c.olt == olt
    if since is not None:
        cond = cond & (sc.c.at >= since)
    with engine.connect() as conn:
        per_port = conn.execute(select(func.count()).select_from(sc).where(cond)
                                .group_by(sc.c.port)).scalars().all()
    return max(per_port, default=0)


def last_status(engine: Engine, olt: str, dataset: str, before: datetime
                ) -> tuple[str, str | None]:
    """The status and error of the dataset's last run before `before` that read it (or tried);
    ("never", None) if none did."""
    r = schema.sync_runs
    with engine.connect() as conn:
        row = conn.execute(select(r.c.status, r.c.error)
                           .where(r.c.olt == olt, r.c.dataset == dataset, r.c.status != "carried",
                                  r.c.started_at < before)
                           .order_by(r.c.started_at.desc(), r.c.id.desc()).limit(1)).first()
    return ("never", None) if row is None else (row.status, row.error)


def stored_uptime(engine: Engine, olt: str) -> int | None:
    """The OLT's uptime as its last read of the olt dataset stored it."""
    with engine.connect() as conn:
        return conn.scalar(select(schema.olts.c.uptime_s).where(schema.olts.c.name == olt))

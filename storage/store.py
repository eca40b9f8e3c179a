"""Store one OLT's datasets: one transaction per dataset, with its `sync_runs` row inside it.

A dataset that failed to collect changes nothing but gets a `sync_runs` row saying why. A dataset
held back by the shrink guard changes nothing either. A database error rolls the dataset back whole.
"""

from __future__ import annotations

import logging
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, bindparam, func, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError

from core.errors import DatabaseError, OltSyncError, ShrinkHeld
from storage import bulk, schema, values
from storage.sync import TABLES, Counts, SyncOptions, sync_table


@dataclass
class DatasetOutcome:
    dataset: str
    status: str  # ok | failed | held
    counts: Counts = field(default_factory=Counts)
    error: str | None = None
    rows: int = 0
    extra: dict[str, Any] = field(default_factory=dict)


log = logging.getLogger("oltsync.store")


def now_utc() -> datetime:
    return datetime.now(UTC)


def _insert(conn: Connection):
    return postgresql.insert if conn.dialect.name == "postgresql" else sqlite.insert


def ensure_olt(engine: Engine, name: str, host: str, port: int, platform: str,
               vendor: str | None) -> None:
    """The OLT's own row, created on first sync; host/platform follow the inventory."""
    try:
        with engine.begin() as conn:
            t = schema.olts
            conn.execute(_insert(conn)(t).values(
                name=name, host=host, port=port, platform=platform, vendor=vendor,
                first_seen=now_utc()).on_conflict_do_nothing(index_elements=["name"]))
            conn.execute(update(t).where(t.c.name == name).where(
                (t.c.host != host) | (t.c.port != port) | (t.c.platform != platform)
                | t.c.removed_at.is_not(None)
            ).values(host=host, port=port, platform=platform, vendor=vendor, removed_at=None))
    except SQLAlchemyError as exc:
        raise DatabaseError(f"{name}: cannot register the OLT in the database: "
                            f"{_short(exc)}") from None


def _short(exc: BaseException) -> str:
    orig = getattr(exc, "orig", None)
    text = (str(orig) if orig else str(exc)).strip()
    kind = "" if isinstance(exc, SQLAlchemyError) else f"{type(exc).__name__}: "
    return kind + (text.splitlines()[0] if text else type(exc).__name__)


def _sync_run(conn: Connection, olt: str, dataset: str, started: datetime, status: str,
              counts: Counts, error: str | None, flow_run_id: str | None) -> None:
    if error:  # an error may quote the box's text: a NUL would make PostgreSQL refuse the row
        error = error.replace("\x00", "\\x00")
    conn.execute(schema.sync_runs.insert().values(
        olt=olt, dataset=dataset, started_at=started, finished_at=now_utc(), status=status,
        error=error, flow_run_id=flow_run_id, **counts.as_dict()))


def record_failure(engine: Engine, olt: str, dataset: str, started: datetime, error: str,
                   flow_run_id: str | None = None, status: str = "failed") -> None:
    """Best effort, in its own transaction: if the database itself is what failed, the run's
    state still says so."""
    try:
        with engine.begin() as conn:
            _sync_run(conn, olt, dataset, started, status, Counts(), error, flow_run_id)
    except Exception as exc:  # noqa: BLE001 - the caller reports the first error, not this one
        log.warning("%s: could not record the %s failure in sync_runs: %s", olt, dataset,
                    _short(exc))


def _store_olt(conn: Connection, olt: str, tables: dict[str, list[dict]], now: datetime,
               opts: SyncOptions) -> tuple[Counts, dict[str, Any]]:
    facts = (tables.get("olt") or [{}])[0]
    cols = {k: facts.get(k) for k in ("hostname", "model", "firmware", "patch", "uptime_s")
            if k in facts}
    if cols:
        conn.execute(update(schema.olts).where(schema.olts.c.name == olt).values(**cols))
    counts = Counts()
    counts += sync_table(conn, "boards", olt, tables.get("boards", []), now, opts)
    counts += sync_table(conn, "pon_ports", olt, tables.get("pon_ports", []), now, opts)
    # New PON ports get the ONU counts of ONUs an earlier store of the onus dataset left
    # (datasets are stored as they arrive, in no fixed order).
    o = schema.onus
    _set_onu_counts(conn, olt, Counter(dict(conn.execute(
        select(o.c.port, func.count()).where(o.c.olt == olt, o.c.removed_at.is_(None))
        .group_by(o.c.port)).all())))
    return counts, {}


def _set_onu_counts(conn: Connection, olt: str, per_port: Counter) -> None:
    """Write pon_ports.onu_count where it differs from per_port (ONUs present per port)."""
    pp = schema.pon_ports
    changed = [{"_id": pid, "n": per_port.get(port, 0)}
               for pid, port, n in conn.execute(select(pp.c.id, pp.c.port, pp.c.onu_count)
                                                .where(pp.c.olt == olt)).all()
               if n != per_port.get(port, 0)]
    if changed:
        conn.execute(update(pp).where(pp.c.id == bindparam("_id")).values(onu_count=bindparam("n")),
                     changed)


def _store_clients(conn: Connection, clients: dict[str, str | None], now: datetime) -> Counts:
    counts = Counts()
    if not clients:
        return counts
    t = schema.clients
    keys = sorted(clients)  # a fixed order: concurrent OLT syncs never deadlock on clients
    existing: dict[str, str | None] = {}
    for i in range(0, len(keys), 1000):
        chunk = keys[i:i + 1000]
        existing.update(conn.execute(select(t.c.key, t.c.name).where(t.c.key.in_(chunk))).all())
    new = [{"key": k, "name": clients[k], "first_seen": now, "last_seen": now}
           for k in keys if k not in existing]
    if new:
        # Another OLT's sync may insert the same client at the same moment.
        bulk.insert_ignoring_conflicts(conn, t, new, ["key"])
        counts.inserted = len(new)
    renamed = [{"k": k, "n": clients[k], "now": now} for k in keys
               if k in existing and clients[k] is not None and existing[k] != clients[k]]
    if renamed:
        conn.execute(update(t).where(t.c.key == bindparam("k"))
                     .values(name=bindparam("n"), last_seen=bindparam("now")), renamed)
        counts.updated = len(renamed)
    counts.unchanged = len(keys) - len(new) - len(renamed)
    return counts


def _store_onus(conn: Connection, olt: str, tables: dict[str, list[dict]], now: datetime,
                opts: SyncOptions, clients: dict[str, str | None]) -> tuple[Counts, dict[str, Any]]:
    rows = tables.get("onus", [])
    counts = sync_table(conn, "onus", olt, rows, now, opts)
    client_counts = _store_clients(conn, clients, now)
    samples = [{"olt": olt, "serial": r["serial"], "sampled_at": now,
                "rx_power_dbm": r.get("rx_power_dbm"), "tx_power_dbm": r.get("tx_power_dbm"),
                "olt_rx_power_dbm": r.get("olt_rx_power_dbm"),
                "temperature_c": r.get("temperature_c")}
               for r in rows if r.get("rx_power_dbm") is not None
               or r.get("olt_rx_power_dbm") is not None]
    if samples:
        bulk.insert_rows(conn, schema.onu_optical_history, samples)
    # PON port ONU counts follow the ONU list, in the same transaction.
    _set_onu_counts(conn, olt, Counter(r["port"] for r in rows))
    return counts, {"clients": client_counts.as_dict(), "optical_samples": len(samples)}


def _store_tables(conn: Connection, olt: str, tables: dict[str, list[dict]], now: datetime,
                  opts: SyncOptions) -> tuple[Counts, dict[str, Any]]:
    counts = Counts()
    for table, rows in tables.items():
        counts += sync_table(conn, table, olt, rows, now, opts)
    return counts, {}


def store_dataset(engine: Engine, olt: str, dataset: str, tables: dict[str, list[dict]],
                  started: datetime, opts: SyncOptions, *, clients: dict[str, str | None] | None = None,
                  flow_run_id: str | None = None) -> DatasetOutcome:
    now = now_utc()
    rows = sum(len(v) for v in tables.values())
    try:
        tables = {name: values.checked(olt, dataset, _table_of(name), table_rows,
                                       TABLES[name].key if name in TABLES else ())
                  for name, table_rows in tables.items()}
        clients = {r["key"]: r["name"] for r in values.checked(
            olt, dataset, "clients", [{"key": k, "name": v} for k, v in (clients or {}).items()],
            ("key",))}
        with engine.begin() as conn:
            if dataset == "olt":
                counts, extra = _store_olt(conn, olt, tables, now, opts)
            elif dataset == "onus":
                counts, extra = _store_onus(conn, olt, tables, now, opts, clients or {})
            else:
                counts, extra = _store_tables(conn, olt, tables, now, opts)
            _sync_run(conn, olt, dataset, started, "ok", counts, None, flow_run_id)
        return DatasetOutcome(dataset, "ok", counts, rows=rows, extra=extra)
    except ShrinkHeld as exc:
        record_failure(engine, olt, dataset, started, str(exc), flow_run_id, status="held")
        return DatasetOutcome(dataset, "held", error=str(exc), rows=rows)
    except OltSyncError as exc:
        record_failure(engine, olt, dataset, started, str(exc), flow_run_id)
        return DatasetOutcome(dataset, "failed", error=str(exc), rows=rows)
    except Exception as exc:  # any type: the transaction is rolled back, and it is recorded
        msg = f"{olt}: storing {dataset} failed, nothing of it was written: {_short(exc)}"
        record_failure(engine, olt, dataset, started, msg, flow_run_id)
        return DatasetOutcome(dataset, "failed", error=msg, rows=rows)


def _table_of(name: str) -> str:
    return "olts" if name == "olt" else name


def mark_removed_olts(engine: Engine, in_inventory: set[str], when: datetime) -> list[str]:
    """OLTs the inventory no longer lists get `removed_at` (their rows stay, as history); an OLT
    listed again is restored by its next sync (ensure_olt). Returns the newly removed."""
    t = schema.olts
    with engine.begin() as conn:
        gone = [n for n in conn.execute(select(t.c.name).where(t.c.removed_at.is_(None))).scalars()
                if n not in in_inventory]
        if gone:
            conn.execute(update(t).where(t.c.name.in_(gone)).values(removed_at=when))
    return sorted(gone)


def finish_olt(engine: Engine, olt: str, when: datetime) -> None:
    with engine.begin() as conn:
        conn.execute(update(schema.olts).where(schema.olts.c.name == olt).values(last_sync_at=when))

"""Store one OLT's datasets: one transaction per dataset, with its `sync_runs` row inside it.

A dataset that failed to collect changes nothing but gets a `sync_runs` row saying why. A dataset
held back by the shrink guard changes nothing either. A database error rolls the dataset back whole.
"""

from __future__ import annotations

import logging
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime

from sqlalchemy import Connection, bindparam, func, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError

from core.errors import DatabaseError, OltSyncError, ShrinkHeld
from storage import bulk, client_links, schema, values
from storage.catalogue import COLLECTED, KEEP, Collected
from storage.sync import Counts, SyncOptions, sync_table


@dataclass
class DatasetOutcome:
    dataset: str
    status: str  # ok | partial (stored, an enrichment not read) | failed | held
    counts: Counts = field(default_factory=Counts)
    error: str | None = None
    rows: int = 0
    clients: Counts | None = None  # the clients named by the dataset's ONU descriptions
    links: tuple[int, int] = (0, 0)  # client <-> ONU links opened, closed (storage/client_links)
    samples: int = 0  # rows added to history tables (optical levels)


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


def record_carried(engine: Engine, olt: str, dataset: str, started: datetime,
                   flow_run_id: str | None = None) -> None:
    """A dataset this run did not read (not due): said in sync_runs, its rows left as they are."""
    with engine.begin() as conn:
        _sync_run(conn, olt, dataset, started, "carried", Counts(), None, flow_run_id)


def _store_clients(conn: Connection, clients: dict[str, str | None], now: datetime) -> Counts:
    counts = Counts()
    if not clients:
        return counts
    t = schema.clients
    keys = sorted(clients)  # a fixed order: concurrent OLT syncs never deadlock on clients
    existing: dict[str, str | None] = {}
    imported: set[str] = set()
    for i in range(0, len(keys), 1000):
        chunk = keys[i:i + 1000]
        for key, name, when in conn.execute(select(t.c.key, t.c.name, t.c.imported_at)
                                            .where(t.c.key.in_(chunk))):
            existing[key] = name
            if when is not None:
                imported.add(key)
    new = [{"key": k, "name": clients[k], "first_seen": now, "last_seen": now}
           for k in keys if k not in existing]
    if new:
        # Another OLT's sync may insert the same client at the same moment.
        bulk.insert_ignoring_conflicts(conn, t, new, ["key"])
        counts.inserted = len(new)
    # the ISP's list names its clients: a description's spelling never renames an imported one
    renamed = [{"k": k, "n": clients[k], "now": now} for k in keys
               if k in existing and k not in imported and clients[k] is not None
               and existing[k] != clients[k]]
    if renamed:
        conn.execute(update(t).where(t.c.key == bindparam("k"))
                     .values(name=bindparam("n"), last_seen=bindparam("now")), renamed)
        counts.updated = len(renamed)
    counts.unchanged = len(keys) - len(new) - len(renamed)
    return counts


def _store_table(conn: Connection, olt: str, entry: Collected, rows: list[dict], now: datetime,
                 opts: SyncOptions) -> tuple[Counts, int]:
    """One table's rows; returns its counts and the samples it added to its history table."""
    if entry.per_olt_row:  # the OLT's own facts, on the row ensure_olt created
        facts = rows[0] if rows else {}
        kept = facts.get(KEEP, ())  # not read this run: stored values stay
        cols = {k: facts[k] for k in entry.columns if k in facts and k not in kept}
        if cols:
            conn.execute(update(entry.table).where(entry.table.c.name == olt).values(**cols))
        return Counts(), 0
    counts = sync_table(conn, entry.name, olt, rows, now, opts)
    samples = [{"olt": olt, "serial": r["serial"], "sampled_at": now,
                **{c: r.get(c) for c in entry.sampled}}
               for r in rows if r.get("serial") is not None  # an unidentified row: no sample
               and any(r.get(c) is not None for c in entry.sampled)]
    if entry.sampled_into is not None and samples:
        bulk.insert_rows(conn, entry.sampled_into, samples)
    if entry.transitions_into is not None and counts.transitions:
        bulk.insert_rows(conn, entry.transitions_into, counts.transitions)
    return counts, len(samples)


def store_dataset(engine: Engine, olt: str, dataset: str, tables: dict[str, list[dict]],
                  started: datetime, opts: SyncOptions, *, clients: dict[str, str | None] | None = None,
                  flow_run_id: str | None = None, carried: int = 0,
                  partial: str | None = None) -> DatasetOutcome:
    """Every table of one dataset (and the clients its ONU descriptions name) in one transaction,
    with its `sync_runs` row; any failure rolls it all back and is recorded in its own. `carried`:
    rows the collector did not re-read (their stored values kept), recorded with the counts.
    `partial`: what the collector could not read (a failed enrichment, in one line): stored all
    the same, with the status `partial` and that line as its error."""
    now = now_utc()
    rows = sum(len(v) for v in tables.values())
    try:
        tables = {name: values.checked(olt, dataset, COLLECTED[name].table.name, table_rows,
                                       COLLECTED[name].key)
                  for name, table_rows in tables.items()}
        clients = {r["key"]: r["name"] for r in values.checked(
            olt, dataset, "clients", [{"key": k, "name": v} for k, v in (clients or {}).items()],
            ("key",))}
        with engine.begin() as conn:
            out = DatasetOutcome(dataset, "ok", rows=rows)
            # ONUs that name no client themselves: the ISP's list's, by PPPoE login or serial
            via = client_links.fill_from_import(conn, tables["onus"]) if "onus" in tables else {}
            for name, table_rows in tables.items():
                counts, samples = _store_table(conn, olt, COLLECTED[name], table_rows, now, opts)
                out.counts += counts
                out.samples += samples
            if clients:
                out.clients = _store_clients(conn, clients, now)
            if "onus" in tables:
                out.links = client_links.relink(conn, olt, now, via)
            out.counts.carried = carried
            if out.counts.unidentified:
                partial = "; ".join(filter(None, [partial, (
                    f"{out.counts.unidentified} row(s) left for the next run: their identity "
                    "is in what was not read, and no stored row is at their place")]))
            if partial:
                out.status, out.error = "partial", f"{olt}: {dataset} stored; {partial}"
            _sync_run(conn, olt, dataset, started, out.status, out.counts, out.error, flow_run_id)
        return out
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


def count_onus_per_port(engine: Engine, olt: str) -> None:
    """pon_ports.onu_count: the ONUs present on each port, once the OLT's datasets are stored
    (they are stored as they arrive, in no fixed order). Derived, so always right to redo."""
    o, pp = schema.onus, schema.pon_ports
    with engine.begin() as conn:
        per_port = Counter(dict(conn.execute(
            select(o.c.port, func.count()).where(o.c.olt == olt, o.c.removed_at.is_(None))
            .group_by(o.c.port)).all()))
        changed = [{"_id": pid, "n": per_port.get(port, 0)}
                   for pid, port, n in conn.execute(select(pp.c.id, pp.c.port, pp.c.onu_count)
                                                    .where(pp.c.olt == olt)).all()
                   if n != per_port.get(port, 0)]
        if changed:
            conn.execute(update(pp).where(pp.c.id == bindparam("_id"))
                         .values(onu_count=bindparam("n")), changed)


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

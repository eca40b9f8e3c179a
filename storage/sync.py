"""Bring one table's rows for one OLT in line with what the OLT reported, writing only differences.

Insert new rows, update changed ones, leave unchanged ones alone (no write at all), mark missing ones
`removed_at`, restore rows that come back, and record an ONU that changed port as a move. The caller
owns the transaction. Works the same on PostgreSQL and SQLite.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, bindparam, select, update

from core.errors import OltSyncError, ShrinkHeld
from storage import bulk
from storage.catalogue import COLLECTED, KEEP


@dataclass
class Counts:
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    removed: int = 0
    moved: int = 0
    carried: int = 0  # not re-read this run (collector: profile `refresh:`), stored values kept
    # rows whose identity was in what this run could not read (a failed enrichment) and that
    # no stored row at their place gives: left for the next run, nothing marked removed for them
    unidentified: int = 0
    # changes of the table's tracked column (catalogue: `transitions`), as rows to keep
    transitions: list[dict[str, Any]] = field(default_factory=list)

    def __iadd__(self, other: Counts) -> Counts:
        for f in ("inserted", "updated", "unchanged", "removed", "moved", "carried",
                  "unidentified"):
            setattr(self, f, getattr(self, f) + getattr(other, f))
        self.transitions += other.transitions
        return self

    def as_dict(self) -> dict[str, int]:
        out = dict(inserted=self.inserted, updated=self.updated, unchanged=self.unchanged,
                   removed=self.removed, moved=self.moved)
        if self.carried:  # else the column's default (0): a run that carried nothing says so
            out["carried"] = self.carried
        return out


@dataclass(frozen=True)
class SyncOptions:
    allow_shrink: bool = False
    shrink_ratio: float = 0.5
    shrink_min_rows: int = 10
    power_deadband_db: float = 0.5
    temperature_deadband: float = 3.0


def _same(a: Any, b: Any, band: float) -> bool:
    if a == b:
        return True  # the usual case, and cheapest (aware datetimes compare across zones)
    if a is None or b is None:
        return a is None and b is None
    if isinstance(a, datetime) or isinstance(b, datetime):
        return _utc(a) == _utc(b)
    if isinstance(a, float) or isinstance(b, float):
        return math.isclose(a, b, abs_tol=1e-9) or abs(a - b) < band
    return a == b


def _utc(v: datetime) -> datetime:
    # SQLite hands timestamps back naive; we only ever store UTC.
    return v.replace(tzinfo=UTC) if v.tzinfo is None else v.astimezone(UTC)


def sync_table(conn: Connection, name: str, olt: str, rows: list[dict[str, Any]],
               now: datetime, opts: SyncOptions) -> Counts:
    spec = COLLECTED[name]
    t = spec.table
    cols = [t.c.id, t.c.removed_at, *(t.c[k] for k in spec.key), *(t.c[c] for c in spec.columns)]
    existing = {tuple(r._mapping[k] for k in spec.key): r._mapping
                for r in conn.execute(select(*cols).where(t.c.olt == olt))}
    present = sum(1 for r in existing.values() if r["removed_at"] is None)
    if (spec.guarded and not opts.allow_shrink and present >= opts.shrink_min_rows
            and len(rows) < present * opts.shrink_ratio):
        raise ShrinkHeld(
            f"{olt}: {name} would shrink from {present} to {len(rows)} rows (below "
            f"{opts.shrink_ratio:.0%}); held back, nothing changed. If the OLT really lost them, "
            f"run sync-olt with allow_shrink=true.")
    bands = {c: float(getattr(opts, s)) for c, s in spec.deadband.items()}
    counts = Counts()
    inserts: list[dict[str, Any]] = []
    updates: dict[tuple[str, ...], list[dict[str, Any]]] = defaultdict(list)
    seen: set[tuple] = set()
    by_place: dict[tuple, Any] | None = None
    for row in rows:
        key = tuple(row.get(k) for k in spec.key)
        kept = row.get(KEEP)
        if kept and any(v is None for v in key):
            # its identity (a ZTE ONU's serial) is in what was not read: the stored row at its
            # place is the same ONU, as far as this run can tell
            if by_place is None:
                by_place = {tuple(r[c] for c in spec.merge_key): r for r in existing.values()
                            if r["removed_at"] is None}
            found = by_place.get(tuple(row.get(c) for c in spec.merge_key))
            if found is None:
                counts.unidentified += 1
                continue
            key = tuple(found[k] for k in spec.key)
            row.update(zip(spec.key, key))  # what the store adds of it (a level sample) too
        if key in seen:
            raise OltSyncError(f"{olt}: the OLT reported {name} {dict(zip(spec.key, key))} twice")
        seen.add(key)
        values = {c: row.get(c) for c in spec.columns}
        old = existing.get(key)
        if kept:  # not read this run: what is stored stays (nothing, for a new row)
            values.update({c: old[c] if old is not None else None for c in kept if c in values})
        if old is None:
            inserts.append({"olt": olt, **dict(zip(spec.key, key)), **values,
                            "first_seen": now, "last_seen": now})
            counts.inserted += 1
            continue
        changed = [c for c in spec.columns if not _same(old[c], values[c], bands.get(c, 0.0))]
        if old["removed_at"] is not None:
            upd = {**values, "removed_at": None, "last_seen": now}
            counts.inserted += 1  # came back
        elif changed:
            upd = {**values, "last_seen": now}
            counts.updated += 1
        else:
            counts.unchanged += 1
            continue
        if spec.tracked in changed and old["removed_at"] is None:
            counts.transitions.append({
                "olt": olt, **dict(zip(spec.key, key)), "port": values.get("port"),
                "onu_id": values.get("onu_id"), "at": now, "from_state": old[spec.tracked],
                "to_state": values[spec.tracked],
                "cause": values.get(spec.tracked_cause) if values[spec.tracked] != "online"
                else None})
        if spec.moves and old["removed_at"] is None and any(c in changed for c in spec.moves):
            upd.update(moved_at=now, **{f"previous_{c}": old[c] for c in spec.moves})
            counts.moved += 1
        upd["_id"] = old["id"]
        updates[tuple(sorted(upd))].append(upd)
    if inserts:
        bulk.insert_rows(conn, t, inserts)
    for keys, params in updates.items():
        # Bind names must differ from column names in an UPDATE's SET clause.
        stmt = (update(t).where(t.c.id == bindparam("_id"))
                .values({k: bindparam(f"v_{k}") for k in keys if k != "_id"}))
        conn.execute(stmt, [{(k if k == "_id" else f"v_{k}"): v for k, v in p.items()}
                            for p in params])
    # an ONU this run could not identify may be one of those not seen: none is marked removed
    gone = [{"_id": r["id"]} for k, r in existing.items()
            if r["removed_at"] is None and k not in seen and not counts.unidentified]
    if gone:
        conn.execute(update(t).where(t.c.id == bindparam("_id")).values(removed_at=now), gone)
        counts.removed = len(gone)
    return counts

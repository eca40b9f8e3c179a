"""The status pass's writes: ONU states that changed since the last pass, nothing else.

A pass reads only what tells state (and, for ONUs that changed, why); it never adds or removes an
ONU (the hourly sync does that with the whole picture), so an ONU it does not know is left for the
sync, and an ONU it does not see is not marked removed. What it writes — the changed ONUs' state,
down cause and time, and their transitions — is what the next hourly sync would have written.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, select, update
from sqlalchemy.engine import Engine

from storage import bulk, schema
from storage.catalogue import COLLECTED


@dataclass(frozen=True)
class Known:
    id: int
    serial: str
    run_state: str | None


def known_states(engine: Engine, olt: str) -> dict[tuple[str, int], Known]:
    """Present ONUs by (port, onu_id)."""
    o = schema.onus
    with engine.connect() as conn:
        return {(r.port, r.onu_id): Known(r.id, r.serial, r.run_state) for r in conn.execute(
            select(o.c.id, o.c.port, o.c.onu_id, o.c.serial, o.c.run_state)
            .where(o.c.olt == olt, o.c.removed_at.is_(None)))}


def stored_rows(engine: Engine, olt: str, table: str, columns: list[str]) -> list[dict[str, Any]]:
    """The OLT's present rows of a collected table, these columns only (what a pass repeats its
    states command over, profile `status.seed`)."""
    t = COLLECTED[table].table
    with engine.connect() as conn:
        return [dict(r._mapping) for r in conn.execute(
            select(*(t.c[c] for c in columns)).where(t.c.olt == olt, t.c.removed_at.is_(None))
            .order_by(*(t.c[c] for c in columns)))]


def changed(rows: list[dict[str, Any]], known: dict[tuple[str, int], Known]
            ) -> list[dict[str, Any]]:
    """The rows of known ONUs whose state is not what the database holds."""
    return [r for r in rows if (k := known.get((r["port"], r["onu_id"]))) is not None
            and r.get("run_state") != k.run_state]


def apply(engine: Engine, olt: str, rows: list[dict[str, Any]],
          known: dict[tuple[str, int], Known], now: datetime) -> list[dict[str, Any]]:
    """Write the changed ONUs' state (and cause, when read) with their transitions, in one
    transaction; returns the transitions."""
    if not rows:
        return []
    o = schema.onus
    transitions, updates = [], []
    for r in rows:
        k = known[(r["port"], r["onu_id"])]
        down = r.get("run_state") != "online"
        transitions.append({"olt": olt, "serial": k.serial, "port": r["port"],
                            "onu_id": r["onu_id"], "at": now, "from_state": k.run_state,
                            "to_state": r.get("run_state"),
                            "cause": r.get("last_down_cause") if down else None})
        values = {"_id": k.id, "v_run_state": r.get("run_state"), "v_last_seen": now}
        updates.append(values)
    with engine.begin() as conn:
        conn.execute(update(o).where(o.c.id == bindparam("_id"))
                     .values(run_state=bindparam("v_run_state"), last_seen=bindparam("v_last_seen")),
                     updates)
        causes = [{"_id": known[(r["port"], r["onu_id"])].id, "v_cause": r["last_down_cause"]}
                  for r in rows if r.get("run_state") != "online" and r.get("last_down_cause")]
        if causes:
            conn.execute(update(o).where(o.c.id == bindparam("_id"))
                         .values(last_down_cause=bindparam("v_cause")), causes)
        bulk.insert_rows(conn, schema.onu_state_changes, transitions)
    return transitions

"""Retention: drop optical samples, ONU state transitions, closed client links and sync_runs rows
older than their configured periods (transitions and links follow the optical history's).

Deletes go in batches so that a first prune of years of history never holds one huge transaction.
Inventory rows (ONUs, MACs, ...) are never pruned: removed ones keep `removed_at` as their history.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import Table, delete, select
from sqlalchemy.engine import Engine

from storage import schema

BATCH = 20_000


def _prune(engine: Engine, table: Table, column: str, before: datetime) -> int:
    col = table.c[column]
    total = 0
    while True:
        with engine.begin() as conn:
            ids = select(table.c.id).where(col < before).limit(BATCH).scalar_subquery()
            n = conn.execute(delete(table).where(table.c.id.in_(ids))).rowcount
        total += n
        if n < BATCH:
            return total


def prune(engine: Engine, optical_days: int, sync_runs_days: int,
          now: datetime | None = None) -> dict[str, int]:
    """Delete what is older than the periods (days <= 0 keeps everything); returns rows deleted."""
    now = now or datetime.now(UTC)
    out = {"onu_optical_history": 0, "onu_state_changes": 0, "client_links": 0, "sync_runs": 0}
    if optical_days > 0:
        out["onu_optical_history"] = _prune(engine, schema.onu_optical_history, "sampled_at",
                                            now - timedelta(days=optical_days))
        out["onu_state_changes"] = _prune(engine, schema.onu_state_changes, "at",
                                          now - timedelta(days=optical_days))
        # an open link (unlinked_at NULL) is the present, never pruned
        out["client_links"] = _prune(engine, schema.client_links, "unlinked_at",
                                     now - timedelta(days=optical_days))
    if sync_runs_days > 0:
        out["sync_runs"] = _prune(engine, schema.sync_runs, "started_at",
                                  now - timedelta(days=sync_runs_days))
    return out

"""Values checked the same way on every backend before anything is written.

PostgreSQL refuses a NUL character in text (psycopg2 raises a ValueError, outside SQLAlchemy's
errors) and a value longer than its column; SQLite stores both. So the two would disagree, and the
PostgreSQL failure used to leave no `sync_runs` row. Here a NUL is removed (the database keeps
what the OLT sent, minus NUL), and a value longer than its column fails the dataset before the
write, naming the row, the column and both lengths. Every other character is kept as sent.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from sqlalchemy import String

from core.errors import OltSyncError
from storage import schema


class ValueTooLong(OltSyncError):
    """A value does not fit its column: the dataset is not stored."""


@cache
def _limits(table: str) -> dict[str, int]:
    return {c.name: c.type.length for c in schema.metadata.tables[table].c
            if isinstance(c.type, String) and c.type.length}


def checked(olt: str, dataset: str, table: str, rows: list[dict[str, Any]],
            key: tuple[str, ...] = ()) -> list[dict[str, Any]]:
    """`rows` ready for the database (copies where a NUL was removed)."""
    limits = _limits(table)
    out = []
    for row in rows:
        if any(isinstance(v, str) and "\x00" in v for v in row.values()):
            row = {k: v.replace("\x00", "") if isinstance(v, str) else v for k, v in row.items()}
        for col, limit in limits.items():
            v = row.get(col)
            if isinstance(v, str) and len(v) > limit:
                which = ", ".join(f"{k} {row.get(k)!r}" for k in key) or "a row"
                raise ValueTooLong(
                    f"{olt}: storing {dataset} failed, nothing of it was written: {table} "
                    f"{which}: {col} is {len(v)} characters long, the column holds {limit}")
        out.append(row)
    return out

"""Insert many rows fast: PostgreSQL COPY inside the caller's transaction, a plain executemany on
SQLite. A first sync of a 2,048-ONU OLT inserts ~10,000 rows; COPY takes a tenth of the time of
batched INSERTs for them."""

from __future__ import annotations

import io
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Table


def _text(v: Any) -> str:
    v = str(v)
    if "\\" in v or "\t" in v or "\n" in v or "\r" in v:
        v = v.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")
    return v


# COPY's text format by exact type: one dict lookup per cell instead of a chain of isinstance
# (a first sync of 200 large OLTs formats ~10 million cells, under the GIL)
_FORMAT: dict[type, Any] = {
    type(None): lambda v: r"\N",
    bool: lambda v: "t" if v else "f",
    int: repr,
    float: repr,
    str: _text,
    datetime: datetime.isoformat,
}


def _cell(v: Any) -> str:
    fmt = _FORMAT.get(type(v))
    if fmt is not None:
        return fmt(v)
    if isinstance(v, datetime):
        return v.isoformat()
    if isinstance(v, bool):
        return "t" if v else "f"
    if isinstance(v, (int, float)):
        return repr(v)
    return _text(v)


def insert_rows(conn: Connection, table: Table, rows: list[dict[str, Any]]) -> None:
    if not rows:
        return
    if conn.dialect.name != "postgresql":
        conn.execute(table.insert(), rows)
        return
    cols = list(rows[0])
    fmt, cell = _FORMAT.get, _cell
    data = "".join("\t".join([(fmt(type(v)) or cell)(v) for v in map(r.get, cols)]) + "\n"
                   for r in rows)
    names = ", ".join(f'"{c}"' for c in cols)
    dbapi = conn.connection.dbapi_connection  # the transaction's own connection
    with dbapi.cursor() as cur:
        # one read of the whole buffer: psycopg2 would call back into Python every 8 KiB
        cur.copy_expert(f'COPY "{table.name}" ({names}) FROM STDIN', io.StringIO(data),
                        size=max(8192, len(data)))


def insert_ignoring_conflicts(conn: Connection, table: Table, rows: list[dict[str, Any]],
                              key: list[str]) -> None:
    """INSERT … ON CONFLICT (key) DO NOTHING for many rows, rendered by psycopg2 in C (SQLAlchemy's
    own multi-row rendering costs ~0.15 ms a row in Python, under the GIL every other sync needs)."""
    if not rows:
        return
    if conn.dialect.name != "postgresql":
        from sqlalchemy.dialects import sqlite

        conn.execute(sqlite.insert(table).on_conflict_do_nothing(index_elements=key), rows)
        return
    from psycopg2.extras import execute_values

    cols = list(rows[0])
    names = ", ".join(f'"{c}"' for c in cols)
    sql = (f'INSERT INTO "{table.name}" ({names}) VALUES %s '
           f'ON CONFLICT ({", ".join(key)}) DO NOTHING')
    with conn.connection.dbapi_connection.cursor() as cur:
        execute_values(cur, sql, [tuple(r[c] for c in cols) for r in rows], page_size=5000)

"""Read the database back in the simulator's ground-truth shape, for exact comparisons."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.engine import Engine

from storage import schema
from storage.catalogue import PER_OLT

TABLE_KEYS = {"onus": "serial", "macs": ("mac", "vlan"), "service_ports": ("port", "onu_id", "index"),
              "unregistered_onus": "serial", "boards": "slot", "pon_ports": "port"}


def _plain(v: Any) -> Any:
    if isinstance(v, datetime):
        return (v if v.tzinfo else v.replace(tzinfo=UTC)).astimezone(UTC).isoformat()
    return v


def _key(row: dict, key: str | tuple) -> Any:
    return tuple(row[k] for k in key) if isinstance(key, tuple) else row[key]


def present_rows(engine: Engine, table: str, olt: str, columns: list[str]) -> dict:
    t = schema.metadata.tables[table]
    with engine.connect() as conn:
        rows = conn.execute(select(*(t.c[c] for c in columns))
                            .where(t.c.olt == olt, t.c.removed_at.is_(None))).all()
    return {_key(r._mapping, TABLE_KEYS[table]): {c: _plain(r._mapping[c]) for c in columns}
            for r in rows}


def diff_olt(engine: Engine, truth: dict) -> dict[str, Any]:
    """Differences between the database and one OLT's truth; empty when they are equal."""
    problems: dict[str, Any] = {}
    for table, key in TABLE_KEYS.items():
        expected = {_key(r, key): r for r in truth[table]}
        key_cols = [key] if isinstance(key, str) else list(key)
        columns = list(truth[table][0].keys()) if truth[table] else key_cols
        got = present_rows(engine, table, truth["name"], columns)
        if got != expected:
            missing = [k for k in expected if k not in got]
            extra = [k for k in got if k not in expected]
            changed = {k: {c: (got[k][c], v) for c, v in expected[k].items() if got[k][c] != v}
                       for k in expected if k in got and got[k] != expected[k]}
            problems[table] = {"missing": missing[:5], "extra": extra[:5],
                               "changed": dict(list(changed.items())[:5]),
                               "counts": (len(got), len(expected))}
    with engine.connect() as conn:
        o = conn.execute(select(schema.olts).where(schema.olts.c.name == truth["name"])).one()._mapping
    facts = {k: o[k] for k in ("hostname", "model", "firmware", "patch", "platform")}
    want = {k: truth[k] for k in facts}
    if facts != want:
        problems["olts"] = (facts, want)
    return problems


def history_count(engine: Engine) -> int:
    """Optical samples stored so far (a re-sync with nothing changed adds only these)."""
    from sqlalchemy import func

    with engine.connect() as conn:
        return conn.scalar(select(func.count()).select_from(schema.onu_optical_history))


def clients_in_db(engine: Engine) -> dict[str, str | None]:
    with engine.connect() as conn:
        return dict(conn.execute(select(schema.clients.c.key, schema.clients.c.name)).all())


WRITE_TABLES = ["boards", "pon_ports", "onus", "macs", "service_ports", "clients",
                "unregistered_onus"]


def row_versions(engine: Engine, tables: list[str] = WRITE_TABLES) -> dict[str, list]:
    """(id, xmin) of every row: PostgreSQL changes xmin whenever a row is written."""
    with engine.connect() as conn:
        return {t: conn.execute(text(f"SELECT id, xmin::text FROM {t} ORDER BY id")).all()
                for t in tables}


def snapshot(engine: Engine, table: str, olt: str) -> list[tuple]:
    t = schema.metadata.tables[table]
    with engine.connect() as conn:
        return [tuple(r) for r in conn.execute(select(t).where(t.c.olt == olt).order_by(t.c.id))]


OLT_TABLES = list(PER_OLT)


def snapshot_olt(engine: Engine, olt: str) -> dict[str, list[tuple]]:
    """Every row the database holds for one OLT (its olts row included), column by column."""
    snap = {t: snapshot(engine, t, olt) for t in OLT_TABLES}
    with engine.connect() as conn:
        snap["olts"] = [tuple(r) for r in conn.execute(
            select(schema.olts).where(schema.olts.c.name == olt))]
    return snap

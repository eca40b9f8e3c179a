"""`python -m oltsync rename OLD NEW`: an OLT renamed in the inventory keeps its history.

Without it, the next sync would start a second copy under the new name and the old rows would
be marked removed. The rename moves every row (ONUs, MACs, service ports, optical history,
sync_runs …) to the new name in one transaction — the foreign keys cascade the name — while both
names' locks are held, so no sync of either runs meanwhile. Then change the inventory.
"""

from __future__ import annotations

from sqlalchemy import func, select, update
from sqlalchemy.engine import Engine

from core.errors import ConfigError
from storage import schema
from storage.catalogue import PER_OLT
from storage.olt_lock import olt_lock


def rename_olt(engine: Engine, old: str, new: str, wait_s: float = 60) -> dict[str, int]:
    """Rows moved per table."""
    if old == new:
        raise ConfigError(f"rename: {old!r} and {new!r} are the same name")
    first, second = sorted((old, new))  # a fixed order: two renames never wait on each other
    with olt_lock(engine, first, wait_s) as a, olt_lock(engine, second, wait_s) as b:
        o = schema.olts
        with engine.begin() as conn:
            names = set(conn.execute(select(o.c.name).where(o.c.name.in_([old, new]))).scalars())
            if old not in names:
                raise ConfigError(f"rename: there is no OLT {old!r} in the database")
            if new in names:
                raise ConfigError(
                    f"rename: {new!r} already has rows of its own (a sync ran under the new "
                    "name); nothing was changed. Keep one: rename that one away first, or "
                    "delete its rows")
            moved = {t: conn.scalar(select(func.count()).select_from(schema.metadata.tables[t])
                                    .where(schema.metadata.tables[t].c.olt == old))
                     for t in PER_OLT}
            a.check()
            b.check()
            conn.execute(update(o).where(o.c.name == old).values(name=new))  # cascades
            left = sum(conn.scalar(select(func.count()).select_from(schema.metadata.tables[t])
                                   .where(schema.metadata.tables[t].c.olt == old))
                       for t in PER_OLT)
            if left:  # a table without the cascade would keep rows under the old name
                raise ConfigError(f"rename: {left} rows did not follow the new name; rolled back")
    return moved

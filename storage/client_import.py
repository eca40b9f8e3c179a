"""`oltsync clients import`: the ISP's client list into `clients`, and the ONUs it names linked.

One transaction: a dry run computes the same plan and rolls back. An import adds and updates
clients, never deletes one (a client missing from the file is counted, and kept), never deletes
an ONU, and never writes to an OLT: an ONU that names no client itself is linked by its PPPoE
login or serial, on `onus.client_key`, as every hourly sync does from then on.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import bindparam, select, update
from sqlalchemy.engine import Connection, Engine

from clients.csv_file import ClientList
from storage import bulk, client_links, schema

CHUNK = 1000
SHOWN = 10  # keys listed per kind of change (keys only: names are personal data)


@dataclass
class ImportPlan:
    added: list[str] = field(default_factory=list)
    changed: dict[str, list[str]] = field(default_factory=dict)  # key: columns that change
    unchanged: int = 0
    not_in_file: int = 0  # imported before, absent now: kept
    linked: dict[str, int] = field(default_factory=lambda: {"import_pppoe": 0,
                                                            "import_serial": 0})
    without_onu: int = 0  # clients of the file no present ONU names, after the import
    applied: bool = False

    def lines(self) -> list[str]:
        cols: dict[str, int] = {}
        for changed in self.changed.values():
            for c in changed:
                cols[c] = cols.get(c, 0) + 1
        verb = "" if self.applied else "would be "
        out = [f"clients {verb}added: {len(self.added)}"
               + (f" ({', '.join(self.added[:SHOWN])}{', …' if len(self.added) > SHOWN else ''})"
                  if self.added else ""),
               f"clients {verb}changed: {len(self.changed)}"
               + (f" ({', '.join(f'{c} {n}' for c, n in sorted(cols.items()))})" if cols else ""),
               f"clients unchanged: {self.unchanged}",
               f"clients of earlier imports not in this file: {self.not_in_file} (kept: an "
               "import never deletes)",
               f"ONUs {verb}linked by PPPoE login: {self.linked['import_pppoe']}, by serial: "
               f"{self.linked['import_serial']}",
               f"clients of the file no ONU names: {self.without_onu}"]
        return out


def _existing(conn: Connection, keys: list[str], columns: tuple[str, ...]
              ) -> dict[str, dict[str, Any]]:
    t = schema.clients
    out: dict[str, dict[str, Any]] = {}
    for i in range(0, len(keys), CHUNK):
        for r in conn.execute(select(t.c.key, *(t.c[c] for c in columns))
                              .where(t.c.key.in_(keys[i:i + CHUNK]))):
            out[r.key] = dict(r._mapping)
    return out


def _link_onus(conn: Connection, now: datetime, plan: ImportPlan) -> None:
    """ONUs naming no client get the imported one with their login, else their serial (as the
    hourly sync does: storage/client_links.py); the links of the OLTs that changed follow."""
    o, c = schema.onus, schema.clients
    via_by_olt: dict[str, dict[str, str]] = {}
    for via, col in (("import_pppoe", "pppoe_login"), ("import_serial", "serial")):
        pairs = conn.execute(
            select(o.c.id, o.c.olt, o.c.serial, c.c.key)
            .select_from(o.join(c, o.c[col] == c.c[col]))
            .where(o.c.client_key.is_(None), o.c.removed_at.is_(None),
                   c.c.imported_at.is_not(None))).all()
        if pairs:
            conn.execute(update(o).where(o.c.id == bindparam("i"))
                         .values(client_key=bindparam("k")),
                         [{"i": i, "k": k} for i, _, _, k in pairs])
        plan.linked[via] = len(pairs)
        for _, olt, serial, _ in pairs:
            via_by_olt.setdefault(olt, {})[serial] = via
    for olt, via in sorted(via_by_olt.items()):
        client_links.relink(conn, olt, now, via)


def import_clients(engine: Engine, clients: ClientList, dry_run: bool = True,
                   now: datetime | None = None) -> ImportPlan:
    """Plan (and unless `dry_run`, apply) an import; the same figures either way."""
    now = now or datetime.now(UTC)
    t = schema.clients
    cols = clients.columns[1:]
    plan = ImportPlan()
    keys = sorted(r.key for r in clients.rows)
    with engine.connect() as conn, conn.begin() as tx:
        existing = _existing(conn, keys, cols)
        new, changes = [], []
        for r in clients.rows:
            old = existing.get(r.key)
            if old is None:
                plan.added.append(r.key)
                new.append({"key": r.key, **r.values, "first_seen": now, "last_seen": now,
                            "imported_at": now})
                continue
            diff = [c for c in cols if old[c] != r.values[c]]
            if diff:
                plan.changed[r.key] = diff
            else:
                plan.unchanged += 1
            changes.append({"k": r.key, **{f"v_{c}": r.values[c] for c in cols}})
        listed = set(keys)
        plan.not_in_file = sum(1 for k in conn.execute(select(t.c.key).where(
            t.c.imported_at.is_not(None))).scalars() if k not in listed)
        if new:
            bulk.insert_rows(conn, t, [{c: row.get(c) for c in
                                        ("key", *cols, "first_seen", "last_seen", "imported_at")}
                                       for row in new])
        for changed in (True, False):  # every listed client is marked imported now
            batch = [row for row in changes if (row["k"] in plan.changed) == changed]
            if batch:
                conn.execute(update(t).where(t.c.key == bindparam("k")).values(
                    imported_at=now, **({"last_seen": now} if changed else {}),
                    **{c: bindparam(f"v_{c}") for c in cols}), batch)
        _link_onus(conn, now, plan)
        o = schema.onus
        named = set()
        for i in range(0, len(keys), CHUNK):
            named |= set(conn.execute(select(o.c.client_key).where(
                o.c.client_key.in_(keys[i:i + CHUNK]), o.c.removed_at.is_(None))
                .group_by(o.c.client_key)).scalars())
        plan.without_onu = len(listed - named)
        if dry_run:
            tx.rollback()
        else:
            plan.applied = True
    return plan


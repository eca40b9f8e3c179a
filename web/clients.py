"""The clients page (/clients) and its API: the reconciliation of ONUs and clients
(storage/reconcile.py: its counts, fleet-wide, per OLT) and the lists behind the counts, a page at a
time: ONUs without a client, clients two ONUs or more name, clients whose ONU changed in the last
days, clients no ONU names.

Every list is one indexed query with a LIMIT (one row more than the page: no count, as the ONU
lists), and the overview skips a list its count says is empty. "Present" is the reconciliation's:
an ONU whose row has no removed_at, so that the lists agree with the counts.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import and_, except_, func, select
from sqlalchemy.engine import Connection, Engine

from storage import schema
from storage.reconcile import SWAP_DAYS, per_olt, reconcile, shared_keys
from web.filters import MAX_PAGE_SIZE, PAGE_SIZE, _int
from web.queries import _row

o, c, cl = schema.onus, schema.clients, schema.client_links
KINDS = ("without_client", "shared", "swapped", "without_onu")
COUNTS = {"without_client": "without_client", "shared": "shared", "swapped": "swapped",
          "without_onu": "clients_without_onu"}  # each list's count in the reconciliation
OVERVIEW_ROWS = 20  # rows of each list on the overview; the rest a page at a time


def olt_known(conn: Connection, olt: str) -> bool:
    return conn.scalar(select(schema.olts.c.id).where(schema.olts.c.name == olt)) is not None


def summary(engine: Engine, olt: str | None = None,
            now: datetime | None = None) -> dict[str, Any]:
    """The reconciliation (the fleet's, or one OLT's) with its samples, and every OLT's counts."""
    return {"swap_days": SWAP_DAYS, "reconciliation": reconcile(engine, olt, now).as_dict(),
            "olts": per_olt(engine, now)}


def _present(olt: str | None) -> list[Any]:
    return [o.c.removed_at.is_(None)] + ([o.c.olt == olt] if olt else [])


def without_client(conn: Connection, olt: str | None, limit: int, offset: int = 0
                   ) -> list[dict[str, Any]]:
    """Present ONUs that name no client, in the ONU list's order (its index: olt, port, onu_id)."""
    return [_row(r) for r in conn.execute(
        select(o.c.olt, o.c.port, o.c.onu_id, o.c.serial, o.c.run_state, o.c.description,
               o.c.pppoe_login)
        .where(*_present(olt), o.c.client_key.is_(None))
        .order_by(o.c.olt, o.c.port, o.c.onu_id).limit(limit).offset(offset))]


def shared(conn: Connection, olt: str | None, limit: int, offset: int = 0
           ) -> list[dict[str, Any]]:
    """Client keys two present ONUs or more name (on one OLT: those among its ONUs'), each with
    its ONUs. The keys come grouped from the client_key index, the ONUs by key."""
    if olt:  # the OLT's keys as a list: no plan that loops (storage/reconcile.py)
        keys = shared_keys(conn, olt)[offset:offset + limit]
    else:
        keys = list(conn.scalars(
            select(o.c.client_key).where(o.c.removed_at.is_(None), o.c.client_key.is_not(None))
            .group_by(o.c.client_key).having(func.count() > 1)
            .order_by(o.c.client_key).limit(limit).offset(offset)))
    if not keys:
        return []
    out: dict[str, dict[str, Any]] = {k: {"client_key": k, "client_name": None, "onus": []}
                                      for k in keys}
    for r in conn.execute(
            select(o.c.client_key, c.c.name.label("client_name"), o.c.olt, o.c.port, o.c.onu_id,
                   o.c.serial, o.c.run_state, o.c.description, o.c.pppoe_login)
            .select_from(o.outerjoin(c, c.c.key == o.c.client_key))
            .where(o.c.client_key.in_(keys), o.c.removed_at.is_(None))
            .order_by(o.c.client_key, o.c.olt, o.c.port, o.c.onu_id)):
        group = out[r.client_key]
        group["client_name"] = r.client_name
        group["onus"].append(_row(r))
    return list(out.values())


def swapped(conn: Connection, olt: str | None, limit: int, offset: int = 0,
            now: datetime | None = None) -> list[dict[str, Any]]:
    """Clients with an open link whose earlier link, to another ONU, closed in the last SWAP_DAYS
    (the reconciliation's swaps), one row per old link: old ONU -> new ONU, when, newest first.
    The closed links come from the unlinked_at index, their client's open link by key."""
    since = (now or datetime.now(UTC)) - timedelta(days=SWAP_DAYS)
    new, old = cl.alias("new"), cl.alias("old")
    q = (select(new.c.client_key, c.c.name.label("client_name"), old.c.olt.label("old_olt"),
                old.c.serial.label("old_serial"), old.c.linked_at.label("old_linked_at"),
                old.c.unlinked_at.label("changed_at"), new.c.olt, new.c.serial, new.c.via,
                new.c.linked_at)
         .select_from(new.join(old, and_(old.c.client_key == new.c.client_key,
                                         old.c.serial != new.c.serial))
                      .outerjoin(c, c.c.key == new.c.client_key))
         .where(new.c.unlinked_at.is_(None), old.c.unlinked_at >= since)
         .order_by(old.c.unlinked_at.desc(), new.c.client_key, old.c.serial, new.c.serial)
         .limit(limit).offset(offset))
    if olt:
        q = q.where(new.c.olt == olt)
    return [_row(r) for r in conn.execute(q)]


def without_onu(conn: Connection, olt: str | None, limit: int, offset: int = 0
                ) -> list[dict[str, Any]]:
    """Clients no present ONU names, by key (fleet-wide only: a client belongs to no OLT), with
    what the ISP's list says of them: its PPPoE login, the serial of their ONU, the plan."""
    if olt:
        return []
    # a set difference, never an anti join a planner with stale statistics may loop
    lonely = except_(select(c.c.key), select(o.c.client_key).where(
        o.c.removed_at.is_(None), o.c.client_key.is_not(None))).subquery()
    return [_row(r) for r in conn.execute(
        select(c.c.key.label("client_key"), c.c.name.label("client_name"), c.c.pppoe_login,
               c.c.serial.label("listed_serial"), c.c.plan, c.c.imported_at, c.c.last_seen)
        .select_from(c.join(lonely, lonely.c.key == c.c.key))
        .order_by(c.c.key).limit(limit).offset(offset))]


LISTS = {"without_client": without_client, "shared": shared, "swapped": swapped,
         "without_onu": without_onu}


def page(conn: Connection, kind: str, olt: str | None, page_no: int, size: int
         ) -> tuple[list[dict[str, Any]], bool]:
    """One page of a list, and whether there is a next one."""
    rows = LISTS[kind](conn, olt, size + 1, (page_no - 1) * size)
    return rows[:size], len(rows) > size


def overview(engine: Engine, olt: str | None = None) -> dict[str, Any]:
    """The page: the reconciliation, every OLT's counts, each list's first rows."""
    out = summary(engine, olt)
    rec = out["reconciliation"]
    out["lists"] = {}
    with engine.connect() as conn:
        for kind in KINDS:
            if rec.get(COUNTS[kind]):
                out["lists"][kind] = page(conn, kind, olt, 1, OVERVIEW_ROWS)
            else:
                out["lists"][kind] = ([], False)
    return out


def paging(params: Any) -> tuple[int, int]:
    """page and size from query parameters (a FilterError, answered 400, when out of range)."""
    return (_int("page", params.get("page"), 1, 1_000_000) or 1,
            _int("size", params.get("size"), 1, MAX_PAGE_SIZE) or PAGE_SIZE)


"""Reconciliation of ONUs and clients, per OLT and fleet-wide: ONUs without a client, clients
without an ONU, one client claimed by two ONUs, clients whose ONU changed (a swap).

Keys only: client names and documents are personal data and stay in the database (the web page
shows them behind its login); what this returns goes to `oltsync status`, the hourly run's
artifact and the logs.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import except_, func, select
from sqlalchemy.engine import Connection, Engine

from storage import schema

SWAP_DAYS = 7  # a swap is reported for a week after it
# what each kind of sample lists, as reports name it
SAMPLE_LABELS = {"without_client": "ONUs without a client (serials)", "shared": "shared keys",
                 "swapped": "swapped keys", "without_onu": "clients without an ONU (keys)"}
SHOWN = 10
CHUNK = 1000


@dataclass
class Reconciliation:
    olt: str | None  # None: the whole fleet
    onus: int = 0  # present
    with_client: int = 0
    without_client: int = 0
    shared: int | None = 0  # client keys that two or more present ONUs name (None: not asked)
    swapped: int | None = 0  # clients whose ONU changed within SWAP_DAYS (None: not asked)
    clients: int = 0  # fleet: every client; per OLT: those its ONUs name
    clients_without_onu: int | None = None  # fleet-wide only: a client belongs to no OLT
    samples: dict[str, list[str]] = field(default_factory=dict)  # keys (or serials) per kind

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    def line(self) -> str:
        parts = [f"{self.with_client}/{self.onus} ONUs with a client",
                 f"{self.without_client} without"]
        if self.shared is not None:
            parts.append(f"{self.shared} client(s) on two ONUs or more")
        if self.swapped is not None:
            parts.append(f"{self.swapped} swapped in {SWAP_DAYS} days")
        if self.clients_without_onu is not None:
            parts.append(f"{self.clients_without_onu}/{self.clients} clients without an ONU")
        return ", ".join(parts)


def _present(olt: str | None) -> Any:
    o = schema.onus
    return [o.c.removed_at.is_(None)] + ([o.c.olt == olt] if olt else [])


def shared_keys(conn: Connection, olt: str | None) -> list[str]:
    """Keys claimed by two ONUs or more anywhere in the fleet (per OLT: those of its ONUs).

    Written so that no plan can loop over one table per row of another: right after a first
    sync the planner's statistics still say the tables are empty, and a nested loop there ran
    for minutes at 200,000 ONUs. A grouping (hashed or sorted); per OLT, its keys as lists."""
    o = schema.onus
    q = (select(o.c.client_key).where(o.c.removed_at.is_(None), o.c.client_key.is_not(None))
         .group_by(o.c.client_key).having(func.count() > 1))
    if not olt:
        return sorted(conn.execute(q).scalars())
    mine = sorted(set(conn.execute(select(o.c.client_key).where(
        *_present(olt), o.c.client_key.is_not(None))).scalars()))
    out: list[str] = []
    for i in range(0, len(mine), CHUNK):  # the OLT's keys, as lists: index lookups
        out += conn.execute(q.where(o.c.client_key.in_(mine[i:i + CHUNK]))).scalars()
    return sorted(out)


def _claims() -> Any:
    """Every present ONU's (olt, client key) with how many present ONUs name that key: one
    sorted pass (a window), whatever the planner believes of the tables' sizes."""
    o = schema.onus
    return (select(o.c.olt, o.c.client_key,
                   func.count().over(partition_by=o.c.client_key).label("n"))
            .where(o.c.removed_at.is_(None), o.c.client_key.is_not(None))
            .subquery("claims"))


def _swapped(conn: Connection, olt: str | None, since: datetime) -> list[str]:
    """Clients with an open link whose earlier link, on another ONU, closed since `since`: the
    links closed lately first (few), then the open links of those clients (an indexed list)."""
    cl = schema.client_links
    closed: dict[str, set[str]] = {}
    for key, serial in conn.execute(select(cl.c.client_key, cl.c.serial)
                                    .where(cl.c.unlinked_at >= since)):
        closed.setdefault(key, set()).add(serial)
    keys, out = sorted(closed), set()
    for i in range(0, len(keys), CHUNK):
        q = select(cl.c.client_key, cl.c.serial).where(
            cl.c.unlinked_at.is_(None), cl.c.client_key.in_(keys[i:i + CHUNK]))
        if olt:
            q = q.where(cl.c.olt == olt)
        out |= {k for k, serial in conn.execute(q) if closed[k] - {serial}}
    return sorted(out)


def reconcile(engine: Engine, olt: str | None = None, now: datetime | None = None,
              light: bool = False) -> Reconciliation:
    """The reconciliation of one OLT or the fleet. `light`: the OLT's own counts only (its ONUs
    with and without a client), what its hourly run reports; shared keys and swaps look across
    the fleet, so the fleet run reports them, for every OLT at once (per_olt)."""
    now = now or datetime.now(UTC)
    o, c = schema.onus, schema.clients
    out = Reconciliation(olt)
    with engine.connect() as conn:
        out.onus, out.with_client = conn.execute(
            select(func.count(), func.count(o.c.client_key)).where(*_present(olt))).one()
        out.without_client = out.onus - out.with_client
        out.samples["without_client"] = list(conn.execute(
            select(o.c.serial).where(*_present(olt), o.c.client_key.is_(None))
            .order_by(o.c.olt, o.c.port, o.c.onu_id).limit(SHOWN)).scalars())
        if light:
            out.shared = out.swapped = None
            return out
        shared = shared_keys(conn, olt)
        out.shared, out.samples["shared"] = len(shared), shared[:SHOWN]
        swapped = _swapped(conn, olt, now - timedelta(days=SWAP_DAYS))
        out.swapped, out.samples["swapped"] = len(swapped), swapped[:SHOWN]
        if olt:
            out.clients = conn.execute(select(func.count(func.distinct(o.c.client_key)))
                                       .where(*_present(olt))).scalar_one()
        else:
            out.clients = conn.execute(select(func.count()).select_from(c)).scalar_one()
            # a set difference (hashed or sorted), never an anti join a planner may loop
            lonely = except_(select(c.c.key), select(o.c.client_key).where(
                o.c.removed_at.is_(None), o.c.client_key.is_not(None))).subquery()
            out.clients_without_onu = conn.execute(
                select(func.count()).select_from(lonely)).scalar_one()
            out.samples["without_onu"] = list(conn.execute(
                select(lonely.c.key).order_by(lonely.c.key).limit(SHOWN)).scalars())
    return out


def per_olt(engine: Engine, now: datetime | None = None) -> list[dict[str, Any]]:
    """The reconciliation's counts for every OLT in a few grouped queries (`oltsync status`, the
    web page): olt, onus, without_client, shared, swapped."""
    now = now or datetime.now(UTC)
    o, cl = schema.onus, schema.client_links
    with engine.connect() as conn:
        rows = {olt: {"olt": olt, "onus": n, "without_client": n - named, "shared": 0,
                      "swapped": 0}
                for olt, n, named in conn.execute(
                    select(o.c.olt, func.count(), func.count(o.c.client_key))
                    .where(o.c.removed_at.is_(None)).group_by(o.c.olt).order_by(o.c.olt))}
        claims = _claims()
        for olt, n in conn.execute(select(claims.c.olt, func.count(func.distinct(
                claims.c.client_key))).where(claims.c.n > 1).group_by(claims.c.olt)):
            if olt in rows:
                rows[olt]["shared"] = n
        keys = _swapped(conn, None, now - timedelta(days=SWAP_DAYS))
        per: dict[str, set[str]] = {}
        for i in range(0, len(keys), CHUNK):
            for olt, key in conn.execute(select(cl.c.olt, cl.c.client_key).where(
                    cl.c.unlinked_at.is_(None), cl.c.client_key.in_(keys[i:i + CHUNK]))):
                per.setdefault(olt, set()).add(key)
        for olt, ks in per.items():
            if olt in rows:
                rows[olt]["swapped"] = len(ks)
    return list(rows.values())

"""The outages table and what an outage decision reads: this pass's ONU transitions, per port,
and each present ONU's state now. The decisions themselves are alerts/outages.py's."""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import select, update
from sqlalchemy.engine import Engine

from alerts.outages import Decisions, Down, Outage, PortPass
from alerts.signal import SignalAlert, SignalDecisions
from storage import schema


@dataclass
class PassData:
    passes: list[PortPass]
    outages: list[Outage]
    online: dict[str, bool]  # every present ONU: online or not
    clients: dict[str, str | None]  # serial -> client key


def read_pass(engine: Engine, olt: str, since: datetime, closed_after: datetime | None = None
              ) -> PassData:
    """The ports whose ONUs changed since `since` (this pass), the OLT's open outages (and those
    closed after `closed_after`: the cooldown), and every present ONU's state (online or not)."""
    sc, o, t = schema.onu_state_changes, schema.onus, schema.outages
    with engine.connect() as conn:
        changes = conn.execute(select(sc.c.serial, sc.c.port, sc.c.from_state, sc.c.to_state,
                                      sc.c.cause).where(sc.c.olt == olt, sc.c.at >= since)
                               .order_by(sc.c.id)).all()
        present = conn.execute(select(o.c.serial, o.c.port, o.c.run_state, o.c.client_key)
                               .where(o.c.olt == olt, o.c.removed_at.is_(None))).all()
        recent = t.c.closed_at.is_(None)
        if closed_after is not None:
            recent = recent | (t.c.closed_at >= closed_after)
        open_rows = conn.execute(select(t).where(t.c.olt == olt, t.c.port.is_not(None), recent)
                                 .order_by(t.c.id)).all()
    online = {r.serial: r.run_state == "online" for r in present}
    clients = {r.serial: r.client_key for r in present}
    online_now = Counter(r.port for r in present if r.run_state == "online")
    down: dict[str, list[Down]] = defaultdict(list)
    came_up: Counter = Counter()
    for c in changes:
        if c.from_state == "online" and c.to_state != "online":
            down[c.port].append(Down(c.serial, c.cause, clients.get(c.serial)))
        elif c.to_state == "online" and c.from_state != "online":
            came_up[c.port] += 1
    passes = [PortPass(port, online_now[port] + len(d) - came_up[port], d)
              for port, d in sorted(down.items())]
    outages = [Outage(r.port, r.kind, _utc(r.opened_at), json.loads(r.serials), r.los,
                      r.dying_gasp, r.clients, _utc(r.closed_at), r.id, r.reopened)
               for r in open_rows]
    return PassData(passes, outages, online, clients)


def _utc(v: datetime | None) -> datetime | None:
    # SQLite hands timestamps back naive; we only ever store UTC
    return v.replace(tzinfo=UTC) if v is not None and v.tzinfo is None else v


def write(engine: Engine, olt: str, decisions: Decisions) -> None:
    """Opened outages inserted, grown and closed ones updated, in one transaction."""
    t = schema.outages

    def values(o: Outage) -> dict:
        return {"affected": o.affected, "los": o.los, "dying_gasp": o.dying_gasp,
                "clients": o.clients, "serials": json.dumps(o.serials), "closed_at": o.closed_at,
                "reopened": o.reopened}

    with engine.begin() as conn:
        for o in decisions.opened:
            o.id = conn.execute(t.insert().values(olt=olt, port=o.port, kind=o.kind,
                                                  opened_at=o.opened_at, **values(o))
                                ).inserted_primary_key[0]
        changed = decisions.grown + decisions.closed + decisions.reopened
        for o in {id(x): x for x in changed}.values():
            conn.execute(update(t).where(t.c.id == o.id).values(**values(o)))


def set_unreachable(engine: Engine, olt: str, unreachable: bool, at: datetime) -> str | None:
    """An OLT that could not be reached at all is an outage of its own (no port): opened on the
    first pass that cannot reach it, closed by the first that can. Returns 'opened', 'closed' or
    None (nothing changed)."""
    t = schema.outages
    with engine.begin() as conn:
        current = conn.execute(select(t.c.id).where(t.c.olt == olt, t.c.kind == "unreachable",
                                                    t.c.closed_at.is_(None))).scalar()
        if unreachable and current is None:
            conn.execute(t.insert().values(olt=olt, port=None, kind="unreachable", opened_at=at,
                                           affected=0, los=0, dying_gasp=0, clients=0,
                                           serials="[]", reopened=0))
            return "opened"
        if not unreachable and current is not None:
            conn.execute(update(t).where(t.c.id == current).values(closed_at=at))
            return "closed"
    return None


def read_signal(engine: Engine, olt: str) -> tuple[list[dict], list[SignalAlert]]:
    """Present ONUs with their levels, and the OLT's open signal alerts."""
    o, a = schema.onus, schema.signal_alerts
    with engine.connect() as conn:
        onus = [dict(r._mapping) for r in conn.execute(
            select(o.c.serial, o.c.port, o.c.onu_id, o.c.rx_power_dbm, o.c.olt_rx_power_dbm)
            .where(o.c.olt == olt, o.c.removed_at.is_(None)))]
        alerts = [SignalAlert(r.serial, r.port, r.onu_id, r.metric, r.severity, r.level_dbm,
                              _utc(r.opened_at), _utc(r.closed_at), r.id)
                  for r in conn.execute(select(a).where(a.c.olt == olt, a.c.closed_at.is_(None)))]
    return onus, alerts


def write_signal(engine: Engine, olt: str, d: SignalDecisions) -> None:
    a = schema.signal_alerts
    with engine.begin() as conn:
        for x in d.opened:
            x.id = conn.execute(a.insert().values(
                olt=olt, serial=x.serial, port=x.port, onu_id=x.onu_id, metric=x.metric,
                severity=x.severity, level_dbm=x.level_dbm, opened_at=x.opened_at)
            ).inserted_primary_key[0]
        for x in {id(y): y for y in d.raised + d.closed}.values():
            conn.execute(update(a).where(a.c.id == x.id).values(
                severity=x.severity, level_dbm=x.level_dbm, closed_at=x.closed_at))

"""The outages table and what an outage decision reads: this pass's ONU transitions, per port,
and each present ONU's state now. The decisions themselves are alerts/outages.py's."""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.engine import Connection, Engine

from alerts.outages import OLT_LEVEL, Decisions, Down, Outage, PortPass
from alerts.signal import SignalAlert, SignalDecisions
from storage import schema


@dataclass
class PassData:
    passes: list[PortPass]
    outages: list[Outage]
    online: dict[str, bool]  # every present ONU: online or not
    clients: dict[str, str | None]  # serial -> client key
    port_of: dict[str, str]  # serial -> port
    ports_online: int  # the OLT's ports that had ONUs online before these changes
    change_id: int | None  # the last state change read: what the evaluation covers
    evaluated: int | None  # the last state change evaluated before


def read_pass(engine: Engine, olt: str, since: datetime, at: datetime,
              cooldown: timedelta) -> PassData:
    """The ports whose ONUs changed since the last evaluation (the first one ever: since `since`,
    this pass's start), the OLT's port and OLT-wide outages that may still change (open, closed
    within the cooldown, RESOLVED held), and every present ONU's state now. An ONU that changed
    more than once counts by its net change: from its first state to its last."""
    sc, o, t, w = schema.onu_state_changes, schema.onus, schema.outages, schema.outage_watch
    with engine.connect() as conn:
        mark = conn.execute(select(w.c.change_id).where(w.c.olt == olt)).scalar()
        after = sc.c.id > mark if mark is not None else sc.c.at >= since
        changes = conn.execute(select(sc.c.id, sc.c.serial, sc.c.port, sc.c.from_state,
                                      sc.c.to_state, sc.c.cause).where(sc.c.olt == olt, after)
                               .order_by(sc.c.id)).all()
        latest = conn.execute(select(func.max(sc.c.id)).where(sc.c.olt == olt)).scalar()
        present = conn.execute(select(o.c.serial, o.c.port, o.c.run_state, o.c.client_key)
                               .where(o.c.olt == olt, o.c.removed_at.is_(None))).all()
        may_change = (t.c.closed_at.is_(None) | (t.c.told == "opened")
                      | (t.c.closed_at >= at - cooldown))
        rows = conn.execute(select(t).where(t.c.olt == olt, t.c.kind.not_in(OLT_LEVEL),
                                            may_change).order_by(t.c.id)).all()
    online = {r.serial: r.run_state == "online" for r in present}
    clients = {r.serial: r.client_key for r in present}
    online_now = Counter(r.port for r in present if r.run_state == "online")
    first: dict[str, Any] = {}
    last: dict[str, Any] = {}
    for c in changes:
        first.setdefault(c.serial, c)
        last[c.serial] = c
    down: dict[str, list[Down]] = defaultdict(list)
    came_up: Counter = Counter()
    for serial, c in last.items():
        was_online = first[serial].from_state == "online"
        if was_online and c.to_state != "online":
            down[c.port].append(Down(serial, c.cause, clients.get(serial)))
        elif not was_online and c.to_state == "online":
            came_up[c.port] += 1
    ports = set(online_now) | set(down) | set(came_up)
    before = {p: online_now[p] + len(down[p]) - came_up[p] for p in ports}
    passes = [PortPass(port, before[port], d) for port, d in sorted(down.items())]
    outages = [Outage(r.port, r.kind, _utc(r.opened_at), json.loads(r.serials), r.los,
                      r.dying_gasp, r.clients, _utc(r.closed_at), r.id, r.reopened,
                      json.loads(r.ports or "{}"), r.told)
               for r in rows]
    # no change stored yet: 0, so that the first ones are caught up whoever stores them
    done = latest if latest is not None else mark if mark is not None else 0
    return PassData(passes, outages, online, clients, {r.serial: r.port for r in present},
                    sum(n > 0 for n in before.values()), done, mark)


def _utc(v: datetime | None) -> datetime | None:
    # SQLite hands timestamps back naive; we only ever store UTC
    return v.replace(tzinfo=UTC) if v is not None and v.tzinfo is None else v


def _watch_row(conn: Connection, olt: str, **values: Any) -> None:
    w = schema.outage_watch
    if conn.execute(update(w).where(w.c.olt == olt).values(**values)).rowcount == 0:
        conn.execute(w.insert().values(olt=olt, **{"unreadable_passes": 0, **values}))


def write(engine: Engine, olt: str, decisions: Decisions, seen: PassData) -> None:
    """Opened outages inserted, the others that changed updated, and the state changes they
    cover marked evaluated, in one transaction."""
    t = schema.outages

    def values(o: Outage) -> dict:
        return {"affected": o.affected, "los": o.los, "dying_gasp": o.dying_gasp,
                "clients": o.clients, "serials": json.dumps(o.serials), "closed_at": o.closed_at,
                "reopened": o.reopened, "ports": json.dumps(o.ports) if o.port is None else None,
                "told": o.told}

    with engine.begin() as conn:
        for o in decisions.opened:
            o.id = conn.execute(t.insert().values(olt=olt, port=o.port, kind=o.kind,
                                                  opened_at=o.opened_at, **values(o))
                                ).inserted_primary_key[0]
        for o in decisions.changed():
            conn.execute(update(t).where(t.c.id == o.id).values(**values(o)))
        if seen.change_id is not None and seen.change_id != seen.evaluated:
            _watch_row(conn, olt, change_id=seen.change_id)


def set_olt_outage(engine: Engine, olt: str, kind: str, down: bool | None, at: datetime,
                   reason: str | None = None) -> Outage | None:
    """The OLT's own outage of `kind` (unreachable, unreadable; no port): opened when `down` and
    none is open, closed when not `down` (None: no change). Returns the outage that opened or
    closed, or None."""
    t = schema.outages
    with engine.begin() as conn:
        current = conn.execute(select(t).where(t.c.olt == olt, t.c.kind == kind,
                                               t.c.closed_at.is_(None))).first()
        if down and current is None:
            o = Outage(None, kind, at, [], told="opened")
            o.id = conn.execute(t.insert().values(
                olt=olt, port=None, kind=kind, opened_at=at, affected=0, los=0, dying_gasp=0,
                clients=0, serials="[]", reopened=0, told="opened", reason=reason)
            ).inserted_primary_key[0]
            return o
        if down is False and current is not None:
            conn.execute(update(t).where(t.c.id == current.id).values(closed_at=at,
                                                                     told="closed"))
            return Outage(None, kind, _utc(current.opened_at), [], closed_at=at, id=current.id,
                          told="closed")
    return None


def count_unreadable(engine: Engine, olt: str, reason: str | None) -> int:
    """This pass could (`reason` None) or could not read the OLT it logged in to: the passes in
    a row that could not, now."""
    w = schema.outage_watch
    with engine.begin() as conn:
        before = conn.execute(select(w.c.unreadable_passes).where(w.c.olt == olt)).scalar()
        passes = 0 if reason is None else (before or 0) + 1
        if passes or before:  # a pass that reads the OLT as the last one did writes nothing
            _watch_row(conn, olt, unreadable_passes=passes, unreadable_reason=reason)
    return passes


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

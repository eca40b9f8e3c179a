"""What the web page and its API read: the fleet, an OLT, a PON port, ONU lists and one ONU, outages,
unregistered ONUs, low-signal alerts. Plain functions over a connection; nothing here writes."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, and_, case, func, literal, or_, select
from sqlalchemy.engine import Connection

from alerts.signal import Thresholds, severity
from storage import schema
from web.filters import CSV_MAX_ROWS, OnuFilter

o, c, olts = schema.onus, schema.clients, schema.olts
RECENT_RUNS = timedelta(days=2)  # the sync runs the fleet reads each dataset's last one from
LINKS_SHOWN = 50  # an ONU's client links, newest first

ONU_COLUMNS = (o.c.olt, o.c.port, o.c.onu_id, o.c.serial, o.c.run_state, o.c.last_down_cause,
               o.c.last_up_at, o.c.last_down_at, o.c.rx_power_dbm, o.c.tx_power_dbm,
               o.c.olt_rx_power_dbm, o.c.distance_m, o.c.equipment, o.c.firmware,
               o.c.description, o.c.client_key, c.c.name.label("client_name"))


def utc(v: datetime | None) -> datetime | None:
    """SQLite gives timestamps back without their zone: they are stored in UTC."""
    return v.replace(tzinfo=UTC) if v is not None and v.tzinfo is None else v


def _row(r: Any) -> dict[str, Any]:
    return {k: utc(v) if isinstance(v, datetime) else v for k, v in r._mapping.items()}


def cause_kind(cause: Any) -> ColumnElement:
    """alerts.outages.cause_kind in SQL: 'power' (dying gasp), 'los' (fibre) or 'other'."""
    s = func.lower(func.replace(func.replace(func.replace(func.coalesce(cause, ""), "-", ""),
                                             "_", ""), " ", ""))
    return case((or_(s.like("%dyinggasp%"), s == "dg", s.like("%poweroff%")), literal("power")),
                (or_(*(s.like(f"{p}%") for p in ("los", "lof", "lob", "lom")), s.like("%los")),
                 literal("los")), else_=literal("other"))


def band_range(level: Any, name: str, t: Thresholds) -> ColumnElement:
    """A band as a range of the level: what the index on rx_power_dbm serves (a CASE is not)."""
    return {"none": level.is_(None), "critical": level <= t.onu_rx_critical,
            "weak": and_(level <= t.onu_rx_warning, level > t.onu_rx_critical),
            "ok": level > t.onu_rx_warning}[name]


def band_of(level: float | None, t: Thresholds) -> str:
    """An ONU rx level's band: the alerts' own severity (alerts/signal.py), in the page's words."""
    if level is None:
        return "none"
    return {"critical": "critical", "warning": "weak", None: "ok"}[
        severity(level, *t.levels("onu_rx"))]


def _present() -> ColumnElement:
    return and_(o.c.removed_at.is_(None),
                o.c.olt.in_(select(olts.c.name).where(olts.c.removed_at.is_(None))))


_ORDER = {"olt": (o.c.olt, o.c.port, o.c.onu_id), "port": (o.c.port, o.c.olt, o.c.onu_id),
          "serial": (o.c.serial,), "rx": (o.c.rx_power_dbm, o.c.serial),
          "olt_rx": (o.c.olt_rx_power_dbm, o.c.serial), "distance": (o.c.distance_m, o.c.serial),
          "down": (o.c.last_down_at, o.c.serial), "client": (o.c.client_key, o.c.serial)}


def _onu_select(conn: Connection, f: OnuFilter, t: Thresholds, now: datetime,
                names: bool = True) -> Any:
    from web.search import word_matches  # the list's text box matches as the search does

    q = select(*ONU_COLUMNS).select_from(o.outerjoin(c, c.c.key == o.c.client_key)).where(
        _present())
    if f.olt:
        q = q.where(o.c.olt == f.olt)
    if f.port:
        q = q.where(o.c.port == f.port)
    if f.state == "online":
        q = q.where(o.c.run_state == "online")
    elif f.state:
        q = q.where(o.c.run_state == "offline")
        if f.state != "offline":
            q = q.where(cause_kind(o.c.last_down_cause) == f.state)
    if f.band:
        q = q.where(band_range(o.c.rx_power_dbm, f.band, t))
    if f.down_days is not None:
        q = q.where(o.c.run_state == "offline",
                    o.c.last_down_at <= now - timedelta(days=f.down_days))
    for word in (f.q or "").split():
        q = q.where(word_matches(conn, word, names))
    cols = _ORDER[f.sort.lstrip("-")]
    first = cols[0].desc() if f.sort.startswith("-") else cols[0]
    # levels and times missing last whichever way they are sorted (ascending, as the indexes
    # keep them: PostgreSQL then walks the index instead of sorting every match)
    return q.order_by(first.nulls_last(), *cols[1:])


def onu_page(conn: Connection, f: OnuFilter, t: Thresholds, now: datetime | None = None,
             names: bool = True) -> tuple[list[dict[str, Any]], bool]:
    """One page of the filtered ONUs, and whether there is a next one (no count: on a fleet of
    400,000 ONUs counting every match would cost more than the page). `names`: whether the
    filter's words look up clients' names (web/privacy.py)."""
    q = _onu_select(conn, f, t, now or datetime.now(UTC), names).limit(f.size + 1).offset(
        (f.page - 1) * f.size)
    rows = [_row(r) for r in conn.execute(q)]
    for r in rows:
        r["band"] = band_of(r["rx_power_dbm"], t)
    return rows[:f.size], len(rows) > f.size


def onu_rows(conn: Connection, f: OnuFilter, t: Thresholds, now: datetime | None = None,
             names: bool = True) -> Iterator[dict[str, Any]]:
    """Every ONU the filter shows, in its order (the CSV), streamed."""
    q = _onu_select(conn, f, t, now or datetime.now(UTC), names).limit(CSV_MAX_ROWS)
    for r in conn.execution_options(stream_results=True, yield_per=2000).execute(q):
        row = _row(r)
        row["band"] = band_of(row["rx_power_dbm"], t)
        yield row


def _last_runs(conn: Connection, since: datetime, olt: str | None = None) -> dict[str, list]:
    """Per OLT, each dataset's latest sync run since `since`."""
    s = schema.sync_runs
    ranked = select(s.c.olt, s.c.dataset, s.c.status, s.c.finished_at, s.c.error,
                    s.c.flow_run_id, func.row_number().over(
                        partition_by=(s.c.olt, s.c.dataset),
                        order_by=(s.c.started_at.desc(), s.c.id.desc())).label("n")).where(
        s.c.started_at >= since)
    if olt:
        ranked = ranked.where(s.c.olt == olt)
    ranked = ranked.subquery()
    out: dict[str, list] = {}
    for r in conn.execute(select(ranked).where(ranked.c.n == 1).order_by(
            ranked.c.olt, ranked.c.dataset)):
        out.setdefault(r.olt, []).append(_row(r))
    return out


def _tally(t: Thresholds) -> list[Any]:
    def count(cond: ColumnElement) -> Any:
        return func.sum(case((cond, 1), else_=0))
    return [func.count().label("onus"), count(o.c.run_state == "online").label("online"),
            count(o.c.run_state == "offline").label("offline"),
            count(and_(o.c.rx_power_dbm <= t.onu_rx_warning,
                       o.c.rx_power_dbm > t.onu_rx_critical)).label("weak"),
            count(o.c.rx_power_dbm <= t.onu_rx_critical).label("critical")]


def fleet(conn: Connection, t: Thresholds, now: datetime | None = None) -> list[dict[str, Any]]:
    """Every OLT in the inventory with its ONU counts, open outages and datasets' last syncs."""
    now = now or datetime.now(UTC)
    out = {r.name: {**_row(r), "onus": 0, "online": 0, "offline": 0, "weak": 0, "critical": 0,
                    "outages": 0, "runs": []}
           for r in conn.execute(select(olts.c.name, olts.c.platform, olts.c.model,
                                        olts.c.firmware, olts.c.hostname, olts.c.last_sync_at)
                                 .where(olts.c.removed_at.is_(None)).order_by(olts.c.name))}
    for r in conn.execute(select(o.c.olt, *_tally(t)).where(o.c.removed_at.is_(None))
                          .group_by(o.c.olt)):
        if r.olt in out:
            out[r.olt].update({k: int(v or 0) for k, v in r._mapping.items() if k != "olt"})
    ou = schema.outages
    for olt, n in conn.execute(select(ou.c.olt, func.count()).where(ou.c.closed_at.is_(None))
                               .group_by(ou.c.olt)):
        if olt in out:
            out[olt]["outages"] = n
    for olt, runs in _last_runs(conn, now - RECENT_RUNS).items():
        if olt in out:
            out[olt]["runs"] = runs
    return list(out.values())


def olt(conn: Connection, name: str, t: Thresholds, now: datetime | None = None) -> dict | None:
    """One OLT: its facts, boards, PON ports with their ONU counts, datasets' last syncs."""
    now = now or datetime.now(UTC)
    r = conn.execute(select(olts).where(olts.c.name == name)).first()
    if r is None:
        return None
    b, p = schema.boards, schema.pon_ports
    counts = {r2.port: _row(r2) for r2 in conn.execute(
        select(o.c.port, *_tally(t)).where(o.c.olt == name, o.c.removed_at.is_(None))
        .group_by(o.c.port))}
    ports = [{**_row(pr), **counts.get(pr.port, {"onus": 0, "online": 0, "offline": 0,
                                                  "weak": 0, "critical": 0})}
             for pr in conn.execute(select(p).where(p.c.olt == name, p.c.removed_at.is_(None)))]
    ports.sort(key=lambda x: [int(n) for n in x["port"].split("/")])
    return {**_row(r), "boards": [_row(x) for x in conn.execute(
                select(b).where(b.c.olt == name, b.c.removed_at.is_(None)).order_by(b.c.slot))],
            "ports": ports, "runs": _last_runs(conn, now - RECENT_RUNS, name).get(name, []),
            "outages": outages(conn, olt_name=name, open_only=True)}


def onu(conn: Connection, olt_name: str, serial: str, t: Thresholds,
        history_days: int | None = None) -> dict[str, Any] | None:
    """One ONU: identity, client (the imported list's plan, document and address when it has
    them), its links to clients over time, state, timeline, optical history, MACs, service ports,
    and the other ONUs of its port."""
    r = conn.execute(select(*ONU_COLUMNS, o.c.removed_at, o.c.first_seen, o.c.last_seen,
                            o.c.moved_at, o.c.previous_port, o.c.previous_onu_id, o.c.temperature_c,
                            o.c.pppoe_login, c.c.plan.label("client_plan"),
                            c.c.document.label("client_document"),
                            c.c.address.label("client_address"),
                            c.c.imported_at.label("client_imported_at"))
                     .select_from(o.outerjoin(c, c.c.key == o.c.client_key))
                     .where(o.c.olt == olt_name, o.c.serial == serial)).first()
    if r is None:
        return None
    out = _row(r)
    out["band"] = band_of(out["rx_power_dbm"], t)
    sc, h, m, sp = (schema.onu_state_changes, schema.onu_optical_history, schema.macs,
                    schema.service_ports)
    out["timeline"] = [_row(x) for x in conn.execute(
        select(sc.c.at, sc.c.from_state, sc.c.to_state, sc.c.cause, sc.c.port, sc.c.onu_id)
        .where(sc.c.olt == olt_name, sc.c.serial == serial).order_by(sc.c.at.desc()).limit(200))]
    hq = (select(h.c.sampled_at, h.c.rx_power_dbm, h.c.tx_power_dbm, h.c.olt_rx_power_dbm)
          .where(h.c.olt == olt_name, h.c.serial == serial).order_by(h.c.sampled_at))
    if history_days:
        hq = hq.where(h.c.sampled_at >= datetime.now(UTC) - timedelta(days=history_days))
    out["history"] = [{"sampled_at": utc(at), "rx_power_dbm": rx, "tx_power_dbm": tx,
                       "olt_rx_power_dbm": olt_rx}
                      for at, rx, tx, olt_rx in conn.execute(hq).tuples().all()]
    place = (m.c.olt == olt_name, m.c.port == out["port"], m.c.onu_id == out["onu_id"])
    out["macs"] = [_row(x) for x in conn.execute(
        select(m.c.mac, m.c.vlan, m.c.service_port, m.c.gem_port, m.c.type, m.c.last_seen)
        .where(*place, m.c.removed_at.is_(None)).order_by(m.c.vlan, m.c.mac))]
    out["service_ports"] = [_row(x) for x in conn.execute(
        select(sp.c.index, sp.c.vlan, sp.c.user_vlan, sp.c.gem_port)
        .where(sp.c.olt == olt_name, sp.c.port == out["port"], sp.c.onu_id == out["onu_id"],
               sp.c.removed_at.is_(None)).order_by(sp.c.index))]
    out["neighbours"] = port_onus(conn, olt_name, out["port"], t)
    cl = schema.client_links
    out["client_links"] = [_row(x) for x in conn.execute(
        select(cl.c.client_key, cl.c.via, cl.c.linked_at, cl.c.unlinked_at)
        .where(cl.c.olt == olt_name, cl.c.serial == serial)
        .order_by(cl.c.linked_at.desc(), cl.c.id.desc()).limit(LINKS_SHOWN))]
    sa = schema.signal_alerts
    out["signal_alerts"] = [_row(x) for x in conn.execute(
        select(sa.c.metric, sa.c.severity, sa.c.level_dbm, sa.c.opened_at, sa.c.closed_at)
        .where(sa.c.olt == olt_name, sa.c.serial == serial)
        .order_by(sa.c.opened_at.desc()).limit(20))]
    return out


def port_onus(conn: Connection, olt_name: str, port: str, t: Thresholds) -> list[dict[str, Any]]:
    rows = [_row(x) for x in conn.execute(
        select(*ONU_COLUMNS).select_from(o.outerjoin(c, c.c.key == o.c.client_key))
        .where(o.c.olt == olt_name, o.c.port == port, o.c.removed_at.is_(None))
        .order_by(o.c.onu_id))]
    for r in rows:
        r["band"] = band_of(r["rx_power_dbm"], t)
    return rows


def port(conn: Connection, olt_name: str, port_name: str, t: Thresholds) -> dict | None:
    p = schema.pon_ports
    r = conn.execute(select(p).where(p.c.olt == olt_name, p.c.port == port_name)).first()
    onus = port_onus(conn, olt_name, port_name, t)
    if r is None and not onus:
        return None
    return {**(_row(r) if r else {"olt": olt_name, "port": port_name}), "onus": onus,
            "outages": outages(conn, olt_name=olt_name, port=port_name, limit=50)}


def outages(conn: Connection, *, olt_name: str | None = None, port: str | None = None,
            open_only: bool = False, days: int = 7, limit: int = 200) -> list[dict[str, Any]]:
    """Open outages, and those closed in the last `days`, newest first, with their ONUs' clients
    (serials -> client keys)."""
    ou = schema.outages
    q = select(ou).order_by(ou.c.closed_at.is_not(None), ou.c.opened_at.desc()).limit(limit)
    if open_only:
        q = q.where(ou.c.closed_at.is_(None))
    elif port is None:
        q = q.where(or_(ou.c.closed_at.is_(None),
                        ou.c.closed_at >= datetime.now(UTC) - timedelta(days=days)))
    if olt_name:
        q = q.where(ou.c.olt == olt_name)
    if port:
        q = q.where(ou.c.port == port)
    rows = [_row(r) for r in conn.execute(q)]
    for r in rows:
        r["serials"] = json.loads(r["serials"] or "[]")
        r["ports"] = json.loads(r["ports"]) if r.get("ports") else None
    return rows


def affected_onus(conn: Connection, olt_name: str, serials: list[str]) -> list[dict[str, Any]]:
    if not serials:
        return []
    return [_row(x) for x in conn.execute(
        select(*ONU_COLUMNS).select_from(o.outerjoin(c, c.c.key == o.c.client_key))
        .where(o.c.olt == olt_name, o.c.serial.in_(serials[:1000])).order_by(o.c.port, o.c.onu_id))]


def unregistered(conn: Connection, olt_name: str | None = None) -> list[dict[str, Any]]:
    u = schema.unregistered_onus
    q = (select(u.c.olt, u.c.port, u.c.serial, u.c.equipment, u.c.firmware, u.c.found_at,
                u.c.first_seen).where(u.c.removed_at.is_(None)).order_by(u.c.olt, u.c.port))
    if olt_name:
        q = q.where(u.c.olt == olt_name)
    return [_row(r) for r in conn.execute(q.limit(5000))]


def signal_alerts(conn: Connection, olt_name: str | None = None) -> list[dict[str, Any]]:
    """Open low-signal alerts, critical first, then the weakest."""
    sa = schema.signal_alerts
    q = (select(sa.c.olt, sa.c.serial, sa.c.port, sa.c.onu_id, sa.c.metric, sa.c.severity,
                sa.c.level_dbm, sa.c.opened_at, o.c.client_key, o.c.run_state,
                o.c.rx_power_dbm, o.c.olt_rx_power_dbm)
         .select_from(sa.outerjoin(o, and_(o.c.olt == sa.c.olt, o.c.serial == sa.c.serial)))
         .where(sa.c.closed_at.is_(None))
         .order_by(sa.c.severity != "critical", sa.c.level_dbm).limit(5000))
    if olt_name:
        q = q.where(sa.c.olt == olt_name)
    return [_row(r) for r in conn.execute(q)]


def fleet_names(conn: Connection) -> list[str]:
    """The OLTs in the inventory (the filters' choices)."""
    return list(conn.scalars(select(olts.c.name).where(olts.c.removed_at.is_(None))
                             .order_by(olts.c.name)))

"""PON outages: the decisions (pure) and a real pass over simulated OLTs into PostgreSQL, where a
port is cut, ONUs lose power and come back, and an OLT stops answering."""

from __future__ import annotations

import json
import re
from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from alerts.outages import (
    Decisions,
    Down,
    Outage,
    PortPass,
    Rules,
    cause_kind,
    classify,
    evaluate,
    opens,
)
from flows.sync_olt import sync_olt
from oltsync.status import format_status
from storage import schema
from storage.db import get_engine
from storage.queries import last_syncs, open_outages, open_signal_alerts

T0 = datetime(2026, 12, 2, 10, 0, tzinfo=UTC)


def _downs(n: int, cause: str, start: int = 0) -> list[Down]:
    return [Down(f"HWTC{i:08X}", cause, f"c{i}") for i in range(start, start + n)]


@pytest.mark.parametrize("cause,kind", [("LOS", "los"), ("LOSi", "los"), ("LOFi", "los"),
                                        ("dying-gasp", "power"), ("DyingGasp", "power"),
                                        ("ONT is reset by ONT command", "other"), (None, "other")])
def test_the_vendors_causes_are_fibre_or_power(cause: str | None, kind: str) -> None:
    assert cause_kind(cause) == kind


def test_a_port_opens_on_n_onus_or_a_share_and_power_needs_more() -> None:
    assert opens(PortPass("0/1/0", 40, _downs(4, "LOS"))) == "los"  # >= 4 ONUs
    assert opens(PortPass("0/1/0", 40, _downs(3, "LOS"))) is None  # 3 of 40: neither bar
    assert opens(PortPass("0/1/0", 6, _downs(3, "LOS"))) == "los"  # 50 % of a small port
    assert opens(PortPass("0/1/0", 40, _downs(5, "dying-gasp"))) is None  # power: 8 or 75 %
    assert opens(PortPass("0/1/0", 40, _downs(8, "dying-gasp"))) == "power"
    assert opens(PortPass("0/1/0", 4, _downs(3, "DyingGasp"))) == "power"  # 75 % of 4
    mixed = _downs(3, "LOS") + _downs(2, "dying-gasp", start=10)
    assert classify(mixed) == "mixed" and opens(PortPass("0/1/0", 40, mixed)) == "mixed"
    assert opens(PortPass("0/1/0", 0, [])) is None  # the first pass has no transitions at all


def test_an_open_outage_grows_and_closes_when_most_are_back() -> None:
    first = evaluate([PortPass("0/1/0", 20, _downs(6, "LOS"))], [], {}, T0)
    (o,) = first.opened
    assert (o.kind, o.affected, o.los, o.dying_gasp, o.clients) == ("los", 6, 6, 0, 6)
    online = {f"HWTC{i:08X}": False for i in range(8)}
    later = evaluate([PortPass("0/1/0", 14, _downs(2, "LOS", start=6))], [o], online,
                     T0 + timedelta(minutes=5))
    assert later.grown == [o] and o.affected == 8 and not later.closed and not later.opened
    online.update({f"HWTC{i:08X}": True for i in range(4)})  # half back: not yet "most"
    assert not evaluate([], [o], online, T0 + timedelta(minutes=10)).closed
    online["HWTC00000004"] = True  # 5 of 8
    done = evaluate([], [o], online, T0 + timedelta(minutes=15))
    assert done.closed == [o] and o.closed_at == T0 + timedelta(minutes=15)


def test_ports_are_judged_apart() -> None:
    d = evaluate([PortPass("0/1/0", 30, _downs(4, "LOS")), PortPass("0/1/1", 30, _downs(1, "LOS", 9))],
                 [Outage("0/2/0", "los", T0, ["X"], 1)], {"X": False}, T0)
    assert [o.port for o in d.opened] == ["0/1/0"] and not d.closed


def _outages(engine) -> list:  # noqa: ANN001
    t = schema.outages
    with engine.connect() as conn:
        return [r._mapping for r in conn.execute(select(t).order_by(t.c.id))]


def _sync(f, name: str) -> None:  # noqa: ANN001
    state = sync_olt(olt_name=name, inventory_path=str(f.inventory_path), return_state=True)
    assert state.is_completed(), state.message


@pytest.mark.usefixtures("prefect_harness")
def test_a_cut_port_opens_one_los_outage_and_its_return_closes_it(
        pg: str, fleet, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OLTSYNC_CONNECT_ATTEMPTS", "1")  # the refused OLT: no retries to wait for
    f = fleet(2, 96, seed=91, platform="huawei_smartax,zte_c300")
    engine = get_engine(pg)
    for name in f.olts:
        _sync(f, name)  # the baseline: nothing alerts
    assert _outages(engine) == []
    hw, zte = f.olts["olt-001"], f.olts["olt-002"]
    port = hw.onus[0].port
    cut = hw.cut_port(port)
    other = next(o.port for o in zte.onus if o.port != zte.onus[0].port)
    weak = zte.power_fail([o.serial for o in zte.onus if o.port == other
                           and o.run_state == "online"][:2])  # below the power bar
    clients = {o.client_key for o in hw.onus if o.serial in cut and o.client_key}
    for name in f.olts:
        _sync(f, name)
    (outage,) = _outages(engine)
    assert (outage["olt"], outage["port"], outage["kind"]) == ("olt-001", port, "los")
    assert outage["affected"] == len(cut) == outage["los"] and outage["dying_gasp"] == 0
    assert outage["clients"] == len(clients) and sorted(json.loads(outage["serials"])) == sorted(cut)
    assert outage["closed_at"] is None
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterKey
    from prefect.client.schemas.sorting import ArtifactSort

    with get_client(sync_client=True) as client:  # the UI's list of open outages
        (art,) = client.read_artifacts(artifact_filter=ArtifactFilter(
            key=ArtifactFilterKey(any_=["open-outages"])), sort=ArtifactSort.CREATED_DESC, limit=1)
    rows = art.data if isinstance(art.data, list) else json.loads(art.data)
    assert [(r["olt"], r["port"], r["kind"], r["affected"]) for r in rows] == [
        ("olt-001", port, "los", len(cut))]
    status = format_status("not asked", last_syncs(engine), open_outages(engine))
    line = next(ln for ln in status.splitlines() if "olt-001" in ln and port in ln)
    assert "los" in line and f" {len(cut)} " in line
    sc = schema.onu_state_changes
    with engine.connect() as conn:
        changes = conn.execute(select(sc.c.olt, sc.c.serial, sc.c.to_state, sc.c.cause)).all()
    assert sorted(changes) == sorted([("olt-001", s, "offline", "LOS") for s in cut]
                                     + [("olt-002", s, "offline", "DyingGasp") for s in weak])
    hw.restore()
    zte.restore()
    for name in f.olts:
        _sync(f, name)
    (outage,) = _outages(engine)
    assert outage["closed_at"] is not None and outage["affected"] == len(cut)
    _sync(f, "olt-001")  # nothing changed: nothing written
    with engine.connect() as conn:
        assert len(conn.execute(select(sc.c.id)).all()) == 2 * (len(cut) + len(weak))
    assert len(_outages(engine)) == 1
    f.sim.set_refuse("olt-002", True)  # the OLT stops answering: an outage of its own
    assert sync_olt(olt_name="olt-002", inventory_path=str(f.inventory_path),
                    return_state=True).is_failed()
    f.sim.set_refuse("olt-002", False)
    lost = [o for o in _outages(engine) if o["kind"] == "unreachable"]
    assert len(lost) == 1 and lost[0]["olt"] == "olt-002" and lost[0]["closed_at"] is None
    _sync(f, "olt-002")
    assert [o["closed_at"] is not None for o in _outages(engine)] == [True, True]


def _render(template: str, event: dict) -> str:
    """What the Prefect server's SendNotification renders, with its own template engine."""
    import asyncio
    import uuid

    from prefect.server.events.schemas.events import ReceivedEvent
    from prefect.server.utilities.user_templates import render_user_template

    received = ReceivedEvent(occurred=T0, id=uuid.uuid4(), **event)
    return asyncio.run(render_user_template(template, {"event": received}))


@pytest.mark.parametrize("language", ["en", "pt-BR"])
def test_one_event_per_outage_and_readable_messages(language: str) -> None:
    from alerts.events import CLOSED, OPENED, TEMPLATES, olt_event, outage_events
    from alerts.outages import Decisions

    cut = Outage("0/1/3", "los", T0, [f"HWTC{i:08X}" for i in range(12)], los=12, clients=9, id=7)
    gone = Outage("0/2/0", "power", T0, ["A", "B"], dying_gasp=2, id=8,
                  closed_at=T0 + timedelta(minutes=42))
    events = outage_events("olt-centro-01", Decisions(tell=[("opened", cut), ("closed", gone)]),
                           {"HWTC00000000": "0061234", "HWTC00000001": "0061234"})
    assert [e["event"] for e in events] == [OPENED, CLOSED]
    opened, closed = events
    assert opened["resource"]["prefect.resource.id"] == "oltsync.outage.7"
    assert opened["resource"]["oltsync.olt"] == "olt-centro-01"
    assert opened["resource"]["oltsync.port"] == "0/1/3"
    assert opened["related"][0]["prefect.resource.id"] == "oltsync.olt.olt-centro-01"
    assert opened["payload"]["affected"] == 12 and len(opened["payload"]["onus"]) == 10
    assert opened["payload"]["client_keys"] == ["0061234"]
    t = TEMPLATES[language]
    subject, body = _render(t["subject"], opened), _render(t["body"], opened)
    assert subject == ("OUTAGE" if language == "en" else "QUEDA") + " olt-centro-01 0/1/3"
    assert "12 ONUs offline (12 LOS, 0 dying gasp)" in body and "HWTC00000009" in body
    assert ("9 clients affected" if language == "en" else "9 clientes afetados") in body
    assert "42 min" in _render(t["body"], closed)
    lost = olt_event("olt-centro-01", Outage(None, "unreachable", T0, []))
    assert _render(t["body"], lost) == ("OLT olt-centro-01 cannot be reached." if language == "en"
                                        else "A OLT olt-centro-01 não responde.")
    # the OLT's own outage names no port: no trailing separator in its subject
    assert _render(t["subject"], lost) == ("OUTAGE" if language == "en" else "QUEDA") + \
        " olt-centro-01"
    unread = olt_event("olt-centro-01", Outage(None, "unreadable", T0, []),
                       "olt-centro-01 running 'display ont info 0 all': no prompt within 3s")
    assert unread["resource"]["prefect.resource.id"] == "oltsync.outage.olt-centro-01.unreadable"
    assert _render(t["body"], unread).endswith(": olt-centro-01 running 'display ont info 0 all':"
                                               " no prompt within 3s")
    wide = Outage(None, "los", T0, [f"S{i}" for i in range(70)], los=70, clients=60, id=9,
                  ports={f"0/1/{p}": 35 - p for p in range(2)})
    (e,) = outage_events("olt-centro-01", Decisions(tell=[("opened", wide)]))
    assert _render(t["subject"], e) == (("OUTAGE olt-centro-01 (2 PON ports)") if language == "en"
                                        else "QUEDA olt-centro-01 (2 PONs)")
    assert "0/1/0 (35), 0/1/1 (34)" in _render(t["body"], e)
    assert "70 ONUs offline (70 LOS, 0 dying gasp)" in _render(t["body"], e)


def _closed(port: str, minutes: int, told: str = "closed", reopened: int = 0,
            serials: tuple[str, ...] = ("X1", "X2", "X3", "X4")) -> Outage:
    return Outage(port, "los", T0, list(serials), los=len(serials), id=3, reopened=reopened,
                  closed_at=T0 + timedelta(minutes=minutes), told=told)


def test_a_port_dark_again_after_its_resolved_was_told_is_told_again_however_soon() -> None:
    """The operator saw RESOLVED: a new cut of that port, even a minute later, is an OUTAGE
    message (before, it reopened quietly and the last message said RESOLVED while 35 ONUs were
    dark). The reopened outage is the same row, its flap counted."""
    o = _closed("0/1/0", 10)
    again = evaluate([PortPass("0/1/0", 10, _downs(5, "LOS"))], [o], {},
                     T0 + timedelta(minutes=11))
    assert not again.opened and again.reopened == [o] and o.closed_at is None
    assert again.tell == [("opened", o)] and o.told == "opened" and o.reopened == 1
    later = evaluate([PortPass("0/1/0", 10, _downs(5, "LOS"))], [_closed("0/1/0", 0)], {},
                     T0 + timedelta(hours=2))  # past the cooldown: a new outage, told
    assert [o.port for o in later.opened] == ["0/1/0"] and not later.reopened
    assert [c for c, _ in later.tell] == ["opened"]


def test_a_flapping_port_is_summarised_not_silenced_and_never_left_resolved_while_dark() -> None:
    """OUTAGE, RESOLVED, OUTAGE (dark again), then quiet flaps while its RESOLVED is held, and
    one RESOLVED saying how many times it flapped once it stays up for the cooldown."""
    serials = [d.serial for d in _downs(5, "LOS")]
    up = {s: True for s in serials}
    dark = {s: False for s in serials}
    told: list[str] = []
    outages: list[Outage] = []
    at = T0
    for step in range(12):  # dark, up, dark, up ... every 5 minutes
        at += timedelta(minutes=5)
        going_down = step % 2 == 0
        passes = [PortPass("0/1/0", 5, _downs(5, "LOS"))] if going_down else []
        d = evaluate(passes, outages, dark if going_down else up, at)
        outages = list({id(o): o for o in outages + d.opened}.values())
        told += [f"{c} {o.reopened}" for c, o in d.tell]
        if going_down:  # never RESOLVED while dark
            assert told[-1].startswith("opened"), (step, told)
    assert told == ["opened 0", "closed 0", "opened 1"], told  # then quiet: RESOLVED held
    for minutes in (5, 10, 35):  # stays up: RESOLVED once the cooldown has passed
        d = evaluate([], outages, up, at + timedelta(minutes=minutes))
        told += [f"{c} {o.reopened}" for c, o in d.tell]
    assert told == ["opened 0", "closed 0", "opened 1", "closed 5"], told
    from alerts.events import TEMPLATES, outage_events

    (o,) = outages
    (event,) = outage_events("olt-1", Decisions(tell=[("closed", o)]))
    assert "it flapped 5 times before it stayed up" in _render(TEMPLATES["en"]["body"], event)


def test_most_of_an_olts_ports_at_once_are_one_outage_and_later_ports_join_it() -> None:
    """64 ports dark in one evaluation: one OLT-wide outage naming each port and its count (one
    OUTAGE, one RESOLVED), not 64; a port that goes dark while it is open joins it; a port that
    fails on its own is its own outage."""
    passes = [PortPass(f"0/{p // 16 + 1}/{p % 16}", 8, _downs(8, "LOS", start=p * 8))
              for p in range(60)]
    d = evaluate(passes, [], {}, T0, ports_online=64)
    (wide,) = d.opened
    assert wide.port is None and wide.affected == 480 and len(wide.ports) == 60
    assert wide.ports["0/1/0"] == 8 and [c for c, _ in d.tell] == ["opened"]
    late = [PortPass(f"0/4/{p}", 8, _downs(8, "LOS", start=1000 + p * 8)) for p in (12, 13)]
    d2 = evaluate(late, [wide], {s: False for s in wide.serials}, T0 + timedelta(minutes=5),
                  ports_online=64)
    assert d2.grown == [wide] and not d2.opened and not d2.tell and len(wide.ports) == 62
    back = {s: True for s in wide.serials}
    d3 = evaluate([], [wide], back, T0 + timedelta(minutes=30), ports_online=64)
    assert d3.closed == [wide] and d3.tell == [("closed", wide)]
    # most of it back but two ports still dark: RESOLVED for the OLT, each dark port told
    port_of = {s: p.port for p in passes for s in (d.serial for d in p.went_down)}
    wide.closed_at, wide.told = None, "opened"
    dark = {s: port_of[s] in ("0/1/3", "0/2/5") for s in wide.serials if s in port_of}
    d4 = evaluate([], [wide], {s: not v for s, v in dark.items()}, T0 + timedelta(minutes=40),
                  ports_online=64, port_of=port_of, clients={s: f"k{s}" for s in port_of})
    assert d4.closed == [wide] and [(c, o.port) for c, o in d4.tell] == [
        ("closed", None), ("opened", "0/1/3"), ("opened", "0/2/5")]
    assert [(o.affected, o.los, o.clients) for o in d4.opened] == [(8, 8, 8), (8, 8, 8)]
    # two ports of 64 (below olt_share): each its own outage
    two = evaluate(passes[:2], [], {}, T0, ports_online=64)
    assert [o.port for o in two.opened] == ["0/1/0", "0/1/1"] and len(two.tell) == 2
    # the OLT's share is a setting: 2 of 4 ports with a rule of 3 ports is still per port
    small = evaluate(passes[:2], [], {}, T0, Rules(olt_min_ports=3), ports_online=4)
    assert len(small.opened) == 2 and all(o.port for o in small.opened)


def test_low_signal_opens_raises_and_closes_only_past_the_hysteresis() -> None:
    from alerts.signal import Thresholds
    from alerts.signal import evaluate as low

    onu = {"serial": "HWTC00000001", "port": "0/1/0", "onu_id": 1, "olt_rx_power_dbm": -22.0}
    first = low([{**onu, "rx_power_dbm": -27.4}], [], T0)
    (a,) = first.opened
    assert (a.metric, a.severity, a.level_dbm) == ("onu_rx", "warning", -27.4)
    for level in (-26.5, -27.2, -26.1):  # jitter around the threshold, below -27 + 1 dB
        d = low([{**onu, "rx_power_dbm": level}], [a], T0)
        assert not (d.opened or d.closed or d.raised) and a.closed_at is None
    d = low([{**onu, "rx_power_dbm": None}], [a], T0)  # offline: no reading, no recovery
    assert not d.closed
    d = low([{**onu, "rx_power_dbm": -30.2}], [a], T0)
    assert d.raised == [a] and a.severity == "critical" and a.level_dbm == -30.2
    d = low([{**onu, "rx_power_dbm": -25.9}], [a], T0 + timedelta(hours=1))
    assert d.closed == [a] and a.closed_at == T0 + timedelta(hours=1)
    tight = Thresholds().with_overrides({"olt_rx_warning": -21.0})  # a per-OLT override
    assert [x.metric for x in low([{**onu, "rx_power_dbm": -20.0}], [], T0, tight).opened] == [
        "olt_rx"]


def test_low_signal_events_one_per_port_worst_first_and_their_texts() -> None:
    from alerts.events import SIGNAL_LOW, TEMPLATES, signal_events
    from alerts.signal import SignalAlert, SignalDecisions

    d = SignalDecisions(opened=[SignalAlert("A", "0/1/0", 1, "onu_rx", "warning", -27.5, T0),
                                SignalAlert("B", "0/1/0", 2, "onu_rx", "critical", -31.0, T0),
                                SignalAlert("C", "0/1/1", 3, "olt_rx", "warning", -28.5, T0)])
    events = signal_events("olt-x", d)
    assert [(e["event"], e["payload"]["port"], e["payload"]["count"]) for e in events] == [
        (SIGNAL_LOW, "0/1/0", 2), (SIGNAL_LOW, "0/1/1", 1)]
    assert events[0]["payload"]["onus"][0] == "B onu_rx -31.00 dBm critical"
    body = _render(TEMPLATES["en"]["body"], events[0])
    assert body.startswith("2 ONUs on OLT olt-x, PON 0/1/0 receive too little light (1 critical)")
    assert _render(TEMPLATES["pt-BR"]["subject"], events[0]) == "SINAL BAIXO olt-x 0/1/0"


def test_an_inventory_override_names_a_known_threshold() -> None:
    from core.errors import ConfigError
    from inventory import entries

    entry = {"name": "olt-a", "host": "10.0.0.1", "platform": "huawei_smartax",
             "username": "u", "password_env": "P"}
    assert entries.parse({"olts": [{**entry, "signal": {"onu_rx_warning": -26}}]}
                         ).get("olt-a").signal == {"onu_rx_warning": -26.0}
    inv = entries.parse({"olts": [{**entry, "signal": {"onu_rx_warn": -26}}]})
    assert not inv.enabled and "unknown signal threshold" in inv.problems[0]
    with pytest.raises(ConfigError):
        inv.get("olt-a")


@pytest.mark.usefixtures("prefect_harness")
def test_a_degraded_onu_opens_one_low_signal_alert_that_jitter_does_not_flap(pg: str,
                                                                             fleet) -> None:
    f = fleet(1, 48, seed=93)
    engine = get_engine(pg)
    olt = f.olts["olt-001"]
    for o in olt.onus:  # a healthy fleet, so that only the degraded ONU is low
        if o.rx_power_dbm is not None:
            o.rx_power_dbm = o.olt_rx_power_dbm = -20.0
    _sync(f, "olt-001")
    a = schema.signal_alerts

    def alerts() -> list:
        with engine.connect() as conn:
            return [r._mapping for r in conn.execute(select(a).order_by(a.c.id))]

    assert alerts() == []
    weak = next(o for o in olt.onus if o.rx_power_dbm is not None)
    for level in (-27.8, -26.6, -27.3):  # low, then jitter that stays within the hysteresis
        olt.degrade(weak.serial, level)
        _sync(f, "olt-001")
        (alert,) = alerts()
        assert (alert["serial"], alert["metric"], alert["severity"]) == (weak.serial, "onu_rx",
                                                                         "warning")
        assert alert["closed_at"] is None and alert["level_dbm"] == -27.8
    status = format_status("not asked", last_syncs(engine), [], open_signal_alerts(engine))
    assert next(ln for ln in status.splitlines() if weak.serial in ln).split()[:3] == [
        "warning", "-27.8", "onu_rx"]
    olt.degrade(weak.serial, -21.0)
    _sync(f, "olt-001")
    (alert,) = alerts()
    assert alert["closed_at"] is not None


@pytest.mark.usefixtures("prefect_harness")
def test_the_status_pass_reads_states_writes_only_changes_and_opens_outages(pg: str,
                                                                            fleet) -> None:
    from flows.status_pass import status_pass
    from tests.truth_compare import diff_olt, row_versions

    f = fleet(2, 96, seed=95, platform="huawei_smartax,zte_c600")
    engine = get_engine(pg)
    for name in f.olts:
        _sync(f, name)
    before = row_versions(engine)
    hw, zte = f.olts["olt-001"], f.olts["olt-002"]
    mark = len(hw.received)
    assert status_pass(inventory_path=str(f.inventory_path)) == {"olts": 2, "changed": 0,
                                                                 "skipped": []}
    assert row_versions(engine) == before  # nothing changed: nothing written
    # Huawei's states, port by port over the ports the sync stored: no board or port table
    sent = hw.received[mark:]
    assert not any(c.startswith(("display board", "display port state")) for c in sent)
    assert (sum(bool(re.fullmatch(r"display ont info \d+ all", c)) for c in sent)
            == len(hw.pon_ports))
    hw_cut = hw.cut_port(hw.onus[0].port)
    zte_cut = zte.cut_port(zte.onus[0].port)
    hw_logins = hw.login_attempts
    out = status_pass(inventory_path=str(f.inventory_path))
    assert out["changed"] == len(hw_cut) + len(zte_cut)
    assert hw.login_attempts == hw_logins + 1  # one session per OLT and pass
    sc = schema.onu_state_changes
    with engine.connect() as conn:
        changes = sorted(conn.execute(select(sc.c.olt, sc.c.serial, sc.c.to_state, sc.c.cause)))
    assert changes == sorted([("olt-001", s, "offline", "LOS") for s in hw_cut]
                             + [("olt-002", s, "offline", "LOS") for s in zte_cut])
    assert sorted((o["olt"], o["kind"], o["affected"]) for o in _outages(engine)) == [
        ("olt-001", "los", len(hw_cut)), ("olt-002", "los", len(zte_cut))]
    o = schema.onus
    with engine.connect() as conn:
        states = dict(conn.execute(select(o.c.serial, o.c.run_state)
                                   .where(o.c.serial.in_(hw_cut + zte_cut))).all())
    assert set(states.values()) == {"offline"}
    # the hourly sync after it finds the states already written: no second transition
    for name in f.olts:
        _sync(f, name)
        assert diff_olt(engine, f.truth()[name]) == {}, name
    with engine.connect() as conn:
        assert len(conn.execute(select(sc.c.id)).all()) == len(changes)
    hw.restore()
    zte.restore()
    assert status_pass(inventory_path=str(f.inventory_path))["changed"] == len(changes)
    assert all(o["closed_at"] is not None for o in _outages(engine))


@pytest.mark.usefixtures("prefect_harness")
def test_the_operators_thresholds_in_the_alerts_config_decide(
        pg: str, fleet, tmp_path, monkeypatch: pytest.MonkeyPatch) -> None:  # noqa: ANN001
    """The same cut of 4 ONUs of a big port: an outage with the defaults (N = 4), none when the
    alerts config asks for 5 ONUs or 90 % of the port."""
    from flows.status_pass import status_pass

    f = fleet(1, 128, seed=97)
    engine = get_engine(pg)
    _sync(f, "olt-001")
    olt = f.olts["olt-001"]
    port = next(p for p, n in Counter(o.port for o in olt.onus if o.run_state == "online").items()
                if n >= 10)
    config = tmp_path / "alerts.yaml"
    config.write_text("outage:\n  min_onus: 5\n  min_share: 0.9\n")
    monkeypatch.setenv("OLTSYNC_ALERTS", str(config))
    assert len(olt.cut_port(port, 4)) == 4
    assert status_pass(inventory_path=str(f.inventory_path))["changed"] == 4
    assert _outages(engine) == []
    olt.restore()
    assert status_pass(inventory_path=str(f.inventory_path))["changed"] == 4
    monkeypatch.delenv("OLTSYNC_ALERTS")
    olt.cut_port(port, 4)
    assert status_pass(inventory_path=str(f.inventory_path))["changed"] == 4
    assert [(o["port"], o["affected"]) for o in _outages(engine)] == [(port, 4)]


def test_many_new_low_signal_alerts_are_one_log_line_naming_the_worst() -> None:
    from alerts.signal import SignalAlert, SignalDecisions
    from sync.watch import describe_signal

    at = datetime.now(UTC)
    opened = [SignalAlert(f"HWTC{i:08X}", "0/1/0", i, "onu_rx", "warning", -27.0 - i / 100, at)
              for i in range(200)]
    raised = [SignalAlert("HWTC0000BEEF", "0/2/0", 7, "onu_rx", "critical", -31.25, at)]
    (line,) = describe_signal("olt-009", SignalDecisions(opened=opened, raised=raised))
    assert line.startswith("olt-009: 201 low-signal alert(s) opened or raised (1 critical); "
                           "worst: 0/2/0:7 HWTC0000BEEF onu_rx -31.25 dBm, 0/1/0:199 "), line
    assert describe_signal("olt-009", SignalDecisions()) == []

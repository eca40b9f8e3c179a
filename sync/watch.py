"""After a pass over an OLT's ONU states: open, grow and close its outages and its low-signal
alerts (alerts/ decides, storage/outages.py reads and writes). What the operator is told is also
an event, handed to `emit` (the flows give Prefect's emit_event: the notification automations
send it; a plain caller may give anything that takes the event's keywords)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from sqlalchemy.engine import Engine

from alerts import config as alerts_config
from alerts.events import olt_event, outage_events, signal_events
from alerts.outages import Decisions, Outage, Rules, evaluate
from alerts.signal import SignalDecisions, Thresholds
from alerts.signal import evaluate as evaluate_signal
from storage import outages

Emit = Callable[..., Any]  # prefect.events.emit_event's keywords: event, resource, payload, …


def no_events(**_event: Any) -> None:
    """Where no orchestrator takes events (a plain sync): the decisions are stored all the same."""


def watch_outages(engine: Engine, olt: str, since: datetime, at: datetime,
                  rules: Rules | None = None, emit: Emit = no_events) -> Decisions:
    """Evaluate the state changes not evaluated yet (the first time: those at or after `since`,
    this pass's start): a pass whose evaluation could not run is caught up by the next. What the
    operator is told is also a Prefect event (what the notification automations send). The
    rules: the alerts config's (OLTSYNC_ALERTS), else the defaults; a mistake in it raises."""
    rules = rules or alerts_config.from_env().rules
    seen = outages.read_pass(engine, olt, since, at, rules.cooldown)
    decisions = evaluate(seen.passes, seen.outages, seen.online, at, rules, seen.ports_online,
                         seen.port_of, seen.clients)
    outages.write(engine, olt, decisions, seen)
    for event in outage_events(olt, decisions, seen.clients):
        emit(**event)
    return decisions


def watch_unreachable(engine: Engine, olt: str, unreachable: bool, at: datetime,
                      emit: Emit = no_events) -> str | None:
    """The OLT's own outage: opened when no session could be opened, closed when one could."""
    return _olt_outage(engine, olt, "unreachable", unreachable, at, emit=emit)


def watch_unreadable(engine: Engine, olt: str, reason: str | None, at: datetime,
                     after: int, emit: Emit = no_events) -> str | None:
    """An OLT that accepts the login but cannot be read (refused, cut or unparseable answers):
    an outage once `after` passes in a row could not read it, closed by the first that can.
    `reason`: what went wrong this pass (None: it was read)."""
    passes = outages.count_unreadable(engine, olt, reason)
    down = None if reason is not None and passes < after else reason is not None
    return _olt_outage(engine, olt, "unreadable", down, at, reason, emit)


def _olt_outage(engine: Engine, olt: str, kind: str, down: bool | None, at: datetime,
                reason: str | None = None, emit: Emit = no_events) -> str | None:
    o = outages.set_olt_outage(engine, olt, kind, down, at, reason)
    if o is None:
        return None
    emit(**olt_event(olt, o, reason))
    return "opened" if o.closed_at is None else "closed"


def watch_signal(engine: Engine, olt: str, at: datetime,
                 thresholds: Thresholds = Thresholds(), emit: Emit = no_events) -> SignalDecisions:
    """Low-signal alerts on the levels this pass stored; one event per port and direction."""
    onus, alerts = outages.read_signal(engine, olt)
    decisions = evaluate_signal(onus, alerts, at, thresholds)
    outages.write_signal(engine, olt, decisions)
    for event in signal_events(olt, decisions):
        emit(**event)
    return decisions


def describe(olt: str, decisions: Decisions) -> list[str]:
    """One line per outage opened, reopened, closed or settled, for the flow's log."""
    def where(o: Outage) -> str:
        return o.port or f"{len(o.ports)} PON ports"

    told = {id(o) for change, o in decisions.tell if change == "opened"}
    lines = [f"{olt} {where(o)}: {o.kind} outage opened, {o.affected} ONUs down ({o.los} LOS, "
             f"{o.dying_gasp} dying gasp), {o.clients} clients" for o in decisions.opened]
    lines += [f"{olt} {where(o)}: dark again ({o.reopened} flaps), "
              + ("told again" if id(o) in told else "not told: its RESOLVED was held")
              for o in decisions.reopened]
    lines += [f"{olt} {where(o)}: {o.kind} outage closed after "
              f"{(o.closed_at - o.opened_at).total_seconds() / 60:.0f} min"
              + ("" if o.told == "closed" else f"; flapping ({o.reopened} flaps): RESOLVED held "
                                               "until it stays up")
              for o in decisions.closed if o.closed_at]
    lines += [f"{olt} {where(o)}: stayed up after {o.reopened} flaps: RESOLVED told"
              for o in decisions.settled]
    return lines


def describe_signal(olt: str, decisions: SignalDecisions, worst: int = 3) -> list[str]:
    """At most one line per OLT for its new low-signal alerts (a first sync of a large OLT may
    open hundreds: one log line each would be hundreds of API writes), naming the worst."""
    new = decisions.opened + decisions.raised
    if not new:
        return []
    critical = sum(a.severity == "critical" for a in new)
    names = ", ".join(f"{a.port}:{a.onu_id} {a.serial} {a.metric} {a.level_dbm:.2f} dBm"
                      for a in sorted(new, key=lambda a: a.level_dbm)[:worst])
    return [f"{olt}: {len(new)} low-signal alert(s) opened or raised ({critical} critical); "
            f"worst: {names}"]


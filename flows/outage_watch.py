"""After a pass over an OLT's ONU states: open, grow and close its outages and its low-signal
alerts (alerts/ decides, storage/outages.py reads and writes), each also a Prefect event."""

from __future__ import annotations

from datetime import datetime

from prefect.events import emit_event
from sqlalchemy.engine import Engine

from alerts import config as alerts_config
from alerts.events import outage_events, signal_events, unreachable_event
from alerts.outages import Decisions, Rules, evaluate
from alerts.signal import SignalDecisions, Thresholds
from alerts.signal import evaluate as evaluate_signal
from storage import outages


def watch_outages(engine: Engine, olt: str, since: datetime, at: datetime,
                  rules: Rules | None = None) -> Decisions:
    """`since`: when this pass began (its transitions are those at or after it). Each outage
    opened or closed is also a Prefect event (what the notification automations send). The rules:
    the alerts config's (OLTSYNC_ALERTS), else the defaults."""
    rules = rules or alerts_config.from_env().rules
    seen = outages.read_pass(engine, olt, since, at - rules.cooldown)
    decisions = evaluate(seen.passes, seen.outages, seen.online, at, rules)
    outages.write(engine, olt, decisions)
    for event in outage_events(olt, decisions, seen.clients):
        emit_event(**event)
    return decisions


def watch_unreachable(engine: Engine, olt: str, unreachable: bool, at: datetime) -> str | None:
    """The OLT's own outage: opened when no session could be opened, closed when one could."""
    change = outages.set_unreachable(engine, olt, unreachable, at)
    if change:
        emit_event(**unreachable_event(olt, change, at))
    return change


def watch_signal(engine: Engine, olt: str, at: datetime,
                 thresholds: Thresholds = Thresholds()) -> SignalDecisions:
    """Low-signal alerts on the levels this pass stored; one event per port and direction."""
    onus, alerts = outages.read_signal(engine, olt)
    decisions = evaluate_signal(onus, alerts, at, thresholds)
    outages.write_signal(engine, olt, decisions)
    for event in signal_events(olt, decisions):
        emit_event(**event)
    return decisions


def describe(olt: str, decisions: Decisions) -> list[str]:
    """One line per outage opened or closed, for the flow's log."""
    lines = [f"{olt} {o.port}: {o.kind} outage opened, {o.affected} ONUs down ({o.los} LOS, "
             f"{o.dying_gasp} dying gasp), {o.clients} clients" for o in decisions.opened]
    lines += [f"{olt} {o.port}: dark again within the cooldown: outage reopened "
              f"({o.reopened} times), not announced again" for o in decisions.reopened]
    lines += [f"{olt} {o.port}: {o.kind} outage closed after "
              f"{(o.closed_at - o.opened_at).total_seconds() / 60:.0f} min"
              for o in decisions.closed if o.closed_at]
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


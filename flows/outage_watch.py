"""After a pass over an OLT's ONU states: open, grow and close its outages (alerts/outages.py
decides, storage/outages.py reads and writes)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.engine import Engine

from alerts.outages import Decisions, Rules, evaluate
from storage import outages


def watch_outages(engine: Engine, olt: str, since: datetime, at: datetime,
                  rules: Rules = Rules()) -> Decisions:
    """`since`: when this pass began (its transitions are those at or after it)."""
    passes, open_outages, online = outages.read_pass(engine, olt, since)
    decisions = evaluate(passes, open_outages, online, at, rules)
    outages.write(engine, olt, decisions)
    return decisions


def describe(olt: str, decisions: Decisions) -> list[str]:
    """One line per outage opened or closed, for the flow's log."""
    lines = [f"{olt} {o.port}: {o.kind} outage opened, {o.affected} ONUs down ({o.los} LOS, "
             f"{o.dying_gasp} dying gasp), {o.clients} clients" for o in decisions.opened]
    lines += [f"{olt} {o.port}: {o.kind} outage closed after "
              f"{(o.closed_at - o.opened_at).total_seconds() / 60:.0f} min"
              for o in decisions.closed if o.closed_at]
    return lines

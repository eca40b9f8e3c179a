"""PON outages from two passes over an OLT's ONU states: plain decisions, no database.

The rules are those ISPs wrote on top of the tools they had: the first pass is the baseline and
never alerts (a new ONU has no transition); ONUs that were already offline do not count; ONUs are
grouped by PON port; a port opens an outage when, between two passes, at least `min_onus` of its
online ONUs, or `min_share` of them, went offline. LOS (fibre) and power failure (mains, dying
gasp) are kept apart, with a higher bar for power failure (a street's power cut is not a fibre
cut); a mix of both is "mixed" and takes the LOS bar. An open outage grows while more ONUs of its
port go down and closes when most (more than `close_share`) of its ONUs are back or gone. A port
that goes dark again within `cooldown` of closing reopens the same outage, quietly (`reopened`):
a flapping port is told once, not at every flap.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta


@dataclass(frozen=True)
class Rules:
    min_onus: int = 4
    min_share: float = 0.5
    power_min_onus: int = 8
    power_min_share: float = 0.75
    close_share: float = 0.5
    kind_share: float = 0.8  # this share of one cause names the kind; below it: mixed
    cooldown: timedelta = timedelta(minutes=30)


@dataclass(frozen=True)
class Down:
    """An ONU that went from online to offline in this pass."""

    serial: str
    cause: str | None
    client: str | None = None


@dataclass
class PortPass:
    """One PON port in one pass: how many ONUs were online before it, which went down."""

    port: str
    online_before: int
    went_down: list[Down] = field(default_factory=list)


@dataclass
class Outage:
    port: str | None
    kind: str  # los | power | mixed | unreachable
    opened_at: datetime
    serials: list[str]
    los: int = 0
    dying_gasp: int = 0
    clients: int = 0
    closed_at: datetime | None = None
    id: int | None = None
    reopened: int = 0

    @property
    def affected(self) -> int:
        return len(self.serials)

    @property
    def quiet(self) -> bool:
        """A flapping port's outage: its reopening and closing are not announced again."""
        return self.reopened > 0


@dataclass
class Decisions:
    opened: list[Outage] = field(default_factory=list)
    grown: list[Outage] = field(default_factory=list)
    closed: list[Outage] = field(default_factory=list)
    reopened: list[Outage] = field(default_factory=list)


def cause_kind(cause: str | None) -> str:
    """'los' (fibre: LOS, LOSi, LOFi, LOBi …), 'power' (dying gasp, as Huawei and ZTE spell it) or
    'other'."""
    c = (cause or "").lower().replace("-", "").replace("_", "").replace(" ", "")
    if "dyinggasp" in c or c == "dg" or "poweroff" in c:
        return "power"
    if c.startswith(("los", "lof", "lob", "lom")) or c.endswith("los"):
        return "los"
    return "other"


def _counts(downs: list[Down]) -> tuple[int, int, int]:
    kinds = [cause_kind(d.cause) for d in downs]
    clients = len({d.client for d in downs if d.client})
    return kinds.count("los"), kinds.count("power"), clients


def classify(downs: list[Down], rules: Rules = Rules()) -> str:
    los, power, _ = _counts(downs)
    if downs and power >= rules.kind_share * len(downs):
        return "power"
    if downs and los >= rules.kind_share * len(downs):
        return "los"
    return "mixed"


def opens(p: PortPass, rules: Rules = Rules()) -> str | None:
    """The kind of outage this port's pass opens, or None."""
    n = len(p.went_down)
    if n == 0 or p.online_before <= 0:
        return None
    kind = classify(p.went_down, rules)
    need_n, need_share = ((rules.power_min_onus, rules.power_min_share) if kind == "power"
                          else (rules.min_onus, rules.min_share))
    return kind if n >= need_n or n / p.online_before >= need_share else None


def evaluate(passes: list[PortPass], open_outages: list[Outage], online: dict[str, bool],
             at: datetime, rules: Rules = Rules()) -> Decisions:
    """What this pass opens, grows, reopens and closes. `open_outages` holds the OLT's open
    outages and those closed within the cooldown; `online` is every present ONU's state now (an
    ONU missing from it was removed: it counts as back)."""
    out = Decisions()
    by_port = {o.port: o for o in open_outages if o.port is not None and o.closed_at is None}
    recent = {o.port: o for o in open_outages if o.port is not None and o.closed_at is not None
              and at - o.closed_at <= rules.cooldown}
    for p in passes:
        current = by_port.get(p.port)
        if current is not None:
            new = [d for d in p.went_down if d.serial not in current.serials]
            if new:
                current.serials += [d.serial for d in new]
                los, power, clients = _counts(new)
                current.los += los
                current.dying_gasp += power
                current.clients += clients
                out.grown.append(current)
            continue
        kind = opens(p, rules)
        if kind is not None and p.port in recent:  # back within the cooldown: the same outage
            again = recent.pop(p.port)
            again.closed_at, again.reopened = None, again.reopened + 1
            again.serials += [d.serial for d in p.went_down if d.serial not in again.serials]
            out.reopened.append(again)
            by_port[p.port] = again
        elif kind is not None:
            los, power, clients = _counts(p.went_down)
            outage = Outage(p.port, kind, at, [d.serial for d in p.went_down], los, power, clients)
            out.opened.append(outage)
            by_port[p.port] = outage
    for o in open_outages:
        if o.closed_at is not None or o.port is None or o in out.reopened:
            continue
        back = sum(1 for s in o.serials if online.get(s, True))
        if back > rules.close_share * o.affected:
            o.closed_at = at
            out.closed.append(o)
    return out

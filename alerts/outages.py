"""PON outages from the ONU state changes since the last evaluation: plain decisions, no database.

The rules are those ISPs wrote on top of the tools they had: the first pass is the baseline and
never alerts (a new ONU has no transition); ONUs that were already offline do not count; ONUs are
grouped by PON port; a port opens an outage when, between two evaluations, at least `min_onus` of
its online ONUs, or `min_share` of them, went offline. LOS (fibre) and power failure (mains, dying
gasp) are kept apart, with a higher bar for power failure (a street's power cut is not a fibre
cut); a mix of both is "mixed" and takes the LOS bar. An open outage grows while more ONUs of its
port go down and closes when most (more than `close_share`) of its ONUs are back or gone.

What the operator is told follows what they last saw (`told`), one message per change of state:
- When `olt_share` of the OLT's ports (at least `olt_min_ports`) open together, that is one
  OLT-wide outage (port None, `ports` naming each and its count), and any port that goes dark
  while it is open joins it: one OUTAGE, one RESOLVED, not one per port.
- A port dark again after its RESOLVED was told is told again (OUTAGE, the flap counted), however
  soon. After that, the port is flapping: its next closing is held until it has stayed up for
  `cooldown`, and reopenings meanwhile are quiet, so the operator's last message is never RESOLVED
  while the port is dark, and the held RESOLVED says how many times it flapped.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

OLT_LEVEL = ("unreachable", "unreadable")  # the OLT's own outages, kept by storage/outages.py


@dataclass(frozen=True)
class Rules:
    min_onus: int = 4
    min_share: float = 0.5
    power_min_onus: int = 8
    power_min_share: float = 0.75
    close_share: float = 0.5
    kind_share: float = 0.8  # this share of one cause names the kind; below it: mixed
    olt_share: float = 0.5  # of the OLT's ports with ONUs online, opening in one evaluation ...
    olt_min_ports: int = 3  # ... and at least this many: one OLT-wide outage
    unreadable_after: int = 3  # passes in a row an OLT logs in but cannot be read: an outage
    cooldown: timedelta = timedelta(minutes=30)


@dataclass(frozen=True)
class Down:
    """An ONU that went from online to offline since the last evaluation."""

    serial: str
    cause: str | None
    client: str | None = None


@dataclass
class PortPass:
    """One PON port since the last evaluation: ONUs online before it, which went down."""

    port: str
    online_before: int
    went_down: list[Down] = field(default_factory=list)


@dataclass
class Outage:
    port: str | None  # None: the whole OLT (`ports` names the PON ports it covers)
    kind: str  # los | power | mixed | unreachable | unreadable
    opened_at: datetime
    serials: list[str]
    los: int = 0
    dying_gasp: int = 0
    clients: int = 0
    closed_at: datetime | None = None
    id: int | None = None
    reopened: int = 0  # times it went dark again after closing: the flaps
    ports: dict[str, int] = field(default_factory=dict)  # OLT-wide: PON port -> ONUs down
    told: str | None = None  # what the operator was last told: "opened", "closed"

    @property
    def affected(self) -> int:
        return len(self.serials)


@dataclass
class Decisions:
    opened: list[Outage] = field(default_factory=list)
    grown: list[Outage] = field(default_factory=list)
    closed: list[Outage] = field(default_factory=list)
    reopened: list[Outage] = field(default_factory=list)
    settled: list[Outage] = field(default_factory=list)  # a held RESOLVED told now
    tell: list[tuple[str, Outage]] = field(default_factory=list)  # ("opened"|"closed", outage)

    def changed(self) -> list[Outage]:
        """Every outage whose row changes, once."""
        rows = self.grown + self.closed + self.reopened + self.settled
        return list({id(o): o for o in rows if o not in self.opened}.values())


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


def _add(o: Outage, p: PortPass) -> bool:
    """The port's new ONUs down join the outage; whether any did."""
    new = [d for d in p.went_down if d.serial not in o.serials]
    if o.port is None:
        o.ports[p.port] = o.ports.get(p.port, 0) + len(new)
    if not new:
        return False
    o.serials += [d.serial for d in new]
    los, power, clients = _counts(new)
    o.los, o.dying_gasp, o.clients = o.los + los, o.dying_gasp + power, o.clients + clients
    return True


def _still_dark(o: Outage, online: dict[str, bool], port_of: dict[str, str],
                clients: dict[str, str | None], at: datetime, rules: Rules) -> list[Outage]:
    """The ports of a closing OLT-wide outage whose ONUs are mostly still down: each an outage
    of its own (its ONUs still down), so that RESOLVED for the OLT never hides a dark port."""
    by_port: dict[str, list[str]] = {}
    for s in o.serials:
        if s in port_of:
            by_port.setdefault(port_of[s], []).append(s)
    left = []
    for port, serials in sorted(by_port.items()):
        down = [s for s in serials if not online.get(s, True)]
        if len(down) > rules.close_share * len(serials):
            left.append(Outage(port, o.kind, at, down, los=len(down) if o.kind == "los" else 0,
                               dying_gasp=len(down) if o.kind == "power" else 0,
                               clients=len({clients.get(s) for s in down} - {None})))
    return left


def olt_wide(fresh: int, ports_online: int, rules: Rules) -> bool:
    """Whether `fresh` ports opening together, of the OLT's `ports_online`, are one event."""
    return fresh >= rules.olt_min_ports and fresh >= rules.olt_share * ports_online


def evaluate(passes: list[PortPass], outages: list[Outage], online: dict[str, bool],
             at: datetime, rules: Rules = Rules(), ports_online: int | None = None,
             port_of: dict[str, str] | None = None,
             clients: dict[str, str | None] | None = None) -> Decisions:
    """What this evaluation opens, grows, reopens, closes and tells. `outages`: the OLT's open
    outages, those closed within the cooldown and those whose RESOLVED is held; `online`: every
    present ONU's state now (an ONU missing from it was removed: it counts as back);
    `ports_online`: the OLT's ports that had ONUs online before (default: the passes' ports);
    `port_of`: each present ONU's port (an OLT-wide outage that closes while some of its ports
    are still dark leaves each of them an outage of its own, told); `clients`: each present
    ONU's client key (for those outages' counts)."""
    out = Decisions()
    live = [o for o in outages if o.closed_at is None]
    whole = next((o for o in live if o.port is None), None)
    by_port = {o.port: o for o in live if o.port is not None}
    # closed, but the same outage if it goes dark again: within the cooldown, or RESOLVED held
    dormant = {o.port: o for o in outages if o.closed_at is not None
               and (o.told == "opened" or at - o.closed_at <= rules.cooldown)}

    def tell(change: str, o: Outage) -> None:
        o.told = change
        out.tell.append((change, o))

    def reopen(o: Outage, ps: list[PortPass]) -> None:
        o.closed_at, o.reopened = None, o.reopened + 1
        for p in ps:
            _add(o, p)
        out.reopened.append(o)
        if o.told != "opened":  # the operator saw RESOLVED: dark again is news, as it is now
            o.kind = classify([d for p in ps for d in p.went_down], rules)
            tell("opened", o)

    fresh: list[PortPass] = []
    for p in passes:
        current = by_port.get(p.port) or whole  # while the whole OLT is out, its ports join it
        if current is not None:
            if _add(current, p) and current not in out.grown:
                out.grown.append(current)
        elif opens(p, rules) is not None:
            fresh.append(p)
    if olt_wide(len(fresh), ports_online if ports_online is not None else len(passes), rules):
        again = dormant.pop(None, None)
        if again is not None:
            reopen(again, fresh)
        else:
            downs = [d for p in fresh for d in p.went_down]
            o = Outage(None, classify(downs, rules), at, [])
            for p in fresh:
                _add(o, p)
            out.opened.append(o)
            tell("opened", o)
        fresh = []
    for p in fresh:
        again = dormant.pop(p.port, None)
        if again is not None:
            reopen(again, [p])
            continue
        los, power, clients = _counts(p.went_down)
        o = Outage(p.port, classify(p.went_down, rules), at, [d.serial for d in p.went_down],
                   los, power, clients)
        out.opened.append(o)
        tell("opened", o)
    for o in live:
        back = sum(1 for s in o.serials if online.get(s, True))
        if back > rules.close_share * o.affected:
            o.closed_at = at
            out.closed.append(o)
            if o.reopened == 0:  # a flapping port's RESOLVED waits until it stays up
                tell("closed", o)
            if o.port is None:
                for left in _still_dark(o, online, port_of or {}, clients or {}, at, rules):
                    out.opened.append(left)
                    tell("opened", left)
    for o in dormant.values():
        if o.told == "opened" and at - o.closed_at >= rules.cooldown:
            out.settled.append(o)
            tell("closed", o)
    return out

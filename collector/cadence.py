"""Which datasets an hourly run reads (profile `every_hours`, `also_after`): plain decisions.

A dataset with a period is read when its last complete read is that old (less half an hour, so a
6-hourly dataset is read by every sixth hourly run, not the seventh), when the run is full, when
it was never read, or when it was asked for by name; otherwise it is carried over: not read, not
a failure, its rows left as they are (nothing is marked removed). One that lists `also_after`
datasets is read after them when they found a new, moved or gone row this run (an ONU provisioned,
re-provisioned or deleted brings or takes its service ports). An OLT that restarted since (its
uptime went backwards) has every dataset read.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from platforms.profile import Profile

SLACK = timedelta(minutes=30)


@dataclass
class Plan:
    first: list[str]  # read now
    after: list[str] = field(default_factory=list)  # read if what they follow found new rows
    carried: dict[str, str] = field(default_factory=dict)  # dataset -> why it is not read


def every_hours(profile: Profile, dataset: str, overrides: Mapping[str, int]) -> int:
    return overrides.get(dataset, profile.datasets[dataset].every_hours)


def plan(profile: Profile, names: list[str], last_ok: Mapping[str, datetime], at: datetime,
         full: bool = False, asked: bool = False,
         overrides: Mapping[str, int] | None = None) -> Plan:
    """`names`: the datasets of this run; `last_ok`: each one's last complete read (its start)."""
    overrides = overrides or {}
    out = Plan([])
    for d in names:
        hours = every_hours(profile, d, overrides)
        last = last_ok.get(d)
        if full or asked or hours <= 1 or last is None or at - last >= timedelta(hours=hours) - SLACK:
            out.first.append(d)
        else:
            out.carried[d] = (f"not due: read every {hours} h, last at {last:%Y-%m-%d %H:%M}Z")
    for d in list(out.carried):
        if set(profile.datasets[d].also_after) & set(out.first):
            out.after.append(d)
    return out


def triggered(profile: Profile, after: list[str], changed: Mapping[str, int],
              state_changes: Mapping[str, int] | None = None,
              changes_since: Mapping[str, int] | None = None) -> list[str]:
    """Of the datasets waiting on others, those whose predecessors inserted, moved or removed
    rows (`changed`: that count per dataset read this run), or saw as many rows change state as
    the waiting one's `also_after_state_changes` (`state_changes`: that count per dataset read
    this run; `changes_since`: per waiting dataset, the ONU state changes stored since its last
    read, the status passes' among them: they store most, so this run may see none)."""
    flips = state_changes or {}
    since = changes_since or {}

    def due(d: str) -> bool:
        spec = profile.datasets[d]
        bar = spec.also_after_state_changes
        if bar is not None and since.get(d, 0) >= bar:
            return True
        return any(changed.get(p, 0) > 0 or (bar is not None and flips.get(p, 0) >= bar)
                   for p in spec.also_after)

    return [d for d in after if due(d)]


def restarted(uptime_s: int | None, stored_uptime_s: int | None) -> bool:
    """The uptime read now is below the one stored at the last read: the box restarted since."""
    return uptime_s is not None and stored_uptime_s is not None and uptime_s < stored_uptime_s


def after_restart(out: Plan) -> Plan:
    """Every dataset read: a restarted box may bring its boards and ports back otherwise, and
    lose configuration that was not saved (service ports)."""
    return Plan(out.first + list(out.carried))

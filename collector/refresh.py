"""Change-driven per-row commands (profile `refresh:`, e.g. ZTE's detail-info per ONU): which rows
a command reads this run, and what the others carry over from the database.

A row is read when it is new (its key is not among the stored rows), when a `changed` column the
run has already read differs from the stored one (an ONU went down or came back), when its serial
had a state transition since the last complete read (a status pass saw it change), or when its
turn of the rolling refresh came: turns are by a hash of the serial, so every ONU is read once per
`spread_hours`, about as many each hour. The rest keep the stored values of the columns this
command fills, and count as carried.

What this cannot see (ZTE's state table has no serial): an ONU replaced at the same port and ONU-ID
while staying in the same state between two runs; it is found at its turn, within a day.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from platforms.profile import CommandSpec

Row = dict[str, Any]


@dataclass(frozen=True)
class Stored:
    """What the database holds for a change-driven command, read before the run."""

    rows: dict[tuple, Row]  # present rows, by the refresh key
    recent: frozenset[str] = field(default_factory=frozenset)  # serials that changed state since
    hour: int = 0  # this run's hour (hours since the epoch): whose turn it is

    @classmethod
    def at(cls, when: datetime, rows: dict[tuple, Row], recent: set[str]) -> Stored:
        return cls(rows, frozenset(recent), int(when.timestamp() // 3600))


def turn(serial: str, spread_hours: int) -> int:
    """The hour (of `spread_hours`) in which this serial is re-read: stable, and even."""
    return zlib.crc32(serial.encode()) % spread_hours


def split(cmd: CommandSpec, rows: dict[tuple, Row], stored: Stored,
          keep_out: frozenset[str] = frozenset()) -> tuple[dict[tuple, Row], set[tuple]]:
    """The rows `cmd` reads this run; the others are filled in place from `stored` (but not the
    columns in `keep_out`: what another command of the run reads anyway). Returns the rows to read
    and the keys of those carried. A command run once per distinct value (a PON port) reads the
    group when one of its rows needs it or the group's turn came."""
    r = cmd.refresh
    assert r is not None and cmd.for_each is not None
    now_turn = stored.hour % r.spread_hours
    group = cmd.for_each.distinct
    olds = {k: stored.rows.get(tuple(row.get(c) for c in r.key)) for k, row in rows.items()}

    def needs(k: tuple, row: Row) -> bool:
        old = olds[k]
        serial = old and old.get("serial")
        return (old is None or not serial or any(row.get(c) != old.get(c) for c in r.changed)
                or serial in stored.recent
                or (group is None and turn(serial, r.spread_hours) == now_turn))

    if group is None:
        wanted = {k for k, row in rows.items() if needs(k, row)}
    else:
        groups = {row.get(group) for k, row in rows.items()
                  if needs(k, row) or turn(str(row.get(group)), r.spread_hours) == now_turn}
        wanted = {k for k, row in rows.items() if row.get(group) in groups}
    carried = set(rows) - wanted
    for k in carried:
        old, row = olds[k] or {}, rows[k]
        for f in cmd.fields:
            if f not in r.key and f not in r.changed and f not in keep_out:
                row[f] = old.get(f)
    return {k: rows[k] for k in wanted}, carried

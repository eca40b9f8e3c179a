"""Collect one dataset from one OLT: run the profile's commands, parse, build the rows.

Knows nothing of any vendor: the profile says which commands, in which CLI context, repeated over
which rows, parsed by which template. `session` is anything with `send(command, read_timeout)`, so
this runs the same against netmiko, a recorded capture or a test double.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, tzinfo
from typing import Any, Protocol

from collector import parse_pool
from collector import rows as rowlib
from collector.failed_output import Keeper, note_kept
from core.errors import CollectError, CommandRejected
from core.timers import Timers
from platforms.profile import CommandSpec, Profile


class Session(Protocol):
    def send(self, command: str, read_timeout: float | None = None) -> str: ...


@dataclass
class DatasetResult:
    olt: str
    dataset: str
    tables: dict[str, list[dict[str, Any]]]
    commands: int = 0
    bytes_read: int = 0
    timers: Timers = field(default_factory=Timers)  # scrape and parse
    started_at: datetime = field(default_factory=lambda: datetime.now(UTC))
    clients: dict[str, str | None] = field(default_factory=dict)


def port_vars(row: dict[str, Any]) -> dict[str, str]:
    out = {k: str(v) for k, v in row.items() if v is not None}
    port = row.get("port")
    if isinstance(port, str) and port.count("/") == 2:
        out["frame"], out["slot"], out["pon"] = port.split("/")
    return out


def expansions(spec: CommandSpec, tables: dict[str, rowlib.Table]) -> list[dict[str, str]]:
    """The variable sets a command runs with: one, or one per matching row / distinct value."""
    fe = spec.for_each
    if fe is None:
        return [{}]
    rows = list(tables.get(fe.table, {}).values())
    rows = [r for r in rows
            if all(re.search(rx, str(r.get(col) or "")) for col, rx in fe.match.items())]
    if fe.distinct:
        seen: dict[Any, dict[str, Any]] = {}
        for r in rows:
            seen.setdefault(r.get(fe.distinct), {fe.distinct: r.get(fe.distinct)})
        rows = list(seen.values())
    if fe.range:
        rows = [{**r, "n": n} for r in rows for n in range(1, int(r.get(fe.range) or 0) + 1)]
    return [{**port_vars(r), **fe.vars} for r in rows]


class _Context:
    """Tracks the CLI view (config, interface ...) and moves between views with few commands."""

    def __init__(self, olt: str, session: Session, profile: Profile, result: DatasetResult,
                 keeper: Keeper | None = None):
        self.olt, self.session, self.profile, self.result = olt, session, profile, result
        self.keeper = keeper
        self.current = ""  # the profile command whose CLI view is being entered
        self.stack: list[str] = []

    def _send(self, command: str) -> str:
        out = self.session.send(command)
        self.result.commands += 1
        for line in parse_pool.first_lines(out):
            if parse_pool.is_error(line, self.profile.errors):
                exc = CommandRejected(self.olt, command, f"the OLT answered: {line}")
                note_kept(exc, self.keeper, command, self.current, {}, out)
                raise exc
        return out

    def enter(self, wanted: list[str]) -> None:
        common = 0
        while common < min(len(wanted), len(self.stack)) and wanted[common] == self.stack[common]:
            common += 1
        while len(self.stack) > common:
            self._send(self.profile.context_exit)
            self.stack.pop()
        for cmd in wanted[common:]:
            self._send(cmd)
            self.stack.append(cmd)


Observer = Callable[[CommandSpec, str, dict[str, str], str], None]


def collect(olt: str, session: Session, profile: Profile, dataset: str,
            tz: tzinfo = UTC, keeper: Keeper | None = None, limit: int | None = None,
            observe: Observer | None = None) -> DatasetResult:
    """Run a dataset's commands; a command whose answer fails is kept by `keeper` (if any).

    `limit` runs a repeated command for its first rows only, and `observe` sees every answer
    before it is parsed (command spec, command, variables, text): what `capture` records."""
    spec = profile.datasets[dataset]
    result = DatasetResult(olt=olt, dataset=dataset, tables={})
    tables: dict[str, rowlib.Table] = {}
    ctx = _Context(olt, session, profile, result, keeper)
    for cmd_spec in spec.commands:
        primary = cmd_spec.table not in tables
        table = tables.setdefault(cmd_spec.table, {})
        ctx.current = f"{dataset}.{cmd_spec.name}"
        for variables in expansions(cmd_spec, tables)[:limit]:
            ctx.enter([c.format_map(variables) for c in cmd_spec.context])
            command = cmd_spec.command.format_map(variables)
            with result.timers.stage("scrape"):
                out = session.send(command, cmd_spec.read_timeout)
            if observe is not None:
                observe(cmd_spec, command, variables, out)
            result.commands += 1
            result.bytes_read += len(out)
            try:
                with result.timers.stage("parse"):
                    built = parse_pool.rows_for(olt, profile, cmd_spec, command, out, variables, tz)
                    rowlib.merge(olt, command, cmd_spec.table, table, built, primary,
                                 cmd_spec.latest)
            except CollectError as exc:
                note_kept(exc, keeper, command, f"{dataset}.{cmd_spec.name}", variables, out)
                raise
    ctx.enter([])
    for name, table in tables.items():
        if name.startswith("_"):
            continue  # scratch: only fed expansions
        # Every row carries every column the profile maps for its table (None where not printed).
        columns = {c for cmd in spec.commands if cmd.table == name for c in cmd.fields}
        rows = [{**dict.fromkeys(columns), **row} for row in table.values()]
        if limit is None:  # a limited run (capture) leaves rows without their details
            rowlib.check_required(olt, name, rows)
        result.tables[name] = rows
    return result

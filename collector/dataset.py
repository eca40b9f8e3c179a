"""Collect one dataset from one OLT: run the profile's commands on a session, moving between CLI
views, and hand each answer to the parse stage (collector/parsing.py).

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

from clients.rules import Rule
from collector import parse_pool, parsing, refresh
from collector.failed_output import Keeper, note_kept
from collector.refresh import Stored
from core.errors import CollectError, CommandRejected
from core.timers import Timers
from platforms.profile import CommandSpec, DatasetSpec, Profile


class Session(Protocol):
    def send(self, command: str, read_timeout: float | None = None) -> str: ...


@dataclass(frozen=True)
class EnrichmentFailure:
    """An enrichment command that failed for some of its rows: the dataset is stored without it."""

    command: str  # the profile's "dataset.name"
    sent: str  # the command as sent
    error: str  # its one-line error (naming the OLT, the command, and where the answer is kept)


def enrichment_summary(failures: list[EnrichmentFailure]) -> str | None:
    """One line per failed enrichment command, however many ports or ONUs it failed for."""
    if not failures:
        return None
    by_cmd: dict[str, list[EnrichmentFailure]] = {}
    for f in failures:
        by_cmd.setdefault(f.command, []).append(f)
    parts = []
    for name, fs in by_cmd.items():
        times = f" ({len(fs)} times, first shown)" if len(fs) > 1 else ""
        parts.append(f"enrichment {name} not read{times}, its columns keep their stored "
                     f"values: {fs[0].error}")
    return "; ".join(parts)


def unread(error: str | None) -> tuple[str, ...]:
    """The enrichment commands a partial dataset's error names (enrichment_summary's wording)."""
    return tuple(sorted(set(re.findall(r"\benrichment (\S+) not read", error or ""))))


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
    client_hits: dict[str, int] = field(default_factory=dict)  # ONUs each client rule named
    carried: int = 0  # rows a change-driven command did not re-read (collector/refresh.py)
    enrichment_failures: list[EnrichmentFailure] = field(default_factory=list)
    # lines of key: value answers that were not stored and were skipped, by command
    skipped: dict[str, list[str]] = field(default_factory=dict)

    @property
    def partial(self) -> str | None:
        """What was not read, in one line, when an enrichment failed; None when all was read."""
        return enrichment_summary(self.enrichment_failures)


def _read_anyway(spec: DatasetSpec, cmd: CommandSpec) -> frozenset[str]:
    """Columns of `cmd`'s table that a command read every run fills too: never carried."""
    return frozenset(f for c in spec.commands if c is not cmd and c.refresh is None
                     and c.table == cmd.table for f in c.fields)


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
        line = parsing.error_line(out, self.profile.errors)
        if line is not None:
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


@dataclass(frozen=True)
class CollectRequest:
    """What to read of one OLT, and how: every caller of the collector (the sync, the status pass,
    `capture`, `check`) says it in one of these.

    `dataset`: the profile's dataset whose commands run, or `spec`'s commands instead (the status
    pass: partial rows, not checked for completeness) on tables `seed`ed with rows already known
    (their commands then only enrich them). `keeper` keeps a failed command's answer. `limit` runs
    a repeated command for its first rows only, and `observe` sees every answer before it is
    parsed (command spec, command, variables, text): what `capture` records. `client_rules`
    read clients from the ONUs' descriptions and PPPoE logins (clients/rules.py). `stored`: what
    the database holds for the change-driven commands (profile `refresh:`); None reads every
    row."""

    olt: str
    profile: Profile
    dataset: str
    tz: tzinfo = UTC
    keeper: Keeper | None = None
    limit: int | None = None
    observe: Observer | None = None
    client_rules: tuple[Rule, ...] | None = None
    spec: DatasetSpec | None = None
    seed: dict[str, list[dict[str, Any]]] | None = None
    stored: Stored | None = None


def collect(session: Session, request: CollectRequest) -> DatasetResult:
    """Run a dataset's commands and build its tables (collector/parsing.py); a command whose
    answer fails is kept by the request's keeper (if any). Errors leave here naming the OLT."""
    olt, profile, dataset, tz = request.olt, request.profile, request.dataset, request.tz
    keeper, limit, observe, spec = request.keeper, request.limit, request.observe, request.spec
    client_rules, seed, stored = request.client_rules, request.seed, request.stored
    partial = spec is not None
    spec = spec or profile.datasets[dataset]
    result = DatasetResult(olt=olt, dataset=dataset, tables={})
    tables = parsing.Tables(spec, seed)
    ctx = _Context(olt, session, profile, result, keeper)
    carried_keys: set[tuple] = set()  # rows a change-driven command kept as stored
    try:
        for cmd_spec in spec.commands:
            primary = tables.first_to_fill(cmd_spec)
            ctx.current = f"{dataset}.{cmd_spec.name}"
            only = None
            if cmd_spec.refresh is not None and stored is not None and cmd_spec.for_each:
                only, carried = refresh.split(cmd_spec, tables.rows(cmd_spec.for_each.table),
                                              stored, _read_anyway(spec, cmd_spec))
                carried_keys |= carried
            if cmd_spec.derived_from is not None:  # rows of what was read: nothing sent
                for variables in tables.expansions(cmd_spec):
                    tables.add(cmd_spec, f"(derived from {cmd_spec.derived_from})",
                               parsing.derived_rows(cmd_spec, variables, tz), primary)
                continue
            for variables in tables.expansions(cmd_spec, only)[:limit]:
                command = cmd_spec.command.format_map(variables)
                try:
                    ctx.enter([c.format_map(variables) for c in cmd_spec.context])
                    with result.timers.stage("scrape"):
                        out = session.send(command, cmd_spec.read_timeout)
                    if observe is not None:
                        observe(cmd_spec, command, variables, out)
                    result.commands += 1
                    result.bytes_read += len(out)
                    try:
                        with result.timers.stage("parse"):
                            rows, skipped = parse_pool.rows_for(profile, cmd_spec, command, out,
                                                                variables, tz)
                            tables.add(cmd_spec, command, rows, primary)
                        if skipped:
                            result.skipped.setdefault(command, skipped)
                    except CollectError as exc:
                        note_kept(exc.of(olt), keeper, command, ctx.current, variables, out)
                        raise
                except CollectError as exc:
                    # A session that dropped or hung is not the command's fault: the dataset is
                    # tried again whole. A refused or unreadable answer to an enrichment only
                    # costs its columns.
                    if not cmd_spec.enrichment or exc.transient:
                        raise
                    result.enrichment_failures.append(
                        EnrichmentFailure(ctx.current, command, str(exc.of(olt))))
                    tables.not_read(cmd_spec, variables)
        ctx.enter([])
        result.carried = len(carried_keys)
        # a limited run (capture) leaves rows without their details: not checked
        result.tables, result.clients, result.client_hits = tables.finished(
            limit is None and not partial, client_rules)
    except CollectError as exc:
        exc.of(olt)  # the one place the OLT is added to the parse stage's errors
        raise
    return result

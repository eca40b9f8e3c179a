"""The text → rows stage: from an OLT's answers to the finished tables of one dataset.

Clean an answer (noise, wrapped columns), decide whether the OLT answered an error or nothing,
parse it with its template, build normalized rows, fold them into the dataset's tables, finish
the tables (every column present, required columns checked, clients read from descriptions).
Pure: no session, no network, no OLT name — errors raised here name the command and what was
wrong, and the collector adds the OLT at its boundary (collector/dataset.py). The process pool
(collector/parse_pool.py) is only a way to run `parse_answer` on another core.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import tzinfo
from typing import Any

from clients.rules import Rule
from collector import rows as rowlib
from core.errors import CommandRejected, ParseError
from parsers.textfsm_parse import Noise, TemplateError, parse, parse_skipping
from parsers.unwrap import join_wrapped
from platforms.profile import CommandSpec, DatasetSpec
from storage.catalogue import COLLECTED

Row = rowlib.Row


def first_lines(text: str, n: int = 3) -> list[str]:
    """Where an OLT puts its error for a command: the first non-blank lines of the answer."""
    return [line.strip() for line in text.split("\n") if line.strip()][:n]


def error_line(text: str, errors: list[str]) -> str | None:
    """The line by which the OLT refused a command, if it did: an error starts one of the first
    lines of the answer; a row quoting the phrase does not."""
    return next((line for line in first_lines(text) if any(re.match(p, line) for p in errors)),
                None)


def is_empty(spec: CommandSpec, text: str) -> bool:
    """The box's "nothing to show": its whole answer is one line, an `empty` phrase. A row that
    holds the phrase (an ONU described "Failure: The ONT does not exist") is never one: taken for
    emptiness it would remove every ONU of the OLT."""
    lines = first_lines(text, 2)
    return len(lines) == 1 and any(re.match(p, lines[0]) for p in spec.empty)


def prepared(spec: CommandSpec, cleaner: Noise, out: str) -> str:
    """A command's answer as its template reads it: noise removed, wrapped columns joined."""
    text = cleaner.clean(out)
    if spec.unwrap is not None:
        text = join_wrapped(text, spec.unwrap.after, spec.unwrap.row, spec.unwrap.until)
    return text


def parse_answer(spec: CommandSpec, cleaner: Noise, errors: list[str], command: str, out: str,
                 variables: dict[str, str], tz: tzinfo) -> tuple[list[Row], list[str]]:
    """Clean, check, parse and build the rows of one command's answer; with them, the lines a
    key: value answer held that the template does not store (profile `unknown_lines: skip`)."""
    text = prepared(spec, cleaner, out)
    skipped: list[str] = []
    if is_empty(spec, text):
        records: list[dict[str, str]] = []
    else:
        line = error_line(text, errors)
        if line is not None:
            # Boxes answer a command above the account's level as if it did not exist
            # (netmiko #3412), so the message names both causes.
            raise CommandRejected(None, command, f"the OLT answered: {line} (a command this "
                                  "firmware does not know, or one the account's privilege level "
                                  "may not run)")
        try:
            if spec.unknown_lines == "skip":
                records, skipped = parse_skipping(spec.template, text)
            else:
                records = parse(spec.template, text)
        except TemplateError as exc:
            raise ParseError(None, command, str(exc)) from None
    return rowlib.build_rows(command, spec, records, variables, tz), skipped


def derived_rows(spec: CommandSpec, variables: dict[str, str], tz: tzinfo) -> list[Row]:
    """The row a derived command (profile `derived_from`) makes of one expansion: its fields
    formatted from the expansion's variables, normalized as any row. Nothing was sent."""
    return rowlib.build_rows(f"(derived from {spec.derived_from})", spec, [{}], variables, tz)


class Tables:
    """One dataset's tables as its commands answer: the first command that fills a table says
    which rows exist, later ones enrich them (rows.merge)."""

    def __init__(self, spec: DatasetSpec,
                 seed: dict[str, list[Row]] | None = None) -> None:
        self.spec = spec
        self.tables: dict[str, rowlib.Table] = {}
        for name, rows in (seed or {}).items():  # rows known before: later commands enrich them
            key = rowlib.merge_key(name, rows[0] if rows else ())
            self.tables[name] = {tuple(r.get(c) for c in key): dict(r) for r in rows}

    def add(self, cmd: CommandSpec, command: str, rows: list[Row], primary: bool) -> None:
        rowlib.merge(command, cmd.table, self.tables.setdefault(cmd.table, {}), rows, primary,
                     cmd.latest)

    def _covered(self, cmd: CommandSpec, variables: dict[str, str]) -> list[Row]:
        """The rows of `cmd`'s table that one run of it (with `variables`) answers for: those of
        its port when it runs per port, its row when it runs per row, else all."""
        table = self.tables.get(cmd.table, {})
        fe = cmd.for_each
        if fe is None or fe.table != cmd.table:
            return list(table.values())
        cols = [fe.distinct] if fe.distinct else list(rowlib.merge_key(cmd.table, cmd.fields))
        return [r for r in table.values()
                if all(str(r.get(c)) == variables.get(c) for c in cols)]

    def not_read(self, cmd: CommandSpec, variables: dict[str, str]) -> None:
        """An enrichment's run that failed: its rows keep the stored values of its columns."""
        rowlib.keep_stored(self._covered(cmd, variables), cmd)

    def first_to_fill(self, cmd: CommandSpec) -> bool:
        """Whether `cmd` makes rows of its table (else it only enriches them). Every command of
        the OLT's own row may make it: that row exists whatever one of them answers."""
        entry = COLLECTED.get(cmd.table)
        return cmd.table not in self.tables or (entry is not None and entry.per_olt_row)

    def rows(self, table: str) -> rowlib.Table:
        return self.tables.get(table, {})

    def expansions(self, cmd: CommandSpec, only: rowlib.Table | None = None) -> list[dict[str, str]]:
        """`only`: the for_each table's rows to run for (a change-driven command), else all."""
        if only is not None and cmd.for_each is not None:
            return expansions(cmd, {**self.tables, cmd.for_each.table: only})
        return expansions(cmd, self.tables)

    def finished(self, complete: bool = True, client_rules: Sequence[Rule] | None = None
                 ) -> tuple[dict[str, list[Row]], dict[str, str | None], dict[str, int]]:
        """The tables to store (scratch tables left out), the clients the ONUs name (by the client
        rules) and how many ONUs each rule named. Every row carries every column the profile maps
        for its table (None where not printed); `complete=False` (a capture's limited run) skips
        the required-column check."""
        out: dict[str, list[Row]] = {}
        for name, table in self.tables.items():
            if name.startswith("_"):
                continue  # scratch: only fed expansions
            columns = {c for cmd in self.spec.commands if cmd.table == name for c in cmd.fields}
            rows = [{**dict.fromkeys(columns), **row} for row in table.values()]
            rowlib.settle_kept(rows)
            if complete:
                rowlib.check_required(name, rows)
            out[name] = rows
        if client_rules is None or "onus" not in out:
            return out, {}, {}
        return out, *rowlib.client_rows(out["onus"], client_rules)


def port_vars(row: dict[str, Any]) -> dict[str, str]:
    """A row as command variables; a Huawei F/S/P port also as {frame} {slot} {pon}."""
    out = {k: str(v) for k, v in row.items() if v is not None}
    port = row.get("port")
    if isinstance(port, str) and port.count("/") == 2:
        out["frame"], out["slot"], out["pon"] = port.split("/")
    return out


def expansions(cmd: CommandSpec, tables: dict[str, rowlib.Table]) -> list[dict[str, str]]:
    """The variable sets a command runs with: one, or one per matching row / distinct value."""
    fe = cmd.for_each
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

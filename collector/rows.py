"""From TextFSM records to normalized rows: map fields, apply value maps, check totals, merge.

Pure functions: no network, no Prefect, no database, no OLT name (collector/parsing.py runs them
and the collector names the OLT in their errors). A dataset's commands each contribute columns to
rows of one table; the first command that fills a table defines which rows exist, later ones enrich
them (matched on the table's merge key).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from datetime import UTC, tzinfo
from typing import Any

from clients.rules import Rule, first_match
from collector import normalize
from core.errors import ParseError
from platforms.profile import CommandSpec, Latest
from storage.catalogue import COLLECTED, KEEP

Row = dict[str, Any]
Table = dict[tuple, Row]
# Columns that may hold a client's name or account: never quoted in an error (errors reach logs
# and the Prefect UI); a row is named by its place instead.
PERSONAL = frozenset({"description", "pppoe_login"})
_PLACE = ("port", "onu_id", "serial", "mac", "vlan", "index", "slot")


_PLAIN = re.compile(r"\{(\w+)\}")


def _field_plan(spec: CommandSpec) -> list[tuple[str, str | None, str, dict[str, str | None] | None]]:
    """(column, the one template value it copies or None, its format, its value map) per field:
    most fields are a plain "{VALUE}", which needs no str.format per record."""
    plan = []
    for column, fmt in spec.fields.items():
        m = _PLAIN.fullmatch(fmt)
        plan.append((column, m.group(1) if m else None, fmt, spec.values.get(column)))
    return plan


def build_rows(command: str, spec: CommandSpec, records: list[dict[str, str]],
               context: dict[str, str], tz: tzinfo = UTC) -> list[Row]:
    """Normalized rows for one command's records; `command` is the text actually sent."""
    rows: list[Row] = []
    totals: dict[Any, int] = {}
    skipped = 0  # rows the box counts that we do not keep (skip_if_empty: an uplink's MACs)
    plan = _field_plan(spec)
    norm = normalize.cached_value
    for rec in records:
        if spec.totals and rec.get(spec.totals.field):
            scope = {**rec, **context}
            per = spec.totals.per
            group = normalize.value(per, spec.fields[per].format_map(scope), tz) if per else None
            totals[group] = int(rec[spec.totals.field])
            continue
        row: Row = {}
        scope = None
        for column, name, fmt, mapping in plan:
            # the context (the command's variables) wins over a template value of the same name
            raw = context.get(name) if name is not None else None
            if raw is None and name is not None:
                raw = rec.get(name)
            if raw is None:
                if scope is None:
                    scope = {**rec, **context}
                try:
                    raw = fmt.format_map(scope)
                except KeyError as exc:
                    raise ParseError(None, command, f"profile field {column} uses {exc} which the "
                                                   f"template {spec.template} does not produce") from None
            elif not isinstance(raw, str):
                raw = str(raw)
            if mapping is not None and (raw.strip() in mapping or "*" in mapping):
                # "*" maps every value the list does not name (e.g. any ZTE phase but working)
                mapped = mapping.get(raw.strip(), mapping.get("*"))
                raw = "" if mapped is None else mapped
            try:
                row[column] = norm(column, raw, tz)
            except normalize.ValueProblem as exc:
                raise ParseError(None, command, f"{column}: {exc}") from None
        if spec.skip_if_empty and row.get(spec.skip_if_empty) is None:
            skipped += 1
            continue
        rows.append(row)
    if spec.totals:
        per = spec.totals.per
        keys = merge_key(spec.table, spec.fields)
        counted = Counter(g for g, _ in {(r.get(per) if per else None, tuple(r.get(k) for k in keys))
                                         for r in rows})
        if not per:
            counted[None] += skipped
        for group, expected in totals.items():
            if counted.get(group, 0) != expected:
                what = f"{per} {group}" if per else "the OLT"
                raise ParseError(None, command, f"{what} reports {expected} rows but "
                                               f"{counted.get(group, 0)} were read (truncated output?)")
    return rows


def merge_key(table_name: str, columns: Any) -> tuple[str, ...]:
    # a scratch table's rows are identified by all their columns
    entry = COLLECTED.get(table_name)
    return entry.merge_key if entry is not None else tuple(sorted(columns))


def merge(command: str, table_name: str, table: Table, rows: list[Row],
          primary: bool, latest: Sequence[Latest] = ()) -> None:
    """Fold rows into table. The primary command creates rows; later ones only enrich them.

    `latest` (from the profile) names times of which several records of one row may each carry
    one (a history of sessions): the latest wins, with the columns that go with it."""
    key_cols = merge_key(table_name, rows[0] if rows else ())
    timed = {rule.column: rule.with_ for rule in latest}
    owned = set(timed) | {c for cols in timed.values() for c in cols}
    for row in rows:
        key = tuple(row.get(c) for c in key_cols)
        existing = table.get(key)
        if existing is None:
            if not primary:
                continue  # appeared between two commands: next sync will see it whole
            table[key] = dict(row)
            continue
        for col, companions in timed.items():
            new = row.get(col)
            if new is not None and (existing.get(col) is None or new > existing[col]):
                existing[col] = new
                for c in companions:
                    existing[c] = row.get(c)
        if primary and key_cols:
            # Two records for one key from one command: the same row printed in two tables
            # (serials, then descriptions). Fill what is missing; conflicting values are an error.
            for col, val in row.items():
                if val is None or col in owned:
                    continue
                if existing.get(col) not in (None, val):
                    shown = ("two different values" if col in PERSONAL
                             else f"{existing[col]!r} vs {val!r}")
                    raise ParseError(None, command, f"conflicting {col} for {table_name} {key}: "
                                                   f"{shown}")
                existing[col] = val
            continue
        for col, val in row.items():
            if val is not None and col not in owned:
                existing[col] = val


def keep_stored(rows: list[Row], cmd: CommandSpec) -> None:
    """Mark `cmd`'s columns of `rows` as not read this run (its merge key is what places them)."""
    key = set(merge_key(cmd.table, cmd.fields))
    cols = [c for c in cmd.fields if c not in key]
    for row in rows:
        row.setdefault(KEEP, set()).update(cols)


def settle_kept(rows: list[Row]) -> None:
    """A column another command of the run did read is not kept: only what nothing read is."""
    for row in rows:
        kept = row.get(KEEP)
        if kept is None:
            continue
        kept = frozenset(c for c in kept if row.get(c) is None)
        if kept:
            row[KEEP] = kept
        else:
            del row[KEEP]


def check_required(table_name: str, rows: list[Row]) -> None:
    """A finished row lacks none of its table's required columns (storage/catalogue.py), but
    those it keeps from the database (storage/sync.py finds them by the row's place)."""
    for row in rows:
        kept = row.get(KEEP, ())
        missing = [c for c in COLLECTED[table_name].required if row.get(c) is None
                   and c not in kept]
        if missing:
            where = {c: v for c, v in row.items() if c in _PLACE and v is not None}
            raise ParseError(None, None, f"{table_name} row {where} lacks {', '.join(missing)}")


def client_rows(onus: list[Row], rules: Sequence[Rule]) -> tuple[dict[str, str | None],
                                                                   dict[str, int]]:
    """Set each ONU's client_key by the client rules (clients/rules.py: the first that matches its
    description or PPPoE login); return {client key: name} and how many ONUs each rule named."""
    clients: dict[str, str | None] = {}
    hits = dict.fromkeys((r.name for r in rules), 0)
    for onu in onus:
        kept = onu.get(KEEP, ())
        if onu.get("description") is None and "description" in kept:
            onu[KEEP] = onu[KEEP] | {"client_key"}  # not read: its client stays as stored
            continue
        m = first_match(rules, onu.get("description"), onu.get("pppoe_login"))
        if m is None:
            onu["client_key"] = None
            continue
        hits[m.rule] += 1
        onu["client_key"] = m.key
        if clients.get(m.key) is None:
            clients[m.key] = m.name
    return clients, hits

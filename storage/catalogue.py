"""The tables a sync writes, as the collector, the sync and the store need them: derived from the
schema (storage/schema.py, its `info` marks), so that adding a column is one edit there.

A finished row must carry its table's required columns (NOT NULL in the schema) or the dataset is
wrong and is not stored; its data columns are what a sync compares and writes; its key is its
identity within one OLT (the schema's unique key, the OLT left out).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import Table, UniqueConstraint

from storage import schema

# A collected row's columns that the run did not read (an enrichment that failed for it;
# collector/rows.py): the store keeps what it holds for them. In memory only.
KEEP = "_keep"

# Columns the store itself keeps: identity, the OLT, and a row's life (seen, removed, moved).
BOOKKEEPING = {"id", "olt", "first_seen", "last_seen", "removed_at", "moved_at", "last_sync_at"}


@dataclass(frozen=True)
class Collected:
    name: str  # what profiles and the collector call it: "olt", "onus", ...
    table: Table
    key: tuple[str, ...]
    merge_key: tuple[str, ...]  # how rows of this table from several commands line up
    columns: tuple[str, ...]  # data columns, compared and written
    required: tuple[str, ...]
    deadband: dict[str, str] = field(default_factory=dict)  # column -> setting name
    moves: tuple[str, ...] = ()  # a change of these columns is a move, remembered
    guarded: bool = True  # subject to the shrink guard
    sampled_into: Table | None = None  # a history table that gets each read's levels
    sampled: tuple[str, ...] = ()  # the columns copied there
    tracked: str | None = None  # a column whose every change is kept as a transition
    tracked_cause: str | None = None  # the column that says why (for a change to offline)
    transitions_into: Table | None = None

    @property
    def per_olt_row(self) -> bool:
        """The OLT's own row (olts), updated in place: no rows to add or remove."""
        return not self.key


def _unique_key(table: Table) -> tuple[str, ...]:
    uniques = [c for c in table.constraints if isinstance(c, UniqueConstraint)]
    return tuple(c.name for c in uniques[0].columns if c.name != "olt")


def _entry(table: Table) -> Collected:
    info = table.info
    key = tuple(info["key"]) if "key" in info else _unique_key(table)
    data = [c for c in table.c if c.name not in BOOKKEEPING and c.name not in key
            and not c.name.startswith("previous_") and not c.info.get("derived")
            and not c.info.get("inventory")]
    history = schema.metadata.tables[info["sampled_into"]] if "sampled_into" in info else None
    tracks = info.get("transitions", {})
    return Collected(
        name=info.get("collected_as", table.name), table=table, key=key,
        merge_key=tuple(info.get("merge_key", key)),
        columns=tuple(c.name for c in data),
        required=tuple(c.name for c in table.c if (c.name in key or c in data) and not c.nullable),
        deadband=dict(info.get("deadband", {})), moves=tuple(info.get("moves", ())),
        guarded=info.get("guarded", True), sampled_into=history,
        sampled=tuple(c.name for c in history.c if c.name in table.c and c.name not in BOOKKEEPING
                      and c.name not in key) if history is not None else (),
        tracked=tracks.get("column"), tracked_cause=tracks.get("cause"),
        transitions_into=schema.metadata.tables[tracks["into"]] if tracks else None)


# Every table a profile's dataset may fill, by the collector's name for it.
COLLECTED: dict[str, Collected] = {
    e.name: e for e in (_entry(schema.metadata.tables[n]) for n in (
        "olts", "boards", "pon_ports", "onus", "macs", "service_ports", "unregistered_onus"))}

# Tables whose rows belong to one OLT (an `olt` column): what a rename moves, what a test snapshots.
PER_OLT: tuple[str, ...] = tuple(t.name for t in schema.metadata.sorted_tables if "olt" in t.c)

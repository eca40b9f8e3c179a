"""The seed-style baseline: what a Django management command does today. One OLT at a time, stock
netmiko `send_command` for every command, TextFSM, then one row at a time through an ORM-like loop
(SELECT by key, then UPDATE or INSERT, each in its own transaction, as `update_or_create` in
autocommit mode does).

It reads the same commands as our run and builds the same rows (our templates and row builder, so
that only the scrape loop and the database loop differ).
"""

from __future__ import annotations

import re
import time
from typing import Any

import psycopg2
from netmiko import ConnectHandler

from bench import ref_tables
from collector.dataset import CollectRequest, collect
from platforms import profile as profiles

SEED_TABLES = ref_tables.tables("seed")


class _NetmikoSession:
    """Stock netmiko: send_command with its read loop, waiting for the prompt pattern."""

    def __init__(self, conn: Any) -> None:
        self.conn = conn
        self.expect = re.escape(conn.base_prompt) + r"(\([\w./-]+\))?[>#]"

    def send(self, command: str, read_timeout: float | None = None) -> str:
        return self.conn.send_command(command, expect_string=self.expect,
                                      read_timeout=read_timeout or 120, strip_prompt=True,
                                      strip_command=True)


def _ensure_tables(cur: Any) -> None:
    for table, (_src, key, cols) in SEED_TABLES.items():
        cur.execute(ref_tables.create_sql(table, key, cols, id_column=True))


def _save_row(conn: Any, table: str, key: tuple[str, ...], cols: tuple[str, ...],
              row: dict[str, Any]) -> None:
    with conn.cursor() as cur:
        where = " AND ".join(f'"{k}" = %s' for k in key)
        cur.execute(f"SELECT id FROM {table} WHERE {where}", [row[k] for k in key])
        found = cur.fetchone()
        if found:
            sets = ", ".join(f'"{c}" = %s' for c in cols)
            cur.execute(f"UPDATE {table} SET {sets} WHERE id = %s",
                        [row.get(c) for c in cols] + [found[0]])
        else:
            names = ", ".join(f'"{c}"' for c in key + cols)
            marks = ", ".join(["%s"] * (len(key) + len(cols)))
            cur.execute(f"INSERT INTO {table} ({names}) VALUES ({marks})",
                        [row.get(c) for c in key + cols])


def sync_one_olt(olt: dict[str, Any], password: str, dsn: str) -> dict[str, float]:
    profile = profiles.load("huawei_smartax")
    t0 = time.perf_counter()
    conn = ConnectHandler(device_type="huawei_smartax", host=olt["host"], port=olt["port"],
                          username="oltsync", password=password, fast_cli=False)
    conn.enable()
    tables: dict[str, list[dict[str, Any]]] = {}
    try:
        session = _NetmikoSession(conn)
        for dataset in profile.datasets:
            result = collect(session, CollectRequest(olt["name"], profile, dataset))
            tables.update(result.tables)
    finally:
        conn.disconnect()
    scraped = time.perf_counter()
    db = psycopg2.connect(dsn)
    db.autocommit = True  # Django's default: every save() its own transaction
    with db.cursor() as cur:
        _ensure_tables(cur)
    rows = 0
    for table, (src, key, cols) in SEED_TABLES.items():
        for row in tables.get(src, []):
            _save_row(db, table, key, cols, {**row, "olt": olt["name"]})
            rows += 1
    db.close()
    return {"wall_s": time.perf_counter() - t0, "scrape_parse_s": scraped - t0,
            "store_s": time.perf_counter() - scraped, "rows": rows}


def run(olts: list[dict[str, Any]], password: str, dsn: str) -> dict[str, float]:
    """One OLT after the other (the seed's scheduler ran one job at a time)."""
    from parsers import textfsm_parse

    # the seed parses with TextFSM itself, not with our faster runner of the same templates
    fast, textfsm_parse._fast = textfsm_parse._fast, lambda template: None
    t0, c0 = time.perf_counter(), time.process_time()
    try:
        parts = [sync_one_olt(o, password, dsn) for o in olts]
    finally:
        textfsm_parse._fast = fast
    return {"wall_s": time.perf_counter() - t0, "cpu_s": time.process_time() - c0,
            "olts": len(olts), "onus": sum(len(o["onus"]) for o in olts),
            "scrape_parse_s": sum(p["scrape_parse_s"] for p in parts),
            "store_s": sum(p["store_s"] for p in parts), "rows": sum(p["rows"] for p in parts)}

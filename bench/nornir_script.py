"""What a network engineer would write instead of oltsync: Nornir (threaded runner) +
nornir-netmiko + ntc-templates/TextFSM + psycopg2 `executemany` upserts.

Each host: `netmiko_send_command` for every line of the same plan our collector sends, TextFSM on
each output (ntc-templates' template where our profile uses one, ours otherwise), the same row
mapping, then one `executemany` INSERT … ON CONFLICT DO UPDATE per table in one transaction.
"""

from __future__ import annotations

import logging
import re
import time
from pathlib import Path
from typing import Any

import psycopg2
import yaml

from bench import ref_tables
from bench.plan import olt_plan
from collector import rows as rowlib
from collector.parsing import prepared
from parsers.textfsm_parse import parse_textfsm as parse  # TextFSM itself, as users run it
from platforms import profile as profiles

NORNIR_TABLES = ref_tables.tables("nornir")


def _collect_and_store(task: Any, plans: dict[str, Any], dsn: str) -> int:
    from nornir_netmiko.tasks import netmiko_send_command

    cleaner = profiles.load("huawei_smartax").cleaner
    prompt = re.escape(task.host.data["hostname"]) + r"(\([\w./-]+\))?[>#]"
    tables: dict[str, dict[tuple, dict[str, Any]]] = {}
    for steps in plans[task.host.name].values():
        for line, spec, variables, primary in steps:
            out = task.run(task=netmiko_send_command, command_string=line, expect_string=prompt,
                           enable=True,
                           read_timeout=120, severity_level=logging.DEBUG).result
            if spec is None or any(re.search(p, out) for p in spec.empty):
                continue
            # noise removed and wrapped descriptions joined, as any script must (the MA5800 wraps)
            records = parse(spec.template, prepared(spec, cleaner, out))
            built = rowlib.build_rows(line, spec, records, variables)
            rowlib.merge(line, spec.table, tables.setdefault(spec.table, {}),
                         built, primary)
    conn = psycopg2.connect(dsn)
    written = 0
    with conn, conn.cursor() as cur:
        for table, (src, key, cols) in NORNIR_TABLES.items():
            names = key + cols
            sets = ", ".join(f'"{c}" = EXCLUDED."{c}"' for c in cols)
            sql = (f'INSERT INTO {table} ({", ".join(chr(34) + c + chr(34) for c in names)}) '
                   f'VALUES ({", ".join(["%s"] * len(names))}) '
                   f'ON CONFLICT ({", ".join(key)}) DO UPDATE SET {sets}')
            params = [[task.host.name if c == "olt" else r.get(c) for c in names]
                      for r in tables.get(src, {}).values()]
            cur.executemany(sql, params)
            written += len(params)
    conn.close()
    return written


def run(olts: list[dict[str, Any]], password: str, dsn: str, workers: int,
        workdir: Path) -> dict[str, float]:
    from nornir import InitNornir

    conn = psycopg2.connect(dsn)
    with conn, conn.cursor() as cur:
        for table, (_src, key, cols) in NORNIR_TABLES.items():
            cur.execute(ref_tables.create_sql(table, key, cols))
    conn.close()
    hosts = {o["name"]: {"hostname": o["host"], "port": o["port"], "username": "oltsync",
                         "password": password, "platform": "huawei_smartax",
                         "data": {"hostname": o["hostname"]}}
             for o in olts}
    host_file = workdir / "nornir_hosts.yaml"
    host_file.write_text(yaml.safe_dump(hosts))
    profile = profiles.load("huawei_smartax")
    plans = {o["name"]: olt_plan(profile, o) for o in olts}
    t0, c0 = time.perf_counter(), time.process_time()
    nr = InitNornir(runner={"plugin": "threaded", "options": {"num_workers": workers}},
                    inventory={"plugin": "SimpleInventory",
                               "options": {"host_file": str(host_file)}},
                    logging={"enabled": False})
    result = nr.run(task=_collect_and_store, plans=plans, dsn=dsn)
    nr.close_connections()
    failed = [h for h, r in result.items() if r.failed]
    if failed:
        first = result[failed[0]]
        raise RuntimeError(f"nornir script failed on {len(failed)} hosts: {first.exception!r}")
    return {"wall_s": time.perf_counter() - t0, "cpu_s": time.process_time() - c0,
            "rows": sum(r[0].result for r in result.values())}

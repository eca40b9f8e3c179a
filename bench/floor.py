"""The floor: each stage at its practical limit, on the same simulated fleet and the same output.

- scrape: raw asyncssh sessions in one event loop, reading each command's output until the prompt;
- parse: one hand-written regular expression per command over the same text (no TextFSM);
- store: PostgreSQL COPY of the same rows into a temporary table, then one INSERT … ON CONFLICT.
"""

from __future__ import annotations

import asyncio
import io
import re
import time
from typing import Any

import asyncssh
import psycopg2

from bench import ref_tables
from bench.plan import Step, olt_plan
from platforms import profile as profiles

# One regex per Huawei command family: what a careful hand-written parser would match.
ROW_RE = [
    ("display ont info summary", re.compile(
        r"^\s*(\d+)\s+(?:(online|offline)\s+(\S+ \S+|-)\s+(\S+ \S+|-)\s+(.*)|([0-9A-F]{16})\s+"
        r"(\S+)\s+(\S+)\s+(\S+)\s+(.*))$", re.M)),
    ("display ont info", re.compile(
        r"^\s*(\d+)/\s*(\d+)/(\d+)\s+(\d+)\s+(?:([0-9A-F]{16})\s+(\S+)\s+(\S+)\s+(\S+)\s+(\S+)"
        r"\s+(\S+)|(\S.*))\s*$", re.M)),
    ("display ont optical-info", re.compile(
        r"^\s*(\d+)\s+(-?\d+\.\d+)\s+(-?\d+\.\d+)\s+(-?\d+\.\d+)\s+(\d+)\s+\S+\s+\S+\s+(\d+)", re.M)),
    ("display ont version", re.compile(
        r"^\s*(\d+)/\s*(\d+)/\s*(\d+)/\s*(\d+)\s+(\S+)\s+(\S+)\s+(\S+)", re.M)),
    ("display port state", re.compile(r"^\s*(F/S/P|Port state|Laser state)\s+(\S+)\s*$", re.M)),
    ("display mac-address", re.compile(
        r"^\s*(\d+|-)\s+-\s+(\w+)\s+([0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4})\s+(\w+)\s+(\d+)\s*/(\d+)"
        r"\s*/(\d+)\s+(\S+)\s+(\S+)\s+(\d+)", re.M)),
    ("display service-port", re.compile(
        r"^\s*(\d+)\s+(\d+)\s+(\w+)\s+(\w+)\s+(\d+)/(\d+)\s*/(\d+)\s+(\S+)\s+(\S+)\s+(\w+)\s+(\S+)",
        re.M)),
    ("display ont autofind", re.compile(
        r"^\s*(F/S/P|Ont SN|Ont EquipmentID|Ont SoftwareVersion|Ont autofind time)\s*:\s*(.*)$",
        re.M)),
    ("display", re.compile(r"^\s*(\S[^:\n]*?)\s*:\s*(.*)$", re.M)),  # version, uptime, board...
]


def regex_parse(command: str, text: str) -> int:
    for prefix, rx in ROW_RE:
        if command.startswith(prefix):
            return len(rx.findall(text))
    return 0


async def _read_until(proc: Any, prompt: re.Pattern[bytes]) -> bytes:
    buf = bytearray()
    while True:
        chunk = await proc.stdout.read(65536)
        if not chunk:
            raise ConnectionError("session closed")
        buf += chunk
        if prompt.search(buf[-256:]):
            return bytes(buf)


async def _session(olt: dict[str, Any], password: str, datasets: list[list[Step]],
                   totals: dict[str, float]) -> None:
    conn = await asyncssh.connect(olt["host"], port=olt["port"], username="oltsync",
                                  password=password, known_hosts=None)
    try:
        proc = await conn.create_process(term_type="vt100", encoding=None)
        prompt = re.compile(rb"\n[ \t]*" + re.escape(olt["hostname"].encode())
                            + rb"(\([\w./-]+\))?[>#][ \t]*$")
        await _read_until(proc, prompt)
        for line in ("enable", "undo smart", "scroll"):
            proc.stdin.write(line.encode() + b"\n")
            await _read_until(proc, prompt)
        for steps in datasets:
            for line, spec, _vars, _primary in steps:
                proc.stdin.write(line.encode() + b"\n")
                out = await _read_until(proc, prompt)
                if spec is not None:
                    totals["bytes"] += len(out)
                    c0 = time.process_time()
                    totals["rows"] += regex_parse(line, out.decode("utf-8", "replace"))
                    totals["parse_cpu_s"] += time.process_time() - c0
        proc.stdin.write(b"quit\n")
        proc.stdin.write(b"y\n")
    finally:
        conn.close()


async def _scrape(olts: list[dict[str, Any]], password: str, sessions: int,
                  max_sessions: int) -> dict[str, float]:
    profile = profiles.load("huawei_smartax")
    totals = {"bytes": 0.0, "rows": 0.0, "parse_cpu_s": 0.0}
    gate = asyncio.Semaphore(sessions)

    async def one_olt(olt: dict[str, Any]) -> None:
        plan = list(olt_plan(profile, olt).values())
        # the datasets split over max_sessions sessions, as our pool does
        groups = [plan[i::max_sessions] for i in range(max_sessions)]

        async def one(group: list[list[Step]]) -> None:
            async with gate:
                await _session(olt, password, group, totals)

        await asyncio.gather(*(one(g) for g in groups if g))

    await asyncio.gather(*(one_olt(o) for o in olts))
    return totals


def scrape_and_parse(olts: list[dict[str, Any]], password: str, sessions: int,
                     max_sessions: int = 2) -> dict[str, float]:
    """Raw asyncssh over the whole fleet; parse time is measured inside (same thread)."""
    t0, c0 = time.perf_counter(), time.process_time()
    totals = asyncio.run(_scrape(olts, password, sessions, max_sessions))
    wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    return {"wall_s": wall, "cpu_s": cpu, "scrape_cpu_s": cpu - totals["parse_cpu_s"],
            "parse_cpu_s": totals["parse_cpu_s"], "bytes": totals["bytes"], "rows": totals["rows"]}


FLOOR_TABLES = ref_tables.tables("floor")


def _copy_text(rows: list[tuple]) -> io.StringIO:
    def cell(v: Any) -> str:
        if v is None:
            return r"\N"
        return str(v).replace("\\", "\\\\").replace("\t", " ").replace("\n", " ")
    return io.StringIO("".join("\t".join(cell(v) for v in r) + "\n" for r in rows))


def store(dsn: str, truths: list[dict[str, Any]]) -> dict[str, float]:
    """COPY the same rows into a temporary table, then one INSERT … ON CONFLICT per table."""
    t0, c0 = time.perf_counter(), time.process_time()
    conn = psycopg2.connect(dsn)
    written = 0
    with conn, conn.cursor() as cur:
        for table, (src, key, cols) in FLOOR_TABLES.items():
            allc = key + cols
            cur.execute(ref_tables.create_sql(table, key, cols))
            cur.execute(f"CREATE TEMP TABLE tmp_{table} (LIKE {table}) ON COMMIT DROP")
            rows = [tuple(t["name"] if c == "olt" else r.get(c) for c in allc)
                    for t in truths for r in t[src]]
            cur.copy_expert(f"COPY tmp_{table} FROM STDIN", _copy_text(rows))
            sets = ", ".join(f'"{c}" = EXCLUDED."{c}"' for c in cols)
            changed = " OR ".join(f'{table}."{c}" IS DISTINCT FROM EXCLUDED."{c}"' for c in cols)
            cur.execute(f'INSERT INTO {table} SELECT * FROM tmp_{table} '
                        f'ON CONFLICT ({", ".join(key)}) DO UPDATE SET {sets} WHERE {changed}')
            written += cur.rowcount
    conn.close()
    return {"wall_s": time.perf_counter() - t0, "cpu_s": time.process_time() - c0,
            "rows_written": written}

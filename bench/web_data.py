"""The web benchmark's data: a simulated fleet stored through the normal store (storage/store.py,
one transaction per dataset, as a first sync writes it), then what only time gives a real database,
written with the store's own bulk insert: 30 days of hourly optical history for the ONUs of some
OLTs, ONU state changes, a few PON outages and the open low-signal alerts.

Each OLT is generated on its own from (seed, index), as simulator/fleet.py generate_fleet does, and
stored at once, so memory stays at one OLT per process whatever the fleet's size.
"""

from __future__ import annotations

import json
import multiprocessing
import random
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import func, select, text

from alerts.signal import Thresholds
from platforms import profile as profiles
from simulator.fleet import parse_platforms
from simulator.model import Olt
from simulator.platforms import PLATFORMS
from simulator.truth import olt_truth
from storage import bulk, schema, store
from storage.catalogue import COLLECTED
from storage.db import get_engine
from storage.sync import SyncOptions

MIXED = "huawei_smartax,zte_c300,huawei_smartax,zte_c600"  # the demo's mix
TIMES = ("last_up_at", "last_down_at", "found_at")  # ISO text in the truth, datetimes for the store
COUNTED = ("olts", "boards", "pon_ports", "onus", "macs", "service_ports", "clients",
           "unregistered_onus", "onu_optical_history", "onu_state_changes", "outages",
           "signal_alerts", "sync_runs")
HISTORY_CHUNK = 256  # ONUs per bulk insert of history samples (~184k rows)


def generate_olt(index: int, onus: int, seed: int, platform: str) -> Olt:
    """OLT `index` of generate_fleet(n, onus, seed, platform), for any n > index."""
    choices = parse_platforms(platform)
    p, gen = choices[index % len(choices)]
    return PLATFORMS[p].generate(index, onus, seed, p, gen)


def _dataset_tables(platform: str) -> dict[str, tuple[str, ...]]:
    """Per dataset of the platform's profile, the stored tables its commands fill."""
    prof = profiles.load(platform)
    return {name: tuple(dict.fromkeys(c.table for c in ds.commands if c.table in COLLECTED))
            for name, ds in prof.datasets.items()}


def _rows(truth: dict[str, Any], table: str, olt: Olt, now: datetime) -> list[dict[str, Any]]:
    if table == "olt":
        return [{"hostname": olt.hostname, "model": olt.model, "firmware": olt.firmware,
                 "patch": olt.patch, "uptime_s": int((now - olt.booted_at).total_seconds())}]
    rows = truth[table]
    if table == "pon_ports":  # onu_count is derived: count_onus_per_port sets it
        return [{k: v for k, v in r.items() if k != "onu_count"} for r in rows]
    for r in rows:
        for k in TIMES:
            if isinstance(r.get(k), str):
                r[k] = datetime.fromisoformat(r[k])
    return rows


def store_olt(url: str, index: int, onus: int, seed: int, platform: str) -> Olt:
    """One OLT as a first sync stores it: its row, then each dataset in its own transaction."""
    engine = get_engine(url)
    olt = generate_olt(index, onus, seed, platform)
    truth = olt_truth(olt)
    prof = profiles.load(olt.platform)
    now = datetime.now(UTC)
    host = f"10.{20 + index // 250}.{index % 250}.1"
    store.ensure_olt(engine, olt.name, host, 22, olt.platform, prof.vendor)
    started = datetime.now(UTC)
    for dataset, tables in _dataset_tables(olt.platform).items():
        out = store.store_dataset(
            engine, olt.name, dataset, {t: _rows(truth, t, olt, now) for t in tables}, started,
            SyncOptions(), clients=truth["clients"] if "onus" in tables else None)
        if out.status != "ok":
            raise RuntimeError(f"{olt.name}: {dataset} not stored: {out.status} {out.error}")
    store.count_onus_per_port(engine, olt.name)
    store.finish_olt(engine, olt.name, datetime.now(UTC))
    return olt


# -- what time gives: history, state changes, outages, alerts ---------------------------------

def _flaps(rng: random.Random, olt: Olt, hours: int, now: datetime
           ) -> tuple[dict[str, list[tuple[int, int, str]]], list[dict[str, Any]]]:
    """Offline spells inside the window, per serial: (from hour, to hour, cause), hours counted
    back from now (from > to); and the PON outages that caused some of them."""
    spells: dict[str, list[tuple[int, int, str]]] = {}
    by_port: dict[str, list[Any]] = {}
    for o in olt.onus:
        by_port.setdefault(o.port, []).append(o)
        if o.run_state == "online" and rng.random() < 0.12:
            for _ in range(rng.choice([1, 1, 2, 3])):
                start = rng.randrange(3, hours)
                spells.setdefault(o.serial, []).append(
                    (start, max(1, start - rng.randrange(1, 12)), rng.choice(["LOS", "dying-gasp"])))
    outages = []
    for port in rng.sample(sorted(by_port), min(3, len(by_port))):  # a fibre cut: a port goes dark
        start = rng.randrange(24, hours)
        end = start - rng.randrange(2, 8)
        members = [o for o in by_port[port] if o.run_state == "online"]
        for o in members:
            spells.setdefault(o.serial, []).append((start, end, "LOS"))
        outages.append({
            "olt": olt.name, "port": port, "kind": "los", "opened_at": now - timedelta(hours=start),
            "closed_at": now - timedelta(hours=end), "affected": len(members), "los": len(members),
            "dying_gasp": 0, "clients": len({o.client_key for o in members if o.client_key}),
            "serials": json.dumps([o.serial for o in members]), "reopened": 0, "ports": None,
            "told": "closed", "reason": None})
    return spells, outages


def history(url: str, olt: Olt, days: int, seed: int) -> int:
    """Hourly optical samples for every ONU of `olt` over `days` (the store's own sample, taken
    now, is the last), its state changes and outages. Returns the samples written."""
    engine = get_engine(url)
    rng = random.Random(f"history:{seed}:{olt.name}")
    now = datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
    hours = days * 24
    stamps = [now - timedelta(hours=h) for h in range(hours)]  # stamps[h]: h hours ago
    spells, outages = _flaps(rng, olt, hours, now)
    changes: list[dict[str, Any]] = []
    written = 0
    onus = [o for o in olt.onus if o.rx_power_dbm is not None]  # offline now: down before the window
    zte = olt.platform.startswith("zte")
    for i in range(0, len(onus), HISTORY_CHUNK):
        rows: list[dict[str, Any]] = []
        for o in onus[i:i + HISTORY_CHUNK]:
            down = [False] * hours
            for start, end, cause in spells.get(o.serial, ()):
                for h in range(end, start + 1):
                    down[h] = True
                place = {"olt": olt.name, "serial": o.serial, "port": o.port, "onu_id": o.onu_id}
                changes.append({**place, "at": stamps[start], "from_state": "online",
                                "to_state": "offline", "cause": cause})
                changes.append({**place, "at": stamps[end], "from_state": "offline",
                                "to_state": "online", "cause": None})
            rx, olt_rx = o.rx_power_dbm, o.olt_rx_power_dbm
            # the ONUs already weak today were fine a month ago: they drifted down to it
            drift = rng.uniform(4.0, 9.0) if rx <= -27.0 else rng.gauss(0.0, 0.3)
            for h in range(1, hours):  # h = 0 is the store's sample
                if down[h]:
                    continue
                back = drift * h / hours
                sample = {"olt": olt.name, "serial": o.serial, "sampled_at": stamps[h],
                          "rx_power_dbm": round(rx + back + rng.gauss(0.0, 0.15), 2),
                          "olt_rx_power_dbm": round(olt_rx + back + rng.gauss(0.0, 0.15), 2)
                          if olt_rx is not None else None}
                if not zte:
                    sample["tx_power_dbm"] = round(o.tx_power_dbm + rng.gauss(0.0, 0.05), 2)
                    sample["temperature_c"] = o.temperature_c + rng.randrange(-2, 3)
                else:
                    sample["tx_power_dbm"] = sample["temperature_c"] = None
                rows.append(sample)
        with engine.begin() as conn:
            bulk.insert_rows(conn, schema.onu_optical_history, rows)
        written += len(rows)
    changes.sort(key=lambda c: c["at"])
    # each ONU's last down and up are those of its latest spell, as a sync would have stored them
    latest: dict[str, tuple[int, int, str]] = {
        serial: min(ss, key=lambda x: x[1]) for serial, ss in spells.items()}
    o = schema.onus
    with engine.begin() as conn:
        bulk.insert_rows(conn, schema.onu_state_changes, changes)
        bulk.insert_rows(conn, schema.outages, outages)
        for serial, (start, end, cause) in latest.items():
            conn.execute(o.update().where(o.c.olt == olt.name, o.c.serial == serial).values(
                last_down_at=stamps[start], last_down_cause=cause, last_up_at=stamps[end]))
    return written


def fleet_events(url: str, olt: Olt, seed: int) -> None:
    """What the status pass leaves for every OLT: the change that took each offline ONU down, and
    an open alert for each level below its warning threshold."""
    engine = get_engine(url)
    rng = random.Random(f"events:{seed}:{olt.name}")
    th = Thresholds()
    now = datetime.now(UTC)
    changes, alerts = [], []
    for o in olt.onus:
        place = {"olt": olt.name, "serial": o.serial, "port": o.port, "onu_id": o.onu_id}
        if o.run_state != "online" and o.last_down_at is not None:
            changes.append({**place, "at": o.last_down_at, "from_state": "online",
                            "to_state": "offline", "cause": o.last_down_cause})
        for metric, level in (("onu_rx", o.rx_power_dbm), ("olt_rx", o.olt_rx_power_dbm)):
            warning, critical = th.levels(metric)
            if level is not None and level <= warning:
                alerts.append({**place, "metric": metric,
                               "severity": "critical" if level <= critical else "warning",
                               "level_dbm": level,
                               "opened_at": now - timedelta(hours=rng.randrange(1, 24 * 30)),
                               "closed_at": None})
    changes.sort(key=lambda c: c["at"])
    with engine.begin() as conn:
        bulk.insert_rows(conn, schema.onu_state_changes, changes)
        bulk.insert_rows(conn, schema.signal_alerts, alerts)


def _worker(url: str, indexes: list[int], onus: int, seed: int, platform: str, history_olts: int,
            days: int, done: Any) -> None:
    for index in indexes:
        olt = store_olt(url, index, onus, seed, platform)
        fleet_events(url, olt, seed)
        if index < history_olts:
            history(url, olt, days, seed)
        done.put(index)


def build(url: str, olts: int, onus: int, *, history_olts: int, days: int, platform: str = MIXED,
          seed: int = 1, workers: int = 1, say: Callable[[str], None] = print) -> dict[str, Any]:
    """Store the fleet into `url` (migrated, empty). `workers` processes share the OLTs (SQLite:
    use 1, it has one writer). Returns the build's seconds."""
    t0 = time.perf_counter()
    workers = max(1, min(workers, olts))
    # the history OLTs first, in separate workers: they are the long ones
    order = list(range(olts))
    shares = [order[w::workers] for w in range(workers)]
    ctx = multiprocessing.get_context("spawn")  # a fresh engine and interpreter per worker
    done = ctx.Queue()
    procs = [ctx.Process(target=_worker, args=(url, share, onus, seed, platform, history_olts, days,
                                               done), daemon=True) for share in shares if share]
    for p in procs:
        p.start()
    finished, last = 0, time.perf_counter()
    try:
        while finished < olts:
            try:
                done.get(timeout=5)
                finished += 1
            except Exception:  # noqa: BLE001 - queue.Empty: check the workers are alive
                if any(p.exitcode not in (None, 0) for p in procs):
                    raise RuntimeError("a build worker failed (its traceback is above)") from None
                continue
            if time.perf_counter() - last > 15 or finished == olts:
                last = time.perf_counter()
                rate = finished / (last - t0)
                say(f"  stored {finished}/{olts} OLTs, {last - t0:.0f} s "
                    f"(~{(olts - finished) / rate:.0f} s left)")
        for p in procs:
            p.join()
    finally:
        for p in procs:
            if p.is_alive():
                p.kill()
    store_s = time.perf_counter() - t0
    analyze(url)
    return {"store_s": round(store_s, 1), "total_s": round(time.perf_counter() - t0, 1)}


def analyze(url: str) -> None:
    engine = get_engine(url)
    if engine.dialect.name == "postgresql":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("ANALYZE"))
    else:
        with engine.begin() as conn:
            conn.execute(text("ANALYZE"))


def row_counts(url: str) -> dict[str, int]:
    engine = get_engine(url)
    with engine.connect() as conn:
        return {t: conn.scalar(select(func.count()).select_from(schema.metadata.tables[t]))
                for t in COUNTED}

"""Child process of bench/fleet.py: run the real sync-fleet flow (against a temporary Prefect server)
once per label and print JSON figures: wall, this process's CPU split by stage, the Prefect server's
CPU, peak memory (RSS, sampled), Prefect task runs, rows written per table.

    python -m bench.run_flow --inventory inv.yaml --concurrency 16 --label first --label resync
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import threading
import time
from datetime import UTC, datetime
from typing import Any

import psutil
from sqlalchemy import func, select

STAGES = ("login", "scrape", "parse", "store")


class _PeakRss:
    """Samples this process's resident memory; the peak since the last reset."""

    def __init__(self) -> None:
        self.proc = psutil.Process()
        self.peak = 0
        self._stop = threading.Event()
        threading.Thread(target=self._run, daemon=True).start()

    def _run(self) -> None:
        while not self._stop.wait(0.1):
            self.peak = max(self.peak, self.proc.memory_info().rss)

    def reset(self) -> None:
        self.peak = self.proc.memory_info().rss


def _cpu(procs: list[psutil.Process]) -> float:
    total = 0.0
    for proc in procs:
        try:
            t = proc.cpu_times()
            total += t.user + t.system
        except psutil.Error:  # gone meanwhile
            pass
    return total


def _server_cpu() -> float:
    """CPU seconds of the Prefect server so far: ours (its PID given) or our temporary one."""
    pid = os.environ.get("OLTSYNC_BENCH_SERVER_PID")
    root = psutil.Process(int(pid)) if pid else psutil.Process()
    return _cpu(([root] if pid else []) + root.children(recursive=True))


def _helpers_cpu() -> float:
    """CPU seconds of our own child processes: the parse helpers (OLTSYNC_PARSE_PROCESSES), when
    the Prefect server is not one of them."""
    if not os.environ.get("OLTSYNC_BENCH_SERVER_PID"):
        return 0.0
    return _cpu(psutil.Process().children(recursive=True))


def _postgres_cpu() -> float:
    """CPU seconds of PostgreSQL: every postgres process, plus the backends that already exited
    (counted in the postmaster's children times)."""
    total = 0.0
    for proc in psutil.process_iter(["name"]):
        if (proc.info["name"] or "").startswith("postgres"):
            try:
                t = proc.cpu_times()
                total += t.user + t.system + t.children_user + t.children_system
            except psutil.Error:
                pass
    return total


def _others_cpu() -> dict[str, float]:
    """The rest of the machine's CPU budget: the simulator, PostgreSQL, and what stayed idle."""
    sim = os.environ.get("OLTSYNC_BENCH_SIM_PID")
    machine = psutil.cpu_times()
    return {"simulator": _cpu([psutil.Process(int(sim))]) if sim else 0.0,
            "postgresql": _postgres_cpu(), "machine_idle": machine.idle + machine.iowait}


def _counts(client: Any) -> tuple[int, int]:
    tasks = client._client.post("/task_runs/count", json={})  # no sync wrapper for this one
    tasks.raise_for_status()
    return int(tasks.json()), client.count_flow_runs()


def _rows_written(engine: Any, since: datetime) -> dict[str, int]:
    from storage import schema

    r = schema.sync_runs
    tables = {"olt": "boards+pon_ports", "onus": "onus", "macs": "macs",
              "service_ports": "service_ports", "unregistered": "unregistered_onus"}
    out: dict[str, int] = {}
    with engine.connect() as conn:
        for ds, ins, upd, rem in conn.execute(
                select(r.c.dataset, func.sum(r.c.inserted), func.sum(r.c.updated),
                       func.sum(r.c.removed)).where(r.c.started_at >= since)
                .group_by(r.c.dataset)):
            out[tables.get(ds, ds)] = int(ins or 0) + int(upd or 0) + int(rem or 0)
        out["onu_optical_history"] = conn.scalar(
            select(func.count()).select_from(schema.onu_optical_history)
            .where(schema.onu_optical_history.c.sampled_at >= since))
    return out


def _boxes(control: str | None) -> dict[str, dict[str, Any]]:
    if not control:
        return {}
    from simulator.control import send

    return send(control, {"do": "stats"})["olts"]


def _device(before: dict[str, dict[str, Any]], after: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """What the simulated OLTs did during one run, per platform: sums over its OLTs, and the
    busiest OLT's device seconds."""
    out: dict[str, Any] = {}
    for name, b in after.items():
        a = before.get(name, {"commands": 0, "logins": 0, "device_s": 0.0})
        p = out.setdefault(b["platform"], {"olts": 0, "commands": 0, "logins": 0, "device_s": 0.0,
                                           "max_olt_device_s": 0.0})
        spent = b["device_s"] - a["device_s"]
        p["olts"] += 1
        p["commands"] += b["commands"] - a["commands"]
        p["logins"] += b["logins"] - a["logins"]
        p["device_s"] = round(p["device_s"] + spent, 2)
        p["max_olt_device_s"] = round(max(p["max_olt_device_s"], spent), 2)
    return out


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--inventory", required=True)
    ap.add_argument("--concurrency", type=int, default=8)
    ap.add_argument("--label", action="append", required=True)
    ap.add_argument("--control", help="the simulator's control socket: also report what the OLTs "
                                      "did (commands, logins, device seconds) per platform")
    args = ap.parse_args()
    mem = _PeakRss()
    from oltsync.api_auth import lock_test_harness

    if not os.environ.get("PREFECT_API_URL"):
        lock_test_harness()  # before Prefect's import: its temporary server is locked too

    from prefect.client.orchestration import get_client
    from prefect.testing.utilities import prefect_test_harness

    from bench.fleet import server_tuning
    from core.settings import Settings
    from flows.sync_fleet import sync_fleet
    from oltsync.bootstrap import ensure_ssh_limit
    from storage import migrate
    from storage.db import get_engine

    url = os.environ["OLTSYNC_DATABASE_URL"]
    migrate.upgrade(url)
    engine = get_engine(url)
    out: dict[str, Any] = {}
    from contextlib import nullcontext

    harness = (nullcontext() if os.environ.get("PREFECT_API_URL")
               else prefect_test_harness(server_startup_timeout=180))
    with harness:
        ensure_ssh_limit(Settings.from_env())
        for label in args.label:
            with get_client(sync_client=True) as client:
                tasks0, flows0 = _counts(client)
            since = datetime.now(UTC)
            boxes0 = _boxes(args.control)
            mem.reset()
            srv0, cpu0, t0 = _server_cpu(), time.process_time(), time.perf_counter()
            helpers0, others0 = _helpers_cpu(), _others_cpu()
            state = sync_fleet(inventory_path=args.inventory, concurrency=args.concurrency,
                               return_state=True)
            wall = time.perf_counter() - t0
            cpu, srv = time.process_time() - cpu0, _server_cpu() - srv0
            helpers = _helpers_cpu() - helpers0
            others = {k: round(v - others0[k], 2) for k, v in _others_cpu().items()}
            if not state.is_completed():
                print(json.dumps({"error": state.message}), flush=True)
                return 1
            device = _device(boxes0, _boxes(args.control)) if args.control else None
            reports = state.result()["olts"]
            # the server records task runs from their events in batches: let the last one land
            time.sleep(float(server_tuning().get(
                "PREFECT_SERVER_SERVICES_TASK_RUN_RECORDER_FLUSH_INTERVAL", "5")) + 1.0)
            with get_client(sync_client=True) as client:
                tasks1, flows1 = _counts(client)
            stage = dict.fromkeys(STAGES, 0.0)
            stage_wall = dict.fromkeys(STAGES, 0.0)
            commands = logins = nbytes = 0
            for rep in reports.values():
                # every stage of the OLT, paramiko's reader threads counted as scrape CPU
                for k in STAGES:
                    stage[k] += rep["timers"]["cpu_s"].get(k, 0.0)
                    stage_wall[k] += rep["timers"]["wall_s"].get(k, 0.0)
                logins += rep.get("logins", 0)
                for d in rep["datasets"]:
                    commands += d.get("commands", 0)
                    nbytes += d.get("bytes", 0)
            n = len(reports)
            onus = sum((rep.get("onus") or {}).get("total", 0) for rep in reports.values())
            out[label] = {
                "wall_s": round(wall, 2), "olts": n, "onus": onus,
                "cpu_s": {**{k: round(v, 2) for k, v in stage.items()},
                          "parse": round(stage["parse"] + helpers, 2),  # + helper processes
                          "prefect_overhead": round(cpu - sum(stage.values()), 2),
                          "flow_process_total": round(cpu, 2), "parse_helpers": round(helpers, 2),
                          "prefect_server": round(srv, 2)},
                # the machine's other CPU consumers in the same interval, and its idle CPU time
                "machine_cpu_s": others,
                "stage_wall_s_summed": {k: round(v, 2) for k, v in stage_wall.items()},
                "peak_rss_mb": round(mem.peak / 2**20, 1),
                "task_runs_per_olt": round((tasks1 - tasks0) / max(1, n), 2),
                "flow_runs": flows1 - flows0,
                "logins": logins, "commands": commands, "bytes": nbytes,
                "rows_written": _rows_written(engine, since),
                **({"device": device} if device else {}),
            }
    print(json.dumps(out), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())

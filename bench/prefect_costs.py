"""What each Prefect object of one OLT's run costs: a flow run, a task run, a fleet-wide SSH slot
(a leased global concurrency slot), a log line, an event, a table artifact — CPU in the flow's
process and in the Prefect server, and wall time.

    .venv/bin/python -m bench.prefect_costs [--runs 40]

Each variant is a flow run as sync-olt makes one, with nothing in it but the objects measured, run
`--runs` times against a temporary Prefect server (a child process of this one, SQLite as the
harness gives it); the cost of one object is the variant's cost per run, less the bare flow's,
divided by how many the variant makes. The server's CPU is read after it has settled (it records
task runs and events from a queue, after the flow has returned).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Callable

import psutil

VARIANTS = ("bare flow", "5 task runs", "2 SSH slots", "10 log lines", "5 events",
            "1 table artifact")
LIMIT = "bench-ssh-sessions"


def _server_cpu() -> float:
    total = 0.0
    for p in psutil.Process().children(recursive=True):
        try:
            t = p.cpu_times()
            total += t.user + t.system
        except psutil.Error:
            pass
    return total


def _settle(before: float, quiet_s: float = 1.0, limit_s: float = 60) -> float:
    """The server's CPU once it has stopped working (no CPU for `quiet_s`)."""
    last, t0 = _server_cpu(), time.monotonic()
    while time.monotonic() - t0 < limit_s:
        time.sleep(quiet_s)
        now = _server_cpu()
        if now - last < 0.02:
            return now
        last = now
    return last


def _flows() -> dict[str, Callable[[], None]]:
    from prefect import flow, get_run_logger, task
    from prefect.artifacts import create_table_artifact
    from prefect.cache_policies import NO_CACHE
    from prefect.events import emit_event
    from prefect.task_runners import ThreadPoolTaskRunner

    @task(name="noop", cache_policy=NO_CACHE)
    def noop(i: int) -> int:
        return i

    def make(body: Callable[[], None]) -> Callable[[], None]:
        @flow(name="cost", task_runner=ThreadPoolTaskRunner(max_workers=8))
        def run() -> None:
            body()

        return run

    def tasks() -> None:
        [f.result() for f in noop.map(range(5))]

    def logs() -> None:
        log = get_run_logger()
        for i in range(10):
            log.info("line %d", i)

    def events() -> None:
        for i in range(5):
            emit_event(event="oltsync.bench", resource={"prefect.resource.id": f"bench.{i}"})

    def slots() -> None:  # as flows/limits.py takes one per SSH session: leased, strict
        from prefect.concurrency.sync import concurrency

        for _ in range(2):
            with concurrency(LIMIT, occupy=1, max_retries=0, strict=True, lease_duration=120.0,
                             raise_on_lease_renewal_failure=False):
                pass

    def artifact() -> None:
        create_table_artifact(table=[{"dataset": "onus", "rows": 2048}] * 5, key="olt-bench",
                              description="## olt-bench: ok")

    bodies = {"bare flow": lambda: None, "5 task runs": tasks, "2 SSH slots": slots,
              "10 log lines": logs,
              "5 events": events, "1 table artifact": artifact}
    return {name: make(b) for name, b in bodies.items()}


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=40)
    args = ap.parse_args()
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")
    from prefect.testing.utilities import prefect_test_harness

    flows = _flows()
    me = psutil.Process()
    out: dict[str, dict[str, float]] = {}
    with prefect_test_harness(server_startup_timeout=120):
        from prefect.client.orchestration import get_client
        from prefect.client.schemas.actions import GlobalConcurrencyLimitCreate

        with get_client(sync_client=True) as client:
            client.create_global_concurrency_limit(GlobalConcurrencyLimitCreate(name=LIMIT,
                                                                                limit=100))
        flows["bare flow"]()  # imports, first connection: not counted
        for name in VARIANTS:
            server0, t0 = _settle(_server_cpu()), me.cpu_times()
            w0 = time.perf_counter()
            for _ in range(args.runs):
                flows[name]()
            wall = time.perf_counter() - w0
            t1 = me.cpu_times()
            server1 = _settle(server0)
            out[name] = {"flow_cpu_ms": 1000 * (t1.user + t1.system - t0.user - t0.system)
                         / args.runs,
                         "server_cpu_ms": 1000 * (server1 - server0) / args.runs,
                         "wall_ms": 1000 * wall / args.runs}
    base = out["bare flow"]
    per = {"5 task runs": 5, "2 SSH slots": 2, "10 log lines": 10, "5 events": 5,
           "1 table artifact": 1}
    print(f"\n{args.runs} runs of each variant, one temporary Prefect server (SQLite)")
    print(f"{'variant':<18}{'flow CPU ms':>12}{'server CPU ms':>15}{'wall ms':>9}   "
          "one object: flow / server CPU ms, wall ms")
    for name in VARIANTS:
        v = out[name]
        line = f"{name:<18}{v['flow_cpu_ms']:>12.1f}{v['server_cpu_ms']:>15.1f}{v['wall_ms']:>9.1f}"
        if name in per:
            n = per[name]
            line += (f"   {(v['flow_cpu_ms'] - base['flow_cpu_ms']) / n:6.1f} / "
                     f"{(v['server_cpu_ms'] - base['server_cpu_ms']) / n:6.1f}, "
                     f"{(v['wall_ms'] - base['wall_ms']) / n:6.1f}")
        print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main())

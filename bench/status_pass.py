"""Status-pass benchmark: what the 5-minute pass costs a fleet, and how soon a cut port is told.

    .venv/bin/python -m bench.status_pass            # 200 OLTs x 2048 ONUs (about 15 min)
    .venv/bin/python -m bench.status_pass --quick    # 6 x 512

A real `prefect server start` on PostgreSQL, the simulator in its own process (with its control
socket), one hourly sync of the fleet first (the ONUs the pass compares with), then the
status-pass flow run pass after pass in a child process (bench/run_status.py), the same flow the
deployment runs. Figures per pass: wall, CPU of the flow, of the Prefect server and of PostgreSQL
(the simulator's apart: it stands for the OLTs), task and flow runs; the share of the machine's
cores those three use averaged over the 5 minutes between passes; and the time from a port cut on
the last OLT to the message at a local webhook, through the bootstrap's automation.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from bench import fleet as fb
from bench.ref_tables import fresh_database

SIZES = {"full": (200, 2048, 32, 64), "quick": (6, 512, 6, 12)}  # olts, onus, concurrency, slots
PERIOD_S = 300


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.status_pass", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--olts", type=int)
    ap.add_argument("--onus", type=int)
    ap.add_argument("--platform", default="huawei_smartax")
    ap.add_argument("--passes", type=int, default=3, help="passes with nothing changed")
    ap.add_argument("--pg-admin", default="postgresql://postgres@127.0.0.1:5432/postgres")
    ap.add_argument("--keep-db", action="store_true",
                    help="reuse the database of an earlier run of the same size and seed (it is "
                         "upgraded, not re-synced): the passes only")
    ap.add_argument("--profile", help="a pyinstrument profile of one unchanged pass, here")
    ap.add_argument("--json", default=str(fb.ROOT / "bench" / "results" / "status_pass.json"))
    args = ap.parse_args(argv)
    n, m, conc, slots = SIZES["quick" if args.quick else "full"]
    n, m = args.olts or n, args.onus or m
    tmp = Path(tempfile.mkdtemp(prefix="oltsync-status-bench-"))
    print("starting a Prefect server on PostgreSQL ...", flush=True)
    fb.SERVER = fb.PrefectServer(tmp, args.pg_admin)
    sim = None
    try:
        print(f"starting {n} simulated OLTs x {m} ONUs ({args.platform}) ...", flush=True)
        sim = fb.Fleet(tmp, n, m, seed=7, platform=args.platform, control=tmp / "sim.sock")
        name = "oltsync_bench_status"
        db = (args.pg_admin.rsplit("/", 1)[0] + f"/{name}" if args.keep_db
              else fresh_database(args.pg_admin, name)).replace("postgresql://",
                                                                "postgresql+psycopg2://")
        if args.keep_db:
            from storage import migrate

            migrate.upgrade(db)  # the simulator's start from the same seed is the same fleet
            first = {"wall_s": None, "onus": n * m}
        else:
            print("the hourly sync first (the ONUs the pass compares with) ...", flush=True)
            first = fb.run_ours(sim, db, tmp, conc, slots, ["first"])["first"]
            print(f"  {first['wall_s']} s for {first['onus']} ONUs", flush=True)
        env = fb._env(db, tmp, slots, sim.known_hosts, sim.proc.pid)
        last = sim.olts[-1]["name"]
        res = subprocess.run(
            [sys.executable, "-m", "bench.run_status", "--inventory", str(sim.inventory),
             "--control", str(tmp / "sim.sock"), "--passes", str(args.passes),
             "--concurrency", str(conc), "--olt", last]
            + (["--profile", args.profile] if args.profile else []),
            cwd=fb.ROOT, env=env, capture_output=True, text=True)
        lines = res.stdout.strip().splitlines() or ["{}"]
        data = json.loads(lines[-1])
        if res.returncode != 0 or "error" in data:
            raise RuntimeError(f"status pass bench failed: {data.get('error')}\n"
                               f"{res.stderr[-3000:]}")
    finally:
        if sim:
            sim.stop()
        fb.SERVER.stop()
    results = summarize(data, n, m, conc, slots, first)
    Path(args.json).parent.mkdir(parents=True, exist_ok=True)
    Path(args.json).write_text(json.dumps(results, indent=1))
    print_table(results)
    print(f"\nwrote {args.json}")
    return 0


def summarize(data: dict[str, Any], n: int, m: int, conc: int, slots: int,
              first: dict[str, Any]) -> dict[str, Any]:
    unchanged = [p for p in data["passes"] if p["label"].startswith("unchanged")]

    def mean(key: str) -> float:
        return round(sum(p[key] for p in unchanged) / max(1, len(unchanged)), 2)

    ours = mean("flow_cpu_s") + mean("prefect_server_cpu_s") + mean("postgresql_cpu_s")
    cores = os.cpu_count() or 1
    return {"olts": n, "onus_per_olt": m, "concurrency": conc, "ssh_slots": slots, "cores": cores,
            "first_sync_wall_s": first["wall_s"], "passes": data["passes"],
            "unchanged_mean": {k: mean(k) for k in ("wall_s", "flow_cpu_s",
                                                    "prefect_server_cpu_s", "postgresql_cpu_s",
                                                    "simulator_cpu_s", "task_runs", "flow_runs")},
            "cpu_s_per_pass_ours": round(ours, 2),
            "share_of_cores_over_5_min": round(ours / (PERIOD_S * cores), 4),
            "cut": data["cut"],
            # a cut just after the pass read that OLT waits for the next read, 5 minutes later
            "worst_cut_to_message_s": round(PERIOD_S + data["cut"]["olt_read_to_message_s"], 1)}


def print_table(r: dict[str, Any]) -> None:
    print(f"\nstatus pass: {r['olts']} OLTs x {r['onus_per_olt']} ONUs, {r['concurrency']} OLTs at "
          f"a time, {r['ssh_slots']} SSH slots, {r['cores']} cores "
          f"(first hourly sync {r['first_sync_wall_s']} s)")
    print(f"{'pass':<16}{'wall s':>8}{'flow CPU':>10}{'server':>8}{'PG':>7}{'sim':>7}"
          f"{'tasks':>7}{'flows':>7}{'changed':>9}")
    for p in r["passes"]:
        print(f"{p['label']:<16}{p['wall_s']:>8}{p['flow_cpu_s']:>10}"
              f"{p['prefect_server_cpu_s']:>8}{p['postgresql_cpu_s']:>7}{p['simulator_cpu_s']:>7}"
              f"{p['task_runs']:>7}{p['flow_runs']:>7}{p['changed']:>9}")
    c = r["cut"]
    print(f"\nunchanged pass, ours (flow + server + PostgreSQL): {r['cpu_s_per_pass_ours']} CPU s"
          f" = {100 * r['share_of_cores_over_5_min']:.1f} % of {r['cores']} cores over 5 min "
          "(goal <= 25 %)")
    print(f"cut of {c['onus']} ONUs on {c['olt']} {c['port']}: message "
          f"{c['olt_read_to_message_s']} s after the pass read that OLT "
          f"({c['pass_start_to_message_s']} s after the pass began, {c['pass_end_to_message_s']} s "
          f"after it ended); worst case, a cut just after a read: {r['worst_cut_to_message_s']} s "
          f"(goal <= {PERIOD_S + 30} s: one pass + 30 s)")
    print(f"message: {c['message'][:160]}")


if __name__ == "__main__":
    sys.exit(main())

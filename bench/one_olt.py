"""Sync one simulated OLT end to end and say where the time goes.

    .venv/bin/python -m bench.one_olt --onus 2048 [--platform zte_c600] [--pg-admin URL]

The simulator runs in its own process (as a real OLT would be elsewhere); the flow runs here against a
temporary Prefect server. Prints seconds per stage for a first sync (empty database) and a re-sync
(nothing changed), the Prefect task runs per OLT, and the rows written.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

from bench.one_sim import one_simulated_olt


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--onus", type=int, default=2048)
    ap.add_argument("--platform", default="huawei_smartax",
                    help="huawei_smartax, zte_c300 or zte_c600")
    ap.add_argument("--pg-admin", default="postgresql://postgres@127.0.0.1:5432/postgres")
    ap.add_argument("--json", help="write the figures here")
    args = ap.parse_args()
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")
    from oltsync.api_auth import lock_test_harness

    lock_test_harness()  # the temporary server is locked like a real one
    with one_simulated_olt(args.onus, args.platform, args.pg_admin, "oltsync_bench") as (inv, _):
        from prefect.testing.utilities import prefect_test_harness

        from flows.sync_olt import sync_olt

        figures = {}
        from core.settings import Settings
        from oltsync.bootstrap import ensure_ssh_limit

        with prefect_test_harness(server_startup_timeout=120):
            ensure_ssh_limit(Settings.from_env())  # what the bootstrap does on a real server
            for label in ("first sync", "re-sync (nothing changed)"):
                t0 = time.perf_counter()
                rep = sync_olt(olt_name="olt-001", inventory_path=str(inv))
                wall = time.perf_counter() - t0
                figures[label] = {"wall_s": round(wall, 2), "report": rep}
        for label, fig in figures.items():
            rep = fig["report"]
            read = [d for d in rep["datasets"] if d["status"] != "carried"]
            print(f"\n{label}: {fig['wall_s']:.2f} s wall for one {args.platform} OLT of "
                  f"{args.onus} ONUs, {sum(d['commands'] for d in rep['datasets'])} commands "
                  f"({rep['logins']} SSH logins, {len(read)} task runs: one per dataset read, "
                  "each collecting and storing it)")
            print(f"  {'dataset':<14}{'commands':>9}{'scrape s':>10}{'parse s':>9}{'store s':>9}"
                  f"{'rows':>7}  inserted/updated/unchanged/removed")
            for d in rep["datasets"]:
                if d["status"] == "carried":
                    print(f"  {d['dataset']:<14}{d['commands']:>9}  carried: {d['note']}")
                    continue
                c, w = d["counts"], d["timers"]["wall_s"]
                print(f"  {d['dataset']:<14}{d['commands']:>9}{w.get('scrape', 0):>10.3f}"
                      f"{w.get('parse', 0):>9.3f}{w.get('store', 0):>9.3f}{d['rows']:>7}  "
                      f"{c['inserted']}/{c['updated']}/{c['unchanged']}/{c['removed']}")
        if args.json:
            Path(args.json).write_text(json.dumps(figures, indent=1, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Where one OLT's sync spends its CPU, without an orchestrator: sync/olt.py's sync_one_olt under
cProfile, the simulator in its own process (as a real OLT is elsewhere), PostgreSQL.

    .venv/bin/python -m bench.profile_olt --onus 2048 [--platform zte_c300] [--top 25]

Prints the first sync's and the re-sync's wall and CPU seconds, the CPU per component (the
collector's session and reading, parsing, normal forms and rows, storing, the rest) and the
functions that take the most CPU of their own. The datasets run one after the other in one
thread, so that cProfile sees all of them. Run by hand; no Prefect server is involved, so what is
left is the work itself: the flow adds the orchestration on top (bench/one_olt.py).
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import sys
import time
from collections import defaultdict

from bench.one_sim import ROOT, one_simulated_olt

# a function's own CPU goes to the first component whose path it is under
COMPONENTS = [("waiting (the OLT's answers, sleeps, locks)", ("time.sleep", "select.select",
                                                             "_thread.lock", "recv")),
              ("store (SQLAlchemy, psycopg2, our store)", ("sqlalchemy/", "psycopg2", "storage/")),
              ("parse (TextFSM, noise cleaning)", ("parsers/", "textfsm/", "collector/parsing",
                                                    "collector/parse_pool", "collector/linefeeds",
                                                    "core/terminal", "parsers/unwrap")),
              ("rows (normal forms)", ("collector/rows", "collector/normalize")),
              ("session (netmiko, paramiko, reading)", ("netmiko/", "paramiko/", "collector/session",
                                                       "collector/transcript", "cryptography/",
                                                       "collector/allowlist", "nacl/")),
              ("regular expressions", ("re/", "sre_", "<method 'match' of 're.Pattern'",
                                       "<method 'search' of 're.Pattern'",
                                       "<method 'sub' of 're.Pattern'",
                                       "<method 'findall' of 're.Pattern'"))]


def _component(path: str) -> str:
    for name, marks in COMPONENTS:
        if any(m in path for m in marks):
            return name
    return "other (ours, the standard library)"


def _profile(label: str, run) -> list:  # noqa: ANN001
    prof = cProfile.Profile()
    t0, c0 = time.perf_counter(), time.process_time()
    prof.enable()
    outcome = run()
    prof.disable()
    wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    report = outcome.report
    print(f"\n{label}: {wall:.2f} s wall, {cpu:.2f} s CPU in this process, "
          f"{sum(d.commands for d in report.datasets)} commands, status {report.status}")
    stats = pstats.Stats(prof)
    per: dict[str, float] = defaultdict(float)
    rows = []
    for (path, line, name), (_cc, _nc, tt, ct, _callers) in stats.stats.items():
        where = f"{path}:{line}({name})"
        per[_component(where)] += tt
        rows.append((tt, ct, where))
    total = sum(per.values()) or 1.0
    print("  time by component (cProfile's own time: CPU, and waiting where it waits):")
    for name, s in sorted(per.items(), key=lambda x: -x[1]):
        print(f"    {name:<42}{s:8.2f} s {100 * s / total:5.1f} %")
    return rows


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--onus", type=int, default=2048)
    ap.add_argument("--platform", default="huawei_smartax")
    ap.add_argument("--pg-admin", default="postgresql://postgres@127.0.0.1:5432/postgres")
    ap.add_argument("--top", type=int, default=20)
    args = ap.parse_args()
    with one_simulated_olt(args.onus, args.platform, args.pg_admin, "oltsync_profile") as (inv, _):
        from sync.edges import Edges
        from sync.olt import SyncRequest, sync_dataset, sync_one_olt

        def one_by_one(names: list[str], run: object) -> list[object]:
            """The datasets in this thread, one after the other: what cProfile sees."""
            out: list[object] = []
            for name in names:
                try:
                    out.append(sync_dataset(name, run))
                except Exception as exc:  # noqa: BLE001 - its report line
                    out.append(exc)
            return out

        inv, edges = str(inv), Edges(run=one_by_one)
        first = _profile("first sync",
                         lambda: sync_one_olt(SyncRequest.load("olt-001", inv), edges))
        _profile("re-sync (nothing changed)",
                 lambda: sync_one_olt(SyncRequest.load("olt-001", inv), edges))
        print(f"\nfirst sync: the {args.top} functions with the most CPU of their own "
              "(seconds own / with callees)")
        for tt, ct, where in sorted(first, key=lambda r: -r[0])[:args.top]:
            print(f"  {tt:7.3f} {ct:7.3f}  {where.replace(str(ROOT) + '/', '')[-110:]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Fleet benchmark: how many OLTs one worker keeps current, against the floor and against what users
run today. One command; prints a table, writes JSON (and a PNG plot with --plot).

    .venv/bin/python -m bench.fleet                 # every scenario, full size (long: ~30 min)
    .venv/bin/python -m bench.fleet --quick         # every scenario, small (about a minute or two)
    .venv/bin/python -m bench.fleet --scenario a,b  # some scenarios

Scenarios (Huawei SmartAX, the simulator in its own process on this machine):
  a  first sync of N OLTs x M ONUs into an empty PostgreSQL database       (full: 200 x 2048)
  b  the same fleet re-synced with nothing changed                           (runs after a)
  c  real-device latency: ~5 s login, ~3 s per command, limited output rate  (full: 500 x 256)
  d  a small fleet into SQLite, the embedded default                         (full: 8 x 256)
  e  a mixed fleet (Huawei, ZTE C300, C600 in equal parts) with device latency: ~5 s login,
     ~0.3 s per short command, ~3 s per table, a limited output rate; first sync and re-sync,
     with the OLTs' own count of commands and device seconds                   (full: 48 x 1024)
References on the same simulated data, for a and b: the floor (bench/floor.py), the seed-style
baseline (bench/seed_style.py, run on a sample of OLTs and scaled: it is sequential by design) and
a Nornir script (bench/nornir_script.py).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.ref_tables import fresh_database

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "bench-password"

SIZES = {  # scenario: (olts, onus, fleet concurrency in OLTs, SSH session slots)
    "full": {"a": (200, 2048, 32, 64), "c": (500, 256, 96, 128), "d": (8, 256, 8, 16),
             "e": (48, 1024, 48, 48)},
    "quick": {"a": (6, 512, 6, 12), "c": (24, 64, 24, 16), "d": (3, 128, 3, 6),
              "e": (6, 128, 6, 6)},
}
LATENCY = {"full": (5.0, 3.0, 50_000.0), "quick": (1.0, 0.5, 50_000.0)}  # login s, cmd s, B/s
# (e): login s, short command s, table s (an answer of more than 30 lines), output B/s. Modelled
# on operators' reports and vendors' advice, not measured on a box.
LATENCY_E = {"full": (5.0, 0.3, 3.0, 50_000.0), "quick": (1.0, 0.05, 0.3, 200_000.0)}
MIXED = "huawei_smartax,zte_c300,zte_c600"


class Fleet:
    """The simulator in its own process, like real OLTs elsewhere on the network."""

    def __init__(self, tmp: Path, olts: int, onus: int, seed: int,
                 latency: tuple[float, float, float] | None = None,
                 platform: str = "huawei_smartax", control: Path | None = None,
                 table_latency: float = 0.0) -> None:
        self.inventory = tmp / f"inv-{olts}x{onus}.yaml"
        self.truth_path = tmp / f"truth-{olts}x{onus}.json"
        cmd = [sys.executable, "-m", "simulator", "--olts", str(olts), "--onus", str(onus),
               "--seed", str(seed), "--inventory-out", str(self.inventory),
               "--truth-out", str(self.truth_path), "--platform", platform]
        if control:
            cmd += ["--control", str(control)]
        if latency:
            cmd += ["--login-delay", str(latency[0]), "--latency", str(latency[1]),
                    "--output-rate", str(latency[2]), "--table-latency", str(table_latency)]
        t0 = time.perf_counter()
        self.proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.PIPE, text=True,
                                     env={**os.environ, "OLTSYNC_OLT_PASSWORD": PASSWORD})
        line = self.proc.stdout.readline()
        if not line.startswith("simulating"):
            raise RuntimeError(f"simulator did not start: {line!r}")
        self.start_s = time.perf_counter() - t0
        self.olts = json.loads(self.truth_path.read_text())["olts"]
        # every simulator start has a new host key, maybe on a port an earlier fleet used
        self.known_hosts = tmp / f"known_hosts-{self.proc.pid}"

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.wait(30)


def server_tuning() -> dict[str, str]:
    """The Prefect server settings deployments/ gives production (read from its env example)."""
    out = {}
    for line in (ROOT / "deployments" / "oltsync.env.example").read_text().splitlines():
        if line.startswith(("PREFECT_SERVER_SERVICES_", "PREFECT_SERVER_DATABASE_SQLALCHEMY_")):
            k, _, v = line.partition("=")
            out[k.strip()] = v.strip()
    return out


class PrefectServer:
    """A real `prefect server start` on PostgreSQL (as in production), on a free loopback port."""

    def __init__(self, tmp: Path, pg_admin: str) -> None:
        import socket

        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        db = fresh_database(pg_admin, "oltsync_bench_prefect").replace("postgresql://",
                                                                  "postgresql+asyncpg://")
        self.api = f"http://127.0.0.1:{port}/api"
        from oltsync.api_auth import fresh_pair

        self.env = {**fresh_pair(), "PREFECT_API_URL": self.api,
                    "PREFECT_HOME": str(tmp / "prefect-home"),
                    "PREFECT_SERVER_ANALYTICS_ENABLED": "false"}
        self.proc = subprocess.Popen(
            [str(Path(sys.executable).parent / "prefect"), "server", "start", "--host",
             "127.0.0.1", "--port", str(port)],
            cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            env={**os.environ, **self.env, **server_tuning(), "PREFECT_API_DATABASE_CONNECTION_URL": db,
                 "PREFECT_SERVER_API_HOST": "127.0.0.1", "PREFECT_LOGGING_LEVEL": "WARNING"})
        import urllib.request

        deadline = time.monotonic() + 120
        while True:
            try:
                urllib.request.urlopen(self.api + "/health", timeout=2).read()
                break
            except OSError:
                if time.monotonic() > deadline or self.proc.poll() is not None:
                    raise RuntimeError("prefect server did not start") from None
                time.sleep(0.5)

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.wait(30)


SERVER: PrefectServer | None = None


def _env(db_url: str, tmp: Path, slots: int, known_hosts: Path | None = None,
         sim_pid: int | None = None) -> dict[str, str]:
    server = {**SERVER.env, "OLTSYNC_BENCH_SERVER_PID": str(SERVER.proc.pid)} if SERVER else {}
    if sim_pid:
        server["OLTSYNC_BENCH_SIM_PID"] = str(sim_pid)
    return {**os.environ, **server, "OLTSYNC_DATABASE_URL": db_url, "OLTSYNC_OLT_PASSWORD": PASSWORD,
            "OLTSYNC_KNOWN_HOSTS": str(known_hosts or tmp / "known_hosts"),
            "OLTSYNC_SSH_LIMIT_SLOTS": str(slots),
            "PREFECT_SERVER_ANALYTICS_ENABLED": "false", "PREFECT_LOGGING_LEVEL": "WARNING",
            "OLTSYNC_READ_TIMEOUT_S": "600"}


def run_ours(fleet: Fleet, db_url: str, tmp: Path, concurrency: int, slots: int,
             labels: list[str], control: Path | None = None) -> dict[str, Any]:
    cmd = [sys.executable, "-m", "bench.run_flow", "--inventory", str(fleet.inventory),
           "--concurrency", str(concurrency)] + [x for lb in labels for x in ("--label", lb)]
    if control:
        cmd += ["--control", str(control)]
    env = _env(db_url, tmp, slots, fleet.known_hosts, fleet.proc.pid)
    res = subprocess.run(cmd, cwd=ROOT, env=env,
                         capture_output=True, text=True)
    last = (res.stdout.strip().splitlines() or ["{}"])[-1]
    data = json.loads(last)
    if res.returncode != 0 or "error" in data:
        raise RuntimeError(f"sync-fleet failed: {data.get('error')}\n{res.stderr[-3000:]}")
    return data


def _per_k(cpu: dict[str, float], onus: int) -> dict[str, float]:
    return {k: round(v * 1000 / max(1, onus), 3) for k, v in cpu.items()}


def references(fleet: Fleet, dsn: str, tmp: Path, sessions: int, seed_sample: int,
               which: set[str], nornir_sample: int = 0) -> dict[str, Any]:
    from bench import floor, nornir_script, seed_style

    out: dict[str, Any] = {}
    if "floor" in which:
        scrape = floor.scrape_and_parse(fleet.olts, PASSWORD, sessions)
        stored = floor.store(dsn, fleet.olts)
        again = floor.store(dsn, fleet.olts)  # the re-sync: same rows, conflict path
        out["floor"] = {"scrape_parse": scrape, "store_first": stored, "store_again": again,
                        "wall_s": round(scrape["wall_s"] + stored["wall_s"], 2),
                        "wall_s_resync": round(scrape["wall_s"] + again["wall_s"], 2)}
    if "nornir" in which:
        # A sample at the same concurrency, scaled: its threads work through the fleet in waves,
        # so its wall time grows in proportion (checked: 58 of 200 hosts took 29 % of the time).
        sample = fleet.olts[:nornir_sample] if nornir_sample else fleet.olts
        first = nornir_script.run(sample, PASSWORD, dsn, sessions, tmp)
        scale = len(fleet.olts) / len(sample)
        out["nornir"] = {"sample": first, "scaled_from_olts": len(sample),
                         "wall_s": round(first["wall_s"] * scale, 1)}
    if "seed" in which:
        sample = fleet.olts[:seed_sample]
        part = seed_style.run(sample, PASSWORD, dsn)
        scale = sum(len(o["onus"]) for o in fleet.olts) / max(1, part["onus"])
        out["seed"] = {"sample": part, "scaled_from_olts": len(sample),
                       "wall_s": round(part["wall_s"] * scale, 1)}
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.fleet", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--scenario", default="a,b,c,d,e")
    ap.add_argument("--quick", action="store_true", help="small sizes, about a minute or two")
    ap.add_argument("--references", default="floor,seed,nornir")
    ap.add_argument("--olts", type=int, help="override scenario a's OLT count")
    ap.add_argument("--platform", default="huawei_smartax",
                    help="scenario a/b's fleet: platforms[:firmware], comma-separated, cycling "
                         "over the OLTs (e.g. huawei_smartax:V800R015,zte_c600:V1.2.2); the "
                         "references speak Huawei only (use --references '')")
    ap.add_argument("--onus", type=int, help="override scenario a's ONUs per OLT")
    ap.add_argument("--concurrency", type=int, help="override scenario a's OLTs at a time")
    ap.add_argument("--slots", type=int, help="override scenario a's SSH session slots")
    ap.add_argument("--seed-sample", type=int, default=2, help="OLTs the seed-style baseline runs")
    ap.add_argument("--nornir-sample", type=int, default=64,
                    help="OLTs the Nornir script runs (0: all), scaled to the fleet")
    ap.add_argument("--pg-admin", default="postgresql://postgres@127.0.0.1:5432/postgres")
    ap.add_argument("--json", default=str(ROOT / "bench" / "results" / "fleet.json"))
    ap.add_argument("--plot", help="also write the PNG plot here (docs/bench-fleet.png)")
    ap.add_argument("--parse-processes", type=int, default=None,
                    help="OLTSYNC_PARSE_PROCESSES for the flow process (helper processes that "
                         "parse; default: the environment's, else 0)")
    ap.add_argument("--harness", action="store_true",
                    help="use Prefect's temporary SQLite-backed test server instead of a real "
                         "server on PostgreSQL")
    ap.add_argument("--sweep", default="",
                    help="also run scenario a (ours only) at these OLT counts, e.g. 25,50,100, "
                         "for the plot of time and CPU against fleet size")
    args = ap.parse_args(argv)
    size = "quick" if args.quick else "full"
    if args.parse_processes is not None:
        os.environ["OLTSYNC_PARSE_PROCESSES"] = str(args.parse_processes)
    scenarios = set(args.scenario.split(","))
    refs = {r for r in args.references.split(",") if r}
    if refs and args.platform != "huawei_smartax":
        ap.error("the references speak Huawei SmartAX only: add --references ''")
    tmp = Path(tempfile.mkdtemp(prefix="oltsync-fleet-bench-"))
    results: dict[str, Any] = {"size": size, "cpus": os.cpu_count(), "scenarios": {},
                               "parse_processes": int(os.environ.get("OLTSYNC_PARSE_PROCESSES",
                                                                     "0") or 0),
                               "prefect_server": "temporary (SQLite)" if args.harness else
                               "prefect server start, on PostgreSQL"}
    global SERVER
    if not args.harness:
        print("starting a Prefect server on PostgreSQL ...", flush=True)
        SERVER = PrefectServer(tmp, args.pg_admin)
    try:
        _run_scenarios(args, size, scenarios, refs, tmp, results)
    finally:
        if SERVER:
            SERVER.stop()
    return 0


def _run_scenarios(args: argparse.Namespace, size: str, scenarios: set[str], refs: set[str],
                   tmp: Path, results: dict[str, Any]) -> None:

    if args.olts or args.onus or args.concurrency or args.slots:
        n, m, conc, slots = SIZES[size]["a"]
        SIZES[size]["a"] = (args.olts or n, args.onus or m, args.concurrency or conc,
                            args.slots or slots)
    if scenarios & {"a", "b"}:
        n, m, conc, slots = SIZES[size]["a"]
        print(f"[a/b] starting {n} simulated OLTs x {m} ONUs ...", flush=True)
        fleet = Fleet(tmp, n, m, seed=1, platform=args.platform)
        try:
            url = fresh_database(args.pg_admin, "oltsync_bench_fleet")
            db = url.replace("postgresql://", "postgresql+psycopg2://")
            labels = [x for x in ("a", "b") if x in scenarios]
            if "b" in scenarios and "a" not in scenarios:
                labels = ["a", "b"]
            print(f"[a/b] sync-fleet x{len(labels)}, {conc} OLTs at a time, {slots} SSH slots",
                  flush=True)
            ours = run_ours(fleet, db, tmp, conc, slots, labels)
            try:  # a reference that fails loses its own figure, not ours
                ref = (references(fleet, url, tmp, slots, args.seed_sample, refs,
                                  args.nornir_sample) if refs else {})
            except RuntimeError as exc:
                print(f"[a/b] a reference failed: {exc}", flush=True)
                results["references_error"] = str(exc)[:2000]
                ref = {}
        finally:
            fleet.stop()
        for label in labels:
            r = ours[label]
            r["cpu_per_1000_onus_s"] = _per_k(r["cpu_s"], r["onus"])
            results["scenarios"][label] = {"olts": n, "onus_per_olt": m, "concurrency": conc,
                                           "ssh_slots": slots, "platform": args.platform,
                                           "ours": r}
        if ref:
            a = results["scenarios"].get("a")
            ratios: dict[str, Any] = {}
            if "floor" in ref and a:
                ratios["ours_vs_floor"] = round(a["ours"]["wall_s"] / ref["floor"]["wall_s"], 2)
            if "floor" in ref and "b" in results["scenarios"]:
                ratios["ours_resync_vs_floor_resync"] = round(
                    results["scenarios"]["b"]["ours"]["wall_s"] / ref["floor"]["wall_s_resync"], 2)
            if "seed" in ref and a:
                ratios["seed_baseline_vs_ours"] = round(ref["seed"]["wall_s"] / a["ours"]["wall_s"], 1)
            if "nornir" in ref and a:
                ratios["nornir_vs_ours"] = round(ref["nornir"]["wall_s"] / a["ours"]["wall_s"], 2)
            results["references"] = ref
            results["ratios"] = ratios

    _save(args, results)
    if "c" in scenarios:
        n, m, conc, slots = SIZES[size]["c"]
        lat = LATENCY[size]
        print(f"[c] {n} OLTs x {m} ONUs, login {lat[0]} s, {lat[1]} s per command, "
              f"{lat[2]:.0f} B/s; {conc} OLTs at a time, {slots} SSH slots", flush=True)
        control = tmp / "sim-c.sock"
        fleet = Fleet(tmp, n, m, seed=3, latency=lat, control=control)
        try:
            url = fresh_database(args.pg_admin, "oltsync_bench_latency")
            ours = run_ours(fleet, url.replace("postgresql://", "postgresql+psycopg2://"), tmp,
                            conc, slots, ["c"], control=control)["c"]
        finally:
            fleet.stop()
        # what the OLTs themselves spent (the simulator counts it): logins, per-command latency,
        # output at the limited rate
        device = sum(p["device_s"] for p in ours["device"].values())
        ideal = device / slots
        ours["cpu_per_1000_onus_s"] = _per_k(ours["cpu_s"], ours["onus"])
        results["scenarios"]["c"] = {
            "olts": n, "onus_per_olt": m, "concurrency": conc, "ssh_slots": slots,
            "latency": {"login_s": lat[0], "command_s": lat[1], "output_bps": lat[2]},
            "ours": ours, "device_time_s": round(device, 1),
            "device_time_over_sessions_s": round(ideal, 1),
            "ratio_to_ideal": round(ours["wall_s"] / ideal, 2)}

    _save(args, results)
    if "d" in scenarios:
        n, m, conc, slots = SIZES[size]["d"]
        print(f"[d] {n} OLTs x {m} ONUs into SQLite", flush=True)
        fleet = Fleet(tmp, n, m, seed=4)
        try:
            ours = run_ours(fleet, f"sqlite:///{tmp / 'bench.db'}", tmp, conc, slots, ["d"])["d"]
        finally:
            fleet.stop()
        ours["cpu_per_1000_onus_s"] = _per_k(ours["cpu_s"], ours["onus"])
        results["scenarios"]["d"] = {"olts": n, "onus_per_olt": m, "concurrency": conc,
                                     "ssh_slots": slots, "ours": ours}

    _save(args, results)
    if "e" in scenarios:
        results["scenarios"].update(_scenario_e(args, size, tmp))

    _save(args, results)
    if args.sweep:
        _, m, conc, slots = SIZES[size]["a"]
        results["sweep"] = []
        for n in [int(x) for x in args.sweep.split(",") if x]:
            print(f"[sweep] {n} OLTs x {m} ONUs", flush=True)
            fleet = Fleet(tmp, n, m, seed=1)
            try:
                url = fresh_database(args.pg_admin, "oltsync_bench_sweep")
                r = run_ours(fleet, url.replace("postgresql://", "postgresql+psycopg2://"), tmp,
                             conc, slots, ["a"])["a"]
            except RuntimeError as exc:
                results["sweep"].append({"olts": n, "error": str(exc)[:500]})
                continue
            finally:
                fleet.stop()
            results["sweep"].append({"olts": n, "onus_per_olt": m, "wall_s": r["wall_s"],
                                     "cpu_s": r["cpu_s"], "peak_rss_mb": r["peak_rss_mb"]})
        a = results["scenarios"].get("a")
        if a:  # the main run is a point too
            results["sweep"].append({"olts": a["olts"], "onus_per_olt": m,
                                     "wall_s": a["ours"]["wall_s"], "cpu_s": a["ours"]["cpu_s"],
                                     "peak_rss_mb": a["ours"]["peak_rss_mb"],
                                     **({"floor_wall_s": results["references"]["floor"]["wall_s"]}
                                        if "floor" in results.get("references", {}) else {})})

    _save(args, results)
    print_table(results)
    print(f"\nJSON: {args.json}")
    if args.plot:
        from bench.plot import plot

        plot([results], Path(args.plot))
        print(f"plot: {args.plot}")


def _scenario_e(args: argparse.Namespace, size: str, tmp: Path) -> dict[str, Any]:
    """Mixed fleet with device latency: the first sync and an hourly re-sync with nothing changed,
    against what the OLTs themselves spent (the simulator counts it)."""
    n, m, conc, slots = SIZES[size]["e"]
    login, short, table, rate = LATENCY_E[size]
    print(f"[e] {n} OLTs x {m} ONUs ({MIXED}), login {login} s, {short} s per command, {table} s "
          f"per table, {rate:.0f} B/s; {conc} OLTs at a time, {slots} SSH slots", flush=True)
    control = tmp / "sim-e.sock"
    fleet = Fleet(tmp, n, m, seed=5, latency=(login, short, rate), platform=MIXED,
                  control=control, table_latency=table)
    try:
        url = fresh_database(args.pg_admin, "oltsync_bench_mixed")
        ours = run_ours(fleet, url.replace("postgresql://", "postgresql+psycopg2://"), tmp,
                        conc, slots, ["e", "e_resync"], control=control)
    finally:
        fleet.stop()
    out = {}
    for label, r in ours.items():
        r["cpu_per_1000_onus_s"] = _per_k(r["cpu_s"], r["onus"])
        device = r["device"]
        total = sum(p["device_s"] for p in device.values())
        busiest = max(p["max_olt_device_s"] for p in device.values())
        ideal = total / slots
        out[label] = {
            "olts": n, "onus_per_olt": m, "concurrency": conc, "ssh_slots": slots,
            "platform": MIXED, "ours": r,
            "latency": {"login_s": login, "command_s": short, "table_s": table,
                        "output_bps": rate},
            "per_platform": {k: {"commands_per_olt": round(p["commands"] / p["olts"], 1),
                                 "device_s_per_olt": round(p["device_s"] / p["olts"], 1),
                                 "logins_per_olt": round(p["logins"] / p["olts"], 2)}
                             for k, p in device.items()},
            "device_time_s": round(total, 1), "device_time_over_sessions_s": round(ideal, 1),
            # one OLT's own sessions bound it too (inventory max_sessions, default 2)
            "busiest_olt_device_s": busiest,
            "ratio_to_ideal": round(r["wall_s"] / ideal, 2) if ideal else None}
    if "e" in out and "e_resync" in out:
        out["e_resync"]["resync_device_vs_first"] = round(
            out["e_resync"]["device_time_s"] / max(0.1, out["e"]["device_time_s"]), 3)
    return out


def _save(args: argparse.Namespace, results: dict[str, Any]) -> None:
    """Written after every scenario: a long run that fails late keeps what it measured."""
    path = Path(args.json)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(results, indent=1))


def print_table(results: dict[str, Any]) -> None:
    print(f"\nsize: {results['size']}, {results['cpus']} CPUs")
    head = (f"{'scenario':<9}{'OLTs':>5}{'ONUs':>8}{'wall s':>8}{'peak MB':>8}{'tasks/OLT':>10}"
            f"   CPU s per 1000 ONUs: login scrape parse store prefect (server)")
    print(head)
    for name, sc in results["scenarios"].items():
        o = sc["ours"]
        c = o["cpu_per_1000_onus_s"]
        print(f"{name:<9}{sc['olts']:>5}{o['onus']:>8}{o['wall_s']:>8.1f}{o['peak_rss_mb']:>8.0f}"
              f"{o['task_runs_per_olt']:>10.1f}   {c['login']:.3f} {c['scrape']:.3f} "
              f"{c['parse']:.3f} {c['store']:.3f} {c['prefect_overhead']:.3f} "
              f"({c['prefect_server']:.3f})")
    for name, sc in results["scenarios"].items():
        print(f"rows written ({name}): {sc['ours']['rows_written']}")
    for name, sc in results["scenarios"].items():
        m = sc["ours"].get("machine_cpu_s")
        if m:
            print(f"the rest of the 2-core budget ({name}), CPU s: simulator {m['simulator']:.1f}, "
                  f"PostgreSQL {m['postgresql']:.1f}, idle {m['machine_idle']:.1f}")
    for name in ("e", "e_resync"):
        e = results["scenarios"].get(name)
        if e:
            print(f"{name}: device time {e['device_time_s']:.0f} s / {e['ssh_slots']} sessions = "
                  f"{e['device_time_over_sessions_s']:.0f} s; ours {e['ours']['wall_s']:.0f} s "
                  f"({e['ratio_to_ideal']}x); busiest OLT {e['busiest_olt_device_s']:.0f} device s")
            for k, p in e["per_platform"].items():
                print(f"   {k:<15} {p['commands_per_olt']:>8.1f} commands/OLT "
                      f"{p['device_s_per_olt']:>8.1f} device s/OLT {p['logins_per_olt']:.1f} logins")
            if "resync_device_vs_first" in e:
                print(f"   re-sync device time / first sync's: {e['resync_device_vs_first']:.1%}")
    if "b" in results["scenarios"] and "a" in results["scenarios"]:
        sc = results["scenarios"]
        print(f"b / a wall: {sc['b']['ours']['wall_s'] / sc['a']['ours']['wall_s']:.1%}")
    if "c" in results["scenarios"]:
        c = results["scenarios"]["c"]
        print(f"c: device time {c['device_time_s']:.0f} s / {c['ssh_slots']} sessions = "
              f"{c['device_time_over_sessions_s']:.0f} s; ours {c['ours']['wall_s']:.0f} s "
              f"({c['ratio_to_ideal']}x)")
    ref = results.get("references", {})
    if "floor" in ref:
        f = ref["floor"]
        print(f"floor: scrape+parse {f['scrape_parse']['wall_s']:.1f} s wall (parse CPU "
              f"{f['scrape_parse']['parse_cpu_s']:.1f} s), store COPY+upsert "
              f"{f['store_first']['wall_s']:.1f} s (again: {f['store_again']['wall_s']:.1f} s)")
    if "seed" in ref:
        s = ref["seed"]
        print(f"seed-style baseline: {s['sample']['wall_s']:.1f} s for {s['scaled_from_olts']} "
              f"OLTs -> {s['wall_s']:.0f} s for the fleet")
    if "nornir" in ref:
        print(f"nornir script: {ref['nornir']['wall_s']:.1f} s")
    if results.get("ratios"):
        print("ratios:", results["ratios"])


if __name__ == "__main__":
    sys.exit(main())

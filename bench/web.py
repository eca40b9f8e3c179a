"""Benchmark of the read-only web page (`oltsync web`): latency and throughput of its search, ONU
list and ONU page on a full-size inventory. Run by hand; prints figures, not a test.

    .venv/bin/python -m bench.web                       # PostgreSQL, 200 OLTs x 2,048 ONUs
    .venv/bin/python -m bench.web --keep                # ... and keep the database for a re-run
    .venv/bin/python -m bench.web --reuse               # re-run on the kept database (no build)
    .venv/bin/python -m bench.web --sqlite              # the same into a SQLite file
    .venv/bin/python -m bench.web --olts 10 --requests 50   # a quick look

On 2 cores: the PostgreSQL build takes ~75 s (2 store processes), the SQLite one ~135 s (one
writer); the load ~1.5 min on PostgreSQL, ~6 min on SQLite (its search scans every ONU and MAC).
SQLite gets the same default scale: it builds and answers at full size, only slower.

The data is built through the normal store (bench/web_data.py): each simulated OLT (the demo's mix
of Huawei SmartAX, ZTE C300 and C600) stored dataset by dataset as a first sync stores it, then 30
days of hourly optical history for every ONU of the first --history-olts OLTs, state changes,
outages and low-signal alerts with the store's bulk insert. Then `python -m oltsync web` runs as a
subprocess and --clients concurrent clients (threads, one HTTP connection each) send --requests
requests per route family, on targets drawn from the database before timing. Per family: errors,
client-side latency percentiles, throughput, the server's own time (its `Server-Timing` header)
and the share of it spent in the database. Any failed request makes the run fail.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import queue
import random
import re
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

import httpx
from sqlalchemy import func, select, text

from bench import web_data

ROOT = Path(__file__).resolve().parent.parent
DB_NAME = "oltsync_bench_web"
PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"
SQLITE_FILE = Path(tempfile.gettempdir()) / "oltsync_bench_web.db"
TIMING = re.compile(r"(\w+);dur=([0-9.]+)")
REQUEST_TIMEOUT_S = 120.0
FAMILIES = ("search api serial", "search api mac", "search html serial", "search html mac",
            "onus olt offline", "onus band weak", "onus port by rx", "onu page")


# -- the database --------------------------------------------------------------------------------

class RunLock:
    """One run at a time per database: a second run (a --reuse while another builds) would drop
    it under the first. PostgreSQL: a session advisory lock on the admin database; SQLite: flock."""

    def __init__(self, args: argparse.Namespace) -> None:
        self.args, self._conn, self._file = args, None, None

    def __enter__(self) -> RunLock:
        name = f"sqlite {self.args.sqlite}" if self.args.sqlite else f"database {self.args.db_name}"
        if self.args.sqlite:
            import fcntl

            self._file = open(str(self.args.sqlite) + ".bench-lock", "w")  # noqa: SIM115
            try:
                fcntl.flock(self._file, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                raise SystemExit(f"another bench.web run is using {name}; wait for it") from None
        else:
            import psycopg2

            self._conn = psycopg2.connect(self.args.pg_admin)
            self._conn.autocommit = True
            with self._conn.cursor() as cur:
                cur.execute("SELECT pg_try_advisory_lock(hashtext(%s))", (f"bench.web:{name}",))
                if not cur.fetchone()[0]:
                    raise SystemExit(f"another bench.web run is using {name}; wait for it")
        return self

    def __exit__(self, *exc: object) -> None:
        if self._conn is not None:
            self._conn.close()  # the lock goes with the session
        if self._file is not None:
            Path(self._file.name).unlink(missing_ok=True)
            self._file.close()


def _pg_exists(admin: str, name: str) -> bool:
    import psycopg2

    conn = psycopg2.connect(admin)
    try:
        with conn.cursor() as cur:
            cur.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,))
            return cur.fetchone() is not None
    finally:
        conn.close()


def drop_pg(admin: str, name: str) -> None:
    import psycopg2

    conn = psycopg2.connect(admin)
    conn.autocommit = True
    try:
        conn.cursor().execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        conn.close()


def _holds_fleet(url: str, args: argparse.Namespace) -> str | None:
    """None if the database at `url` holds the fleet these arguments build, else why not."""
    from storage import schema
    from storage.db import get_engine

    o, h = schema.onus, schema.onu_optical_history
    try:
        with get_engine(url).connect() as conn:
            olts = conn.scalar(select(func.count()).select_from(schema.olts))
            onus = conn.scalar(select(func.count()).select_from(o).where(o.c.removed_at.is_(None)))
            hist = conn.scalar(select(func.count()).select_from(h).where(
                h.c.olt == f"olt-{args.history_olts:03d}")) if args.history_olts else 0
    except Exception as exc:  # noqa: BLE001 - not a database of ours: rebuild
        return f"unreadable ({type(exc).__name__})"
    want_hist = args.onus * args.days * 24 // 2  # offline ONUs and outages leave gaps
    if olts != args.olts or onus != args.olts * args.onus or hist < want_hist:
        return (f"it holds {olts} OLTs, {onus} ONUs, {hist} samples of olt-{args.history_olts:03d}; "
                f"wanted {args.olts}, {args.olts * args.onus}, >= {want_hist}")
    return None


def prepare_database(args: argparse.Namespace) -> tuple[str, dict[str, Any]]:
    """The database's URL, built (or reused) and migrated; the build's figures."""
    from storage import migrate

    if args.sqlite:
        path = Path(args.sqlite).resolve()
        url = f"sqlite:///{path}"
        exists = path.exists()
    else:
        url = args.pg_admin.rsplit("/", 1)[0] + f"/{args.db_name}"
        url = url.replace("postgresql://", "postgresql+psycopg2://")
        exists = _pg_exists(args.pg_admin, args.db_name)
    if args.reuse and exists:
        before = migrate.current(url)
        migrate.upgrade(url)  # a migration added since the build (an index) applies to it
        why = _holds_fleet(url, args)
        if why is None:
            if before != migrate.head():
                web_data.analyze(url)  # statistics for what the migration added
            print(f"database {url}: reused (it holds the fleet), migrated from {before} to "
                  f"{migrate.head()}")
            return url, {"reused": True, "migrated_from": before}
        print(f"database {url}: not reused, {why}: building it again")
    if args.sqlite:
        for suffix in ("", "-wal", "-shm"):
            Path(str(path) + suffix).unlink(missing_ok=True)
    else:
        from bench.ref_tables import fresh_database

        fresh_database(args.pg_admin, args.db_name)
    migrate.upgrade(url)
    workers = 1 if args.sqlite else args.build_workers
    print(f"building {args.olts} OLTs x {args.onus} ONUs ({args.platform}) into {url}, "
          f"{args.days} days of hourly history for {args.history_olts} OLT(s), "
          f"{workers} store process(es)...")
    t0 = time.perf_counter()
    build = web_data.build(url, args.olts, args.onus, history_olts=args.history_olts,
                           days=args.days, platform=args.platform, seed=args.seed, workers=workers)
    build["wall_s"] = round(time.perf_counter() - t0, 1)
    print(f"built in {build['wall_s']:.1f} s (storing {build['store_s']:.1f} s, ANALYZE "
          f"{build['total_s'] - build['store_s']:.1f} s)")
    return url, build


# -- what to ask for ---------------------------------------------------------------------------

@dataclass
class Family:
    name: str
    what: str  # one line: the route and how its targets are drawn
    urls: list[str]
    headers: dict[str, str] = field(default_factory=dict)


def _serial_fragment(rng: random.Random, serial: str) -> str:
    """6 characters from the middle of a stored serial: HWTC1A2B3C4D -> 1A2B3C (or C1A2B3...)."""
    start = rng.randrange(3, len(serial) - 6 + 1)
    return serial[start:start + 6]


def _mac_fragment(rng: random.Random, mac: str) -> str:
    """Part of a stored MAC (aa:bb:cc:dd:ee:ff) in another notation: BBCC-DDEE or cc.dd.ee."""
    b = mac.split(":")
    if rng.random() < 0.5:
        return f"{b[1]}{b[2]}-{b[3]}{b[4]}".upper()
    return ".".join(b[3:6])


def plan(url: str, args: argparse.Namespace) -> list[Family]:
    """Every family's request targets, drawn from the database before anything is timed."""
    from storage import schema
    from storage.db import get_engine

    rng = random.Random(args.seed)
    o, m, pp = schema.onus, schema.macs, schema.pon_ports
    n = args.requests
    with get_engine(url).connect() as conn:
        onus = conn.execute(select(o.c.olt, o.c.serial).where(o.c.removed_at.is_(None))).all()
        macs = conn.execute(select(m.c.mac).where(m.c.removed_at.is_(None))).scalars().all()
        olts = conn.execute(select(schema.olts.c.name).order_by(schema.olts.c.name)).scalars().all()
        ports = conn.execute(select(pp.c.olt, pp.c.port).where(
            pp.c.removed_at.is_(None), pp.c.onu_count > 0)).all()
        historic = [f"olt-{i + 1:03d}" for i in range(args.history_olts)]
        graphed = conn.execute(select(o.c.olt, o.c.serial).where(
            o.c.removed_at.is_(None), o.c.olt.in_(historic))).all() if historic else onus
    serials = [_serial_fragment(rng, s) for _, s in rng.choices(onus, k=n)]
    mac_parts = [_mac_fragment(rng, mac) for mac in rng.choices(macs, k=n)]
    htmx = {"HX-Request": "true"}

    def q(path: str, **params: str) -> str:
        return f"{path}?{urlencode(params)}"

    return [
        Family("search api serial", "GET /api/search?q=<6 characters of a serial>",
               [q("/api/search", q=s) for s in serials]),
        Family("search api mac", "GET /api/search?q=<part of a MAC, BBCC-DDEE or cc.dd.ee>",
               [q("/api/search", q=s) for s in mac_parts]),
        Family("search html serial", "GET /search?q=<serial part>, HX-Request (the partial)",
               [q("/search", q=s) for s in serials[::-1]], htmx),
        Family("search html mac", "GET /search?q=<MAC part>, HX-Request (the partial)",
               [q("/search", q=s) for s in mac_parts[::-1]], htmx),
        Family("onus olt offline", "GET /onus?olt=<random OLT>&state=offline",
               [q("/onus", olt=rng.choice(olts), state="offline") for _ in range(n)]),
        Family("onus band weak", "GET /onus?band=weak (the whole fleet, first page)",
               ["/onus?band=weak"] * n),
        Family("onus port by rx", "GET /onus?olt=<OLT>&port=<its PON port>&sort=rx",
               [q("/onus", olt=olt, port=port, sort="rx") for olt, port in rng.choices(ports, k=n)]),
        Family("onu page", f"GET /onus/<olt>/<serial>, ONUs of the {len(historic)} OLT(s) with "
               f"{args.days} days of history",
               [f"/onus/{quote(olt, safe='')}/{quote(s, safe='')}"
                for olt, s in rng.choices(graphed, k=n)]),
    ]


# -- the server -----------------------------------------------------------------------------------

def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _started(pid: int) -> int | None:
    """A process's start time (clock ticks since boot): with its PID, its identity."""
    try:
        return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[19])
    except (OSError, IndexError, ValueError):
        return None


class Server:
    """`python -m oltsync web` on a free loopback port, with fresh credentials; stopped by PID."""

    def __init__(self, url: str, log: Path, command: str | None = None) -> None:
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.auth = ("bench", secrets.token_urlsafe(18))
        self.log = log
        env = {**os.environ, "OLTSYNC_DATABASE_URL": url,
               "OLTSYNC_WEB_AUTH": f"{self.auth[0]}:{self.auth[1]}"}
        cmd = ([sys.executable, "-m", "oltsync", "web", "--host", "127.0.0.1", "--port",
                str(self.port)] if command is None
               else command.format(python=sys.executable, host="127.0.0.1", port=self.port).split())
        self.cmd = cmd
        self._out = log.open("wb")
        self.proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=self._out,
                                     stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)

    def wait_ready(self, timeout_s: float = 90.0) -> None:
        deadline = time.monotonic() + timeout_s
        with httpx.Client(base_url=self.base, auth=self.auth, timeout=5) as c:
            while time.monotonic() < deadline:
                if self.proc.poll() is not None:
                    raise RuntimeError(f"the web server exited ({self.proc.returncode}):\n{self.tail()}")
                try:
                    r = c.get("/api/search", params={"q": "olt-001"})
                except httpx.HTTPError:
                    time.sleep(0.3)
                    continue
                if r.status_code == 200:
                    return
                raise RuntimeError(f"the web server answers {r.status_code} to an authenticated "
                                   f"search: {r.text[:300]}\n{self.tail()}")
                time.sleep(0.3)
        raise RuntimeError(f"the web server did not answer in {timeout_s:.0f} s:\n{self.tail()}")

    def pids(self) -> list[int]:
        """The server's process and its descendants (uvicorn's workers), alive now."""
        parents: dict[int, int] = {}
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                fields = stat.read_text().rsplit(")", 1)[1].split()
                parents[int(stat.parent.name)] = int(fields[1])
            except (OSError, IndexError, ValueError):
                continue
        tree, grew = {self.proc.pid}, True
        while grew:
            more = {pid for pid, ppid in parents.items() if ppid in tree} - tree
            tree |= more
            grew = bool(more)
        return sorted(p for p in tree if p in parents)

    def cpu_s(self) -> float:
        """CPU seconds (user + system) of the server's processes so far."""
        total = 0.0
        for pid in self.pids():
            try:
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
                total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
            except (OSError, IndexError, ValueError):
                continue
        return total

    def tail(self, lines: int = 30) -> str:
        self._out.flush()
        try:
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""

    def stop(self) -> None:
        """By PID: the server, then any of its workers still alive (the server stops them itself)."""
        workers = {p: _started(p) for p in self.pids() if p != self.proc.pid}
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)
        for pid, started in workers.items():
            if started is not None and _started(pid) == started:  # still that process, not a reuse
                try:
                    os.kill(pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
        self._out.close()


# -- the load --------------------------------------------------------------------------------------

@dataclass
class Sample:
    ms: float
    status: int  # 0: no answer (connection error, timeout)
    db_ms: float | None
    total_ms: float | None
    detail: str = ""


def _one(client: httpx.Client, url: str, headers: dict[str, str]) -> Sample:
    t0 = time.perf_counter()
    try:
        r = client.get(url, headers=headers)
        body = r.content  # read whole: the client's latency includes the body
    except httpx.HTTPError as exc:
        return Sample((time.perf_counter() - t0) * 1000, 0, None, None, f"{type(exc).__name__}: {exc}")
    ms = (time.perf_counter() - t0) * 1000
    timing = dict(TIMING.findall(r.headers.get("server-timing", "")))
    detail = "" if r.status_code == 200 else body[:200].decode(errors="replace")
    return Sample(ms, r.status_code, float(timing["db"]) if "db" in timing else None,
                  float(timing["total"]) if "total" in timing else None, detail)


def run_family(server: Server, fam: Family, clients: int) -> tuple[list[Sample], float]:
    """Every URL of `fam` once, from `clients` threads with one connection each; the wall time."""
    work: queue.SimpleQueue[str] = queue.SimpleQueue()
    for u in fam.urls:
        work.put(u)
    out: list[Sample] = []
    lock = threading.Lock()
    start = threading.Barrier(clients + 1, timeout=60)

    def client_loop() -> None:
        mine: list[Sample] = []
        try:
            with httpx.Client(base_url=server.base, auth=server.auth, timeout=REQUEST_TIMEOUT_S) as c:
                c.get("/healthz")  # the connection is open before the clock starts
                start.wait()
                while True:
                    try:
                        u = work.get_nowait()
                    except queue.Empty:
                        break
                    mine.append(_one(c, u, fam.headers))
        except Exception as exc:  # noqa: BLE001 - counted as a failed request, never lost
            mine.append(Sample(0.0, 0, None, None, f"client thread: {type(exc).__name__}: {exc}"))
        with lock:
            out.extend(mine)

    threads = [threading.Thread(target=client_loop, daemon=True) for _ in range(clients)]
    for t in threads:
        t.start()
    start.wait()
    t0 = time.perf_counter()
    for t in threads:
        t.join()
    return out, time.perf_counter() - t0


def pct(xs: list[float], q: float) -> float:
    """Nearest-rank percentile of sorted `xs`."""
    return xs[min(len(xs) - 1, max(0, math.ceil(q * len(xs)) - 1))] if xs else float("nan")


def figures(samples: list[Sample], wall_s: float, srv_cpu_s: float, cli_cpu_s: float) -> dict[str, Any]:
    ms = sorted(s.ms for s in samples)
    ok = [s for s in samples if s.status == 200]
    totals = sorted(s.total_ms for s in ok if s.total_ms is not None)
    db = sum(s.db_ms for s in ok if s.db_ms is not None and s.total_ms is not None)
    n = len(samples)
    errors = [s for s in samples if s.status != 200]
    return {
        "requests": n, "errors": len(errors),
        "error_examples": sorted({f"{s.status} {s.detail[:160]}" for s in errors})[:5],
        "p50_ms": round(pct(ms, 0.50), 1), "p95_ms": round(pct(ms, 0.95), 1),
        "p99_ms": round(pct(ms, 0.99), 1), "max_ms": round(ms[-1], 1) if ms else None,
        "mean_ms": round(sum(ms) / n, 1) if n else None,
        "req_per_s": round(n / wall_s, 1) if wall_s else None,
        "server_p50_ms": round(pct(totals, 0.50), 1), "server_p95_ms": round(pct(totals, 0.95), 1),
        "db_share": round(db / sum(totals), 3) if totals and sum(totals) else None,
        "server_cpu_ms_per_req": round(srv_cpu_s * 1000 / n, 2) if n else None,
        "client_cpu_ms_per_req": round(cli_cpu_s * 1000 / n, 2) if n else None,
        "wall_s": round(wall_s, 2),
    }


def warm_up(server: Server, families: list[Family], clients: int) -> None:
    """A few requests of every family (not counted): connections pooled, code and pages loaded."""
    for fam in families:
        k = min(len(fam.urls), max(clients, 10))
        warm = Family(fam.name, fam.what, fam.urls[-k:], fam.headers)
        samples, _ = run_family(server, warm, min(clients, k))
        bad = [s for s in samples if s.status != 200]
        if bad:
            raise RuntimeError(f"warm-up of {fam.name!r}: {len(bad)} of {len(samples)} failed, e.g. "
                               f"{bad[0].status} {bad[0].detail}\n{server.tail()}")


# -- report ---------------------------------------------------------------------------------------

def machine() -> dict[str, Any]:
    model = ""
    try:
        model = next((ln.split(":", 1)[1].strip() for ln in
                      Path("/proc/cpuinfo").read_text().splitlines() if ln.startswith("model name")), "")
    except OSError:
        pass
    return {"cores": os.cpu_count(), "processor": platform.processor(), "cpu_model": model,
            "platform": platform.platform(), "python": platform.python_version()}


def database_info(url: str) -> dict[str, Any]:
    from sqlalchemy.engine import make_url

    from storage.db import get_engine

    engine = get_engine(url)
    with engine.connect() as conn:
        if engine.dialect.name == "postgresql":
            version = conn.scalar(text("SHOW server_version"))
            size = conn.scalar(text("SELECT pg_database_size(current_database())"))
        else:
            version = conn.scalar(text("SELECT sqlite_version()"))
            size = Path(make_url(url).database).stat().st_size
    return {"kind": engine.dialect.name, "version": version,
            "url": make_url(url).render_as_string(hide_password=True),
            "size_mb": round(size / 2**20)}


def print_table(results: dict[str, dict[str, Any]]) -> None:
    head = (f"{'route family':<20}{'reqs':>6}{'errs':>5}{'p50':>8}{'p95':>8}{'p99':>8}{'max':>8}"
            f"{'req/s':>8}{'srv p50':>9}{'db share':>9}{'srv cpu':>9}")
    print(head)
    print(f"{'':<20}{'':>6}{'':>5}{'ms':>8}{'ms':>8}{'ms':>8}{'ms':>8}{'':>8}{'ms':>9}{'':>9}"
          f"{'ms/req':>9}")
    for name, f in results.items():
        share = f"{f['db_share']:.0%}" if f["db_share"] is not None else "-"
        print(f"{name:<20}{f['requests']:>6}{f['errors']:>5}{f['p50_ms']:>8.1f}{f['p95_ms']:>8.1f}"
              f"{f['p99_ms']:>8.1f}{f['max_ms']:>8.1f}{f['req_per_s']:>8.1f}"
              f"{f['server_p50_ms']:>9.1f}{share:>9}{f['server_cpu_ms_per_req']:>9.1f}")


def main() -> int:
    args = parse_args()
    with RunLock(args):
        return run(args)


def parse_args() -> argparse.Namespace:
    ap = argparse.ArgumentParser(prog="python -m bench.web", description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--olts", type=int, default=200)
    ap.add_argument("--onus", type=int, default=2048, help="ONUs per OLT")
    ap.add_argument("--history-olts", type=int, default=1,
                    help="OLTs whose every ONU gets --days of hourly optical history (the first ones)")
    ap.add_argument("--days", type=int, default=30)
    ap.add_argument("--platform", default=web_data.MIXED,
                    help="simulated platforms, cycled per OLT (default: the demo's mix)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--pg-admin", default=PG_ADMIN,
                    help="a PostgreSQL URL whose user may create and drop databases")
    ap.add_argument("--db-name", default=DB_NAME, help="the PostgreSQL database built and used")
    ap.add_argument("--sqlite", nargs="?", const=str(SQLITE_FILE), metavar="FILE",
                    help=f"build into this SQLite file instead (default {SQLITE_FILE})")
    ap.add_argument("--keep", action="store_true", help="keep the database at the end")
    ap.add_argument("--reuse", action="store_true",
                    help="use the kept database if it holds this fleet (else build it); implies --keep")
    ap.add_argument("--build-workers", type=int, default=os.cpu_count() or 2,
                    help="processes storing OLTs (PostgreSQL; SQLite uses one)")
    ap.add_argument("--clients", type=int, default=20, help="concurrent clients")
    ap.add_argument("--requests", type=int, default=200, help="requests per route family")
    ap.add_argument("--only", help="run only the route families whose name has one of these "
                                   "comma-separated words (search, mac, onus, page, ...)")
    ap.add_argument("--server-cmd",
                    help="another server to measure instead of `python -m oltsync web`: a command "
                         "line with {python}, {host} and {port}; it gets the same environment")
    ap.add_argument("--json", help="write the figures here")
    args = ap.parse_args()
    wanted = [w.strip() for w in (args.only or "").split(",") if w.strip()]
    args.families = [n for n in FAMILIES if not wanted or any(w in n for w in wanted)]
    if not args.families:
        ap.error(f"--only {args.only}: no route family matches; they are: {', '.join(FAMILIES)}")
    return args


def run(args: argparse.Namespace) -> int:
    keep = args.keep or args.reuse

    from storage import schema  # noqa: F401 - import errors before a long build

    mach = machine()
    t_build = time.perf_counter()
    url, build = prepare_database(args)
    counts = web_data.row_counts(url)
    build["counts_s"] = round(time.perf_counter() - t_build, 1)
    print("rows: " + ", ".join(f"{t} {n:,}" for t, n in counts.items()))
    db = database_info(url)
    families = plan(url, args)
    if args.only:
        families = [f for f in families if f.name in args.families]
    log = Path(tempfile.mkdtemp(prefix="oltsync-bench-web-")) / "server.log"
    server = Server(url, log, args.server_cmd)
    results: dict[str, dict[str, Any]] = {}
    server_procs = 0
    try:
        server.wait_ready()
        warm_up(server, families, args.clients)
        server_procs = len(server.pids())
        for fam in families:
            cpu0, mine0 = server.cpu_s(), time.process_time()
            samples, wall = run_family(server, fam, args.clients)
            results[fam.name] = figures(samples, wall, server.cpu_s() - cpu0,
                                        time.process_time() - mine0)
            r = results[fam.name]
            print(f"  {fam.name}: {r['requests']} requests in {wall:.1f} s, p50 {r['p50_ms']:.0f} ms, "
                  f"{r['errors']} errors", flush=True)
    finally:
        server.stop()
        if not keep:
            from storage.db import dispose_all

            dispose_all()
            if args.sqlite:
                for suffix in ("", "-wal", "-shm"):
                    Path(args.sqlite + suffix).unlink(missing_ok=True)
            else:
                drop_pg(args.pg_admin, args.db_name)

    scale = {"olts": args.olts, "onus_per_olt": args.onus, "onus": counts["onus"],
             "history_olts": args.history_olts, "days": args.days, "platform": args.platform}
    print(f"\nmachine: {mach['cores']} cores, platform.processor() {mach['processor']!r}, CPU "
          f"{mach['cpu_model'] or '?'}, {mach['platform']}, Python {mach['python']}")
    print(f"database: {db['kind']} {db['version']}, {db['size_mb']:,} MB, {db['url']}"
          + (" (kept)" if keep else " (dropped)"))
    print(f"scale: {args.olts} OLTs x {args.onus} ONUs = {counts['onus']:,} ONUs ({args.platform}); "
          f"{counts['onu_optical_history']:,} optical samples ({args.days} days hourly for "
          f"{args.history_olts} OLT(s)), {counts['macs']:,} MACs")
    shown = " ".join(["python", *server.cmd[1:]] if server.cmd[0] == sys.executable else server.cmd)
    print(f"load: {args.clients} concurrent clients (threads, one connection each), {args.requests} "
          f"requests per family after a warm-up; the server ({shown}; {server_procs} "
          f"process(es)) and "
          f"this load generator share the {mach['cores']} cores, so client-side latencies "
          "include waiting for the CPU behind the load generator\n")
    print_table(results)
    print("\n  p50..max: client-side latency; srv p50: the server's own time (Server-Timing "
          "total); db share: Server-Timing db / total summed over the family; srv cpu: CPU of the "
          "server's processes (uvicorn's and its workers') per request")
    if db["kind"] == "sqlite":
        print("  SQLite runs inside the server process: its CPU is in srv cpu, and Server-Timing db "
              "times each statement's execute only (SQLite computes most rows as they are fetched, "
              "after it), so db share understates the database's part")
    else:
        print("  PostgreSQL's own CPU (its backends) is not in srv cpu; it shares the same cores")
    for fam in families:
        print(f"  {fam.name:<20}{fam.what}")
    failed = {n: r for n, r in results.items() if r["errors"]}
    for name, r in failed.items():
        print(f"ERRORS in {name}: {r['errors']}, e.g. " + " | ".join(r["error_examples"]))
    if args.json:
        Path(args.json).write_text(json.dumps(
            {"machine": mach, "database": db, "scale": scale, "build": build, "rows": counts,
             "load": {"clients": args.clients, "requests_per_family": args.requests,
                      "server_processes": server_procs, "shared_cores": True}, "routes": results}, indent=1))
    if failed or len(results) != len(families):
        print("FAILED: some requests did not answer 200", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())

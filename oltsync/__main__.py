"""Command line (`oltsync`, or `python -m oltsync`): demo | sync | db upgrade|check|current |
summary | bootstrap | server | worker | web | service-files | status | drain | prune | rename |
capture | check | clients."""

from __future__ import annotations

import argparse
import os
import sys


def main(argv: list[str] | None = None) -> int:
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    from core.quiet_logs import keep_out_of_logs

    keep_out_of_logs()
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["server"]:  # everything after it is `prefect server start`'s, options included
        return _server(argv[1:])
    ap = argparse.ArgumentParser(prog="oltsync")
    sub = ap.add_subparsers(dest="cmd", required=True)
    d = sub.add_parser("demo", help="simulated fleet -> sync-fleet -> SQLite, then a summary")
    d.add_argument("--olts", type=int, default=4)
    d.add_argument("--onus", type=int, default=256)
    d.add_argument("--seed", type=int, default=1)
    s = sub.add_parser("sync", help="run sync-fleet (or sync-olt with --olt) in this process")
    s.add_argument("--inventory", help="inventory YAML (default: $OLTSYNC_INVENTORY)")
    s.add_argument("--olt", help="sync only this OLT")
    s.add_argument("--concurrency", type=int, default=8)
    s.add_argument("--allow-shrink", action="store_true")
    db = sub.add_parser("db", help="database schema")
    db.add_argument("action", choices=["upgrade", "check", "current"])
    sub.add_parser("summary", help="what the inventory database holds now")
    b = sub.add_parser("bootstrap", help="prepare the Prefect server and the database (re-runnable)")
    b.add_argument("--skip", action="append", default=[],
                   help="skip a step: 'api auth', 'web auth', 'work pool', 'block types', "
                        "'concurrency limits', "
                        "'zombie automation', 'alert automations', 'database', 'deployments'")
    sv = sub.add_parser("server", help="`prefect server start`, refused while the API would be "
                                        "open (no PREFECT_SERVER_API_AUTH_STRING)")
    sv.add_argument("args", nargs=argparse.REMAINDER, help="passed to `prefect server start`")
    w = sub.add_parser("worker", help="a process worker for the work pool, started once the "
                                       "Prefect API answers its health check")
    w.add_argument("--pool", help="work pool (default $OLTSYNC_WORK_POOL or oltsync)")
    w.add_argument("--name", help="worker name (default oltsync-HOSTNAME)")
    w.add_argument("--limit", type=int, default=8, help="flow runs at once (default 8)")
    w.add_argument("--wait", type=float, default=300, help="seconds to wait for the API (300)")
    wb = sub.add_parser("web", help="the read-only web page and JSON API over the inventory "
                                     "(needs OLTSYNC_WEB_AUTH: locked by default)")
    wb.add_argument("--host", help="address to listen on (default $OLTSYNC_WEB_HOST or "
                                   "127.0.0.1: loopback only)")
    wb.add_argument("--port", type=int, help="TCP port (default $OLTSYNC_WEB_PORT or 8300)")
    wb.add_argument("--workers", type=int, help="worker processes (default $OLTSYNC_WEB_WORKERS "
                                                "or 2): pages are rendered on that many cores")
    wb.add_argument("--env-file", help="read KEY=value settings from this file first (the demo "
                                       "writes demo-out/web.env)")
    wb.add_argument("--wait", type=float, default=300,
                    help="seconds to wait for the database to be migrated (300)")
    wb.add_argument("--proxied", action="store_true",
                    help="behind a reverse proxy on this host: trust its X-Forwarded-* headers")
    sf = sub.add_parser("service-files", help="render the systemd units or the supervisor "
                                              "configuration for these paths and user")
    kind = sf.add_mutually_exclusive_group(required=True)
    kind.add_argument("--systemd", action="store_true")
    kind.add_argument("--supervisor", action="store_true")
    sf.add_argument("--out", required=True, help="folder to write them into")
    sf.add_argument("--prefix", default="/opt/oltsync", help="the project (default /opt/oltsync)")
    sf.add_argument("--venv", help="its virtualenv (default PREFIX/.venv)")
    sf.add_argument("--user", default="oltsync",
                    help="service user (default oltsync; '' runs as whoever starts them)")
    sf.add_argument("--env-file", default="/etc/oltsync/oltsync.env")
    sf.add_argument("--log-dir", default="/var/log/oltsync")
    sf.add_argument("--state-dir", default="/var/lib/oltsync",
                    help="Prefect's home, supervisor's socket and pid file")
    sf.add_argument("--workers", type=int, default=1, help="supervisor: workers on this host")
    sf.add_argument("--set", action="append", default=[], metavar="KEY=VALUE",
                    help="a value for the environment file (created from the example if missing)")
    st = sub.add_parser("status", help="next, running and late runs; pool health; each OLT's last sync")
    st.add_argument("--json", action="store_true")
    dr = sub.add_parser("drain", help="pause the pool, wait for running syncs, restart, resume")
    dr.add_argument("--pool", help="work pool (default $OLTSYNC_WORK_POOL or oltsync)")
    dr.add_argument("--restart", help="command that restarts the worker(s), e.g. "
                                      "'systemctl restart oltsync-worker'")
    dr.add_argument("--timeout", type=float, default=3900)
    pr = sub.add_parser("prune", help="delete optical history, closed client links and sync_runs "
                                        "past retention, now")
    pr.add_argument("--optical-days", type=int)
    pr.add_argument("--sync-runs-days", type=int)
    rn = sub.add_parser("rename", help="move an OLT's rows and history to a new name (then "
                                        "rename it in the inventory)")
    rn.add_argument("old")
    rn.add_argument("new")
    c = sub.add_parser("capture", help="record a box's answers to every profile command, "
                                        "anonymized, as test captures (tests/captures/ layout)")
    c.add_argument("--olt", required=True, help="the inventory's name of the OLT")
    c.add_argument("--inventory", help="inventory YAML (default: $OLTSYNC_INVENTORY)")
    c.add_argument("--out", default="captures/corpus", help="folder to write into "
                   "(default: captures/corpus)")
    c.add_argument("--per-command", type=int, default=2,
                   help="rows a repeated command is run for (default 2)")
    c.add_argument("--anonymize", action=argparse.BooleanOptionalAction, default=True,
                   help="replace descriptions, names, serials, MACs, host names and IPs "
                        "consistently (default); --no-anonymize keeps them (for your eyes only)")
    ck = sub.add_parser("check", help="first contact: run every profile command once, say per "
                                       "command whether it parsed (core or enrichment), keep the "
                                       "answers anonymized")
    ck.add_argument("--olt", required=True, help="the inventory's name of the OLT")
    ck.add_argument("--inventory", help="inventory YAML (default: $OLTSYNC_INVENTORY)")
    ck.add_argument("--out", default="captures/check", help="folder to write the answers into "
                    "(default: captures/check)")
    ck.add_argument("--anonymize", action=argparse.BooleanOptionalAction, default=True,
                    help="anonymize the answers (default), as `capture` does")
    from oltsync import clients_cli

    clients_cli.add_parser(sub)
    args = ap.parse_args(argv)

    from core.errors import NextStep, OltSyncError

    try:
        if args.cmd == "demo":
            from oltsync.demo import run_demo
            from oltsync.local_server import local_server

            with local_server():
                return run_demo(args.olts, args.onus, args.seed)
        if args.cmd == "sync":
            return _sync(args)
        if args.cmd == "db":
            from storage import migrate
            from storage.db import database_url, safe_url

            if args.action == "upgrade":
                print(f"{safe_url(database_url())} at revision {migrate.upgrade()}")
            elif args.action == "check":
                migrate.check()
                print("schema is up to date")
            else:
                print(migrate.current() or "no schema")
            return 0
        if args.cmd == "bootstrap":
            from oltsync import bootstrap

            bootstrap.run(set(args.skip))
            print("bootstrap done")
            return 0
        if args.cmd == "status":
            return _status(args.json)
        if args.cmd == "worker":
            from core.settings import Settings
            from oltsync import worker

            return worker.run(args.pool or Settings.from_env().work_pool, args.name, args.limit,
                              args.wait)
        if args.cmd == "web":
            from oltsync.web_server import load_env_file, serve

            if args.env_file:
                load_env_file(args.env_file)
            return serve(args.host, args.port, args.proxied, args.wait, args.workers)
        if args.cmd == "service-files":
            return _service_files(args)
        if args.cmd == "drain":
            from core.settings import Settings
            from oltsync.drain import drain

            drain(args.pool or Settings.from_env().work_pool, args.restart, args.timeout)
            return 0
        if args.cmd == "prune":
            from core.settings import Settings
            from storage import migrate
            from storage.db import get_engine
            from storage.prune import prune

            cfg = Settings.from_env()
            migrate.check()
            print(prune(get_engine(), cfg.optical_retention_days if args.optical_days is None
                        else args.optical_days,
                        cfg.sync_runs_retention_days if args.sync_runs_days is None
                        else args.sync_runs_days))
            return 0
        if args.cmd == "rename":
            from storage import migrate
            from storage.db import get_engine
            from storage.rename import rename_olt

            migrate.check()
            moved = rename_olt(get_engine(), args.old, args.new)
            print(f"{args.old} is now {args.new}: "
                  + ", ".join(f"{n} {t}" for t, n in moved.items() if n)
                  + f". Now rename it in the inventory, or the next fleet run marks {args.new} "
                    "removed and starts again under the old name.")
            return 0
        if args.cmd == "clients":
            return clients_cli.run(args)
        if args.cmd == "capture":
            return _capture(args)
        if args.cmd == "check":
            return _check(args)
        if args.cmd == "summary":
            from core.terminal import format_summary
            from storage import migrate
            from storage.db import get_engine
            from storage.queries import database_summary

            migrate.check()  # a missing or unmigrated database, in one sentence
            print(format_summary(database_summary(get_engine())))
            return 0
    except NextStep as exc:  # planned: the step, then this command again
        print(f"next step: {exc}", file=sys.stderr)
        return 3
    except OltSyncError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return 1


def _sync(args: argparse.Namespace) -> int:
    from oltsync.local_server import local_server

    if args.olt:  # an operator's mistake in one sentence, before a server or a flow run starts
        from inventory import entries as inv

        entry = inv.load(args.inventory).get(args.olt)
        if entry.password_env:  # a Secret block needs the server: the run checks it
            entry.credentials()
            entry.enable_password()

    with local_server() as temporary:  # the configured server, or a throw-away one
        if temporary:
            from core.settings import Settings
            from oltsync.bootstrap import ensure_ssh_limit

            ensure_ssh_limit(Settings.from_env())  # what the bootstrap does on a real server
        if args.olt:
            from flows.sync_olt import sync_olt

            state = sync_olt(olt_name=args.olt, inventory_path=args.inventory,
                             allow_shrink=args.allow_shrink, return_state=True)
        else:
            from flows.sync_fleet import sync_fleet

            state = sync_fleet(inventory_path=args.inventory, concurrency=args.concurrency,
                               allow_shrink=args.allow_shrink, return_state=True)
        print(state.name, state.message or "")
        return 0 if state.is_completed() else 1


def _service_files(args: argparse.Namespace) -> int:
    from pathlib import Path

    from core.errors import ConfigError
    from oltsync import service_files as sf

    kind = "systemd" if args.systemd else "supervisor"
    layout = sf.Layout(prefix=args.prefix, venv=args.venv, env_file=args.env_file,
                       log_dir=args.log_dir, state_dir=args.state_dir,
                       user=args.user or None, workers=args.workers)
    out = Path(args.out)
    for path in sf.render(kind, layout, out):
        print(f"wrote {path}")
    values = {}
    for item in args.set:
        key, sep, value = item.partition("=")
        if not sep:
            raise ConfigError(f"service-files: --set {item!r} is not KEY=VALUE")
        values[key] = value
    env = Path(args.env_file)
    if values or not env.exists():
        created = sf.write_env_file(env, layout, values)
        print(f"{'created' if created else 'updated'} {env} (mode 600)"
              + (f": {', '.join(values)} set" if values else ""))
    for path in (args.log_dir, args.state_dir):
        Path(path).mkdir(parents=True, exist_ok=True)
    print("next:\n  " + "\n  ".join(sf.next_steps(kind, layout, out)))
    return 0


def _server(extra: list[str]) -> int:
    """Replace this process with the Prefect server, if it will be locked."""
    from pathlib import Path

    from oltsync import api_auth

    if not {"-h", "--help"} & set(extra) and not os.environ.get(api_auth.SERVER_VAR, "").strip():
        print(f"error: refusing to start an open Prefect server: {api_auth.SERVER_VAR} is not set. "
              "Run `python -m oltsync bootstrap` through deployments/with-env: it writes one into "
              "the environment file.", file=sys.stderr)
        return 78  # EX_CONFIG: systemd and supervisor show it as a configuration error
    prefect = Path(sys.executable).with_name("prefect")
    os.execv(str(prefect), [str(prefect), "server", "start", *extra])
    return 1  # not reached


def _capture(args: argparse.Namespace) -> int:
    from pathlib import Path

    from capture.record import capture
    from inventory import entries as inv

    entry = inv.load(args.inventory).get(args.olt)
    rep = capture(entry, Path(args.out), anonymize=args.anonymize, per_command=args.per_command)
    folders = sorted({str(p.parent) for p in rep.written})
    print(f"{rep.olt}: {rep.commands} answers, {len(rep.written)} cases written "
          f"({'' if args.anonymize else 'not '}anonymized; {rep.redacted} credential values "
          f"redacted) under {', '.join(folders) or args.out}")
    for dataset, error in rep.failed.items():
        print(f"  {dataset}: {error}")
    print("Review the files, then copy them under tests/captures/ with model and firmware filled "
          "in (see docs/captures.md).")
    return 0


def _check(args: argparse.Namespace) -> int:
    from pathlib import Path

    from capture.check import check, format_check
    from inventory import entries as inv

    entry = inv.load(args.inventory).get(args.olt)
    report, lines = check(entry, Path(args.out), anonymize=args.anonymize)
    print(format_check(entry, report, lines, args.anonymize))
    return 0 if all(ln.fine for ln in lines if ln.role == "core") else 1


def _status(as_json: bool) -> int:
    """Print what it can: an unreachable Prefect API or database is reported, not fatal."""
    import json

    from core.errors import OltSyncError
    from core.settings import Settings
    from oltsync.status import NoServer, format_status, gather_prefect
    from storage import migrate
    from storage.db import get_engine
    from storage.queries import last_syncs, open_outages, open_signal_alerts
    from storage.reconcile import per_olt, reconcile

    prefect: dict | str
    olts: list | str
    outages: list = []
    low_signal: list = []
    clients: dict = {}
    try:
        prefect = gather_prefect(Settings.from_env().work_pool)
    except NoServer as exc:
        prefect = str(exc)
    except Exception as exc:  # status must still show the database part
        prefect = f"unreachable: {type(exc).__name__}: {exc}"
    try:
        migrate.check()  # a missing database is said, not created
        olts = last_syncs(get_engine())
        outages = open_outages(get_engine())
        low_signal = open_signal_alerts(get_engine())
        clients = {"olts": per_olt(get_engine()), "fleet": reconcile(get_engine()).as_dict()}
    except OltSyncError as exc:
        olts = str(exc)
    except Exception as exc:
        olts = f"{type(exc).__name__}: {str(exc).splitlines()[0]}"
    if as_json:
        print(json.dumps({"prefect": prefect, "olts": olts, "outages": outages,
                          "low_signal": low_signal, "clients": clients}, indent=2, default=str))
    else:
        print(format_status(prefect, olts, outages, low_signal, clients))
    return 0 if isinstance(prefect, dict) and isinstance(olts, list) else 1


if __name__ == "__main__":
    sys.exit(main())

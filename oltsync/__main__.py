"""Command line: `python -m oltsync demo | sync | db upgrade | db check | summary`."""

from __future__ import annotations

import argparse
import os
import sys


def main(argv: list[str] | None = None) -> int:
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    ap = argparse.ArgumentParser(prog="python -m oltsync")
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
    args = ap.parse_args(argv)

    from oltsync.errors import OltSyncError

    try:
        if args.cmd == "demo":
            from oltsync.demo import run_demo

            return run_demo(args.olts, args.onus, args.seed)
        if args.cmd == "sync":
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
        if args.cmd == "summary":
            from flows.report import database_summary, format_summary
            from storage.db import get_engine

            print(format_summary(database_summary(get_engine())))
            return 0
    except OltSyncError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return 1


if __name__ == "__main__":
    sys.exit(main())

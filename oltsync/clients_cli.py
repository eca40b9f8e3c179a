"""`oltsync clients test | import | report`: try the client rules on a description, load the ISP's
client list, and reconcile ONUs with clients. Keys only on the terminal for report and import;
`test` prints what it extracts from the text it is given."""

from __future__ import annotations

import argparse
import json

from clients.rules import PRESETS, Rule, default_rules, first_match, is_placeholder, parse_rules


def add_parser(sub: argparse._SubParsersAction) -> None:
    c = sub.add_parser("clients", help="client rules, the ISP's client list, reconciliation")
    cs = c.add_subparsers(dest="action", required=True)
    t = cs.add_parser("test", help="which client rule matches a description, and what it reads")
    t.add_argument("description", help="an ONU's description, quoted")
    t.add_argument("--pppoe", help="the ONU's PPPoE login, for rules that read it")
    t.add_argument("--olt", help="use this OLT's rules from the inventory (its own, else the "
                                 "inventory's defaults; without --olt: the built-in ones)")
    t.add_argument("--inventory", help="inventory YAML (default: $OLTSYNC_INVENTORY)")
    t.add_argument("--preset", action="append", default=[],
                   help="try these presets instead (repeatable); `--preset all` lists each")
    i = cs.add_parser("import", help="load the ISP's client list (CSV: key, name, pppoe_login, "
                                     "serial, document, address, plan)")
    i.add_argument("file")
    mode = i.add_mutually_exclusive_group(required=True)
    mode.add_argument("--dry-run", action="store_true", help="say what would change; write nothing")
    mode.add_argument("--apply", action="store_true", help="write it")
    r = cs.add_parser("report", help="ONUs without a client, clients without an ONU, shared "
                                     "clients, swaps: per OLT and fleet-wide")
    r.add_argument("--olt", help="one OLT only")
    r.add_argument("--json", action="store_true")


def _rules(args: argparse.Namespace) -> tuple[Rule, ...]:
    if args.preset:
        return tuple(PRESETS.values()) if args.preset == ["all"] else parse_rules(args.preset)
    from core.settings import Settings

    pattern = Settings.from_env().client_pattern
    if args.olt:  # the entry carries the inventory's defaults merged in
        from inventory import entries as inv

        return inv.load(args.inventory).get(args.olt).rules(pattern)
    return default_rules(pattern)


def test(args: argparse.Namespace) -> int:
    rules = _rules(args)
    if is_placeholder(args.description) and not args.pppoe:
        print(f"{args.description!r} is a placeholder (the box's default, masked or empty): "
              "never a client")
        return 1
    every = args.preset == ["all"]
    for rule in rules:
        m = rule.find(args.description, args.pppoe)
        mark = "match" if m else "no match"
        if m is None and not every:
            print(f"  {rule.name:<24} {mark}")
            continue
        if m is not None:
            print(f"  {rule.name:<24} {mark}: key {m.key!r}, name {m.name!r} (from the "
                  f"{m.field.replace('_', ' ')})")
            if not every:
                print(f"client key {m.key!r} (rule {rule.name})")
                return 0
        else:
            print(f"  {rule.name:<24} {mark}")
    if every:
        m = first_match(rules, args.description, args.pppoe)
        return 0 if m else 1
    print("no rule matched: this ONU names no client (rules in order: "
          + ", ".join(r.name for r in rules) + ")")
    return 1


def import_(args: argparse.Namespace) -> int:
    from clients import csv_file
    from storage import migrate
    from storage.client_import import import_clients
    from storage.db import get_engine

    listing = csv_file.read(args.file)
    if listing.errors:
        print(f"{args.file}: {len(listing.errors)} line(s) cannot be imported; nothing was "
              "written. Fix them and import again:")
        for e in listing.errors[:20]:
            print(f"  {e}")
        if len(listing.errors) > 20:
            print(f"  … and {len(listing.errors) - 20} more")
        return 1
    migrate.check()
    plan = import_clients(get_engine(), listing, dry_run=not args.apply)
    head = "imported" if plan.applied else "dry run, nothing written"
    print(f"{args.file}: {len(listing.rows)} clients, columns {', '.join(listing.columns)} "
          f"({head})")
    for line in plan.lines():
        print(f"  {line}")
    if not plan.applied:
        print("run again with --apply to write it")
    return 0


def report(args: argparse.Namespace) -> int:
    from storage import migrate
    from storage.db import get_engine
    from storage.reconcile import per_olt, reconcile

    migrate.check()
    engine = get_engine()
    if args.olt:  # one OLT: its counts and its keys
        one = reconcile(engine, args.olt)
        if args.json:
            print(json.dumps({"olts": [one.as_dict()], "fleet": None}, indent=2))
            return 0
        print(f"{one.olt}: {one.line()}")
        _samples(one.samples)
        return 0
    rows, fleet = per_olt(engine), reconcile(engine)  # every OLT's counts in a few queries
    if args.json:
        print(json.dumps({"olts": rows, "fleet": fleet.as_dict()}, indent=2))
        return 0
    for r in rows:
        print(f"{r['olt']}: {r['onus'] - r['without_client']}/{r['onus']} ONUs with a client, "
              f"{r['without_client']} without, {r['shared']} client(s) on two ONUs or more, "
              f"{r['swapped']} swapped")
    print(f"fleet: {fleet.line()}")
    _samples(fleet.samples)
    return 0


def _samples(samples: dict[str, list[str]]) -> None:
    from storage.reconcile import SAMPLE_LABELS

    for kind, values in samples.items():
        if values:
            print(f"    {SAMPLE_LABELS[kind]}: {', '.join(values)}")


def run(args: argparse.Namespace) -> int:
    return {"test": test, "import": import_, "report": report}[args.action](args)

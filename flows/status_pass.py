"""status-pass: every few minutes, each OLT's ONU states — only what tells state, and why for the
ports that changed — into the database, then its outages and their alerts.

Its Prefect shape is chosen for its cost: one flow run per pass for the whole fleet, the OLTs in
threads inside it, no task run per OLT (a pass every 5 minutes of hundreds of OLTs would otherwise
be thousands of task runs an hour for the server to record). An OLT whose hourly sync holds its
lock is skipped this pass (the sync reads the states itself); each OLT uses one SSH session, within
the same fleet-wide session limit as the sync.
"""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from typing import Any

from prefect import flow, get_run_logger
from prefect.artifacts import create_table_artifact
from prefect.events import emit_event
from sqlalchemy.engine import Engine

from alerts import config as alerts_config
from alerts.outages import Rules
from collector.dataset import CollectRequest, collect
from core.errors import ConfigError, OltSyncError
from core.settings import Settings
from flows.limits import check_ssh_limit, ssh_slot
from inventory import entries as inv
from platforms import profile as profiles
from platforms.profile import DatasetSpec
from storage import migrate, states
from storage.db import get_engine
from storage.olt_lock import OltBusy, olt_lock
from sync.access import make_pool
from sync.watch import describe, watch_outages, watch_unreachable, watch_unreadable


class StatusPassFailed(OltSyncError):
    pass


class OutagesNotEvaluated(OltSyncError):
    pass


def pass_olt(entry: inv.OltEntry, settings: Settings, engine: Engine,
             rules: Rules | ConfigError | None = None) -> dict[str, Any]:
    """One OLT's status pass; its line of the pass's table. `rules`: the outage rules (the alerts
    config's, read once per pass; None: read them here); a ConfigError: the alerts config is
    wrong, so the states are stored but not evaluated (the first pass after the fix catches up),
    and this OLT's line fails saying so."""
    if rules is None:
        try:
            rules = alerts_config.from_env().rules
        except ConfigError as exc:
            rules = exc
    # an OLT that cannot be read is counted even while the alerts file is wrong (the default N)
    after = (rules if isinstance(rules, Rules) else Rules()).unreadable_after
    t0 = time.perf_counter()
    started = datetime.now(UTC)
    profile = profiles.load(entry.platform)
    states_cmds, causes_cmd = profile.status_commands()
    try:
        with olt_lock(engine, entry.name, 0) as lock:
            pool = make_pool(entry, 1, slot=ssh_slot(settings, entry.name), settings=settings)
            try:
                with pool.session() as session:
                    read_at = datetime.now(UTC)
                    seed = {t: states.stored_rows(engine, entry.name, src, _fields(profile, t))
                            for t, src in profile.status.seed.items()}
                    read = collect(session, CollectRequest(
                        entry.name, profile, "status", entry.tz,
                        spec=DatasetSpec(commands=states_cmds), seed=seed))
                    known = states.known_states(engine, entry.name)
                    moved = states.changed(read.tables.get("onus", []), known)
                    commands = read.commands
                    unread = None
                    if moved and causes_cmd is not None:  # why, only where something changed
                        why = collect(session, CollectRequest(
                            entry.name, profile, "status", entry.tz,
                            spec=DatasetSpec(commands=[causes_cmd]), seed={"onus": moved}))
                        commands += why.commands
                        moved, unread = why.tables["onus"], why.partial  # states without causes
            except OltSyncError as exc:
                if pool.unreachable:
                    watch_unreachable(engine, entry.name, True, datetime.now(UTC), emit_event)
                else:  # it logged in but could not be read
                    watch_unreadable(engine, entry.name, str(exc), datetime.now(UTC), after,
                                     emit_event)
                raise
            finally:
                pool.close()
            lock.check()
            now = datetime.now(UTC)
            written = states.apply(engine, entry.name, moved, known, now)
            watch_unreachable(engine, entry.name, False, now, emit_event)
            watch_unreadable(engine, entry.name, None, now, after, emit_event)
            if isinstance(rules, ConfigError):
                raise OutagesNotEvaluated(f"{entry.name}: states stored, outages not evaluated "
                                          f"(the first pass after the fix catches up): {rules}")
            lines = describe(entry.name, watch_outages(engine, entry.name, started, now, rules,
                                                       emit_event))
            lines += [f"{entry.name}: states stored; {unread}"] if unread else []
    except OltBusy:
        return {"olt": entry.name, "status": "skipped", "changed": 0, "commands": 0,
                "seconds": round(time.perf_counter() - t0, 2), "read_at": None,
                "note": "its sync is running"}
    return {"olt": entry.name, "status": "ok", "changed": len(written), "commands": commands,
            "seconds": round(time.perf_counter() - t0, 2), "read_at": read_at.isoformat(),
            "note": "; ".join(lines)}


def _fields(profile: profiles.Profile, table: str) -> list[str]:
    """The columns of a scratch table, as the profile's commands fill it."""
    return list(dict.fromkeys(f for c in profile.all_commands() if c.table == table
                              for f in c.fields))


def pass_name() -> str:
    return f"status {datetime.now(UTC):%Y-%m-%d %H:%M}Z"


@flow(name="status-pass", flow_run_name=pass_name, timeout_seconds=600, log_prints=True)
def status_pass(inventory_path: str | None = None, concurrency: int = 16) -> dict[str, Any]:
    """ONU states of every enabled OLT that has a status pass in its profile."""
    log = get_run_logger()
    settings = Settings.from_env()
    migrate.check()
    check_ssh_limit(settings)
    inventory = inv.load(inventory_path)
    engine = get_engine()
    olts = [o for o in inventory.enabled if profiles.load(o.platform).status is not None]
    try:  # once per pass; a mistake in it fails the pass, named, after the states are stored
        rules: Rules | ConfigError = alerts_config.from_env().rules
    except ConfigError as exc:
        rules = exc

    def one(entry: inv.OltEntry) -> dict[str, Any]:
        try:
            return pass_olt(entry, settings, engine, rules)
        except Exception as exc:  # noqa: BLE001 - one OLT's failure is its line, not the pass's end
            msg = str(exc) if isinstance(exc, OltSyncError) else f"{entry.name}: {exc!r}"
            return {"olt": entry.name, "status": "failed", "changed": 0, "commands": 0,
                    "seconds": None, "read_at": None, "note": msg}

    with ThreadPoolExecutor(max_workers=max(1, concurrency)) as pool:
        rows = list(pool.map(one, olts))
    for r in rows:
        if r["note"]:
            (log.error if r["status"] == "failed" else log.warning)("%s", r["note"])
    changed = sum(r["changed"] for r in rows)
    create_table_artifact(table=rows, key="status-pass",
                          description=f"{len(rows)} OLTs, {changed} ONU state changes")
    failed = [r["note"] for r in rows if r["status"] == "failed"]
    # an entry the pass cannot use is never left out silently
    failed += [f"inventory: {p} (left out of the status pass)" for p in inventory.problems]
    if failed:
        raise StatusPassFailed(f"{len(failed)} of {len(rows) + len(inventory.problems)} OLTs "
                               "failed:\n" + "\n".join(failed))
    return {"olts": len(rows), "changed": changed,
            "skipped": [r["olt"] for r in rows if r["status"] == "skipped"]}

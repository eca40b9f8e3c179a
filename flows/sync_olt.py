"""sync-olt: one flow run per OLT. One mapped task per dataset collects it on a pooled session,
parses it and stores it in its own transaction; then the PON ports' ONU counts are brought up to
date once; the flow leaves a table artifact and fails if any dataset failed or was held back.

Task runs per OLT: one per dataset (5 for Huawei and ZTE).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from prefect import flow, get_run_logger, task, unmapped
from prefect.artifacts import create_table_artifact
from prefect.cache_policies import NO_CACHE
from prefect.context import get_run_context
from prefect.task_runners import ThreadPoolTaskRunner
from sqlalchemy.engine import Engine

from alerts.signal import Thresholds
from collector import cadence
from collector.dataset import unread
from collector.pool import SessionPool
from collector.refresh import Stored
from collector.run import collect_dataset, read_uptime
from core.errors import OltSyncError
from core.settings import Settings
from flows import report as reports
from flows.limits import check_ssh_limit, ssh_slot
from flows.olt_access import keeper_for, make_pool
from flows.outage_watch import (
    describe,
    describe_signal,
    watch_outages,
    watch_signal,
    watch_unreachable,
)
from flows.report import DatasetReport, OltReport, OnuTally
from inventory import entries as inv
from platforms import profile as profiles
from storage import migrate, queries, store
from storage.db import database_url, get_engine
from storage.olt_lock import Held, LockLost, olt_lock
from storage.queries import open_outages
from storage.sync import SyncOptions


class OltSyncFailed(OltSyncError):
    pass


STORED = ("ok", "partial")  # a dataset's statuses whose rows were stored


@dataclass
class _Shared:
    """What every dataset task of one OLT's flow run shares (passed once, unmapped)."""

    entry: inv.OltEntry
    pool: SessionPool
    settings: Settings
    opts: SyncOptions
    flow_run_id: str | None
    started: datetime
    lock: Held  # the OLT's lock: checked before each dataset is collected and stored
    profile: profiles.Profile
    full: bool = False  # read every row of change-driven commands too (collector/refresh.py)
    last_ok: dict[str, datetime] = field(default_factory=dict)  # each dataset's last complete read


def collect_failure(olt: str, dataset: str, exc: BaseException) -> str:
    return str(exc) if isinstance(exc, OltSyncError) else (
        f"{olt}: collecting {dataset} failed: {type(exc).__name__}: {exc}")


@dataclass
class _Done:
    """A dataset task's result: its report line, and what the OLT's report takes from its rows."""

    report: DatasetReport
    onus: OnuTally | None = None
    worst_optical: list = field(default_factory=list)


@task(name="sync-dataset", task_run_name="sync-{dataset}", cache_policy=NO_CACHE)
def sync_dataset_task(dataset: str, shared: _Shared) -> _Done:
    """Collect one dataset on a pooled session and parse it, then store it: its rows never cross
    a task boundary, and it is stored while the OLT's other datasets are still being read."""
    entry, engine = shared.entry, get_engine()
    t0 = time.perf_counter()

    def failed(exc: BaseException) -> None:
        store.record_failure(engine, entry.name, dataset, shared.started,
                             collect_failure(entry.name, dataset, exc), shared.flow_run_id)

    try:
        shared.lock.check()  # another sync may be on the box already: do not add a session
        stored = None if shared.full else stored_for(engine, shared, dataset)
        got = collect_dataset(shared.pool, dataset, shared.settings.client_pattern, entry.tz,
                              attempts=shared.settings.dataset_attempts,
                              retry_backoff_s=shared.settings.retry_backoff_s,
                              keeper=keeper_for(entry, shared.settings, shared.started),
                              stored=stored)
        shared.lock.check()
    except Exception as exc:
        failed(exc)
        raise
    for command, lines in got.skipped.items():  # informational lines: said, not stored
        get_run_logger().info("%s running '%s': %d line(s) not stored, skipped: %s", entry.name,
                              command, len(lines), "; ".join(lines)[:300])
    with got.timers.stage("store"):
        # every dataset of the run (stored or failed) is recorded as started with the run
        before = queries.last_status(engine, entry.name, dataset, shared.started)
        out = store.store_dataset(engine, entry.name, dataset, got.tables, shared.started,
                                  shared.opts, clients=got.clients, flow_run_id=shared.flow_run_id,
                                  carried=got.carried, partial=got.partial)
    done = _Done(DatasetReport.stored(out, got.commands, got.bytes_read, time.perf_counter() - t0,
                                      got.timers))
    onus = got.tables.get("onus")
    if onus is not None and out.status in STORED:
        done.onus, done.worst_optical = reports.onu_tally(onus), reports.worst_optical(onus)
    if out.status == "partial":
        # stored: a warning when it starts or changes, then one quiet line per run (an OLT
        # whose firmware refuses an enrichment would otherwise warn every hour for ever)
        same = before[0] == "partial" and unread(before[1]) == unread(out.error)
        (get_run_logger().info if same else get_run_logger().warning)("%s", out.error)
    elif out.status != "ok":
        get_run_logger().error("%s", out.error)
    return done


@flow(name="sync-olt", flow_run_name="{olt_name}", timeout_seconds=3600,
      task_runner=ThreadPoolTaskRunner(max_workers=8), log_prints=True)
def sync_olt(olt_name: str, inventory_path: str | None = None, max_sessions: int | None = None,
             allow_shrink: bool = False, datasets: list[str] | None = None,
             full: bool | None = None) -> dict[str, Any]:
    """Sync one OLT. Credentials come from the inventory's references, never from parameters.
    `full`: read every dataset and every row of the change-driven commands; the daily hour
    (OLTSYNC_FULL_SYNC_HOUR, the OLT's time zone) reads every dataset, change-driven as usual."""
    began = datetime.now(UTC)
    settings = Settings.from_env()
    url = database_url(settings)
    migrate.check(url)  # fail before touching the OLT
    check_ssh_limit(settings)
    entry = inv.load(inventory_path).get(olt_name)
    profile = profiles.load(entry.platform)
    names = _datasets(entry, profile, datasets)
    opts = SyncOptions(allow_shrink=allow_shrink, shrink_ratio=settings.shrink_ratio,
                       shrink_min_rows=settings.shrink_min_rows,
                       power_deadband_db=settings.power_deadband_db)
    ctx = get_run_context()
    flow_run_id = str(ctx.flow_run.id) if getattr(ctx, "flow_run", None) else None
    engine = get_engine(url)
    with olt_lock(engine, olt_name, settings.olt_lock_wait_s) as lock:
        started = datetime.now(UTC)  # the sync proper: once no other sync has the OLT
        store.ensure_olt(engine, entry.name, entry.host, entry.port, entry.platform, profile.vendor)
        full = bool(full) or not settings.cadence
        # The daily hour reads every dataset, but a change-driven per-ONU command stays
        # change-driven in it: its rolling refresh reads every ONU once a day already, spread
        # over the hours; reading them all too would put 2,048 detail-info into that one hour.
        daily = settings.full_sync_hour == started.astimezone(entry.tz).hour
        last_ok = queries.last_complete_reads(engine, olt_name)
        plan = cadence.plan(profile, names, last_ok, started, full or daily, asked=bool(datasets),
                            overrides=settings.dataset_hours)
        pool = make_pool(entry, max_sessions, slot=ssh_slot(settings, olt_name), settings=settings)
        probe = next((d for d in plan.carried if profile.datasets[d].uptime_probe), None)
        # a session with no dataset left gives its slot back at once
        pool.expect(len(plan.first) + len(plan.after) + (probe is not None))
        if probe and _restarted(engine, pool, entry, probe):
            plan = cadence.after_restart(plan)
            pool.expect(len(plan.first))
        shared = _Shared(entry, pool, settings, opts, flow_run_id, started, lock, profile, full,
                         last_ok)
        try:
            done = _run(plan.first, shared)
            changed = {d.report.dataset: sum(d.report.counts.get(k, 0)
                                             for k in ("inserted", "moved", "removed"))
                       for d in done}
            flips = {d.report.dataset: d.report.counts.get("state_changes", 0) for d in done}
            since = {d: queries.state_changes_since(engine, olt_name, last_ok.get(d))
                     for d in plan.after if profile.datasets[d].also_after_state_changes}
            then = cadence.triggered(profile, plan.after, changed, flips, since)
            pool.expect(len(then))
            done += _run(then, shared)
        finally:
            pool.close()
        for d in names:  # carried over: recorded, not read, nothing of it touched
            if d not in plan.first and d not in then:
                store.record_carried(engine, olt_name, d, started, flow_run_id)
                probed = d == probe  # its uptime command was sent: counted here
                done.append(_Done(DatasetReport(
                    d, "carried", commands=int(probed),
                    note=plan.carried[d] + ("; uptime probed" if probed else ""))))
        done.sort(key=lambda d: names.index(d.report.dataset))
        report = OltReport(olt_name, [d.report for d in done], logins=pool.logins,
                           timers=pool.timers)
        for d in done:
            if d.onus is not None:
                report.onus, report.worst_optical = d.onus, d.worst_optical
        lost = unwatched = None
        try:
            lock.check()  # another sync may own the OLT now: write nothing more
        except LockLost as exc:
            lost = str(exc)
        else:
            store.count_onus_per_port(engine, entry.name)  # whatever was stored, counted once
            unwatched = _watch(engine, entry.name, started, pool, done, entry.signal)
            if report.status in STORED:  # the run's start: status shows one time for one run
                store.finish_olt(engine, entry.name, started)
    report.seconds = round((datetime.now(UTC) - began).total_seconds(), 2)
    create_table_artifact(table=reports.olt_table(report), key=reports.artifact_key(olt_name),
                          description=reports.olt_markdown(report, reports.web_url()))
    failures = list(report.errors) if report.status not in STORED else []
    failures += [x for x in (lost, unwatched) if x]
    if failures:  # a login error fails every dataset: each message once
        raise OltSyncFailed("; ".join(dict.fromkeys(failures)))
    return report.as_dict()


def _watch(engine: Engine, olt: str, started: datetime, pool: SessionPool,
           done: list[_Done], signal: dict[str, float] | None = None) -> str | None:
    """Outages after this pass: the OLT's own when it could not be reached, its ports' when its
    ONU states were stored. The inventory is stored whatever happens here; a failure is returned
    (it fails the run: an outage must never be lost quietly) and the next pass catches up."""
    log = get_run_logger()
    try:
        now = datetime.now(UTC)
        lines = []
        if pool.unreachable or any(d.report.status in STORED for d in done):
            change = watch_unreachable(engine, olt, pool.unreachable, now)
            if change:
                lines.append(f"{olt}: unreachable outage {change}")
        if any(d.onus is not None for d in done):
            lines += describe(olt, watch_outages(engine, olt, started, now))
            low = watch_signal(engine, olt, now, Thresholds().with_overrides(signal))
            lines += describe_signal(olt, low)
        for line in lines:
            log.warning("%s", line)
        if lines:  # the UI's list of open outages, kept current
            current = open_outages(engine)
            create_table_artifact(table=current or [{"open outages": "none"}], key="open-outages",
                                  description=f"{len(current)} open outage(s), {now:%Y-%m-%d %H:%M}Z")
    except Exception as exc:  # noqa: BLE001 - the rows are stored; the run fails, named
        what = str(exc) if isinstance(exc, OltSyncError) else f"{type(exc).__name__}: {exc}"
        return (f"{olt}: inventory stored, outages not evaluated (the next pass that can "
                f"catches up): {what}")
    return None


def _restarted(engine: Engine, pool: SessionPool, entry: inv.OltEntry, dataset: str) -> bool:
    """Whether the OLT restarted since `dataset` was last read (its uptime went backwards). Best
    effort: a probe that fails is logged, and the run goes on as planned (its datasets then
    meet the same problem and report it)."""
    log = get_run_logger()
    try:
        now = read_uptime(pool, dataset, entry.tz)
    except Exception as exc:  # noqa: BLE001
        log.warning("%s: uptime probe failed: %s", entry.name, exc)
        return False
    before = queries.stored_uptime(engine, entry.name)
    if not cadence.restarted(now, before):
        return False
    log.warning("%s: uptime %s s is below the %s s stored: the OLT restarted since its last "
                "read; reading every dataset", entry.name, now, before)
    return True


def _run(names: list[str], shared: _Shared) -> list[_Done]:
    """One mapped task per dataset; a failed one as its report line."""
    if not names:
        return []
    futures = sync_dataset_task.map(names, unmapped(shared))
    outcomes = [f.result(raise_on_failure=False) for f in futures]
    return [o if isinstance(o, _Done) else
            _Done(DatasetReport(d, "failed", collect_failure(shared.entry.name, d, o)))
            for d, o in zip(names, outcomes)]


def stored_for(engine: Engine, shared: _Shared, dataset: str) -> Stored | None:
    """What the dataset's change-driven commands (profile `refresh:`) compare with, and the
    columns they would fill; None: it has none, or was never read completely (read it all)."""
    cmds = [c for c in shared.profile.datasets[dataset].commands if c.refresh is not None]
    since = shared.last_ok.get(dataset)
    if not cmds or since is None:
        return None
    columns = list(dict.fromkeys(f for c in cmds for f in [*c.fields, *c.refresh.changed]))
    rows, recent = queries.stored_for_refresh(engine, shared.entry.name, cmds[0].table,
                                              cmds[0].refresh.key, columns, since)
    return Stored.at(shared.started, rows, recent)


def _datasets(entry: inv.OltEntry, profile: profiles.Profile,
              wanted: list[str] | None) -> list[str]:
    names = wanted or list(profile.datasets)
    unknown = [d for d in names if d not in profile.datasets]
    if unknown:
        raise OltSyncFailed(f"{entry.name}: unknown dataset(s) {unknown}; "
                            f"{entry.platform} has {list(profile.datasets)}")
    return names

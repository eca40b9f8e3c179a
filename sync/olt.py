"""One OLT's sync as a plain function: plan → collect and store → watch → report.

No Prefect here: the orchestrator hands in its edges (sync/edges.py: how datasets run at once, the
logger, the fleet-wide SSH slot, where events and artifacts go), and the flow (flows/sync_olt.py)
adds only what Prefect gives: the run, its name, the task runs, the artifact, the failure state.
"""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime

from sqlalchemy.engine import Engine

from alerts.signal import Thresholds
from collector import cadence
from collector.dataset import unread
from collector.pool import SessionPool
from collector.refresh import Stored
from collector.run import collect_dataset, read_uptime, request_for
from core.errors import OltSyncError
from core.settings import Settings
from inventory import entries as inv
from platforms import profile as profiles
from storage import migrate, queries, store
from storage.db import database_url, get_engine
from storage.olt_lock import Held, LockLost, olt_lock
from storage.queries import open_outages
from storage.reconcile import Reconciliation, reconcile
from storage.sync import SyncOptions
from sync import report as reports
from sync.access import keeper_for, make_pool
from sync.edges import Edges
from sync.report import DatasetReport, OltReport, OnuTally
from sync.watch import describe, describe_signal, watch_outages, watch_signal, watch_unreachable

STORED = ("ok", "partial")  # a dataset's statuses whose rows were stored
MAX_DATASETS_AT_ONCE = 8  # datasets read at once without an orchestrator (its sessions: fewer)


class OltSyncFailed(OltSyncError):
    pass


@dataclass(frozen=True)
class SyncRequest:
    """One OLT to sync, and how. Credentials come from the inventory entry's references."""

    entry: inv.OltEntry
    settings: Settings
    datasets: list[str] | None = None  # asked for by name: read now, whatever the cadence
    max_sessions: int | None = None
    allow_shrink: bool = False
    full: bool = False  # every dataset and every row of the change-driven commands
    flow_run_id: str | None = None  # recorded with each dataset's sync_runs row

    @classmethod
    def load(cls, olt_name: str, inventory_path: str | None = None, **options: object
             ) -> SyncRequest:
        return cls(inv.load(inventory_path).get(olt_name), Settings.from_env(), **options)


@dataclass
class Done:
    """One dataset's result: its report line, and what the OLT's report takes from its rows."""

    report: DatasetReport
    onus: OnuTally | None = None
    worst_optical: list = field(default_factory=list)
    client_hits: dict[str, int] | None = None  # ONUs each client rule named (the onus dataset)


@dataclass
class DatasetRun:
    """What every dataset of one OLT's sync shares: handed to each dataset step (a task each
    under Prefect), so it crosses the task boundary once, unmapped."""

    request: SyncRequest
    edges: Edges
    pool: SessionPool
    opts: SyncOptions
    started: datetime
    lock: Held  # the OLT's lock: checked before each dataset is collected and stored
    profile: profiles.Profile
    full: bool = False  # read every row of change-driven commands too (collector/refresh.py)
    last_ok: dict[str, datetime] = field(default_factory=dict)  # each dataset's last complete read
    probed: str | None = None  # the carried dataset whose uptime command was sent

    @property
    def olt(self) -> str:
        return self.request.entry.name


@dataclass
class SyncOutcome:
    report: OltReport
    failures: list[str]  # what fails the run, each once: a dataset, a lost lock, unwatched outages


def collect_failure(olt: str, dataset: str, exc: BaseException) -> str:
    return str(exc) if isinstance(exc, OltSyncError) else (
        f"{olt}: collecting {dataset} failed: {type(exc).__name__}: {exc}")


def sync_one_olt(request: SyncRequest, edges: Edges | None = None) -> SyncOutcome:
    """Sync one OLT: its datasets as the cadence plans them, each stored in its own transaction as
    soon as it is read; then its ports' ONU counts, its outages and alerts; and its report."""
    edges = edges or Edges()
    began = datetime.now(UTC)
    entry, settings = request.entry, request.settings
    url = database_url(settings)
    migrate.check(url)  # fail before touching the OLT
    profile = profiles.load(entry.platform)
    names = _datasets(entry, profile, request.datasets)
    engine = get_engine(url)
    with olt_lock(engine, entry.name, settings.olt_lock_wait_s) as lock:
        started = datetime.now(UTC)  # the sync proper: once no other sync has the OLT
        store.ensure_olt(engine, entry.name, entry.host, entry.port, entry.platform, profile.vendor)
        full = request.full or not settings.cadence
        last_ok = queries.last_complete_reads(engine, entry.name)
        plan = _plan(request, profile, names, last_ok, started, full)
        pool = make_pool(entry, request.max_sessions, slot=edges.slot, settings=settings)
        run = DatasetRun(request, edges, pool, _options(request), started, lock, profile, full,
                         last_ok)
        try:
            done, plan, then = _collect_and_store(run, plan, engine)
        finally:
            pool.close()
        done += _carried(run, engine, names, plan, then)
        done.sort(key=lambda d: names.index(d.report.dataset))
        report = _report(entry.name, done, pool)
        lost, unwatched = _after(run, engine, report, done)
    report.seconds = round((datetime.now(UTC) - began).total_seconds(), 2)
    failures = list(report.errors) if report.status not in STORED else []
    failures += [x for x in (lost, unwatched) if x]
    return SyncOutcome(report, list(dict.fromkeys(failures)))  # a login error fails each dataset


def _options(request: SyncRequest) -> SyncOptions:
    s = request.settings
    return SyncOptions(allow_shrink=request.allow_shrink, shrink_ratio=s.shrink_ratio,
                       shrink_min_rows=s.shrink_min_rows, power_deadband_db=s.power_deadband_db)


def _plan(request: SyncRequest, profile: profiles.Profile, names: list[str],
          last_ok: dict[str, datetime], started: datetime, full: bool) -> cadence.Plan:
    """Which datasets are read now, which after the state changes they may follow, which are
    carried. The daily hour reads every dataset, but a change-driven per-ONU command stays
    change-driven in it: its rolling refresh reads every ONU once a day already, spread over the
    hours; reading them all too would put 2,048 detail-info into that one hour."""
    settings, entry = request.settings, request.entry
    daily = settings.full_sync_hour == started.astimezone(entry.tz).hour
    return cadence.plan(profile, names, last_ok, started, full or daily,
                        asked=bool(request.datasets), overrides=settings.dataset_hours)


def _collect_and_store(run: DatasetRun, plan: cadence.Plan, engine: Engine
                       ) -> tuple[list[Done], cadence.Plan, list[str]]:
    """The planned datasets (after an uptime probe, when one is due: an OLT that restarted has
    every dataset read), then those the first ones' changes trigger. Returns their results, the
    plan as it was carried out, and the triggered datasets' names."""
    pool, profile = run.pool, run.profile
    probe = next((d for d in plan.carried if profile.datasets[d].uptime_probe), None)
    # a session with no dataset left gives its slot back at once
    pool.expect(len(plan.first) + len(plan.after) + (probe is not None))
    if probe and _restarted(run, engine, probe):
        plan = cadence.after_restart(plan)
        pool.expect(len(plan.first))
    run.probed = probe
    done = _run(run, plan.first)
    changed = {d.report.dataset: sum(d.report.counts.get(k, 0)
                                     for k in ("inserted", "moved", "removed")) for d in done}
    flips = {d.report.dataset: d.report.counts.get("state_changes", 0) for d in done}
    since = {d: queries.state_changes_since(engine, run.olt, run.last_ok.get(d))
             for d in plan.after if profile.datasets[d].also_after_state_changes}
    then = cadence.triggered(profile, plan.after, changed, flips, since)
    pool.expect(len(then))
    return done + _run(run, then), plan, then


def _run(run: DatasetRun, names: list[str]) -> list[Done]:
    """The datasets at once, as the orchestrator runs them; a failed one as its report line."""
    if not names:
        return []
    outcomes = (run.edges.run or in_threads)(names, run)
    return [o if isinstance(o, Done) else
            Done(DatasetReport(d, "failed", collect_failure(run.olt, d, o)))
            for d, o in zip(names, outcomes, strict=True)]


def in_threads(names: list[str], run: DatasetRun) -> list[Done | BaseException]:
    """The datasets at once in this process's threads (no orchestrator)."""

    def one(name: str) -> Done | BaseException:
        try:
            return sync_dataset(name, run)
        except Exception as exc:  # noqa: BLE001 - the dataset's failure is its report line
            return exc

    with ThreadPoolExecutor(max_workers=min(MAX_DATASETS_AT_ONCE, len(names)),
                            thread_name_prefix=f"sync-{run.olt}") as pool:
        return list(pool.map(one, names))


def sync_dataset(dataset: str, run: DatasetRun) -> Done:
    """Collect one dataset on a pooled session and parse it, then store it: its rows never leave
    this call, and it is stored while the OLT's other datasets are still being read."""
    entry, settings, engine = run.request.entry, run.request.settings, get_engine(
        database_url(run.request.settings))
    log = run.edges.log()
    t0 = time.perf_counter()
    try:
        run.lock.check()  # another sync may be on the box already: do not add a session
        stored = None if run.full else stored_for(engine, run, dataset)
        got = collect_dataset(
            run.pool, request_for(run.pool, dataset, tz=entry.tz, stored=stored,
                                  client_rules=entry.rules(settings.client_pattern),
                                  keeper=keeper_for(entry, settings, run.started)),
            attempts=settings.dataset_attempts, retry_backoff_s=settings.retry_backoff_s)
        run.lock.check()
    except Exception as exc:
        store.record_failure(engine, entry.name, dataset, run.started,
                             collect_failure(entry.name, dataset, exc), run.request.flow_run_id)
        raise
    for command, lines in got.skipped.items():  # informational lines: said, not stored
        log.info("%s running '%s': %d line(s) not stored, skipped: %s", entry.name, command,
                 len(lines), "; ".join(lines)[:300])
    with got.timers.stage("store"):
        # every dataset of the run (stored or failed) is recorded as started with the run
        before = queries.last_status(engine, entry.name, dataset, run.started)
        out = store.store_dataset(engine, entry.name, dataset, got.tables, run.started, run.opts,
                                  clients=got.clients, flow_run_id=run.request.flow_run_id,
                                  carried=got.carried, partial=got.partial)
    done = Done(DatasetReport.stored(out, got.commands, got.bytes_read, time.perf_counter() - t0,
                                     got.timers))
    onus = got.tables.get("onus")
    if onus is not None and out.status in STORED:
        done.onus, done.worst_optical = reports.onu_tally(onus), reports.worst_optical(onus)
        done.client_hits = got.client_hits
    if out.status == "partial":
        # stored: a warning when it starts or changes, then one quiet line per run (an OLT
        # whose firmware refuses an enrichment would otherwise warn every hour for ever)
        same = before[0] == "partial" and unread(before[1]) == unread(out.error)
        (log.info if same else log.warning)("%s", out.error)
    elif out.status != "ok":
        log.error("%s", out.error)
    return done


def _carried(run: DatasetRun, engine: Engine, names: list[str], plan: cadence.Plan,
             then: list[str]) -> list[Done]:
    """The datasets not read this run: recorded as carried, nothing of them touched."""
    out = []
    for d in names:
        if d not in plan.first and d not in then:
            store.record_carried(engine, run.olt, d, run.started, run.request.flow_run_id)
            probed = d == run.probed  # its uptime command was sent: counted here
            out.append(Done(DatasetReport(d, "carried", commands=int(probed),
                                          note=plan.carried[d] + ("; uptime probed" if probed
                                                                  else ""))))
    return out


def _report(olt: str, done: list[Done], pool: SessionPool) -> OltReport:
    report = OltReport(olt, [d.report for d in done], logins=pool.logins, timers=pool.timers)
    for d in done:
        if d.onus is not None:
            report.onus, report.worst_optical = d.onus, d.worst_optical
            report.client_rules = d.client_hits
    return report


def _after(run: DatasetRun, engine: Engine, report: OltReport, done: list[Done]
           ) -> tuple[str | None, str | None]:
    """Once the datasets are stored, and only while the lock is still ours: the ports' ONU
    counts, the outages and alerts, the OLT's last sync. Returns (lock lost, not watched)."""
    try:
        run.lock.check()  # another sync may own the OLT now: write nothing more
    except LockLost as exc:
        return str(exc), None
    store.count_onus_per_port(engine, run.olt)  # whatever was stored, counted once
    if report.onus is not None:
        report.clients = _reconcile(run, engine)
    unwatched = _watch(run, engine, done)
    if report.status in STORED:  # the run's start: status shows one time for one run
        store.finish_olt(engine, run.olt, run.started)
    return None, unwatched


def _reconcile(run: DatasetRun, engine: Engine) -> Reconciliation | None:
    """The OLT's ONUs and clients, for its report: a failure here costs only that paragraph."""
    try:
        return reconcile(engine, run.olt, light=True)  # the fleet run adds shared and swaps
    except Exception as exc:  # noqa: BLE001 - read-only and informational
        run.edges.log().warning("%s: client reconciliation not done this run: %s", run.olt,
                                str(exc).splitlines()[0] if str(exc) else type(exc).__name__)
        return None


def _watch(run: DatasetRun, engine: Engine, done: list[Done]) -> str | None:
    """Outages after this pass: the OLT's own when it could not be reached, its ports' when its
    ONU states were stored. The inventory is stored whatever happens here; a failure is returned
    (it fails the run: an outage must never be lost quietly) and the next pass catches up."""
    olt, edges, log = run.olt, run.edges, run.edges.log()
    try:
        now = datetime.now(UTC)
        lines = []
        if run.pool.unreachable or any(d.report.status in STORED for d in done):
            change = watch_unreachable(engine, olt, run.pool.unreachable, now, edges.emit)
            if change:
                lines.append(f"{olt}: unreachable outage {change}")
        if any(d.onus is not None for d in done):
            lines += describe(olt, watch_outages(engine, olt, run.started, now,
                                                 emit=edges.emit))
            low = watch_signal(engine, olt, now,
                               Thresholds().with_overrides(run.request.entry.signal), edges.emit)
            lines += describe_signal(olt, low)
        for line in lines:
            log.warning("%s", line)
        if lines:  # the UI's list of open outages, kept current
            current = open_outages(engine)
            edges.publish("open-outages", current or [{"open outages": "none"}],
                          f"{len(current)} open outage(s), {now:%Y-%m-%d %H:%M}Z")
    except Exception as exc:  # noqa: BLE001 - the rows are stored; the run fails, named
        what = str(exc) if isinstance(exc, OltSyncError) else f"{type(exc).__name__}: {exc}"
        return (f"{olt}: inventory stored, outages not evaluated (the next pass that can "
                f"catches up): {what}")
    return None


def _restarted(run: DatasetRun, engine: Engine, dataset: str) -> bool:
    """Whether the OLT restarted since `dataset` was last read (its uptime went backwards). Best
    effort: a probe that fails is logged, and the run goes on as planned (its datasets then
    meet the same problem and report it)."""
    log, entry = run.edges.log(), run.request.entry
    try:
        now = read_uptime(run.pool, dataset, entry.tz)
    except Exception as exc:  # noqa: BLE001
        log.warning("%s: uptime probe failed: %s", entry.name, exc)
        return False
    before = queries.stored_uptime(engine, entry.name)
    if not cadence.restarted(now, before):
        return False
    log.warning("%s: uptime %s s is below the %s s stored: the OLT restarted since its last "
                "read; reading every dataset", entry.name, now, before)
    return True


def stored_for(engine: Engine, run: DatasetRun, dataset: str) -> Stored | None:
    """What the dataset's change-driven commands (profile `refresh:`) compare with, and the
    columns they would fill; None: it has none, or was never read completely (read it all)."""
    cmds = [c for c in run.profile.datasets[dataset].commands if c.refresh is not None]
    since = run.last_ok.get(dataset)
    if not cmds or since is None:
        return None
    columns = list(dict.fromkeys(f for c in cmds for f in [*c.fields, *c.refresh.changed]))
    rows, recent = queries.stored_for_refresh(engine, run.olt, cmds[0].table,
                                              cmds[0].refresh.key, columns, since)
    return Stored.at(run.started, rows, recent)


def _datasets(entry: inv.OltEntry, profile: profiles.Profile,
              wanted: list[str] | None) -> list[str]:
    names = wanted or list(profile.datasets)
    unknown = [d for d in names if d not in profile.datasets]
    if unknown:
        raise OltSyncFailed(f"{entry.name}: unknown dataset(s) {unknown}; "
                            f"{entry.platform} has {list(profile.datasets)}")
    return names

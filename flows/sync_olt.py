"""sync-olt: one flow run per OLT. One mapped task per dataset collects it on a pooled session,
parses it and stores it in its own transaction; the flow leaves a table artifact and fails if any
dataset failed or was held back.

Task runs per OLT: one per dataset (5 for Huawei and ZTE).
"""

from __future__ import annotations

import re
import threading
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

from collector.dataset import DatasetResult
from collector.pool import SessionPool
from collector.run import collect_dataset
from core.errors import OltSyncError
from core.settings import Settings
from flows import report as reports
from flows.limits import check_ssh_limit, ssh_slot
from flows.olt_access import keeper_for, make_pool
from inventory import entries as inv
from platforms import profile as profiles
from storage import migrate, store
from storage.db import database_url, get_engine
from storage.olt_lock import Held, LockLost, olt_lock
from storage.sync import SyncOptions


class OltSyncFailed(OltSyncError):
    pass


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
    # One store at a time per OLT, as when one task stored them all: the onus store counts ONUs
    # per PON port, which the olt store may be creating in the same moment.
    store_lock: threading.Lock = field(default_factory=threading.Lock)


def collect_failure(olt: str, dataset: str, exc: BaseException) -> str:
    return str(exc) if isinstance(exc, OltSyncError) else (
        f"{olt}: collecting {dataset} failed: {type(exc).__name__}: {exc}")


def store_result(engine: Engine, dataset: str, outcome: DatasetResult,
                 shared: _Shared) -> dict[str, Any]:
    """Store one collected dataset in its own transaction; its line of the OLT's report."""
    t0, c0 = time.perf_counter(), time.thread_time()
    out = store.store_dataset(engine, shared.entry.name, dataset, outcome.tables, outcome.started_at,
                              shared.opts, clients=outcome.clients, flow_run_id=shared.flow_run_id)
    result: dict[str, Any] = {
        "dataset": dataset, "status": out.status, "error": out.error, "rows": out.rows,
        "counts": out.counts.as_dict(), **out.extra, "commands": outcome.commands,
        "bytes": outcome.bytes_read, "scrape_s": round(outcome.scrape_s, 3),
        "parse_s": round(outcome.parse_s, 3), "store_s": round(time.perf_counter() - t0, 3),
        "cpu_s": {"scrape": round(outcome.scrape_cpu_s, 4), "parse": round(outcome.parse_cpu_s, 4),
                  "store": round(time.thread_time() - c0, 4)}}
    if dataset == "onus" and out.status == "ok":
        onus = outcome.tables.get("onus", [])
        online = sum(1 for o in onus if o["run_state"] == "online")
        result["summary"] = {"onus": {"total": len(onus), "online": online,
                                      "offline": len(onus) - online},
                             "worst_optical": reports.worst_optical(onus)}
    return result


@task(name="sync-dataset", task_run_name="sync-{dataset}", cache_policy=NO_CACHE)
def sync_dataset_task(dataset: str, shared: _Shared) -> dict[str, Any]:
    """Collect one dataset on a pooled session and parse it, then store it: its rows never cross
    a task boundary, and it is stored while the OLT's other datasets are still being read."""
    entry, engine = shared.entry, get_engine()

    def failed(exc: BaseException) -> None:
        store.record_failure(engine, entry.name, dataset, shared.started,
                             collect_failure(entry.name, dataset, exc), shared.flow_run_id)

    try:
        shared.lock.check()  # another sync may be on the box already: do not add a session
        outcome = collect_dataset(shared.pool, dataset, shared.settings.client_pattern, entry.tz,
                                  attempts=shared.settings.dataset_attempts,
                                  retry_backoff_s=shared.settings.retry_backoff_s,
                                  keeper=keeper_for(entry, shared.settings, shared.started))
    except Exception as exc:
        failed(exc)
        raise
    with shared.store_lock:
        try:
            shared.lock.check()
        except LockLost as exc:
            failed(exc)
            raise
        result = store_result(engine, dataset, outcome, shared)
    if result["status"] != "ok":
        get_run_logger().error("%s", result["error"])
    return result


def _artifact_key(name: str) -> str:
    return "olt-" + re.sub(r"[^a-z0-9-]", "-", name.lower())


@flow(name="sync-olt", flow_run_name="{olt_name}", timeout_seconds=3600,
      task_runner=ThreadPoolTaskRunner(max_workers=8), log_prints=True)
def sync_olt(olt_name: str, inventory_path: str | None = None, max_sessions: int | None = None,
             allow_shrink: bool = False, datasets: list[str] | None = None) -> dict[str, Any]:
    """Sync one OLT. Credentials come from the inventory's references, never from parameters."""
    started = datetime.now(UTC)
    settings = Settings.from_env()
    url = database_url(settings)
    migrate.check(url)  # fail before touching the OLT
    check_ssh_limit(settings)
    entry = inv.load(inventory_path).get(olt_name)
    profile = profiles.load(entry.platform)
    names = datasets or list(profile.datasets)
    unknown = [d for d in names if d not in profile.datasets]
    if unknown:
        raise OltSyncFailed(f"{olt_name}: unknown dataset(s) {unknown}; "
                            f"{entry.platform} has {list(profile.datasets)}")
    opts = SyncOptions(allow_shrink=allow_shrink, shrink_ratio=settings.shrink_ratio,
                       shrink_min_rows=settings.shrink_min_rows,
                       power_deadband_db=settings.power_deadband_db)
    ctx = get_run_context()
    flow_run_id = str(ctx.flow_run.id) if getattr(ctx, "flow_run", None) else None
    engine = get_engine(url)
    with olt_lock(engine, olt_name, settings.olt_lock_wait_s) as lock:
        store.ensure_olt(engine, entry.name, entry.host, entry.port, entry.platform,
                         profile.vendor)
        pool = make_pool(entry, max_sessions, slot=ssh_slot(settings, olt_name), settings=settings)
        pool.expect(len(names))  # a session with no dataset left gives its slot back at once
        shared = _Shared(entry, pool, settings, opts, flow_run_id, started, lock)
        try:
            futures = sync_dataset_task.map(names, unmapped(shared))
            outcomes = [f.result(raise_on_failure=False) for f in futures]
        finally:
            pool.close()
        results = [o if isinstance(o, dict) else
                   {"dataset": d, "status": "failed", "error": collect_failure(olt_name, d, o)}
                   for d, o in zip(names, outcomes)]
        ok = all(r["status"] == "ok" for r in results)
        if ok:
            lock.check()
            store.finish_olt(engine, entry.name, datetime.now(UTC))
    rep: dict[str, Any] = {"olt": olt_name, "status": "ok" if ok else "failed",
                           "datasets": results}
    for r in results:
        rep.update(r.pop("summary", {}))
    rep["logins"] = pool.logins
    rep["login_s"] = round(pool.login_s, 3)
    rep["login_cpu_s"] = round(pool.login_cpu_s, 4)
    rep["transport_cpu_s"] = round(pool.transport_cpu_s, 4)
    rep["seconds"] = round((datetime.now(UTC) - started).total_seconds(), 2)
    create_table_artifact(table=reports.olt_table(rep), key=_artifact_key(olt_name),
                          description=reports.olt_markdown(rep))
    if rep["status"] != "ok":
        errors = [d["error"] for d in rep["datasets"] if d.get("error")]
        raise OltSyncFailed("; ".join(dict.fromkeys(errors)))  # a login error fails every dataset
    return rep

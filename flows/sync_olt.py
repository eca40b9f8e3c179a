"""sync-olt: one flow run per OLT. Collect every dataset in parallel on pooled sessions, store each
in its own transaction, leave a table artifact. Fails if any dataset failed or was held back.

Task runs per OLT: one collect per dataset (5 for Huawei) and one store.
"""

from __future__ import annotations

import re
import time
from datetime import UTC, datetime
from typing import Any

from prefect import flow, get_run_logger, task, unmapped
from prefect.artifacts import create_table_artifact
from prefect.cache_policies import NO_CACHE
from prefect.context import get_run_context
from prefect.task_runners import ThreadPoolTaskRunner
from prefect.utilities.annotations import quote

from collector.dataset import DatasetResult
from collector.pool import SessionPool
from collector.run import collect_dataset, make_pool
from flows import report as reports
from flows.limits import check_ssh_limit, ssh_slot
from oltsync import inventory as inv
from oltsync.errors import OltSyncError
from oltsync.settings import Settings
from platforms import profile as profiles
from storage import migrate, store
from storage.db import database_url, get_engine
from storage.olt_lock import olt_lock
from storage.sync import SyncOptions


class OltSyncFailed(OltSyncError):
    pass


@task(name="collect", task_run_name="collect-{dataset}", cache_policy=NO_CACHE)
def collect_task(entry: inv.OltEntry, dataset: str, pool: SessionPool,
                 settings: Settings) -> DatasetResult:
    return collect_dataset(pool, entry, dataset, settings.client_pattern,
                           attempts=settings.dataset_attempts,
                           retry_backoff_s=settings.retry_backoff_s)


@task(name="store", cache_policy=NO_CACHE)
def store_task(entry: inv.OltEntry, outcomes: list[DatasetResult | BaseException],
               datasets: list[str], opts: SyncOptions, flow_run_id: str | None,
               started: datetime) -> dict[str, Any]:
    log = get_run_logger()
    engine = get_engine()
    store.ensure_olt(engine, entry.name, entry.host, entry.port, entry.platform,
                     profiles.load(entry.platform).vendor)
    results: list[dict[str, Any]] = []
    onus: list[dict[str, Any]] | None = None
    for dataset, outcome in zip(datasets, outcomes):
        t0, c0 = time.perf_counter(), time.thread_time()
        if isinstance(outcome, BaseException):
            msg = str(outcome) if isinstance(outcome, OltSyncError) else (
                f"{entry.name}: collecting {dataset} failed: {type(outcome).__name__}: {outcome}")
            store.record_failure(engine, entry.name, dataset, started, msg, flow_run_id)
            results.append({"dataset": dataset, "status": "failed", "error": msg})
            log.error("%s", msg)
            continue
        out = store.store_dataset(engine, entry.name, dataset, outcome.tables, outcome.started_at,
                                  opts, clients=outcome.clients, flow_run_id=flow_run_id)
        results.append({"dataset": dataset, "status": out.status, "error": out.error,
                        "rows": out.rows, "counts": out.counts.as_dict(), **out.extra,
                        "commands": outcome.commands, "bytes": outcome.bytes_read,
                        "scrape_s": round(outcome.scrape_s, 3),
                        "parse_s": round(outcome.parse_s, 3),
                        "store_s": round(time.perf_counter() - t0, 3),
                        "cpu_s": {"scrape": round(outcome.scrape_cpu_s, 4),
                                  "parse": round(outcome.parse_cpu_s, 4),
                                  "store": round(time.thread_time() - c0, 4)}})
        if out.status != "ok":
            log.error("%s", out.error)
        if dataset == "onus" and out.status == "ok":
            onus = outcome.tables.get("onus", [])
    ok = all(r["status"] == "ok" for r in results)
    if ok:
        store.finish_olt(engine, entry.name, datetime.now(UTC))
    rep: dict[str, Any] = {"olt": entry.name, "status": "ok" if ok else "failed",
                           "datasets": results}
    if onus is not None:
        online = sum(1 for o in onus if o["run_state"] == "online")
        rep["onus"] = {"total": len(onus), "online": online, "offline": len(onus) - online}
        rep["worst_optical"] = reports.worst_optical(onus)
    return rep


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
    with olt_lock(get_engine(url), olt_name, settings.olt_lock_wait_s):
        pool = make_pool(entry, max_sessions, slot=ssh_slot(settings, olt_name), settings=settings)
        try:
            futures = collect_task.map(unmapped(entry), names, unmapped(pool),
                                       unmapped(settings))
            outcomes = [f.result(raise_on_failure=False) for f in futures]
        finally:
            pool.close()
        # quote(): Prefect would otherwise walk every row of every dataset twice (to find
        # upstream futures, then to resolve them), its largest cost on a big OLT.
        rep = store_task(entry, quote(outcomes), names, opts, flow_run_id, started)
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

"""sync-olt: one flow run per OLT, over the plain sync (sync/olt.py). What Prefect adds: the run
and its name, one mapped task run per dataset read (visible in the UI, each one's failure its
own), the fleet-wide SSH slot (a global concurrency limit), the events the alert automations
send, the OLT's table artifact, and the run's Failed state when a dataset failed.

Task runs per OLT: one per dataset read (5 on a first sync of Huawei and ZTE, fewer when the
cadence carries some).
"""

from __future__ import annotations

from typing import Any

from prefect import flow, get_run_logger, task, unmapped
from prefect.artifacts import create_table_artifact
from prefect.cache_policies import NO_CACHE
from prefect.context import get_run_context
from prefect.events import emit_event
from prefect.task_runners import ThreadPoolTaskRunner

from flows.limits import check_ssh_limit, ssh_slot
from sync import report as reports
from sync.edges import Edges
from sync.olt import DatasetRun, Done, OltSyncFailed, SyncRequest, sync_dataset, sync_one_olt

__all__ = ["OltSyncFailed", "sync_olt"]


@task(name="sync-dataset", task_run_name="sync-{dataset}", cache_policy=NO_CACHE)
def sync_dataset_task(dataset: str, run: DatasetRun) -> Done:
    return sync_dataset(dataset, run)


def _as_tasks(names: list[str], run: DatasetRun) -> list[Done | BaseException]:
    futures = sync_dataset_task.map(names, unmapped(run))
    return [f.result(raise_on_failure=False) for f in futures]


def _publish(key: str, table: list[dict[str, Any]], description: str) -> None:
    create_table_artifact(table=table, key=key, description=description)


@flow(name="sync-olt", flow_run_name="{olt_name}", timeout_seconds=3600,
      task_runner=ThreadPoolTaskRunner(max_workers=8), log_prints=True)
def sync_olt(olt_name: str, inventory_path: str | None = None, max_sessions: int | None = None,
             allow_shrink: bool = False, datasets: list[str] | None = None,
             full: bool | None = None) -> dict[str, Any]:
    """Sync one OLT. Credentials come from the inventory's references, never from parameters.
    `full`: read every dataset and every row of the change-driven commands; the daily hour
    (OLTSYNC_FULL_SYNC_HOUR, the OLT's time zone) reads every dataset, change-driven as usual."""
    ctx = get_run_context()
    flow_run_id = str(ctx.flow_run.id) if getattr(ctx, "flow_run", None) else None
    request = SyncRequest.load(olt_name, inventory_path, datasets=datasets,
                               max_sessions=max_sessions, allow_shrink=allow_shrink,
                               full=bool(full), flow_run_id=flow_run_id)
    check_ssh_limit(request.settings)
    edges = Edges(run=_as_tasks, log=get_run_logger, emit=emit_event, publish=_publish,
                  slot=ssh_slot(request.settings, olt_name))
    outcome = sync_one_olt(request, edges)
    create_table_artifact(table=reports.olt_table(outcome.report),
                          key=reports.artifact_key(olt_name),
                          description=reports.olt_markdown(outcome.report, reports.web_url()))
    if outcome.failures:
        raise OltSyncFailed("; ".join(outcome.failures))
    return outcome.report.as_dict()

"""sync-fleet: read the inventory, run one sync-olt per OLT with bounded concurrency, fail at the end
if any OLT failed (after all the others completed), leave a fleet summary and a progress artifact.

Fan-out, one wrapper task per OLT on a ThreadPoolTaskRunner bounded by `concurrency`:
- "subflow" (default): each wrapper calls sync-olt as a subflow in this process;
- "deployment": each wrapper calls `run_deployment` of the one-OLT deployment and waits for it, so
  every worker of the pool, on every host that runs one, shares the fleet.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, Literal

from prefect import flow, get_run_logger, task
from prefect.artifacts import (
    create_markdown_artifact,
    create_progress_artifact,
    create_table_artifact,
    update_progress_artifact,
)
from prefect.cache_policies import NO_CACHE
from prefect.context import get_run_context
from prefect.futures import as_completed
from prefect.task_runners import ThreadPoolTaskRunner

from core.errors import ConfigError, OltSyncError
from core.settings import Settings
from core.terminal import format_summary
from flows.limits import check_ssh_limit
from flows.retries import retried
from flows.sync_olt import OltSyncFailed, sync_olt
from inventory import entries as inv
from storage import migrate, store
from storage.db import get_engine
from storage.queries import database_summary, onu_counts
from storage.reconcile import per_olt, reconcile
from sync.report import fleet_clients_markdown, fleet_table

Fanout = Literal["subflow", "deployment"]
OLT_DEPLOYMENT = "sync-olt/one-olt"
CHILD_TIMEOUT_S = 3900  # sync-olt's own timeout is 1 h; a child still not final after this failed


class FleetFailed(OltSyncError):
    pass


def run_olt(deployment: str, olt_name: str, parameters: dict[str, Any], key: str | None,
            timeout_s: float = CHILD_TIMEOUT_S, sleep: Callable[[float], None] = time.sleep) -> Any:
    """The OLT's flow run of the one-OLT deployment, created and waited for. Under an idempotency
    key (the fleet run's, per OLT) a busy API's refusal is tried again: the key makes a repeat
    return the run the server may have created already, never a second one, and wait on."""
    from prefect.deployments import run_deployment

    def run() -> Any:
        return run_deployment(deployment, parameters=parameters, flow_run_name=olt_name,
                              timeout=timeout_s, poll_interval=2, tags=["oltsync"],
                              idempotency_key=key)

    if key is None:
        return run()
    return retried(run, f"{olt_name}: its flow run", _log(), sleep=sleep)


def _log() -> Any:
    from prefect.exceptions import MissingContextError

    try:
        return get_run_logger()
    except MissingContextError:
        import logging

        return logging.getLogger("oltsync.fleet")


def _run_olt_deployment(deployment: str, olt_name: str, parameters: dict[str, Any]) -> dict[str, Any]:
    """One OLT as its own flow run of the one-OLT deployment, on whichever worker picks it up."""
    ctx = get_run_context()
    parent = ctx.task_run.flow_run_id if getattr(ctx, "task_run", None) else None
    run = run_olt(deployment, olt_name, parameters, f"{parent}:{olt_name}" if parent else None)
    state = run.state
    if state is None or not state.is_final():
        raise OltSyncFailed(f"{olt_name}: flow run {run.name} was not finished after "
                            f"{CHILD_TIMEOUT_S} s (is a worker polling the pool?)")
    if not state.is_completed():
        raise OltSyncFailed(state.message or f"{olt_name}: flow run {run.name} ended {state.name}")
    return {"olt": olt_name, "status": "ok", "flow_run": str(run.id),
            "seconds": round(run.total_run_time.total_seconds(), 2)}


@task(name="sync-one", task_run_name="{olt_name}", cache_policy=NO_CACHE)
def sync_one(olt_name: str, inventory_path: str | None, max_sessions: int | None,
             allow_shrink: bool, via_deployment: str | None = None,
             full: bool | None = None) -> dict[str, Any]:
    params: dict[str, Any] = {"olt_name": olt_name, "inventory_path": inventory_path,
                              "max_sessions": max_sessions, "allow_shrink": allow_shrink,
                              "full": full}
    if via_deployment:
        # None means "the worker's default" (OLTSYNC_INVENTORY, the entry's max_sessions).
        return _run_olt_deployment(via_deployment, olt_name,
                                   {k: v for k, v in params.items() if v is not None})
    return sync_olt(**params)


def fleet_run_name() -> str:
    """Fleet runs are found by when they ran (UTC), not by a random name."""
    return f"fleet {datetime.now(UTC):%Y-%m-%d %H:%M}Z"


@flow(name="sync-fleet", flow_run_name=fleet_run_name, log_prints=True)
def sync_fleet(inventory_path: str | None = None, concurrency: int = 8,
               max_sessions: int | None = None, allow_shrink: bool = False,
               fanout: Fanout = "subflow", olt_deployment: str = OLT_DEPLOYMENT,
               full: bool | None = None) -> dict[str, Any]:
    """Sync every enabled OLT of the inventory, `concurrency` OLTs at a time. `full`: read every
    dataset and every row of the change-driven commands (the daily hour reads every dataset)."""
    log = get_run_logger()
    if fanout not in ("subflow", "deployment"):
        raise ConfigError(f"fanout must be 'subflow' or 'deployment', not {fanout!r}")
    migrate.check()  # a database problem fails the run before any OLT is touched
    check_ssh_limit(Settings.from_env())
    inventory = inv.load(inventory_path)
    names = [o.name for o in inventory.enabled]
    if not names and not inventory.problems:
        disabled = len(inventory.olts)
        raise ConfigError(f"the inventory ({inventory_path or 'OLTSYNC_INVENTORY'}) lists no "
                          f"OLT to sync{f' ({disabled} disabled)' if disabled else ''}: check the "
                          "file; nothing was touched")
    log.info("syncing %d OLTs, %d at a time, as %ss", len(names), concurrency, fanout)
    progress = create_progress_artifact(0.0, key="fleet-progress",
                                        description=f"OLTs synced of {len(names)}")
    results: dict[str, dict[str, Any]] = {}
    with ThreadPoolTaskRunner(max_workers=max(1, concurrency)) as runner:
        futures = {runner.submit(sync_one, parameters={
            "olt_name": name, "inventory_path": inventory_path, "max_sessions": max_sessions,
            "allow_shrink": allow_shrink, "full": full,
            "via_deployment": olt_deployment if fanout == "deployment" else None}): name
            for name in names}
        for done, fut in enumerate(as_completed(list(futures)), start=1):
            name = futures[fut]
            value = fut.result(raise_on_failure=False)
            if isinstance(value, BaseException):
                results[name] = {"olt": name, "status": "failed", "error": str(value)}
            else:
                results[name] = value
            update_progress_artifact(progress, 100.0 * done / max(1, len(names)),
                                     description=f"{done} of {len(names)} OLTs done")
    results = {n: results[n] for n in names}  # inventory order for the table
    failed = {n: r["error"] for n, r in results.items() if r["status"] not in ("ok", "partial")}
    failed.update({p.split(":", 1)[0]: "inventory: " + p for p in inventory.problems})
    engine = get_engine()
    # An OLT the inventory no longer lists stops counting as present (its rows stay).
    gone = store.mark_removed_olts(engine, set(inventory.listed), datetime.now(UTC))
    if gone:
        log.warning("no longer in the inventory, marked removed (rows kept): %s", ", ".join(gone))
    create_table_artifact(table=fleet_table(results, inventory.problems, onu_counts(engine)),
                          key="fleet-last-sync",
                          description=f"{len(names) - len(set(failed) & set(names))} of "
                                      f"{len(names)} OLTs synced")
    summary = database_summary(engine)
    create_markdown_artifact(markdown=f"```\n{format_summary(summary)}\n```", key="fleet-inventory")
    try:  # informational: a failure here never costs the fleet run its OLTs
        create_markdown_artifact(markdown=fleet_clients_markdown(reconcile(engine),
                                                                 per_olt(engine)),
                                 key="fleet-clients")
    except Exception as exc:  # noqa: BLE001
        log.warning("client reconciliation not done this run: %s", str(exc).splitlines()[0])
    if failed:
        lines = [e if e.startswith(f"{n}:") else f"{n}: {e}" for n, e in sorted(failed.items())]
        raise FleetFailed(f"{len(failed)} of {len(names) + len(inventory.problems)} OLTs failed:\n"
                          + "\n".join(lines))
    return {"olts": results, "summary": summary}

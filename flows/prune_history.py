"""prune-history: keep the optical history (with the ONU state changes and the closed client
links) and the sync_runs log to their retention periods.
Deployed daily from prefect.yaml; the periods default to the worker's settings."""

from __future__ import annotations

from prefect import flow, get_run_logger

from core.settings import Settings
from storage import migrate
from storage.db import get_engine
from storage.prune import prune


@flow(name="prune-history", log_prints=True)
def prune_history(optical_days: int | None = None, sync_runs_days: int | None = None) -> dict[str, int]:
    """Delete optical samples older than `optical_days` (default OLTSYNC_OPTICAL_RETENTION_DAYS, 90)
    and sync_runs rows older than `sync_runs_days` (default OLTSYNC_SYNC_RUNS_RETENTION_DAYS, 365)."""
    settings = Settings.from_env()
    migrate.check()
    days_optical = settings.optical_retention_days if optical_days is None else optical_days
    days_runs = settings.sync_runs_retention_days if sync_runs_days is None else sync_runs_days
    deleted = prune(get_engine(), days_optical, days_runs)
    get_run_logger().info("kept %d days of optical history, %d of sync_runs; deleted %s",
                          days_optical, days_runs, deleted)
    return deleted

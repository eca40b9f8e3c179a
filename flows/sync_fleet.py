"""sync-fleet: read the inventory, run one sync-olt per OLT with bounded concurrency, fail at the end
if any OLT failed (after all the others completed), leave a fleet summary artifact.

Fan-out: per-OLT subflows, each called from a wrapper task on a ThreadPoolTaskRunner bounded by
`concurrency` (one process; the default).
"""

from __future__ import annotations

from typing import Any

from prefect import flow, get_run_logger, task
from prefect.artifacts import create_markdown_artifact, create_table_artifact
from prefect.cache_policies import NO_CACHE
from prefect.task_runners import ThreadPoolTaskRunner

from flows.report import database_summary, format_summary
from flows.sync_olt import sync_olt
from oltsync import inventory as inv
from oltsync.errors import OltSyncError
from storage import migrate
from storage.db import get_engine


class FleetFailed(OltSyncError):
    pass


@task(name="sync-one", task_run_name="{olt_name}", cache_policy=NO_CACHE)
def sync_one(olt_name: str, inventory_path: str | None, max_sessions: int | None,
             allow_shrink: bool) -> dict[str, Any]:
    return sync_olt(olt_name=olt_name, inventory_path=inventory_path, max_sessions=max_sessions,
                    allow_shrink=allow_shrink)


@flow(name="sync-fleet", log_prints=True)
def sync_fleet(inventory_path: str | None = None, concurrency: int = 8,
               max_sessions: int | None = None, allow_shrink: bool = False) -> dict[str, Any]:
    """Sync every enabled OLT of the inventory."""
    log = get_run_logger()
    migrate.check()  # a database problem fails the run before any OLT is touched
    inventory = inv.load(inventory_path)
    names = [o.name for o in inventory.enabled]
    log.info("syncing %d OLTs, %d at a time", len(names), concurrency)
    results: dict[str, dict[str, Any]] = {}
    with ThreadPoolTaskRunner(max_workers=max(1, concurrency)) as runner:
        futures = {name: runner.submit(sync_one, parameters={
            "olt_name": name, "inventory_path": inventory_path, "max_sessions": max_sessions,
            "allow_shrink": allow_shrink}) for name in names}
        for name, fut in futures.items():
            value = fut.result(raise_on_failure=False)
            if isinstance(value, BaseException):
                results[name] = {"olt": name, "status": "failed", "error": str(value)}
            else:
                results[name] = value
    failed = {n: r["error"] for n, r in results.items() if r["status"] != "ok"}
    failed.update({p.split(":", 1)[0]: "inventory: " + p for p in inventory.problems})
    table = [{"olt": n, "status": r["status"], "onus": (r.get("onus") or {}).get("total"),
              "online": (r.get("onus") or {}).get("online"), "seconds": r.get("seconds"),
              "error": r.get("error") or ""} for n, r in results.items()]
    table += [{"olt": p.split(":", 1)[0], "status": "invalid", "onus": None, "online": None,
               "seconds": None, "error": p} for p in inventory.problems]
    create_table_artifact(table=table, key="fleet-last-sync",
                          description=f"{len(names) - len(set(failed) & set(names))} of "
                                      f"{len(names)} OLTs synced")
    summary = database_summary(get_engine())
    create_markdown_artifact(markdown=f"```\n{format_summary(summary)}\n```", key="fleet-inventory")
    if failed:
        lines = [e if e.startswith(f"{n}:") else f"{n}: {e}" for n, e in sorted(failed.items())]
        raise FleetFailed(f"{len(failed)} of {len(names) + len(inventory.problems)} OLTs failed:\n"
                          + "\n".join(lines))
    return {"olts": results, "summary": summary}

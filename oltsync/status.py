"""`python -m oltsync status`: what runs next, what is running, what is late, whether the pool and its
workers are healthy (from the Prefect API), and each OLT's last sync (from our sync_runs table).

Gathering (`gather_prefect` here, `last_syncs` in storage/queries.py) is separate from printing
(`format_status`) so both can be tested and the JSON form (`--json`) is the same data.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from core.terminal import printable

TAG = "oltsync"
ACTIVE_STATES = ("RUNNING", "PENDING", "CANCELLING")


def _run_row(run: Any, deployments: dict[Any, str]) -> dict[str, Any]:
    return {"name": run.name, "deployment": deployments.get(run.deployment_id, ""),
            "state": run.state_name,
            "expected_start": run.expected_start_time.isoformat() if run.expected_start_time else None,
            "start": run.start_time.isoformat() if run.start_time else None, "id": str(run.id)}


def _schedule(schedule: Any) -> str:
    """A cron schedule with the time zone it runs in (Prefect's default: UTC)."""
    return f"{schedule.cron} ({getattr(schedule, 'timezone', None) or 'UTC'})"


class NoServer(Exception):
    """No Prefect API is configured: status must not start a throw-away one and report it."""


def api_url() -> str:
    """The Prefect API status reads (PREFECT_API_URL); NoServer if none is set."""
    from prefect.settings import PREFECT_API_URL

    url = PREFECT_API_URL.value()
    if not url:
        raise NoServer("no Prefect server configured (PREFECT_API_URL is not set): run status "
                       "through deployments/with-env, or set PREFECT_API_URL to your server's API, "
                       "e.g. http://127.0.0.1:4200/api")
    return url


def gather_prefect(pool_name: str, limit: int = 10) -> dict[str, Any]:
    """Runs and pool health from the Prefect API (PREFECT_API_URL); never a throw-away server."""
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import (
        DeploymentFilter,
        DeploymentFilterTags,
        FlowRunFilter,
        FlowRunFilterDeploymentId,
        FlowRunFilterState,
        FlowRunFilterStateName,
        FlowRunFilterStateType,
        FlowRunFilterTags,
    )
    from prefect.client.schemas.objects import StateType
    from prefect.client.schemas.sorting import FlowRunSort
    from prefect.exceptions import ObjectNotFound

    tags = FlowRunFilterTags(all_=[TAG])
    out: dict[str, Any] = {"api": api_url()}
    with get_client(sync_client=True) as client:
        deps = client.read_deployments(deployment_filter=DeploymentFilter(
            tags=DeploymentFilterTags(all_=[TAG])))
        flows = {f.id: f.name for f in client.read_flows()} if deps else {}
        names = {d.id: f"{flows.get(d.flow_id, '?')}/{d.name}" for d in deps}
        out["deployments"] = [{"name": names[d.id], "paused": d.paused,
                               "schedules": [_schedule(s.schedule) for s in d.schedules
                                             if getattr(s.schedule, "cron", None)],
                               "concurrency_limit": getattr(d.global_concurrency_limit, "limit", None)}
                              for d in deps]

        def runs(flt: FlowRunFilter, sort: FlowRunSort) -> list[dict[str, Any]]:
            return [_run_row(r, names) for r in client.read_flow_runs(
                flow_run_filter=flt, sort=sort, limit=limit)]

        def named(name: str) -> FlowRunFilter:
            return FlowRunFilter(tags=tags, state=FlowRunFilterState(
                name=FlowRunFilterStateName(any_=[name])))

        # the next run of each deployment (the 5-minute status pass would fill any list)
        out["scheduled"] = [row for d in deps for row in [_run_row(r, names) for r in
                            client.read_flow_runs(flow_run_filter=FlowRunFilter(
                                tags=tags, state=FlowRunFilterState(
                                    name=FlowRunFilterStateName(any_=["Scheduled"])),
                                deployment_id=FlowRunFilterDeploymentId(any_=[d.id])),
                                sort=FlowRunSort.EXPECTED_START_TIME_ASC, limit=1)]]
        out["late"] = runs(named("Late"), FlowRunSort.EXPECTED_START_TIME_ASC)
        out["running"] = runs(FlowRunFilter(tags=tags, state=FlowRunFilterState(
            type=FlowRunFilterStateType(any_=[StateType(s) for s in ACTIVE_STATES]))),
            FlowRunSort.START_TIME_DESC)
        try:
            pool = client.read_work_pool(pool_name)
        except ObjectNotFound:
            out["pool"] = {"name": pool_name, "status": "MISSING", "paused": None, "workers": []}
        else:
            workers = client.read_workers_for_work_pool(pool_name)
            out["pool"] = {
                "name": pool.name, "type": pool.type, "paused": pool.is_paused,
                "status": pool.status.value if pool.status else None,
                "concurrency_limit": pool.concurrency_limit,
                "workers": [{"name": w.name, "status": getattr(w.status, "value", w.status),
                             "last_heartbeat": w.last_heartbeat_time.isoformat()
                             if w.last_heartbeat_time else None} for w in workers]}
    return out


def _table(rows: list[dict[str, Any]], cols: list[str]) -> list[str]:
    if not rows:
        return ["  (none)"]
    cells = [[("" if r.get(c) is None else str(r.get(c))) for c in cols] for r in rows]
    widths = [max(len(c), *(len(row[i]) for row in cells)) for i, c in enumerate(cols)]
    fmt = "  " + "  ".join(f"{{:<{w}}}" for w in widths)
    return [fmt.format(*cols), *(fmt.format(*row) for row in cells)]


def format_status(prefect: dict[str, Any] | str, olts: list[dict[str, Any]] | str,
                  outages: list[dict[str, Any]] | None = None,
                  low_signal: list[dict[str, Any]] | None = None,
                  clients: dict[str, Any] | None = None) -> str:
    """Text for the terminal. A part that could not be read is given as its error message."""
    lines = [f"oltsync status at {datetime.now(UTC).isoformat(timespec='seconds')}"]
    if isinstance(prefect, str):
        lines += ["", f"Prefect API: {prefect}"]
    else:
        lines += ["", f"Prefect API: {prefect.get('api')}"]
        pool = prefect["pool"]
        state = "PAUSED" if pool.get("paused") else pool.get("status")
        lines += ["", f"Work pool {pool['name']}: {state}"]
        lines += _table(pool.get("workers", []), ["name", "status", "last_heartbeat"])
        lines += ["", "Deployments:"]
        lines += _table(prefect["deployments"], ["name", "paused", "schedules", "concurrency_limit"])
        for title, key, cols in (("Next scheduled run of each deployment", "scheduled",
                                  ["expected_start", "deployment", "name"]),
                                 ("Late runs", "late", ["expected_start", "deployment", "name"]),
                                 ("Running now", "running", ["start", "state", "deployment", "name"])):
            lines += ["", f"{title}:"] + _table(prefect[key], cols)
    lines += ["", "OLTs (last sync, from sync_runs):"]
    if isinstance(olts, str):
        lines.append(f"  {olts}")
    else:
        listed = [o for o in olts if o["status"] != "removed"]
        lines += _table([{**o, "error": (o["error"] or "")[:100]} for o in listed],
                        ["olt", "status", "last_sync", "seconds", "inserted", "updated",
                         "unchanged", "removed", "last_ok", "error"])
        if outages:
            lines += ["", f"Open outages ({len(outages)}):"]
            lines += _table(outages, ["opened_at", "olt", "port", "kind", "affected", "los",
                                      "dying_gasp", "clients"])
        if low_signal:
            lines += ["", f"Low signal (open, worst {len(low_signal)}):"]
            lines += _table(low_signal, ["severity", "level_dbm", "metric", "olt", "port",
                                         "onu_id", "serial", "opened_at"])
        if clients and clients.get("olts"):
            fleet = clients["fleet"]
            lines += ["", "Clients (`oltsync clients report` lists the keys):"]
            lines += _table(clients["olts"], ["olt", "onus", "without_client", "shared",
                                              "swapped"])
            lines.append(f"  fleet: {fleet['clients']} clients, {fleet['clients_without_onu']} "
                         f"without an ONU, {fleet['shared']} on two ONUs or more, "
                         f"{fleet['swapped']} swapped in 7 days")
        gone = [o for o in olts if o["status"] == "removed"]
        if gone:
            lines += ["", "Removed from the inventory (their rows kept as history; "
                          "`python -m oltsync rename` if one was renamed):"]
            lines += _table(gone, ["olt", "host", "removed_at", "last_ok"])
    return "\n".join(printable(line) for line in lines)  # errors quote the OLT's text

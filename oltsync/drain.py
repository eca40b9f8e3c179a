"""Restart workers without stranding flow runs: pause the pool, wait until none of its flow runs is
pending or running, run the restart command, resume the pool.

A worker stopped while its flow runs are in flight leaves them in Running (an upstream Prefect issue),
which then also holds the hourly deployment's concurrency slot. Paused, the pool hands out no new
runs; scheduled ones wait (shown Late) and start as soon as the pool is resumed.
"""

from __future__ import annotations

import shlex
import subprocess
import time
from collections.abc import Callable

from core.errors import OltSyncError

IN_FLIGHT = ("PENDING", "RUNNING", "CANCELLING")
# A run a worker claimed (Pending, "Submitting") and never started, because that worker was
# stopped meanwhile, stays so for ever: no process, no heartbeat, nothing will finish it.
STRANDED_S = 90.0


class DrainError(OltSyncError):
    pass


def set_paused(pool: str, paused: bool) -> None:
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.actions import WorkPoolUpdate

    with get_client(sync_client=True) as client:
        client.update_work_pool(pool, WorkPoolUpdate(is_paused=paused))


def in_flight(pool: str, out: Callable[[str], None] = print) -> list[str]:
    """Names of the pool's flow runs that a worker has picked up and not finished. A run claimed
    and never started (Pending for STRANDED_S, its worker gone) is set back to Scheduled, said,
    and not waited for: the restarted workers take it."""
    from datetime import UTC, datetime

    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import (
        FlowRunFilter,
        FlowRunFilterState,
        FlowRunFilterStateType,
        WorkPoolFilter,
        WorkPoolFilterName,
    )
    from prefect.client.schemas.objects import StateType
    from prefect.states import Scheduled

    busy = []
    with get_client(sync_client=True) as client:
        runs = client.read_flow_runs(
            flow_run_filter=FlowRunFilter(state=FlowRunFilterState(
                type=FlowRunFilterStateType(any_=[StateType(s) for s in IN_FLIGHT]))),
            work_pool_filter=WorkPoolFilter(name=WorkPoolFilterName(any_=[pool])))
        now = datetime.now(UTC)
        for r in runs:
            since = r.state.timestamp if r.state else None
            if (r.state_type == StateType.PENDING and since is not None
                    and (now - since).total_seconds() > STRANDED_S):
                client.set_flow_run_state(r.id, Scheduled(), force=True)
                out(f"{r.name} was {r.state_name} since {since:%H:%M:%S}Z with no worker running "
                    "it: set back to Scheduled, a worker takes it once the pool is resumed")
                continue
            busy.append(f"{r.name} ({r.state_name})")
    return busy


def drain(pool: str, restart: str | None, timeout_s: float = 3900, poll_s: float = 5,
          out: Callable[[str], None] = print) -> None:
    """Pause `pool`, wait for its in-flight runs, run `restart` (a shell-free command line), resume.

    The pool is resumed whatever happens, so an interrupted drain never leaves syncs stopped; if the
    runs do not finish within `timeout_s` the restart is not run.
    """
    set_paused(pool, True)
    out(f"work pool {pool!r} paused: no new flow runs start")
    try:
        deadline = time.monotonic() + timeout_s
        while True:
            busy = in_flight(pool, out)
            if not busy:
                break
            if time.monotonic() >= deadline:
                raise DrainError(f"{len(busy)} flow run(s) still in flight after {timeout_s:.0f} s: "
                                 f"{', '.join(busy)}; the worker was not restarted")
            out(f"waiting for {len(busy)} flow run(s): {', '.join(busy)}")
            time.sleep(poll_s)
        out("no flow run in flight")
        if restart:
            done = subprocess.run(shlex.split(restart), capture_output=True, text=True)
            if done.returncode != 0:
                raise DrainError(f"`{restart}` failed (exit {done.returncode}): "
                                 f"{(done.stderr or done.stdout).strip()[-500:]}")
            out(f"ran `{restart}`")
    finally:
        set_paused(pool, False)
        out(f"work pool {pool!r} resumed")

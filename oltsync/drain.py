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


class DrainError(OltSyncError):
    pass


def set_paused(pool: str, paused: bool) -> None:
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.actions import WorkPoolUpdate

    with get_client(sync_client=True) as client:
        client.update_work_pool(pool, WorkPoolUpdate(is_paused=paused))


def in_flight(pool: str) -> list[str]:
    """Names of the pool's flow runs that a worker has picked up and not finished."""
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import (
        FlowRunFilter,
        FlowRunFilterState,
        FlowRunFilterStateType,
        WorkPoolFilter,
        WorkPoolFilterName,
    )
    from prefect.client.schemas.objects import StateType

    with get_client(sync_client=True) as client:
        runs = client.read_flow_runs(
            flow_run_filter=FlowRunFilter(state=FlowRunFilterState(
                type=FlowRunFilterStateType(any_=[StateType(s) for s in IN_FLIGHT]))),
            work_pool_filter=WorkPoolFilter(name=WorkPoolFilterName(any_=[pool])))
    return [f"{r.name} ({r.state_name})" for r in runs]


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
            busy = in_flight(pool)
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

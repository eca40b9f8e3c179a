"""The fleet-wide limit on simultaneous SSH sessions: a strict Prefect global concurrency limit.

Every open session to any OLT, from any worker on any host, holds one slot for as long as it is open.
Strict: a limit that does not exist is an error (Prefect would otherwise run unlimited with only a
warning), reported before any OLT is touched with the command that creates it.
"""

from __future__ import annotations

import contextvars
from collections.abc import Callable
from contextlib import ExitStack

from collector.pool import SlotFactory
from core.errors import ConfigError
from core.settings import Settings

# Slots are leased and renewed while held; a killed process gives its slots back after this long.
LEASE_S = 120.0


def check_ssh_limit(settings: Settings) -> None:
    """Fail at once if the configured limit is missing or inactive on the Prefect server."""
    if not settings.ssh_limit:
        return
    from prefect.client.orchestration import get_client
    from prefect.exceptions import ObjectNotFound

    try:
        with get_client(sync_client=True) as client:
            limit = client.read_global_concurrency_limit_by_name(settings.ssh_limit)
    except ObjectNotFound:
        raise ConfigError(
            f"the Prefect global concurrency limit {settings.ssh_limit!r} (fleet-wide SSH sessions) "
            "does not exist: run `python -m oltsync bootstrap`, or set OLTSYNC_SSH_LIMIT= to run "
            "without a fleet-wide limit") from None
    if not limit.active:
        raise ConfigError(f"the Prefect global concurrency limit {settings.ssh_limit!r} is inactive: "
                          f"activate it (`prefect gcl update {settings.ssh_limit} --enable`)")


def _outside_task_cleanup(acquire: Callable[[], object]) -> None:
    """Acquire with no ConcurrencyContext in scope. A slot belongs to its SSH session, and a pooled
    session outlives the task that opened it (later tasks borrow it); inside the task's context,
    Prefect would release the slot when that task ends while the session stays open."""
    from prefect.concurrency.context import ConcurrencyContext

    def run() -> None:
        ConcurrencyContext.__var__.set(None)
        acquire()

    contextvars.copy_context().run(run)


def _is_locked(exc: BaseException) -> bool:
    """True when the acquisition failed only because every slot is held (HTTP 423)."""
    cause = exc.__cause__
    response = getattr(cause, "response", None)
    return getattr(response, "status_code", None) == 423


def ssh_slot(settings: Settings, olt: str) -> SlotFactory | None:
    """A factory that tries once for one SSH-session slot: an entered context manager holding it
    (the pool exits it when the session closes), or None when every slot is held. The pool does
    the waiting, so that Prefect's per-process acquisition queue never holds one OLT's try behind
    another OLT's long wait. None when no limit is configured."""
    name = settings.ssh_limit
    if not name:
        return None

    def try_slot() -> ExitStack | None:
        from prefect.concurrency._asyncio import ConcurrencySlotAcquisitionError
        from prefect.concurrency.sync import concurrency

        held = ExitStack()
        try:
            _outside_task_cleanup(lambda: held.enter_context(concurrency(
                name, occupy=1, max_retries=0, strict=True, lease_duration=LEASE_S,
                raise_on_lease_renewal_failure=False)))
        except ConcurrencySlotAcquisitionError as exc:
            if _is_locked(exc):
                return None
            raise ConfigError(f"{olt}: fleet-wide SSH session limit {name!r}: {exc}") from None
        return held

    return try_slot

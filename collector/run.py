"""Collect one dataset of one OLT over its session pool, trying again on a fresh session when one
dropped mid-output: what a collect task calls."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, tzinfo
from typing import Any

from collector.dataset import CollectRequest, DatasetResult, collect
from collector.pool import SessionPool
from core.errors import CollectError
from core.settings import backoff_s

log = logging.getLogger("oltsync.collect")


def request_for(pool: SessionPool, dataset: str, **options: Any) -> CollectRequest:
    """A request for one of the pool's OLT's datasets (CollectRequest's other fields: options)."""
    return CollectRequest(pool.name, pool.profile, dataset, **options)


def collect_dataset(pool: SessionPool, request: CollectRequest, attempts: int = 1,
                    retry_backoff_s: float = 2.0,
                    sleep: Callable[[float], None] = time.sleep) -> DatasetResult:
    """One dataset on a pooled session. A session that dropped or hung mid-output is closed by the
    pool; the dataset is then tried again on a fresh one (up to `attempts` tries in all). Errors that
    a retry cannot fix (login, rejected command, unparseable output) are raised at once, the
    answer that caused them kept by `keeper`."""
    dataset, keeper = request.dataset, request.keeper
    for attempt in range(1, attempts + 1):
        try:
            with pool.session() as session:
                kept = keeper and replace(keeper, secrets=(session.target.password,
                                                          session.target.secret))
                result = collect(session, replace(request, keeper=kept))
                if result.tables.get("olt"):  # the OLT's own row: its name is its prompt's
                    result.tables["olt"][0]["hostname"] = session.conn.base_prompt
            break
        except CollectError as exc:
            mid_session = exc.transient and exc.command is not None
            if not mid_session or attempt == attempts:
                if attempt > 1:
                    exc.args = (f"{exc} (after {attempt} tries)",)
                raise
            delay = backoff_s(attempt, retry_backoff_s)
            log.warning("%s; trying %s again in %.1f s (try %d of %d)", exc, dataset, delay,
                        attempt + 1, attempts)
            sleep(delay)
    return result


def read_uptime(pool: SessionPool, dataset: str, tz: tzinfo = UTC) -> int | None:
    """The OLT's uptime in seconds, by the dataset's `uptime_probe` (one command)."""
    spec = pool.profile.datasets[dataset].probe_spec()
    assert spec is not None
    with pool.session() as session:
        got = collect(session, CollectRequest(pool.name, pool.profile, dataset, tz, spec=spec))
    if got.partial:  # an enrichment's failure is no answer here
        raise CollectError(pool.name, None, got.partial)
    rows = got.tables.get("olt") or [{}]
    return rows[0].get("uptime_s")

"""Collect one dataset of one inventory OLT over its session pool: what a collect task calls."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime
from pathlib import Path

from collector import rows as rowlib
from collector.dataset import DatasetResult, collect
from collector.failed_output import Keeper
from collector.pool import SessionPool, SlotFactory
from collector.session import Target
from oltsync.errors import CollectError
from oltsync.inventory import OltEntry
from oltsync.settings import Settings, backoff_s
from platforms import profile as profiles

log = logging.getLogger("oltsync.collect")


def target_for(entry: OltEntry, settings: Settings | None = None) -> Target:
    """Resolve credentials (environment or Secret block) into a login target."""
    settings = settings or Settings.from_env()
    username, password = entry.credentials()
    return Target(name=entry.name, host=entry.host, port=entry.port, platform=entry.platform,
                  username=username, password=password,
                  conn_timeout=settings.connect_timeout_s, auth_timeout=settings.login_timeout_s,
                  read_timeout=settings.read_timeout_s, host_key_policy=settings.host_key_policy,
                  known_hosts=settings.known_hosts)


def keeper_for(entry: OltEntry, settings: Settings, started: datetime) -> Keeper | None:
    """Where a failed command's answer is kept (None: OLTSYNC_CAPTURE_DIR set empty)."""
    if not settings.capture_dir:
        return None
    return Keeper(Path(settings.capture_dir).expanduser(), entry.name, entry.platform,
                  started=started)


def make_pool(entry: OltEntry, max_sessions: int | None = None, slot: SlotFactory | None = None,
              settings: Settings | None = None) -> SessionPool:
    settings = settings or Settings.from_env()
    return SessionPool(entry.name, lambda: target_for(entry, settings), profiles.load(entry.platform),
                       max_sessions or entry.max_sessions, slot=slot,
                       slot_wait_s=settings.ssh_slot_wait_s,
                       connect_attempts=settings.connect_attempts,
                       retry_backoff_s=settings.retry_backoff_s)


def collect_dataset(pool: SessionPool, entry: OltEntry, dataset: str, client_pattern: str,
                    attempts: int = 1, retry_backoff_s: float = 2.0,
                    sleep: Callable[[float], None] = time.sleep,
                    keeper: Keeper | None = None) -> DatasetResult:
    """One dataset on a pooled session. A session that dropped or hung mid-output is closed by the
    pool; the dataset is then tried again on a fresh one (up to `attempts` tries in all). Errors that
    a retry cannot fix (login, rejected command, unparseable output) are raised at once, the
    answer that caused them kept by `keeper`."""
    profile = profiles.load(entry.platform)
    for attempt in range(1, attempts + 1):
        try:
            with pool.session() as session:
                kept = keeper and replace(keeper, secrets=(session.target.password,))
                result = collect(entry.name, session, profile, dataset, entry.tz, kept)
                if dataset == "olt" and result.tables.get("olt"):
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
    if "onus" in result.tables:
        result.clients = rowlib.client_rows(result.tables["onus"], client_pattern)
    return result

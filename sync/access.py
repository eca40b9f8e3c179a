"""How flows reach an inventory OLT: its login target, its session pool, where a failed answer is
kept. The collector knows sessions and profiles; the inventory and settings meet it here."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from collector.failed_output import Keeper
from collector.pool import SessionPool, SlotFactory
from collector.session import Target
from core.settings import Settings
from inventory.entries import OltEntry
from platforms import profile as profiles


def target_for(entry: OltEntry, settings: Settings | None = None) -> Target:
    """Resolve credentials (environment or Secret block) into a login target."""
    settings = settings or Settings.from_env()
    username, password = entry.credentials()
    return Target(name=entry.name, host=entry.host, port=entry.port, platform=entry.platform,
                  username=username, password=password, secret=entry.enable_password(),
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

"""Settings from the environment (a systemd EnvironmentFile, a .env, the worker's environment)."""

from __future__ import annotations

import os
from dataclasses import dataclass, field

DEFAULT_SSH_LIMIT = "oltsync-ssh-sessions"


def _env(name: str, default: str) -> str:
    return os.environ.get(name, default)


HOST_KEY_POLICIES = ("accept-new", "strict", "off")


def _host_key_policy(value: str) -> str:
    v = value.strip().lower()
    if v not in HOST_KEY_POLICIES:
        from core.errors import ConfigError

        raise ConfigError(f"OLTSYNC_HOST_KEY_POLICY={value!r}: use one of {', '.join(HOST_KEY_POLICIES)}")
    return v


def _hour(value: str) -> int | None:
    v = value.strip().lower()
    if v in ("", "off", "none", "never"):
        return None
    if not v.isdigit() or int(v) > 23:
        from core.errors import ConfigError

        raise ConfigError(f"OLTSYNC_FULL_SYNC_HOUR={value!r}: an hour 0-23, or off")
    return int(v)


def _on_off(name: str, value: str) -> bool:
    v = value.strip().lower()
    if v not in ("on", "off", "true", "false", "1", "0"):
        from core.errors import ConfigError

        raise ConfigError(f"{name}={value!r}: on or off")
    return v in ("on", "true", "1")


def _periods(value: str) -> dict[str, int]:
    out = {}
    for part in (p.strip() for p in value.split(",") if p.strip()):
        name, _, hours = part.partition("=")
        if not name.strip().isidentifier() or not hours.strip().isdigit() or \
                not 1 <= int(hours) <= 168:
            from core.errors import ConfigError

            raise ConfigError(f"OLTSYNC_DATASET_HOURS={value!r}: dataset=hours (1-168), "
                              "comma-separated, e.g. service_ports=12,olt=24")
        out[name.strip()] = int(hours)
    return out


def backoff_s(attempt: int, base_s: float) -> float:
    """Delay before try `attempt + 1`: exponential, with jitter so a fleet does not retry in step."""
    import random

    return base_s * 2 ** (attempt - 1) * random.uniform(0.5, 1.0)


@dataclass(frozen=True)
class Settings:
    database_url: str | None = field(repr=False)  # may hold a password
    database_block: str | None
    # one custom client rule for every OLT whose inventory entry names none (the setting before
    # client rules: clients/rules.py); None: the default rules
    client_pattern: str | None
    shrink_ratio: float
    shrink_min_rows: int
    power_deadband_db: float
    # Fleet-wide: the Prefect global concurrency limit every SSH session holds a slot of while it is
    # open (None: no fleet-wide limit), its size as the bootstrap creates it, and how long a session
    # waits for a slot.
    ssh_limit: str | None
    ssh_limit_slots: int
    ssh_slot_wait_s: float
    # How long a sync waits for another sync of the same OLT to finish before it gives up.
    olt_lock_wait_s: float
    optical_retention_days: int
    sync_runs_retention_days: int
    work_pool: str
    # Transient network errors: connection attempts per OLT per run, tries per dataset after the
    # session dropped or hung mid-output, and the base of the exponential backoff (with jitter).
    # A wrong password is never retried.
    connect_attempts: int = 3
    dataset_attempts: int = 2
    retry_backoff_s: float = 2.0
    # SSH host keys: "accept-new" (remember a new OLT's key, refuse a changed one), "strict" (only
    # keys already in the file), or "off" (accept anything; lab use only).
    # Seconds: TCP connect, SSH banner + authentication, and one command's whole output.
    connect_timeout_s: float = 10.0
    login_timeout_s: float = 20.0
    read_timeout_s: float = 120.0
    host_key_policy: str = "accept-new"
    known_hosts: str = "~/.config/oltsync/known_hosts"
    # Where the answer of a command that failed is kept (collector/failed_output.py); "" : nowhere.
    capture_dir: str = "captures"
    # The hour (0-23, each OLT's own time zone) whose sync reads every dataset, due or not;
    # change-driven commands (profile `refresh:`) keep their turns (full=true reads every row).
    full_sync_hour: int | None = 3
    # off: every run reads everything (every dataset, every row of change-driven commands)
    cadence: bool = True
    # Periods that override the profiles' `every_hours`, per dataset ("service_ports=12,olt=24").
    dataset_hours: dict[str, int] = field(default_factory=dict)

    @classmethod
    def from_env(cls) -> Settings:
        return cls(
            database_url=os.environ.get("OLTSYNC_DATABASE_URL") or None,
            database_block=os.environ.get("OLTSYNC_DATABASE_BLOCK") or None,
            client_pattern=_env("OLTSYNC_CLIENT_PATTERN", "").strip() or None,
            shrink_ratio=float(_env("OLTSYNC_SHRINK_RATIO", "0.5")),
            shrink_min_rows=int(_env("OLTSYNC_SHRINK_MIN_ROWS", "10")),
            power_deadband_db=float(_env("OLTSYNC_POWER_DEADBAND_DB", "0.5")),
            ssh_limit=_env("OLTSYNC_SSH_LIMIT", DEFAULT_SSH_LIMIT).strip() or None,
            ssh_limit_slots=int(_env("OLTSYNC_SSH_LIMIT_SLOTS", "32")),
            ssh_slot_wait_s=float(_env("OLTSYNC_SSH_SLOT_WAIT_S", "1800")),
            olt_lock_wait_s=float(_env("OLTSYNC_OLT_LOCK_WAIT_S", "600")),
            optical_retention_days=int(_env("OLTSYNC_OPTICAL_RETENTION_DAYS", "90")),
            sync_runs_retention_days=int(_env("OLTSYNC_SYNC_RUNS_RETENTION_DAYS", "365")),
            work_pool=_env("OLTSYNC_WORK_POOL", "oltsync"),
            full_sync_hour=_hour(_env("OLTSYNC_FULL_SYNC_HOUR", "3")),
            dataset_hours=_periods(_env("OLTSYNC_DATASET_HOURS", "")),
            cadence=_on_off("OLTSYNC_CADENCE", _env("OLTSYNC_CADENCE", "on")),
            connect_attempts=max(1, int(_env("OLTSYNC_CONNECT_ATTEMPTS", "3"))),
            dataset_attempts=max(1, int(_env("OLTSYNC_DATASET_ATTEMPTS", "2"))),
            retry_backoff_s=float(_env("OLTSYNC_RETRY_BACKOFF_S", "2")),
            connect_timeout_s=float(_env("OLTSYNC_CONNECT_TIMEOUT_S", "10")),
            login_timeout_s=float(_env("OLTSYNC_LOGIN_TIMEOUT_S", "20")),
            read_timeout_s=float(_env("OLTSYNC_READ_TIMEOUT_S", "120")),
            host_key_policy=_host_key_policy(_env("OLTSYNC_HOST_KEY_POLICY", "accept-new")),
            known_hosts=_env("OLTSYNC_KNOWN_HOSTS", "~/.config/oltsync/known_hosts"),
            capture_dir=_env("OLTSYNC_CAPTURE_DIR", "captures").strip(),
        )

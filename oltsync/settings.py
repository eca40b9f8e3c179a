"""Settings from the environment (a systemd EnvironmentFile, a .env, the worker's environment)."""

from __future__ import annotations

import os
from dataclasses import dataclass

# Client codes at the start of an ONU description: "00123456_Maria_da_Silva", "4512 - João".
DEFAULT_CLIENT_PATTERN = r"^(?P<key>\d{4,10})\s*[-_ ]\s*(?P<name>\S.*)$"


@dataclass(frozen=True)
class Settings:
    database_url: str | None
    database_block: str | None
    client_pattern: str
    shrink_ratio: float
    shrink_min_rows: int
    power_deadband_db: float

    @classmethod
    def from_env(cls) -> Settings:
        return cls(
            database_url=os.environ.get("OLTSYNC_DATABASE_URL") or None,
            database_block=os.environ.get("OLTSYNC_DATABASE_BLOCK") or None,
            client_pattern=os.environ.get("OLTSYNC_CLIENT_PATTERN", DEFAULT_CLIENT_PATTERN),
            shrink_ratio=float(os.environ.get("OLTSYNC_SHRINK_RATIO", "0.5")),
            shrink_min_rows=int(os.environ.get("OLTSYNC_SHRINK_MIN_ROWS", "10")),
            power_deadband_db=float(os.environ.get("OLTSYNC_POWER_DEADBAND_DB", "0.5")),
        )

"""Never two syncs of the same OLT at once, whoever started them (the hourly fleet run, a manual
`prefect deployment run`, a second worker host).

The lock lives with the data: a PostgreSQL session-level advisory lock on a connection held for the
sync, or a file locked with flock() beside a SQLite database. Both vanish with the process that held
them, so a killed worker never leaves an OLT locked.
"""

from __future__ import annotations

import hashlib
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.engine import Engine

from oltsync.errors import OltSyncError

POLL_S = 0.5


class OltBusy(OltSyncError):
    """Another sync of this OLT held the lock for longer than we were willing to wait."""


def lock_key(olt: str) -> int:
    """A stable signed 64-bit advisory-lock key for an OLT name."""
    digest = hashlib.blake2b(f"oltsync-olt:{olt}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


def _busy(olt: str, wait_s: float) -> OltBusy:
    return OltBusy(f"{olt}: another sync of this OLT is still running after {wait_s:.0f} s of waiting; "
                   "this run did not touch the OLT (see the running flow runs in the Prefect UI)")


@contextmanager
def _pg_lock(engine: Engine, olt: str, wait_s: float) -> Iterator[None]:
    conn = engine.connect().execution_options(isolation_level="AUTOCOMMIT")
    try:
        deadline = time.monotonic() + wait_s
        key = lock_key(olt)
        while not conn.scalar(text("SELECT pg_try_advisory_lock(:k)"), {"k": key}):
            if time.monotonic() >= deadline:
                raise _busy(olt, wait_s)
            time.sleep(POLL_S)
        yield
    finally:
        # Closing the server session releases the lock, whatever state the connection is in.
        conn.invalidate()
        conn.close()


@contextmanager
def _file_lock(path: Path, olt: str, wait_s: float) -> Iterator[None]:
    import fcntl

    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        deadline = time.monotonic() + wait_s
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise _busy(olt, wait_s) from None
                time.sleep(POLL_S)
        yield
    finally:
        os.close(fd)  # releases the flock


@contextmanager
def olt_lock(engine: Engine, olt: str, wait_s: float) -> Iterator[None]:
    """Hold the OLT's lock for the block; wait up to `wait_s` for it, then raise OltBusy."""
    url = engine.url
    if url.get_backend_name() == "postgresql":
        with _pg_lock(engine, olt, wait_s):
            yield
        return
    db = url.database
    if url.get_backend_name() == "sqlite" and db and db != ":memory:" and os.name == "posix":
        safe = "".join(c if c.isalnum() or c in "-_." else "_" for c in olt)
        with _file_lock(Path(f"{db}.locks") / f"{safe}.lock", olt, wait_s):
            yield
        return
    yield  # an in-memory or non-POSIX SQLite database: one process, nothing to coordinate with

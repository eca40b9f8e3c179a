"""Never two syncs of the same OLT at once, whoever started them (the hourly fleet run, a manual
`prefect deployment run`, a second worker host).

The lock lives with the data: a PostgreSQL session-level advisory lock, or a file locked with flock()
beside a SQLite database. Both vanish with the process that held them, so a killed worker never
leaves an OLT locked. All of one process's advisory locks live on one shared PostgreSQL session: a
worker syncing 100 OLTs at once holds one connection for its locks, not 100.
"""

from __future__ import annotations

import hashlib
import logging
import os
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import DBAPIError

from oltsync.errors import OltSyncError

POLL_S = 0.5
log = logging.getLogger(__name__)


class OltBusy(OltSyncError):
    """Another sync of this OLT held the lock for longer than we were willing to wait."""


def lock_key(olt: str) -> int:
    """A stable signed 64-bit advisory-lock key for an OLT name."""
    digest = hashlib.blake2b(f"oltsync-olt:{olt}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


def _busy(olt: str, wait_s: float) -> OltBusy:
    return OltBusy(f"{olt}: another sync of this OLT is still running after {wait_s:.0f} s of waiting; "
                   "this run did not touch the OLT (see the running flow runs in the Prefect UI)")


class _SharedPgLocks:
    """This process's advisory locks, all on one PostgreSQL session. A session re-enters its own
    locks, so the keys held here are also tracked in the process: a second sync of an OLT in the
    same process waits like one from another process."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.mutex = threading.Lock()
        self.conn: Connection | None = None
        self.held: set[int] = set()

    def _session(self) -> Connection:
        if self.conn is None or self.conn.closed or self.conn.invalidated:
            self.conn = self.engine.connect().execution_options(isolation_level="AUTOCOMMIT")
            for key in self.held:  # the old session (and its locks) died with its connection
                if not self.conn.scalar(text("SELECT pg_try_advisory_lock(:k)"), {"k": key}):
                    log.warning("advisory lock %s was taken by another process while the lock "
                                "session reconnected", key)
        return self.conn

    def _drop(self) -> None:
        if self.conn is not None:
            self.conn.invalidate()
            self.conn.close()
        self.conn = None

    def try_acquire(self, key: int) -> bool:
        with self.mutex:
            if key in self.held:
                return False
            try:
                ok = bool(self._session().scalar(text("SELECT pg_try_advisory_lock(:k)"),
                                                 {"k": key}))
            except DBAPIError:
                self._drop()
                raise
            if ok:
                self.held.add(key)
            return ok

    def release(self, key: int) -> None:
        with self.mutex:
            self.held.discard(key)
            if self.conn is None:
                return
            try:
                self.conn.scalar(text("SELECT pg_advisory_unlock(:k)"), {"k": key})
            except DBAPIError:
                self._drop()  # a closed session holds no lock


_shared: dict[str, _SharedPgLocks] = {}
_shared_mutex = threading.Lock()


def _locks_for(engine: Engine) -> _SharedPgLocks:
    key = engine.url.render_as_string(hide_password=False)
    with _shared_mutex:
        if key not in _shared:
            _shared[key] = _SharedPgLocks(engine)
        return _shared[key]


@contextmanager
def _pg_lock(engine: Engine, olt: str, wait_s: float) -> Iterator[None]:
    locks = _locks_for(engine)
    key = lock_key(olt)
    deadline = time.monotonic() + wait_s
    while not locks.try_acquire(key):
        if time.monotonic() >= deadline:
            raise _busy(olt, wait_s)
        time.sleep(POLL_S)
    try:
        yield
    finally:
        locks.release(key)


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

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
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import DBAPIError

from core.errors import OltSyncError

POLL_S = 0.5
log = logging.getLogger(__name__)


class OltBusy(OltSyncError):
    """Another sync of this OLT held the lock for longer than we were willing to wait."""


class LockLost(OltSyncError):
    """The lock ended under a running sync (its database session dropped): another sync of the
    OLT may be running alongside, so this one stores nothing more."""


class Held:
    """A held OLT lock. `check()` before each write: it raises LockLost once the lock is gone."""

    def __init__(self, olt: str, still_held: Callable[[], bool] = lambda: True) -> None:
        self.olt = olt
        self._still_held = still_held

    def check(self) -> None:
        if not self._still_held():
            raise LockLost(f"{self.olt}: the lock that keeps other syncs of this OLT out was lost "
                           "(the database session holding it ended: a database restart or a "
                           "dropped connection); another sync may be running alongside, so this "
                           "one stopped before storing more. The next run starts clean")


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
        self.epoch = 0  # one per session: a lock taken on an earlier session is gone

    def _session(self) -> Connection:
        if self.conn is None or self.conn.closed or self.conn.invalidated:
            self.conn = self.engine.connect().execution_options(isolation_level="AUTOCOMMIT")
            self.epoch += 1
            if self.held:  # their session died, and their locks with it
                log.warning("the OLT lock session reconnected: %d held lock(s) are lost",
                            len(self.held))
                self.held.clear()
        return self.conn

    def _drop(self) -> None:
        if self.conn is not None:
            self.conn.invalidate()
            self.conn.close()
        self.conn = None

    def try_acquire(self, key: int) -> int | None:
        """The session's epoch if the lock was taken, else None."""
        with self.mutex:
            if key in self.held:
                return None
            try:
                ok = bool(self._session().scalar(text("SELECT pg_try_advisory_lock(:k)"),
                                                 {"k": key}))
            except DBAPIError:
                self._drop()
                raise
            if ok:
                self.held.add(key)
                return self.epoch
            return None

    def still_held(self, key: int, epoch: int) -> bool:
        """Asks PostgreSQL: is this lock held by the session it was taken on?"""
        u = key & 0xFFFFFFFFFFFFFFFF  # pg_locks shows a bigint key as two oids
        with self.mutex:
            if self.conn is None or epoch != self.epoch or key not in self.held:
                return False
            try:
                n = self.conn.scalar(text(
                    "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted "
                    "AND pid = pg_backend_pid() AND classid::bigint = :hi "
                    "AND objid::bigint = :lo AND objsubid = 1"), {"hi": u >> 32, "lo": u & 0xFFFFFFFF})
            except DBAPIError:
                self._drop()
                return False
            return bool(n)

    def release(self, key: int, epoch: int) -> None:
        with self.mutex:
            if epoch != self.epoch:
                return  # taken on a session that is gone: nothing to unlock
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
def _pg_lock(engine: Engine, olt: str, wait_s: float) -> Iterator[Held]:
    locks = _locks_for(engine)
    key = lock_key(olt)
    deadline = time.monotonic() + wait_s
    while (epoch := locks.try_acquire(key)) is None:
        if time.monotonic() >= deadline:
            raise _busy(olt, wait_s)
        time.sleep(POLL_S)
    try:
        yield Held(olt, lambda: locks.still_held(key, epoch))
    finally:
        locks.release(key, epoch)


@contextmanager
def _file_lock(path: Path, olt: str, wait_s: float) -> Iterator[Held]:
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
        yield Held(olt)  # a flock lasts as long as its descriptor: it cannot be lost
    finally:
        os.close(fd)  # releases the flock


@contextmanager
def olt_lock(engine: Engine, olt: str, wait_s: float) -> Iterator[Held]:
    """Hold the OLT's lock for the block; wait up to `wait_s` for it, then raise OltBusy. The
    block gets a `Held`, to check before each write that the lock is still there."""
    url = engine.url
    if url.get_backend_name() == "postgresql":
        with _pg_lock(engine, olt, wait_s) as held:
            yield held
        return
    db = url.database
    if url.get_backend_name() == "sqlite" and db and db != ":memory:" and os.name == "posix":
        safe = "".join(c if c.isalnum() or c in "-_." else "_" for c in olt)
        with _file_lock(Path(f"{db}.locks") / f"{safe}.lock", olt, wait_s) as held:
            yield held
        return
    yield Held(olt)  # an in-memory or non-POSIX SQLite database: one process, nothing to share

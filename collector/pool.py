"""A small pool of sessions to one OLT: never more than `max_sessions` open at once.

Datasets of one OLT run in parallel threads and borrow a session each. A session that raised is
closed (its CLI state is unknown); a wrong password is remembered so that no second login is tried.

An optional `slot` (e.g. one slot of a fleet-wide Prefect concurrency limit) is held for as long as
each session is open, so that limit counts SSH sessions, not commands. Slots are only ever *tried*,
never waited for while holding one: a pool that already has a session and finds the limit full
waits for its own session to come back instead. Waiting for a second slot while holding a first
would deadlock a fleet whose every slot is held by such a waiter.
"""

from __future__ import annotations

import logging
import random
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext

from collector.session import OltSession, Target
from core.errors import CollectError, LoginError, UnreachableError
from core.settings import backoff_s
from core.timers import Timers
from platforms.profile import Profile

# A held slot; the pool exits it when the session closes. The factory returns None when none is free.
SlotFactory = Callable[[], "AbstractContextManager[object] | None"]
log = logging.getLogger("oltsync.pool")
SLOT_POLL_S = 0.5  # between tries for a free slot (plus jitter), unless a session comes back first


class SessionPool:
    """`target` is called (once, under the pool's lock) when the first session is opened, so that
    credentials are resolved only where the login happens."""

    def __init__(self, name: str, target: Callable[[], Target], profile: Profile,
                 max_sessions: int = 2, slot: SlotFactory | None = None,
                 slot_wait_s: float = 1800.0, connect_attempts: int = 1,
                 retry_backoff_s: float = 2.0) -> None:
        if max_sessions < 1:
            raise ValueError("max_sessions must be at least 1")
        self.name = name
        self._target_factory = target
        self._target: Target | None = None
        self.profile = profile
        self.max_sessions = max_sessions
        self._borrowers = threading.BoundedSemaphore(max_sessions)
        self._cond = threading.Condition()
        self._idle: list[OltSession] = []
        # A wrong password, or an OLT still unreachable after every attempt, fails the pool's
        # later requests at once: no second login to lock the account, no second round of waits.
        self._login_error: CollectError | None = None
        self.connect_attempts = max(1, connect_attempts)
        self.retry_backoff_s = retry_backoff_s
        self.logins = 0
        # logging in, and paramiko's per-connection reader threads (scrape CPU), over all sessions
        self.timers = Timers()
        self.peak = 0
        self._busy = 0
        self._first_login = threading.Lock()
        self._slot = slot
        self.slot_wait_s = slot_wait_s
        self._held: dict[int, AbstractContextManager[object]] = {}  # id(session) -> its slot
        self._remaining: int | None = None  # borrows still to come (None: unknown)
        self._waiting = 0  # borrowers not yet holding a session

    def expect(self, borrows: int) -> None:
        """Say how many borrows are still to come (one per dataset). A session that comes back
        when none is left and nobody waits is logged out at once: its fleet-wide slot goes to
        another OLT instead of idling while this OLT's longest dataset finishes."""
        with self._cond:
            self._remaining = borrows

    @property
    def unreachable(self) -> bool:
        """No session could be opened at all: the OLT did not answer (not a wrong password)."""
        return isinstance(self._login_error, UnreachableError)

    def __repr__(self) -> str:
        return f"SessionPool({self.name}, max_sessions={self.max_sessions})"

    def _open_session(self) -> OltSession | None:
        """A new logged-in session, or None when the fleet-wide limit has no free slot."""
        # Until one login has succeeded, logins go one at a time: a wrong password is tried once.
        with self._first_login if self.logins == 0 else nullcontext():
            with self._cond:
                if self._login_error is not None:
                    raise self._login_error
                if self._target is None:
                    self._target = self._target_factory()
                target = self._target
            held = self._slot() if self._slot is not None else nullcontext()
            if held is None:
                return None
            t0, c0 = time.perf_counter(), time.thread_time()
            try:
                sess = self._login(target)
            except (LoginError, UnreachableError) as exc:
                held.__exit__(None, None, None)
                with self._cond:
                    self._login_error = exc
                    self._cond.notify_all()
                raise
            except BaseException:
                held.__exit__(None, None, None)
                raise
            with self._cond:
                self.logins += 1
                self.timers.add("login", time.perf_counter() - t0, time.thread_time() - c0)
                self._held[id(sess)] = held
            return sess

    def _login(self, target: Target) -> OltSession:
        """Open a session, retrying transient network failures with backoff and jitter."""
        for attempt in range(1, self.connect_attempts + 1):
            try:
                return OltSession(target, self.profile).open()
            except UnreachableError as exc:
                if not exc.transient or attempt == self.connect_attempts:
                    if attempt > 1:
                        exc.args = (f"{exc} (after {attempt} attempts)",)
                    raise
                delay = backoff_s(attempt, self.retry_backoff_s)
                log.warning("%s; trying again in %.1f s (attempt %d of %d)", exc, delay,
                            attempt + 1, self.connect_attempts)
                time.sleep(delay)
        raise AssertionError("unreachable")

    def _take(self) -> OltSession:
        deadline = time.monotonic() + self.slot_wait_s
        while True:
            with self._cond:
                if self._login_error is not None:
                    raise self._login_error
                if self._idle:
                    return self._idle.pop()
            sess = self._open_session()
            if sess is not None:
                return sess
            if time.monotonic() >= deadline:
                raise UnreachableError(
                    self.name, None, f"no fleet-wide SSH session slot came free within "
                                     f"{self.slot_wait_s:.0f} s (other syncs hold them all)",
                    transient=True)
            with self._cond:  # woken early when one of our sessions comes back or closes
                if not self._idle and self._login_error is None:
                    self._cond.wait(SLOT_POLL_S * (1 + random.random()))

    def _close(self, sess: OltSession, graceful: bool) -> None:
        try:
            sess.close(graceful=graceful)
        finally:
            with self._cond:
                self.timers.add("scrape", cpu=sess.transport_cpu_s)
                held = self._held.pop(id(sess), None)
                self._cond.notify()  # a waiter may now open one in its place
            if held is not None:
                held.__exit__(None, None, None)

    @contextmanager
    def session(self) -> Iterator[OltSession]:
        """Borrow a session; a session whose user raised is dropped, not returned."""
        with self._cond:
            self._waiting += 1
            if self._remaining is not None:
                self._remaining -= 1  # a retry may take it below 0: it still gets a session
        try:
            self._borrowers.acquire()
        except BaseException:
            with self._cond:
                self._waiting -= 1
            raise
        try:
            try:
                sess = self._take()
            finally:
                with self._cond:
                    self._waiting -= 1
            with self._cond:
                self._busy += 1
                self.peak = max(self.peak, self._busy + len(self._idle))
            try:
                yield sess
            except BaseException:
                self._close(sess, graceful=False)
                raise
            else:
                with self._cond:
                    done = (self._remaining is not None and self._remaining <= 0
                            and self._waiting == 0)
                    if not done:
                        self._idle.append(sess)
                        self._cond.notify()
                if done:
                    self._close(sess, graceful=True)
            finally:
                with self._cond:
                    self._busy -= 1
        finally:
            self._borrowers.release()

    def close(self) -> None:
        with self._cond:
            idle, self._idle = self._idle, []
        for sess in idle:
            self._close(sess, graceful=True)

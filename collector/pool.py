"""A small pool of sessions to one OLT: never more than `max_sessions` open at once.

Datasets of one OLT run in parallel threads and borrow a session each. A session that raised is
closed (its CLI state is unknown); a wrong password is remembered so that no second login is tried.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext

from collector.session import OltSession, Target
from oltsync.errors import LoginError
from platforms.profile import Profile


class SessionPool:
    """`target` is called (once, under the pool's lock) when the first session is opened, so that
    credentials are resolved only where the login happens."""

    def __init__(self, name: str, target: Callable[[], Target], profile: Profile,
                 max_sessions: int = 2) -> None:
        if max_sessions < 1:
            raise ValueError("max_sessions must be at least 1")
        self.name = name
        self._target_factory = target
        self._target: Target | None = None
        self.profile = profile
        self.max_sessions = max_sessions
        self._slots = threading.BoundedSemaphore(max_sessions)
        self._lock = threading.Lock()
        self._idle: list[OltSession] = []
        self._login_error: LoginError | None = None
        self.logins = 0
        self.peak = 0
        self._busy = 0
        self._first_login = threading.Lock()

    def __repr__(self) -> str:
        return f"SessionPool({self.name}, max_sessions={self.max_sessions})"

    def _open_session(self) -> OltSession:
        # Until one login has succeeded, logins go one at a time: a wrong password is tried once.
        with self._first_login if self.logins == 0 else nullcontext():
            with self._lock:
                if self._login_error is not None:
                    raise self._login_error
                if self._target is None:
                    self._target = self._target_factory()
                target = self._target
            try:
                sess = OltSession(target, self.profile).open()
            except LoginError as exc:
                with self._lock:
                    self._login_error = exc
                raise
            with self._lock:
                self.logins += 1
            return sess

    @contextmanager
    def session(self) -> Iterator[OltSession]:
        """Borrow a session; a session whose user raised is dropped, not returned."""
        with self._slots:
            with self._lock:
                if self._login_error is not None:
                    raise self._login_error
                sess = self._idle.pop() if self._idle else None
            if sess is None:
                sess = self._open_session()
            with self._lock:
                self._busy += 1
                self.peak = max(self.peak, self._busy + len(self._idle))
            try:
                yield sess
            except BaseException:
                sess.close(graceful=False)
                raise
            else:
                with self._lock:
                    self._idle.append(sess)
            finally:
                with self._lock:
                    self._busy -= 1

    def close(self) -> None:
        with self._lock:
            idle, self._idle = self._idle, []
        for sess in idle:
            sess.close()

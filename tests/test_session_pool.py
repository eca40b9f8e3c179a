"""The per-OLT session pool under a shared, tight session limit: real SSH to the simulator."""

from __future__ import annotations

import threading
from contextlib import AbstractContextManager, contextmanager

import pytest

from collector.pool import SessionPool
from collector.session import Target
from core.errors import UnreachableError
from platforms import profile

PROFILE = profile.load("huawei_smartax")


class OneSlot:
    """A try-once slot shared by several pools, like a 1-slot fleet-wide limit."""

    def __init__(self, slots: int) -> None:
        self._sem = threading.BoundedSemaphore(slots)
        self.tries = 0

    def __call__(self) -> AbstractContextManager[object] | None:
        self.tries += 1
        if not self._sem.acquire(blocking=False):
            return None

        @contextmanager
        def held():  # noqa: ANN202
            try:
                yield
            finally:
                self._sem.release()

        cm = held()
        cm.__enter__()
        return cm


def _target(olt) -> Target:  # noqa: ANN001
    return Target(olt.name, olt.host, olt.port, olt.platform, olt.username, olt.password)


def test_pools_sharing_one_slot_all_finish(fleet) -> None:
    """Every pool wants two sessions and there is one slot in all: a pool that holds the slot must
    reuse its own session rather than wait for a second slot, or the fleet deadlocks."""
    f = fleet(3, 4, seed=31)
    slot = OneSlot(1)
    pools = [SessionPool(o.name, lambda o=o: _target(o), PROFILE, max_sessions=2, slot=slot,
                         slot_wait_s=60) for o in f.olts.values()]
    answers: dict[str, list[str]] = {p.name: [] for p in pools}
    errors: list[BaseException] = []

    def borrow(pool: SessionPool) -> None:
        try:
            with pool.session() as sess:
                answers[pool.name].append(sess.send("display sysuptime"))
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)

    def sync(pool: SessionPool) -> None:  # like sync_olt: four datasets at once, then close
        threads = [threading.Thread(target=borrow, args=(pool,)) for _ in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
        pool.close()  # gives the session, and its slot, back

    syncs = [threading.Thread(target=sync, args=(p,)) for p in pools]
    for t in syncs:
        t.start()
    for t in syncs:
        t.join(120)
    assert not errors, errors
    assert all(len(a) == 4 and all("System up time" in x for x in a) for a in answers.values())
    assert [p.logins for p in pools] == [1, 1, 1]  # one slot: never a second session anywhere
    assert f.sim.peak_overlap() == 1


def test_no_free_slot_fails_clearly_without_logging_in(fleet) -> None:
    f = fleet(1, 4, seed=32)
    olt = next(iter(f.olts.values()))
    pool = SessionPool(olt.name, lambda: _target(olt), PROFILE, slot=lambda: None, slot_wait_s=1)
    with pytest.raises(UnreachableError) as err:
        with pool.session():
            pass
    assert str(err.value) == (f"{olt.name}: no fleet-wide SSH session slot came free within 1 s "
                              "(other syncs hold them all)")
    assert err.value.transient and olt.login_attempts == 0


def test_a_session_with_no_work_left_gives_its_slot_back_at_once(fleet) -> None:
    """Three datasets on two sessions: when the last dataset has started, the session that comes
    back is logged out and its fleet-wide slot is free while the other still works."""
    f = fleet(1, 4, seed=32)
    olt = next(iter(f.olts.values()))
    slot = OneSlot(2)
    pool = SessionPool(olt.name, lambda: _target(olt), PROFILE, max_sessions=2, slot=slot)
    pool.expect(3)
    long_started, release_long = threading.Event(), threading.Event()
    free_while_long_runs: list[bool] = []

    def long_dataset() -> None:
        with pool.session() as sess:
            sess.send("display sysuptime")
            long_started.set()
            release_long.wait(30)

    t = threading.Thread(target=long_dataset)
    t.start()
    assert long_started.wait(30)
    with pool.session() as sess:  # second of three: one more is to come, so it stays open
        sess.send("display sysuptime")
    assert len(pool._idle) == 1 and not slot._sem.acquire(blocking=False)
    with pool.session() as sess:  # the last: reuses the idle one, then logs it out
        sess.send("display sysuptime")
    assert pool._idle == []
    free_while_long_runs.append(slot._sem.acquire(blocking=False))
    slot._sem.release()
    release_long.set()
    t.join(30)
    assert free_while_long_runs == [True]
    assert pool.logins == 2
    assert pool._idle == [] and pool._held == {}  # the long one was logged out when it came back
    with pool.session() as sess:  # a retry beyond what was expected still gets a session
        assert "system up time" in sess.send("display sysuptime").lower()
    assert pool.logins == 3
    pool.close()

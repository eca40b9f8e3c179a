"""The per-OLT session pool under a shared, tight session limit: real SSH to the simulator."""

from __future__ import annotations

import threading
from contextlib import AbstractContextManager, contextmanager

import pytest

from collector.pool import SessionPool
from collector.session import Target
from oltsync.errors import UnreachableError
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

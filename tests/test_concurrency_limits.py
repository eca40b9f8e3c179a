"""Fleet-wide SSH session limit, one sync per OLT at a time, retention, status: real flows on a
temporary Prefect server, real SSH to the simulator, real PostgreSQL."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import create_engine as sa_engine
from sqlalchemy import func, insert, select

from core.settings import Settings
from flows.prune_history import prune_history
from flows.sync_fleet import sync_fleet
from flows.sync_olt import sync_olt
from oltsync.bootstrap import ensure_ssh_limit
from oltsync.status import format_status
from storage import schema
from storage.db import get_engine
from storage.olt_lock import OltBusy, olt_lock
from storage.queries import last_syncs
from tests.truth_compare import diff_olt, snapshot_olt

pytestmark = pytest.mark.usefixtures("prefect_harness")


def _runs_by_flow_run(engine, olt: str) -> dict[str, tuple[datetime, datetime]]:  # noqa: ANN001
    r = schema.sync_runs
    q = (select(r.c.flow_run_id, func.min(r.c.started_at), func.max(r.c.finished_at))
         .where(r.c.olt == olt).group_by(r.c.flow_run_id))
    with engine.connect() as conn:
        return {fr: (a, b) for fr, a, b in conn.execute(q)}


def test_fleet_wide_ssh_limit_bounds_sessions_across_olts(pg: str, fleet,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    f = fleet(3, 64, seed=21)
    engine = get_engine(pg)
    # Without a tight limit, sessions of 3 OLTs run side by side (how many at the peak depends on
    # timing: a session with no dataset left is logged out at once)...
    state = sync_fleet(inventory_path=str(f.inventory_path), concurrency=3, return_state=True)
    assert state.is_completed(), state.message
    assert f.sim.peak_overlap() >= 2
    # ...with a one-slot fleet-wide limit, never more than one SSH session is open at a time.
    monkeypatch.setenv("OLTSYNC_SSH_LIMIT", "oltsync-test-one-session")
    monkeypatch.setenv("OLTSYNC_SSH_LIMIT_SLOTS", "1")
    assert "created with 1 slots" in ensure_ssh_limit(Settings.from_env())
    assert "as configured" in ensure_ssh_limit(Settings.from_env())  # re-runnable
    f.sim.connection_spans.clear()
    state = sync_fleet(inventory_path=str(f.inventory_path), concurrency=3, return_state=True)
    assert state.is_completed(), state.message
    assert len(f.sim.connection_spans) >= 3 and f.sim.peak_overlap() == 1
    for name, t in f.truth().items():
        assert diff_olt(engine, t) == {}, name


def test_missing_ssh_limit_fails_before_touching_the_olt(pg: str, fleet,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    f = fleet(1, 16, seed=22)
    monkeypatch.setenv("OLTSYNC_SSH_LIMIT", "no-such-limit")
    state = sync_olt(olt_name="olt-001", inventory_path=str(f.inventory_path), return_state=True)
    assert state.is_failed()
    assert "'no-such-limit'" in state.message and "python -m oltsync bootstrap" in state.message
    assert f.olts["olt-001"].login_attempts == 0


def test_two_syncs_of_one_olt_never_overlap(pg: str, fleet) -> None:
    f = fleet(1, 64, seed=23)
    engine = get_engine(pg)
    f.olts["olt-001"].knobs.command_latency_s = 0.03  # each sync takes a couple of seconds
    states: list = []

    def run() -> None:
        states.append(sync_olt(olt_name="olt-001", inventory_path=str(f.inventory_path),
                               return_state=True))

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert len(states) == 2 and all(s.is_completed() for s in states), [s.message for s in states]
    spans = sorted(_runs_by_flow_run(engine, "olt-001").values())
    assert len(spans) == 2
    (_, end_first), (start_second, _) = spans
    assert start_second >= end_first  # the second waited for the first to finish
    assert f.sim.peak_connections <= 2  # max_sessions of one OLT, never two syncs' worth
    assert diff_olt(engine, f.truth()["olt-001"]) == {}


def test_busy_olt_fails_clearly_after_waiting_and_changes_nothing(pg: str, fleet,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    f = fleet(1, 32, seed=24)
    engine = get_engine(pg)
    assert sync_olt(olt_name="olt-001", inventory_path=str(f.inventory_path),
                    return_state=True).is_completed()
    before = snapshot_olt(engine, "olt-001")
    logins = f.olts["olt-001"].login_attempts
    monkeypatch.setenv("OLTSYNC_OLT_LOCK_WAIT_S", "1")
    with olt_lock(engine, "olt-001", 1):  # another sync holds the OLT
        state = sync_olt(olt_name="olt-001", inventory_path=str(f.inventory_path), return_state=True)
    assert state.is_failed()
    assert "olt-001: another sync of this OLT is still running after 1 s" in state.message
    assert f.olts["olt-001"].login_attempts == logins
    assert snapshot_olt(engine, "olt-001") == before


def test_sqlite_file_lock_excludes_a_second_holder(tmp_path) -> None:  # noqa: ANN001
    engine = sa_engine(f"sqlite:///{tmp_path / 'x.db'}")
    with olt_lock(engine, "olt/1", 0):
        errors: list[BaseException] = []

        def second() -> None:
            try:
                with olt_lock(engine, "olt/1", 0.6):
                    pass
            except BaseException as exc:  # noqa: BLE001
                errors.append(exc)

        t = threading.Thread(target=second)
        t.start()
        t.join(10)
        assert len(errors) == 1 and isinstance(errors[0], OltBusy)
        with olt_lock(engine, "olt-2", 0):  # another OLT is not blocked
            pass
    with olt_lock(engine, "olt/1", 0):  # released
        pass


def test_prune_history_keeps_the_retention_period(pg: str, fleet) -> None:
    f = fleet(1, 16, seed=25)
    engine = get_engine(pg)
    assert sync_olt(olt_name="olt-001", inventory_path=str(f.inventory_path),
                    return_state=True).is_completed()
    h = schema.onu_optical_history
    now = datetime.now(UTC)
    old = [{"olt": "olt-001", "serial": "HWTC00000001", "sampled_at": now - timedelta(days=d),
            "rx_power_dbm": -20.0} for d in (91, 120, 400)]
    sc = schema.onu_state_changes  # transitions follow the optical history's retention
    changes = [{"olt": "olt-001", "serial": "HWTC00000001", "port": "0/1/0", "onu_id": 1,
                "at": now - timedelta(days=d), "from_state": "online", "to_state": "offline",
                "cause": "LOS"} for d in (95, 200, 10)]
    cl = schema.client_links  # closed links too; an open one (the present) never goes
    links = [{"olt": "olt-001", "serial": "HWTC00000001", "client_key": "k1", "via": "description",
              "linked_at": now - timedelta(days=300), "unlinked_at": now - timedelta(days=d)}
             for d in (95, 10)]
    links.append({**links[0], "unlinked_at": None})
    with engine.begin() as conn:
        fresh = conn.scalar(select(func.count()).select_from(h))
        linked = conn.scalar(select(func.count()).select_from(cl))
        conn.execute(insert(h), old + [{**old[0], "sampled_at": now - timedelta(days=89)}])
        conn.execute(insert(sc), changes)
        conn.execute(insert(cl), links)
    deleted = prune_history()
    assert deleted == {"onu_optical_history": 3, "onu_state_changes": 2, "client_links": 1,
                       "sync_runs": 0}
    with engine.connect() as conn:
        assert conn.scalar(select(func.count()).select_from(cl)) == linked + 2
    with engine.connect() as conn:
        assert conn.scalar(select(func.count()).select_from(h)) == fresh + 1
        assert conn.scalar(select(func.count()).select_from(sc)) == 1
    assert prune_history(optical_days=0) == {"onu_optical_history": 0, "onu_state_changes": 0,
                                             "client_links": 0, "sync_runs": 0}


def test_status_reports_each_olts_last_sync(pg: str, fleet) -> None:
    f = fleet(2, 32, seed=26)
    engine = get_engine(pg)
    f.olts["olt-002"].knobs.wrong_password = True
    sync_fleet(inventory_path=str(f.inventory_path), return_state=True)
    olts = {o["olt"]: o for o in last_syncs(engine)}
    assert olts["olt-001"]["status"] == "ok" and olts["olt-001"]["last_ok"] is not None
    assert olts["olt-001"]["inserted"] > 32 and olts["olt-001"]["error"] is None
    assert olts["olt-002"]["status"] == "failed" and olts["olt-002"]["last_ok"] is None
    assert "olt-002" in olts["olt-002"]["error"] and "login" in olts["olt-002"]["error"]
    text = format_status("unreachable: connection refused", list(olts.values()))
    assert "Prefect API: unreachable: connection refused" in text
    assert [line.split()[0] for line in text.splitlines() if line.startswith("  olt-")] == [
        "olt-001", "olt-002"]


def test_many_olt_locks_share_one_postgresql_session(pg: str) -> None:
    """A worker syncing many OLTs at once holds one connection for all their locks; the same OLT
    twice in one process is still refused; the locks go when released."""
    from contextlib import ExitStack

    from sqlalchemy import text

    engine = get_engine(pg)
    names = [f"olt-lock-{i}" for i in range(40)]
    with ExitStack() as stack:
        for name in names:
            stack.enter_context(olt_lock(engine, name, 0))
        with engine.connect() as conn:
            pids = conn.execute(text("SELECT DISTINCT pid FROM pg_locks "
                                     "WHERE locktype = 'advisory' AND granted")).scalars().all()
        assert len(pids) == 1
        with pytest.raises(OltBusy):
            with olt_lock(engine, names[7], 0):
                pass
    with engine.connect() as conn:
        assert conn.scalar(text("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory'")) == 0


def test_a_lock_lost_under_a_running_sync_stops_it_clearly(throwaway_pg, fleet,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    """PostgreSQL restarted mid-run: the session holding the OLT's advisory lock is gone, and with
    it the lock. The run stores nothing more, fails saying why, and what it stored is intact."""
    from storage import migrate

    url = throwaway_pg.url
    migrate.upgrade(url)
    monkeypatch.setenv("OLTSYNC_DATABASE_URL", url)
    f = fleet(1, 128, seed=27)
    olt = f.olts["olt-001"]
    f.sim.call(lambda: setattr(olt.knobs, "command_latency_s", 0.15))  # a sync of some seconds
    engine = get_engine(url)
    assert sync_olt(olt_name="olt-001", inventory_path=str(f.inventory_path),
                    return_state=True).is_completed()
    before = snapshot_olt(engine, "olt-001")
    states: list = []
    run = threading.Thread(target=lambda: states.append(sync_olt(
        olt_name="olt-001", inventory_path=str(f.inventory_path), max_sessions=1,
        return_state=True)))
    sent = len(olt.received)
    run.start()
    while len(olt.received) < sent + 6:  # logged in, a few commands into the run
        assert run.is_alive()
    throwaway_pg.restart()
    run.join(300)
    (state,) = states
    assert state.is_failed()
    assert "olt-001: the lock that keeps other syncs of this OLT out was lost" in state.message
    after = snapshot_olt(engine, "olt-001")
    data = ("boards", "pon_ports", "onus", "macs", "service_ports", "unregistered_onus")
    assert {t: after[t] for t in data} == {t: before[t] for t in data}  # intact
    r = schema.sync_runs
    with engine.connect() as conn:
        lost = conn.execute(select(r.c.dataset).where(r.c.status == "failed",
                                                      r.c.error.like("%lock%was lost%"))).all()
    assert lost  # recorded, in the restarted database

"""Before a run touches an OLT, the database must be reachable and migrated; otherwise the run fails
at once saying which and how to fix it."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

from flows.sync_olt import sync_olt

pytestmark = pytest.mark.usefixtures("prefect_harness")


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]  # nothing listens once the socket is closed


def test_unreachable_database_fails_before_login(fleet, monkeypatch: pytest.MonkeyPatch) -> None:
    f = fleet(1, 8, seed=51)
    url = f"postgresql+psycopg2://oltsync@127.0.0.1:{_closed_port()}/oltsync"
    monkeypatch.setenv("OLTSYNC_DATABASE_URL", url)
    state = sync_olt(olt_name="olt-001", inventory_path=str(f.inventory_path), return_state=True)
    assert state.is_failed()
    assert "is unreachable" in state.message and "OLTSYNC_DATABASE_URL" in state.message
    assert f.olts["olt-001"].login_attempts == 0


def test_unmigrated_database_fails_before_login(fleet, tmp_path: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    f = fleet(1, 8, seed=52)
    (tmp_path / "empty.db").touch()  # a database file without the schema
    monkeypatch.setenv("OLTSYNC_DATABASE_URL", f"sqlite:///{tmp_path / 'empty.db'}")
    state = sync_olt(olt_name="olt-001", inventory_path=str(f.inventory_path), return_state=True)
    assert state.is_failed()
    assert "has no schema: run `python -m oltsync db upgrade`" in state.message
    assert f.olts["olt-001"].login_attempts == 0
    # no file at all: said, and not created by the check
    monkeypatch.setenv("OLTSYNC_DATABASE_URL", f"sqlite:///{tmp_path / 'none.db'}")
    state = sync_olt(olt_name="olt-001", inventory_path=str(f.inventory_path), return_state=True)
    assert state.is_failed() and "none.db does not exist" in state.message
    assert not (tmp_path / "none.db").exists() and f.olts["olt-001"].login_attempts == 0

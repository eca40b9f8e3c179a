"""The real flows (a temporary Prefect server) against simulated OLTs over SSH into PostgreSQL."""

from __future__ import annotations

import asyncio
import json
import re
from typing import Any

import pytest
from sqlalchemy import func, select

from flows.sync_fleet import sync_fleet
from flows.sync_olt import sync_olt
from storage import schema
from storage.db import get_engine
from tests.truth_compare import clients_in_db, diff_olt, history_count, row_versions, snapshot

pytestmark = pytest.mark.usefixtures("prefect_harness")


def _sync_runs(engine, olt: str | None = None) -> list:  # noqa: ANN001
    t = schema.sync_runs
    q = select(t).order_by(t.c.id)
    if olt:
        q = q.where(t.c.olt == olt)
    with engine.connect() as conn:
        return [r._mapping for r in conn.execute(q)]


def _task_runs_of(flow_run_id: str) -> list:
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterId
    from prefect.client.schemas.sorting import TaskRunSort

    async def read() -> list:
        async with get_client() as client:
            return await client.read_task_runs(
                flow_run_filter=FlowRunFilter(id=FlowRunFilterId(any_=[flow_run_id])),
                sort=TaskRunSort.EXPECTED_START_TIME_ASC, limit=200)

    return asyncio.run(read())


def _artifact(key: str) -> Any:
    """The newest artifact of this key: the whole session shares one Prefect server, where
    earlier tests wrote artifacts under the same OLT names."""
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterKey
    from prefect.client.schemas.sorting import ArtifactSort

    async def read() -> list:
        async with get_client() as client:
            return await client.read_artifacts(
                artifact_filter=ArtifactFilter(key=ArtifactFilterKey(any_=[key])),
                sort=ArtifactSort.CREATED_DESC, limit=1)

    found = asyncio.run(read())
    return found[0] if found else None


def test_fleet_sync_equals_truth_then_resync_writes_nothing(pg: str, fleet) -> None:
    f = fleet(3, 512, seed=11)
    engine = get_engine(pg)
    state = sync_fleet(inventory_path=str(f.inventory_path), return_state=True)
    assert state.is_completed(), state.message
    truth = f.truth()
    for name, t in truth.items():
        assert len(t["onus"]) == 512
        assert diff_olt(engine, t) == {}, name
    expected_clients = {k: v for t in truth.values() for k, v in t["clients"].items()}
    assert clients_in_db(engine) == expected_clients
    online = sum(1 for t in truth.values() for o in t["onus"] if o["rx_power_dbm"] is not None)
    assert history_count(engine) == online
    runs = _sync_runs(engine)
    assert len(runs) == 15 and {r["status"] for r in runs} == {"ok"}
    # the per-OLT table artifact: keyed by the OLT's name once, every dataset timed
    art = _artifact("olt-001")
    assert art is not None and _artifact("olt-olt-001") is None
    table = art.data if isinstance(art.data, list) else json.loads(art.data)
    assert sorted(r["dataset"] for r in table) == sorted({r["dataset"] for r in runs})
    assert all(isinstance(r["seconds"], (int, float)) and r["seconds"] > 0 for r in table), table

    before = row_versions(engine)
    state = sync_fleet(inventory_path=str(f.inventory_path), return_state=True)
    assert state.is_completed(), state.message
    assert row_versions(engine) == before  # not one data row rewritten
    assert history_count(engine) == 2 * online  # only the optical samples
    second = _sync_runs(engine)[15:]
    assert len(second) == 15
    assert all(r["inserted"] == r["updated"] == r["removed"] == 0 for r in second)
    assert sum(r["unchanged"] for r in second if r["dataset"] == "onus") == 3 * 512


def test_removed_moved_changed_and_new_onus(pg: str, fleet) -> None:
    f = fleet(2, 128, seed=5)
    engine = get_engine(pg)
    assert sync_fleet(inventory_path=str(f.inventory_path), return_state=True).is_completed()
    olt = f.olts["olt-001"]
    gone, mover, changer = (o.serial for o in olt.onus[:3])
    target_port = olt.onus[-1].port

    def mutate() -> None:
        olt.remove_onu(gone)
        olt.move_onu(mover, target_port, olt.free_onu_id(target_port))
        c = olt.onu(changer)
        c.description = "00999999_Nova_Conceição"
        c.client_key, c.client_name = "00999999", "Nova Conceição"
        c.run_state, c.rx_power_dbm, c.tx_power_dbm, c.olt_rx_power_dbm = "offline", None, None, None
        c.distance_m, c.temperature_c, c.last_down_cause = None, None, "LOS"

    f.sim.call(mutate)
    state = sync_olt(olt_name="olt-001", inventory_path=str(f.inventory_path), return_state=True)
    assert state.is_completed(), state.message
    assert diff_olt(engine, f.truth()["olt-001"]) == {}
    o = schema.onus
    with engine.connect() as conn:
        rows = {r.serial: r for r in conn.execute(select(o).where(o.c.serial.in_([gone, mover, changer])))}
    assert rows[gone].removed_at is not None and rows[gone].port is not None
    assert rows[mover].moved_at is not None and rows[mover].port == target_port
    assert rows[mover].previous_port == olt.pon_ports[0].port or rows[mover].previous_port is not None
    assert rows[changer].run_state == "offline" and rows[changer].client_key == "00999999"
    onus_run = [r for r in _sync_runs(engine, "olt-001") if r["dataset"] == "onus"][-1]
    assert (onus_run["removed"], onus_run["moved"], onus_run["updated"]) == (1, 1, 2)
    assert clients_in_db(engine)["00999999"] == "Nova Conceição"


def test_failed_datasets_change_nothing_and_others_apply(pg: str, fleet) -> None:
    f = fleet(2, 128, seed=6)
    engine = get_engine(pg)
    assert sync_fleet(inventory_path=str(f.inventory_path), return_state=True).is_completed()
    olt = f.olts["olt-001"]
    sp_before = snapshot(engine, "service_ports", "olt-001")
    macs_before = snapshot(engine, "macs", "olt-001")
    changer = olt.onus[5].serial

    def break_things() -> None:
        # what the box now says would change service ports and MACs if it were applied...
        del olt.service_ports[:10]
        del olt.macs[:10]
        olt.onu(changer).description = "00888888_Teste_Mudança"
        olt.onu(changer).client_key = "00888888"
        # ...but those two scrapes fail
        olt.knobs.garble_on = "display service-port"
        olt.knobs.reject = "display mac-address"

    f.sim.call(break_things)
    state = sync_fleet(inventory_path=str(f.inventory_path), return_state=True)
    assert state.is_failed()
    msg = state.message or ""
    assert "olt-001" in msg
    assert snapshot(engine, "service_ports", "olt-001") == sp_before
    assert snapshot(engine, "macs", "olt-001") == macs_before
    runs = {r["dataset"]: r for r in _sync_runs(engine, "olt-001")[-5:]}
    assert runs["service_ports"]["status"] == "failed"
    assert "olt-001 running 'display service-port all': template" in runs["service_ports"]["error"]
    assert runs["macs"]["status"] == "failed"
    assert re.search(r"olt-001 running 'display mac-address port 0/\d+': the OLT answered: "
                     "% Unknown command", runs["macs"]["error"])
    assert runs["onus"]["status"] == "ok" and runs["onus"]["updated"] == 1  # the rest applied
    assert diff_olt(engine, f.truth()["olt-002"]) == {}


def test_wrong_password_fails_clearly_while_others_complete(pg: str, fleet) -> None:
    f = fleet(3, 64, seed=7)
    engine = get_engine(pg)
    bad = f.olts["olt-002"]
    f.sim.call(lambda: setattr(bad.knobs, "wrong_password", True))
    state = sync_fleet(inventory_path=str(f.inventory_path), return_state=True)
    assert state.is_failed()
    assert "olt-002: login failed" in (state.message or "")
    truth = f.truth()
    assert diff_olt(engine, truth["olt-001"]) == {}
    assert diff_olt(engine, truth["olt-003"]) == {}
    runs = _sync_runs(engine, "olt-002")
    assert {r["status"] for r in runs} == {"failed"} and len(runs) == 5
    assert all("login failed" in r["error"] for r in runs)
    assert bad.login_attempts == 1  # never retried: AAA servers lock accounts
    with engine.connect() as conn:
        assert conn.scalar(select(func.count()).select_from(schema.onus)
                           .where(schema.onus.c.olt == "olt-002")) == 0


def test_task_runs_per_olt_are_a_handful(pg: str, fleet) -> None:
    f = fleet(1, 32, seed=8)
    state = sync_olt(olt_name="olt-001", inventory_path=str(f.inventory_path), return_state=True)
    assert state.is_completed()
    runs = _task_runs_of(str(state.state_details.flow_run_id))
    names = sorted(r.name for r in runs)
    assert names == ["sync-macs", "sync-olt", "sync-onus", "sync-service_ports",
                     "sync-unregistered"]

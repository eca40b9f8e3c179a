"""The fault matrix: for each fault, through the real sync-fleet flow (real SSH to the simulator, real
PostgreSQL), the run's state is right, the error names the OLT, the command and the cause in one line,
the other OLTs complete, and what the faulty OLT's failed datasets held before is still there, row by
row. Faults covered elsewhere are listed in docs/fault-matrix.md with their tests."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import yaml
from sqlalchemy import select, text

from flows.sync_fleet import sync_fleet
from flows.sync_olt import sync_olt
from platforms import profile
from simulator.model import Unregistered
from storage import schema
from storage.catalogue import COLLECTED
from storage.db import get_engine
from sync.report import artifact_key
from tests.truth_compare import diff_olt, snapshot_olt

pytestmark = pytest.mark.usefixtures("prefect_harness")

FAULTY = "olt-002"
# The tables each dataset of the faulty OLT's profile writes (from the profile and the catalogue).
DATASET_TABLES = {name: sorted({COLLECTED[c.table].table.name for c in spec.commands
                                if c.table in COLLECTED})
                  for name, spec in profile.load("huawei_smartax").datasets.items()}
ALL = set(DATASET_TABLES)
KEPT = "the answer is kept in"  # a refused answer is kept, and the error says where


@dataclass
class Cell:
    fault: str
    inject: Callable  # (SimFleet, olt) -> None
    failed: set[str]  # datasets that must not change
    says: list[str]  # what the faulty OLT's error line must say
    status: str = "failed"  # sync_runs status of the failed datasets
    env: dict[str, str] = field(default_factory=dict)
    platforms: str = "huawei_smartax"  # olt-001, olt-002 (the faulty one), cycling


def _knob(**values):  # noqa: ANN202
    def inject(f, olt) -> None:  # noqa: ANN001
        f.sim.call(lambda: [setattr(olt.knobs, k, v) for k, v in values.items()])
    return inject


def _keep_onus(fraction: float):  # noqa: ANN202
    def inject(f, olt) -> None:  # noqa: ANN001
        f.sim.call(lambda: setattr(olt, "onus", olt.onus[: int(len(olt.onus) * fraction)]))
    return inject


CELLS = [
    Cell("wrong password", _knob(wrong_password=True), ALL,
         ["olt-002: login failed", "rejected user 'oltsync'", "not retried"]),
    Cell("connection refused", lambda f, olt: f.sim.set_refuse(olt.name, True), ALL,
         ["olt-002: cannot reach 127.0.0.1:", "connection refused", "(after 2 attempts)"]),
    Cell("timeout at login", _knob(login_delay_s=4.0), ALL,
         ["olt-002: cannot reach 127.0.0.1:", "(after 2 attempts)"],
         env={"OLTSYNC_LOGIN_TIMEOUT_S": "1.5"}),
    Cell("hang mid-output", _knob(hang_on="display mac-address"), {"macs"},
         ["olt-002 running 'display mac-address port 0/", "no prompt within 3s", "(after 2 tries)"],
         env={"OLTSYNC_READ_TIMEOUT_S": "3"}),
    Cell("disconnect mid-page", _knob(disconnect_on="display service-port all"), {"service_ports"},
         ["olt-002 running 'display service-port all'", "dropped mid-output", "(after 2 tries)"]),
    Cell("garbled table", _knob(garble_on="display ont info 0 all"), {"onus"},
         ["olt-002 running 'display ont info 0 all'", KEPT]),
    Cell("truncated table", _knob(truncate_on="display ont info 0 all"), {"onus"},
         ["olt-002 running 'display ont info 0 all'"]),
    Cell("rejected command", _knob(reject="display mac-address"), {"macs"},
         ["olt-002 running 'display mac-address port 0/", "the OLT answered: % Unknown command",
          KEPT]),
    # An account whose level does not reach one command: only that dataset fails (#3412).
    Cell("restricted account", _knob(forbidden=("display service-port",)), {"service_ports"},
         ["olt-002 running 'display service-port all'", "the OLT answered: % Unknown command",
          "privilege level"]),
    Cell("OLT suddenly reports 0 ONUs", _keep_onus(0), {"onus"},
         ["olt-002: onus would shrink from", "to 0 rows", "held back, nothing changed"], "held"),
    Cell("OLT suddenly reports a third of its ONUs", _keep_onus(1 / 3), {"onus"},
         ["olt-002: onus would shrink from", "held back, nothing changed"], "held"),
    # The same faults on ZTE boxes, beside a healthy Huawei.
    # The dataset that reads the ONU list refuses the garbled line (macs reads `show mac`).
    Cell("ZTE C300 garbled table", _knob(garble_on="show gpon onu state"), {"onus"},
         ["olt-002 running 'show gpon onu state'", "could not parse", KEPT],
         platforms="huawei_smartax,zte_c300"),
    Cell("ZTE C300 truncated MAC table", _knob(truncate_on="show mac"), {"macs"},
         ["olt-002 running 'show mac': the OLT reports", "(truncated output?)"],
         platforms="huawei_smartax,zte_c300"),
    Cell("ZTE C600 rejected command", _knob(reject="show pon onu uncfg"), {"unregistered"},
         ["olt-002 running 'show pon onu uncfg'", "the OLT answered: %Error 140303"],
         platforms="huawei_smartax,zte_c600"),
    Cell("ZTE C600 wrong password", _knob(wrong_password=True), ALL,
         ["olt-002: login failed", "rejected user 'oltsync'", "not retried"],
         platforms="huawei_smartax,zte_c600"),
]


def _mutate_everything(f) -> None:  # noqa: ANN001
    """Give every dataset of every OLT something to write, so an unchanged table proves a hold."""
    def change() -> None:
        for olt in f.olts.values():
            zte = olt.platform.startswith("zte_")  # ZTE's uncfg list shows less (see zte_fleet)
            olt.firmware = olt.firmware + "-SPC1"
            if zte:  # a state the boxes print (control card in standby), not one of ours
                olt.boards[0].status = "STANDBY"
            else:
                olt.boards[-1].status = "Failed"
            olt.onus[0].description = "00424242_Matriz_de_Falhas"
            olt.onus[0].client_key, olt.onus[0].client_name = "00424242", "Matriz de Falhas"
            olt.remove_onu(olt.onus[1].serial)  # its MACs and service ports go with it
            olt.unregistered.append(Unregistered(
                port=olt.onus[2].port, serial="ZTEG0FA17BAD",
                equipment=None if olt.platform == "zte_c300" else "F670L",
                firmware=None if zte else "V9.0",
                found_at=None if zte else
                (datetime.now(UTC) - timedelta(minutes=3)).replace(microsecond=0)))
    f.sim.call(change)


def _sync_runs(engine, olt: str, since: datetime) -> dict[str, tuple[str, str | None]]:  # noqa: ANN001
    r = schema.sync_runs
    with engine.connect() as conn:
        rows = conn.execute(select(r.c.dataset, r.c.status, r.c.error)
                            .where(r.c.olt == olt, r.c.started_at >= since)).all()
    return {d: (s, e) for d, s, e in rows}


def _run_cell(pg: str, f, cell: Cell) -> None:  # noqa: ANN001
    engine = get_engine(pg)
    # What the faulty OLT's rows held before the bad hour; the other OLT syncs for the first time.
    assert sync_olt(olt_name=FAULTY, inventory_path=str(f.inventory_path),
                    return_state=True).is_completed()
    _mutate_everything(f)
    before = snapshot_olt(engine, FAULTY)
    olt = f.olts[FAULTY]
    cell.inject(f, olt)  # in the simulator's loop where it mutates state
    since = datetime.now(UTC)
    state = sync_fleet(inventory_path=str(f.inventory_path), return_state=True)
    assert state.is_failed(), state.message
    for fragment in cell.says:
        assert fragment in state.message, (fragment, state.message)
    truth = f.truth()
    assert diff_olt(engine, truth["olt-001"]) == {}  # the other OLT completes
    after = snapshot_olt(engine, FAULTY)
    diffs = diff_olt(engine, truth[FAULTY])
    for dataset, tables in DATASET_TABLES.items():
        for table in tables:
            if dataset in cell.failed:
                assert after[table] == before[table], (cell.fault, table)  # row by row, every column
            elif table == "pon_ports" and "onus" in cell.failed and table in diffs:
                # a port's ONU count follows the ONUs actually stored: the held-back ones
                assert all(set(c) == {"onu_count"} for c in diffs[table]["changed"].values())
            elif table != "olts":
                assert table not in diffs, (cell.fault, table, diffs.get(table))
    runs = _sync_runs(engine, FAULTY, since)
    for dataset in cell.failed:
        status, error = runs[dataset]
        assert status == cell.status and error.startswith(FAULTY) and "\n" not in error
        assert all(fragment in error for fragment in cell.says), (dataset, error)
    for dataset in ALL - cell.failed:
        assert runs[dataset][0] == "ok"
    if cell.failed == ALL:
        assert after["olts"] == before["olts"]  # not even last_sync_at moves
    if KEPT in cell.says:
        _check_kept(state.message)


def _check_kept(message: str) -> None:
    """The kept answer exists, and the OLT's table artifact names it as the error does."""
    import re

    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterKey
    from prefect.client.schemas.sorting import ArtifactSort

    paths = re.findall(rf"{KEPT} (\S+\.raw)\)", message)
    assert paths and all(Path(p).is_file() and Path(p).with_suffix(".yml").is_file() for p in paths)
    with get_client(sync_client=True) as client:
        (art,) = client.read_artifacts(artifact_filter=ArtifactFilter(
            key=ArtifactFilterKey(any_=[artifact_key(FAULTY)])), sort=ArtifactSort.CREATED_DESC,
            limit=1)
    assert all(p in (art.description or "") and p in str(art.data) for p in paths), paths


@pytest.mark.parametrize("cell", CELLS, ids=[c.fault for c in CELLS])
def test_fault(pg: str, fleet, monkeypatch: pytest.MonkeyPatch, cell: Cell) -> None:
    monkeypatch.setenv("OLTSYNC_CONNECT_ATTEMPTS", "2")
    monkeypatch.setenv("OLTSYNC_RETRY_BACKOFF_S", "0.2")
    for k, v in cell.env.items():
        monkeypatch.setenv(k, v)
    _run_cell(pg, fleet(2, 48, seed=70 + CELLS.index(cell), platform=cell.platforms), cell)


def test_alarm_blocks_inside_output_change_nothing_but_the_data(pg: str, fleet) -> None:
    f = fleet(3, 48, seed=90)
    engine = get_engine(pg)
    _mutate_everything(f)
    f.sim.call(lambda: [setattr(o.knobs, "alarm_every_lines", 5) for o in f.olts.values()])
    state = sync_fleet(inventory_path=str(f.inventory_path), return_state=True)
    assert state.is_completed(), state.message
    for name, truth in f.truth().items():
        assert diff_olt(engine, truth) == {}, name


def test_database_lost_during_an_upsert(pg: str, fleet) -> None:
    """The PostgreSQL connection dies in the middle of writing one OLT's MACs (a trigger terminates
    its own backend): that dataset rolls back whole, is reported, and everything else lands."""
    f = fleet(3, 48, seed=91)
    engine = get_engine(pg)
    assert sync_fleet(inventory_path=str(f.inventory_path), return_state=True).is_completed()
    _mutate_everything(f)
    before = snapshot_olt(engine, FAULTY)
    with engine.begin() as conn:
        conn.execute(text(f"""
            CREATE OR REPLACE FUNCTION oltsync_test_lose_db() RETURNS trigger AS $$
            BEGIN
              IF NEW.olt = '{FAULTY}' THEN PERFORM pg_terminate_backend(pg_backend_pid()); END IF;
              RETURN NEW;
            END $$ LANGUAGE plpgsql"""))
        conn.execute(text("CREATE TRIGGER oltsync_test_lose_db BEFORE INSERT OR UPDATE ON macs "
                          "FOR EACH ROW EXECUTE FUNCTION oltsync_test_lose_db()"))
    try:
        state = sync_fleet(inventory_path=str(f.inventory_path), return_state=True)
    finally:
        with engine.begin() as conn:
            conn.execute(text("DROP TRIGGER oltsync_test_lose_db ON macs"))
            conn.execute(text("DROP FUNCTION oltsync_test_lose_db()"))
    assert state.is_failed()
    assert f"{FAULTY}: storing macs failed, nothing of it was written" in state.message
    truth = f.truth()
    assert diff_olt(engine, truth["olt-001"]) == {} and diff_olt(engine, truth["olt-003"]) == {}
    after = snapshot_olt(engine, FAULTY)
    assert after["macs"] == before["macs"]
    assert set(diff_olt(engine, truth[FAULTY])) == {"macs"}  # the other datasets landed


def test_inventory_with_bad_entries(pg: str, fleet, tmp_path) -> None:  # noqa: ANN001
    """Unknown platform, duplicate name, missing credential: each named; the good OLTs sync."""
    f = fleet(2, 32, seed=92)
    engine = get_engine(pg)
    inv = yaml.safe_load(f.inventory_path.read_text())
    good = list(inv["olts"])
    inv["olts"] = good + [
        {**good[0], "name": "olt-bad-platform", "platform": "nokia_isam"},
        {**good[1]},  # the same name twice
        {**good[0], "name": "olt-no-password", "host": "127.0.0.9",  # another box
         "password_env": "OLTSYNC_TEST_NOT_SET"},
    ]
    path = tmp_path / "bad-inventory.yaml"
    path.write_text(yaml.safe_dump(inv))
    state = sync_fleet(inventory_path=str(path), return_state=True)
    assert state.is_failed()
    msg = state.message
    assert "olt-bad-platform" in msg and "nokia_isam" in msg
    assert "olt-002" in msg and "duplicate" in msg.lower()
    assert "olt-no-password" in msg and "OLTSYNC_TEST_NOT_SET" in msg
    truth = f.truth()
    assert diff_olt(engine, truth["olt-001"]) == {}

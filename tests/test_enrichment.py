"""Core and enrichment, through the real sync-olt flow (real SSH to the simulator, real PostgreSQL):
an enrichment command the box refuses costs only its columns. The core rows equal the box's truth,
the enrichment's columns keep their stored values (NULL on a first sync), the dataset is stored as
`partial` with a one-line error naming the OLT, the command and where the answer is kept, and the
run ends Completed. A core command that fails still fails its dataset and changes nothing."""

from __future__ import annotations

import copy
import re

import pytest
from sqlalchemy import select

from flows.sync_olt import sync_olt
from storage import schema
from storage.db import get_engine
from storage.queries import last_syncs
from tests.truth_compare import diff_olt, snapshot

pytestmark = pytest.mark.usefixtures("prefect_harness")

# Per platform: the prefix of an enrichment command the box will refuse, its profile name, and
# the columns only it fills (the others it fills are read by another command too).
BROKEN = {
    "huawei_smartax": ("display ont optical-info", "onus.optical",
                       ["olt_rx_power_dbm", "temperature_c"]),
    "zte_c300": ("show pon power olt-rx", "onus.olt_rx", ["olt_rx_power_dbm"]),
    "zte_c600": ("show pon power olt-rx", "onus.olt_rx", ["olt_rx_power_dbm"]),
}


def _onus_run(engine, olt: str) -> dict:  # noqa: ANN001
    r = schema.sync_runs
    with engine.connect() as conn:
        return conn.execute(select(r).where(r.c.olt == olt, r.c.dataset == "onus")
                            .order_by(r.c.id.desc()).limit(1)).one()._mapping


def _stored(engine, olt: str, columns: list[str]) -> dict[str, dict]:  # noqa: ANN001
    o = schema.onus
    with engine.connect() as conn:
        rows = conn.execute(select(o.c.serial, *(o.c[c] for c in columns))
                            .where(o.c.olt == olt, o.c.removed_at.is_(None))).all()
    return {r.serial: {c: r._mapping[c] for c in columns} for r in rows}


def _with(truth: dict, columns: list[str], values: dict[str, dict]) -> dict:
    """The truth, but these ONU columns as `values` gives them (None for an ONU it lacks)."""
    out = copy.deepcopy(truth)
    for onu in out["onus"]:
        for c in columns:
            onu[c] = values.get(onu["serial"], {}).get(c)
    return out


@pytest.mark.parametrize("platform", sorted(BROKEN))
def test_a_refused_enrichment_costs_only_its_columns(pg: str, fleet, platform: str) -> None:
    f = fleet(1, 64, seed=31, platform=platform)
    olt, engine = next(iter(f.olts.values())), get_engine(pg)
    prefix, ref, columns = BROKEN[platform]
    inv = str(f.inventory_path)

    # a first sync with the enrichment refused: every ONU stored, its columns NULL
    f.sim.call(lambda: setattr(olt.knobs, "reject", prefix))
    first = sync_olt(olt_name=olt.name, inventory_path=inv)
    assert first["status"] == "partial"
    assert diff_olt(engine, _with(f.truth()[olt.name], columns, {})) == {}
    run = _onus_run(engine, olt.name)
    assert run["status"] == "partial" and run["inserted"] == 64
    assert re.search(rf"{olt.name}: onus stored; enrichment {re.escape(ref)} not read \(\d+ "
                     rf"times, first shown\), its columns keep their stored values: {olt.name} "
                     rf"running '{re.escape(prefix)} [^']+': the OLT answered: %?.*"
                     r"the answer is kept in \S+", run["error"]), run["error"]

    # healed: everything as the box says
    f.sim.call(lambda: setattr(olt.knobs, "reject", None))
    assert sync_olt(olt_name=olt.name, inventory_path=inv)["status"] == "ok"
    assert diff_olt(engine, f.truth()[olt.name]) == {}
    before = _stored(engine, olt.name, columns)

    # refused again, while the levels moved and one ONU was deprovisioned and another renamed:
    # the core changes land, the enrichment's columns stay as stored
    def change() -> None:
        for o in olt.onus:
            if o.olt_rx_power_dbm is not None:
                o.olt_rx_power_dbm -= 3.0
            if o.temperature_c is not None:
                o.temperature_c += 10
        olt.remove_onu(olt.onus[0].serial)
        olt.knobs.reject = prefix

    f.sim.call(change)
    again = sync_olt(olt_name=olt.name, inventory_path=inv)
    assert again["status"] == "partial"
    truth = f.truth()[olt.name]
    assert diff_olt(engine, _with(truth, columns, before)) == {}
    assert _onus_run(engine, olt.name)["removed"] == 1
    assert next(o for o in last_syncs(engine) if o["olt"] == olt.name)["status"] == "partial"


def test_a_core_command_that_fails_still_changes_nothing(pg: str, fleet) -> None:
    f = fleet(1, 64, seed=32)
    olt, engine = next(iter(f.olts.values())), get_engine(pg)
    inv = str(f.inventory_path)
    sync_olt(olt_name=olt.name, inventory_path=inv)
    held = snapshot(engine, "onus", olt.name)
    f.sim.call(lambda: (setattr(olt.knobs, "reject", "display ont info 0 all"),
                        olt.remove_onu(olt.onus[0].serial)))
    with pytest.raises(Exception, match=rf"{olt.name} running 'display ont info 0 all': the OLT "
                                        "answered: % Unknown command"):
        sync_olt(olt_name=olt.name, inventory_path=inv)
    assert snapshot(engine, "onus", olt.name) == held
    assert _onus_run(engine, olt.name)["status"] == "failed"


def test_a_titan_box_refusing_its_identity_command_still_has_its_boards_and_ports(
        pg: str, fleet) -> None:
    """The OLT's own facts are an enrichment: boards and PON ports are stored without them (TITAN
    refuses `show system-group` and `show version`; a release could refuse `show software`)."""
    f = fleet(1, 64, seed=33, platform="zte_c600")
    olt, engine = next(iter(f.olts.values())), get_engine(pg)
    inv = str(f.inventory_path)
    sync_olt(olt_name=olt.name, inventory_path=inv)
    firmware = olt.firmware

    def change() -> None:
        olt.firmware += "-SPC1"
        olt.boards[0].status = "STANDBY"
        olt.knobs.reject = "show software"

    f.sim.call(change)
    out = sync_olt(olt_name=olt.name, inventory_path=inv)
    assert {d["dataset"]: d["status"] for d in out["datasets"]}["olt"] == "partial"
    truth = f.truth()[olt.name]
    assert diff_olt(engine, {**truth, "firmware": firmware}) == {}  # boards changed, firmware kept


def test_a_zte_onu_whose_detail_is_refused_keeps_its_serial_by_its_place(pg: str, fleet) -> None:
    """ZTE's serial is only in the per-ONU detail: refused, a known ONU is found by its port and
    ONU-ID; one at a new place cannot be identified and waits for the next run, and nothing is
    marked removed in that run (the ONU it could not see may be one of them)."""
    f = fleet(1, 64, seed=34, platform="zte_c300")
    olt, engine = next(iter(f.olts.values())), get_engine(pg)
    inv = str(f.inventory_path)
    sync_olt(olt_name=olt.name, inventory_path=inv)
    present = set(_stored(engine, olt.name, ["port"]))

    def change() -> None:
        mover = olt.onus[1]
        olt.move_onu(mover.serial, mover.port, olt.free_onu_id(mover.port))
        olt.remove_onu(olt.onus[0].serial)
        olt.knobs.reject = "show gpon onu detail-info"

    f.sim.call(change)
    out = sync_olt(olt_name=olt.name, inventory_path=inv)
    assert out["status"] == "partial"
    run = _onus_run(engine, olt.name)
    assert run["status"] == "partial" and run["removed"] == 0 and run["inserted"] == 0
    assert "1 row(s) left for the next run" in run["error"]
    assert set(_stored(engine, olt.name, ["port"])) == present  # nothing lost, nothing made up

    f.sim.call(lambda: setattr(olt.knobs, "reject", None))
    assert sync_olt(olt_name=olt.name, inventory_path=inv)["status"] == "ok"
    assert diff_olt(engine, f.truth()[olt.name]) == {}

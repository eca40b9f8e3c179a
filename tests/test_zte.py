"""ZTE C300 (ZXAN) and C600 (TITAN) beside Huawei: one mixed fleet, one sync-fleet run, one truth."""

from __future__ import annotations

import pytest

from clients.rules import default_rules
from collector.run import collect_dataset, request_for
from core.settings import Settings
from flows.sync_fleet import sync_fleet
from inventory import entries as inv
from simulator import firmware
from storage.db import get_engine
from sync.access import make_pool
from tests.truth_compare import clients_in_db, diff_olt, history_count, row_versions

# Every firmware generation the captures show (simulator/firmware.py), one OLT each.
GENERATIONS = [(p, g) for p in ("huawei_smartax", "zte_c300", "zte_c600")
               for g in firmware.generations(p)]
MIXED = ",".join(f"{p}:{g}" for p, g in GENERATIONS)


@pytest.mark.usefixtures("prefect_harness")
def test_mixed_firmware_fleet_equals_truth_then_resync_writes_nothing(pg: str, fleet) -> None:
    f = fleet(len(GENERATIONS), 256, seed=23, platform=MIXED)
    assert sorted((o.platform, o.generation) for o in f.olts.values()) == sorted(GENERATIONS)
    # one box prints alarms into its tables (netmiko #3559 on Huawei, modelled on ZTE)
    noisy = [o for o in f.olts.values() if o.generation == "V800R015"][0]
    f.sim.call(lambda: setattr(noisy.knobs, "alarm_every_lines", 23))
    engine = get_engine(pg)
    state = sync_fleet(inventory_path=str(f.inventory_path), return_state=True)
    assert state.is_completed(), state.message
    truth = f.truth()
    for name, t in truth.items():
        assert len(t["onus"]) == 256
        assert diff_olt(engine, t) == {}, (name, t["platform"], f.olts[name].generation)
    assert clients_in_db(engine) == {k: v for t in truth.values() for k, v in t["clients"].items()}
    zte = [t for t in truth.values() if t["platform"].startswith("zte_")]
    # ZTE's own normal forms made it through: 1/S/P ports, ZTEG serials, per-ONU service ports.
    assert all(o["port"].startswith("1/") and o["serial"].startswith("ZTEG")
               for t in zte for o in t["onus"])
    assert any(s["index"] == 2 for t in zte for s in t["service_ports"])
    # what firmware differences mean in the database: TITAN masks descriptions in detail-info,
    # they come from its running configuration; a release that masks them there too has none
    # (so no clients); C300 has untagged service ports (no user VLAN)
    titan = {f.olts[n].generation: t for n, t in truth.items() if t["platform"] == "zte_c600"}
    assert all(o["description"] is None for o in titan["V2.0.10"]["onus"])
    assert sum(o["description"] is not None for o in titan["V1.2.2"]["onus"]) > 200
    assert titan["V1.2.2"]["clients"] and not titan["V2.0.10"]["clients"]
    assert any(s["user_vlan"] is None for t in zte for s in t["service_ports"])
    samples = history_count(engine)

    before = row_versions(engine)
    state = sync_fleet(inventory_path=str(f.inventory_path), return_state=True)
    assert state.is_completed(), state.message
    assert row_versions(engine) == before  # not one data row rewritten, whatever the firmware
    assert history_count(engine) == 2 * samples


@pytest.mark.parametrize("platform", ["zte_c300", "zte_c600"])
def test_zte_box_that_keeps_paging_is_read_whole(platform: str, fleet) -> None:
    """`terminal length 0` refused (old firmware, AAA profile): every --More-- is answered."""
    f = fleet(1, 200, seed=3, platform=platform)
    olt = next(iter(f.olts.values()))
    olt.knobs.ignore_scroll = True
    entry = inv.load(f.inventory_path).olts[0]
    pool = make_pool(entry, settings=Settings.from_env())
    try:
        result = collect_dataset(pool, request_for(pool, "onus", client_rules=default_rules(KEY_NAME)))
    finally:
        pool.close()
    assert any(k == " " for k in olt.received), "the box never paged"
    got = {o["serial"]: (o["port"], o["onu_id"], o["run_state"], o["distance_m"])
           for o in result.tables["onus"]}
    assert got == {o.serial: (o.port, o.onu_id, o.run_state, o.distance_m) for o in olt.onus}

KEY_NAME = r"^(?P<key>\d{8})_(?P<name>.+)$"


def test_zte_commands_are_all_read_only(fleet) -> None:
    """Everything the ZTE profiles made the simulated boxes receive is on the allowlist."""
    from collector.allowlist import is_allowed

    f = fleet(2, 64, seed=4, platform="zte_c300,zte_c600")
    for olt in f.olts.values():
        entry = next(e for e in inv.load(f.inventory_path).olts if e.name == olt.name)
        pool = make_pool(entry, settings=Settings.from_env())
        try:
            for dataset in ("olt", "onus", "macs", "service_ports", "unregistered"):
                collect_dataset(pool, request_for(pool, dataset, client_rules=default_rules(KEY_NAME)))
        finally:
            pool.close()
        sent = [line for line in olt.received if line.strip()]
        assert "terminal length 0" in sent and "show running-config" in sent
        assert all(is_allowed(line) for line in sent), [x for x in sent if not is_allowed(x)]

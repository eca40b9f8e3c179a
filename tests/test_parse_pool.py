"""OLTSYNC_PARSE_PROCESSES: helper processes parse exactly what the thread would, errors included."""

from __future__ import annotations

import pytest

from clients.rules import default_rules
from collector.run import collect_dataset, request_for
from core.errors import ParseError
from core.settings import Settings
from inventory import entries as inv
from sync.access import make_pool

PATTERN = r"^(?P<key>\d{8})_(?P<name>.+)$"


def _collect(f, dataset: str) -> dict:  # noqa: ANN001
    entry = inv.load(f.inventory_path).olts[0]
    pool = make_pool(entry, settings=Settings.from_env())
    try:
        return collect_dataset(pool, request_for(pool, dataset, client_rules=default_rules(PATTERN))).tables
    finally:
        pool.close()


def test_helper_processes_give_the_same_rows(fleet, monkeypatch: pytest.MonkeyPatch) -> None:
    f = fleet(1, 200, seed=8, platform="huawei_smartax")
    inline = {d: _collect(f, d) for d in ("onus", "macs")}
    monkeypatch.setenv("OLTSYNC_PARSE_PROCESSES", "1")
    helped = {d: _collect(f, d) for d in ("onus", "macs")}
    assert helped == inline and len(inline["onus"]["onus"]) == 200


def test_parse_error_in_a_helper_names_olt_and_command(fleet,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    f = fleet(1, 64, seed=9, platform="zte_c600")
    olt = next(iter(f.olts.values()))
    f.sim.call(lambda: setattr(olt.knobs, "garble_on", "show gpon onu state"))
    monkeypatch.setenv("OLTSYNC_PARSE_PROCESSES", "1")
    with pytest.raises(ParseError) as err:
        _collect(f, "onus")
    assert str(err.value).startswith(f"{olt.name} running 'show gpon onu state': template")

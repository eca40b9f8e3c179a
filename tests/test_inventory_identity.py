"""An OLT's identity across inventory edits, through the real flow (SSH to the simulator,
PostgreSQL): one that leaves the inventory is marked removed and stops counting as present (its
rows stay); one renamed with `python -m oltsync rename` keeps its history under the new name; an
empty inventory or one box under two names fails the run clearly."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from sqlalchemy import func, select

from flows.sync_fleet import sync_fleet
from oltsync.__main__ import main
from oltsync.status import format_status
from storage import schema
from storage.db import get_engine
from storage.queries import database_summary, last_syncs
from tests.truth_compare import OLT_TABLES, diff_olt, row_versions, snapshot

pytestmark = pytest.mark.usefixtures("prefect_harness")


def _rewrite(path: Path, edit) -> None:  # noqa: ANN001
    data = yaml.safe_load(path.read_text())
    data["olts"] = edit(data["olts"])
    path.write_text(yaml.safe_dump(data))


def _olt_rows(engine, olt: str) -> int:  # noqa: ANN001
    return sum(len(snapshot(engine, t, olt)) for t in OLT_TABLES)


def test_an_olt_that_leaves_the_inventory_is_history_not_present(pg: str, fleet) -> None:
    f = fleet(2, 32, seed=141)
    engine = get_engine(pg)
    assert sync_fleet(inventory_path=str(f.inventory_path), return_state=True).is_completed()
    kept = _olt_rows(engine, "olt-002")
    gone = next(o for o in yaml.safe_load(f.inventory_path.read_text())["olts"]
                if o["name"] == "olt-002")
    _rewrite(f.inventory_path, lambda olts: [o for o in olts if o["name"] != "olt-002"])
    assert sync_fleet(inventory_path=str(f.inventory_path), return_state=True).is_completed()
    with engine.connect() as conn:
        removed = dict(conn.execute(select(schema.olts.c.name, schema.olts.c.removed_at)).all())
    assert removed["olt-001"] is None and removed["olt-002"] is not None
    assert _olt_rows(engine, "olt-002") == kept  # its rows stay, as they were
    summary = database_summary(engine)
    assert (summary["olts"], summary["onus"]) == (1, 32)  # only olt-001 counts as present
    olts = {o["olt"]: o for o in last_syncs(engine)}
    assert olts["olt-002"]["status"] == "removed" and olts["olt-001"]["status"] == "ok"
    assert "Removed from the inventory" in format_status("not asked", list(olts.values()))
    # back in the inventory: present again, on the same rows
    _rewrite(f.inventory_path, lambda olts: olts + [gone])
    assert sync_fleet(inventory_path=str(f.inventory_path), return_state=True).is_completed()
    summary = database_summary(engine)
    assert (summary["olts"], summary["onus"]) == (2, 64)
    assert diff_olt(engine, f.truth()["olt-002"]) == {}


def test_rename_moves_the_history_and_the_next_sync_adds_no_copy(pg: str, fleet, capsys) -> None:
    f = fleet(1, 32, seed=142)
    engine = get_engine(pg)
    assert sync_fleet(inventory_path=str(f.inventory_path), return_state=True).is_completed()
    rows = {t: len(snapshot(engine, t, "olt-001")) for t in OLT_TABLES}
    assert main(["rename", "olt-001", "olt-centro-01"]) == 0
    assert "olt-001 is now olt-centro-01" in capsys.readouterr().out
    assert {t: len(snapshot(engine, t, "olt-centro-01")) for t in OLT_TABLES} == rows
    assert _olt_rows(engine, "olt-001") == 0
    _rewrite(f.inventory_path, lambda olts: [{**o, "name": "olt-centro-01"} for o in olts])
    before = row_versions(engine)
    assert sync_fleet(inventory_path=str(f.inventory_path), return_state=True).is_completed()
    assert row_versions(engine) == before  # the same rows, not one rewritten, no second copy
    truth = f.truth()["olt-001"]
    assert diff_olt(engine, {**truth, "name": "olt-centro-01"}) == {}
    with engine.connect() as conn:
        assert conn.scalar(select(func.count()).select_from(schema.olts)) == 1
    # a rename onto a name that already has rows is refused, changing nothing
    from storage.store import ensure_olt

    ensure_olt(engine, "olt-other", "10.9.9.9", 22, "huawei_smartax", "Huawei")
    before, n = row_versions(engine), _olt_rows(engine, "olt-centro-01")
    assert main(["rename", "olt-centro-01", "olt-other"]) == 2
    assert "'olt-other' already has rows of its own" in capsys.readouterr().err
    assert row_versions(engine) == before and _olt_rows(engine, "olt-centro-01") == n


def test_an_empty_inventory_fails_the_fleet_run_and_marks_nothing(pg: str, fleet,
                                                                  tmp_path: Path) -> None:
    f = fleet(1, 16, seed=143)
    engine = get_engine(pg)
    assert sync_fleet(inventory_path=str(f.inventory_path), return_state=True).is_completed()
    empty = tmp_path / "empty.yaml"
    empty.write_text("olts: []\n")
    state = sync_fleet(inventory_path=str(empty), return_state=True)
    assert state.is_failed() and "lists no OLT to sync" in state.message
    with engine.connect() as conn:
        assert conn.scalar(select(func.count()).select_from(schema.olts)
                           .where(schema.olts.c.removed_at.is_not(None))) == 0


def test_one_box_under_two_names_fails_the_run_naming_both(pg: str, fleet) -> None:
    f = fleet(2, 16, seed=144)
    _rewrite(f.inventory_path, lambda olts: olts + [{**olts[0], "name": "olt-copy"}])
    state = sync_fleet(inventory_path=str(f.inventory_path), return_state=True)
    assert state.is_failed()
    assert "olt-001: inventory: olt-001: same host and port as olt-copy" in state.message
    assert "olt-copy: inventory: olt-copy: same host and port as olt-001" in state.message
    assert diff_olt(get_engine(pg), f.truth()["olt-002"]) == {}  # the others carry on

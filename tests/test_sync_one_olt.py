"""One OLT's sync as a plain function (sync/olt.py), without a Prefect server: what the flow does
minus the run, tested directly against the simulator over SSH and a real database. Cadence,
carried datasets, triggered datasets, outages and their events, all without Prefect."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from storage.db import get_engine
from sync.edges import Edges
from sync.olt import SyncRequest, sync_one_olt
from tests.truth_compare import diff_olt

ROOT = Path(__file__).resolve().parent.parent


def test_the_plain_sync_imports_no_orchestrator() -> None:
    done = subprocess.run([sys.executable, "-c",
                           "import sys, sync.olt, sync.edges, sync.watch; print(sorted({m.split('.')[0]"
                           " for m in sys.modules if m.split('.')[0] in ('prefect', 'flows')}))"],
                          cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"


@pytest.mark.cadence
def test_sync_one_olt_lands_the_truth_then_carries_what_is_not_due(
        fleet, sqlite_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    # not the daily hour that reads every dataset, whatever the hour the suite runs at
    monkeypatch.setenv("OLTSYNC_FULL_SYNC_HOUR", "off")
    f = fleet(1, 64, seed=81)
    events: list[dict[str, Any]] = []
    published: list[str] = []
    edges = Edges(emit=lambda **e: events.append(e),
                  publish=lambda key, table, description: published.append(key))
    first = sync_one_olt(SyncRequest.load("olt-001", str(f.inventory_path)), edges)
    assert first.failures == [] and first.report.status == "ok"
    assert {d.dataset: d.status for d in first.report.datasets} == {
        "olt": "ok", "onus": "ok", "macs": "ok", "service_ports": "ok", "unregistered": "ok"}
    engine = get_engine(sqlite_url)
    assert diff_olt(engine, f.truth()["olt-001"]) == {}
    assert first.report.onus.total == 64 and first.report.logins >= 1
    # the next hour: what is not due is carried, the rest read, the database still the truth
    again = sync_one_olt(SyncRequest.load("olt-001", str(f.inventory_path)), edges)
    statuses = {d.dataset: d.status for d in again.report.datasets}
    assert statuses["onus"] == "ok" and statuses["service_ports"] == "carried", statuses
    assert again.failures == [] and diff_olt(engine, f.truth()["olt-001"]) == {}
    # a fibre cut: the outage is stored and told as an event, through the edges given
    olt = f.olts["olt-001"]
    port = olt.onus[0].port
    cut = f.sim.call(lambda: olt.cut_port(port))
    assert len(cut) >= 4
    third = sync_one_olt(SyncRequest.load("olt-001", str(f.inventory_path), datasets=["onus"]),
                         edges)
    assert third.failures == []
    told = [e for e in events if e["event"].startswith("oltsync.outage")]
    assert told and told[-1]["event"] == "oltsync.outage.opened" and \
        told[-1]["payload"]["port"] == port and told[-1]["payload"]["los"] == len(cut), events
    assert "open-outages" in published


def test_a_failed_dataset_is_the_outcome_s_failure_and_the_others_land(fleet,
                                                                      sqlite_url: str) -> None:
    f = fleet(1, 32, seed=82)
    olt = f.olts["olt-001"]
    f.sim.call(lambda: setattr(olt.knobs, "garble_on", "display service-port"))
    out = sync_one_olt(SyncRequest.load("olt-001", str(f.inventory_path)))
    statuses = {d.dataset: d.status for d in out.report.datasets}
    assert statuses["service_ports"] == "failed" and statuses["onus"] == "ok"
    assert len(out.failures) == 1 and "olt-001" in out.failures[0] and \
        "display service-port" in out.failures[0]
    truth = f.truth()["olt-001"]
    diff = diff_olt(get_engine(sqlite_url), truth)
    assert set(diff) == {"service_ports"}, diff  # only what failed is missing

"""The knobs of a running `python -m simulator` process, turned from another process through its
control socket, seen by the status pass over real SSH as a real cut and a real power failure."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from storage import schema
from storage.db import get_engine

ROOT = Path(__file__).resolve().parent.parent


class _Process:
    def __init__(self, tmp: Path) -> None:
        self.socket = str(tmp / "sim.sock")
        self.inventory = tmp / "inventory.yaml"
        self.truth = tmp / "truth.json"
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "simulator", "--olts", "2", "--onus", "64", "--seed", "17",
             "--platform", "huawei_smartax,zte_c300", "--control", self.socket,
             "--inventory-out", str(self.inventory), "--truth-out", str(self.truth)],
            cwd=ROOT, stdout=subprocess.PIPE, text=True,
            env={**os.environ, "OLTSYNC_OLT_PASSWORD": "control-test"})
        line = self.proc.stdout.readline()
        assert line.startswith("simulating"), line
        deadline = time.monotonic() + 10
        while not os.path.exists(self.socket) and time.monotonic() < deadline:
            time.sleep(0.1)

    def control(self, *args: str) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "simulator.control", self.socket, *args],
                              cwd=ROOT, capture_output=True, text=True, timeout=60)

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.wait(30)


@pytest.fixture
def sim_process(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[_Process]:
    monkeypatch.setenv("OLTSYNC_OLT_PASSWORD", "control-test")
    p = _Process(tmp_path)
    yield p
    p.stop()
    assert not os.path.exists(p.socket)  # removed when the simulator stops


@pytest.mark.usefixtures("prefect_harness")
def test_knobs_turned_from_another_process_are_what_the_status_pass_sees(
        pg: str, sim_process: _Process) -> None:
    from flows.status_pass import status_pass
    from flows.sync_olt import sync_olt

    assert stat.S_IMODE(os.stat(sim_process.socket).st_mode) == 0o600
    truth = {o["name"]: o for o in json.loads(sim_process.truth.read_text())["olts"]}
    inv = str(sim_process.inventory)
    for name in truth:
        assert sync_olt(olt_name=name, inventory_path=inv, return_state=True).is_completed()
    ports = sim_process.control("ports", "olt-001")
    assert ports.returncode == 0, ports.stderr
    port, line = next((ln.split()[0], ln) for ln in ports.stdout.splitlines()
                      if int(ln.split()[3]) >= 4)  # a port with at least 4 ONUs online
    online = int(line.split()[3])

    cut = sim_process.control("cut", "olt-001", port)
    assert cut.returncode == 0 and cut.stdout.startswith(f"cut: {online} ONUs: "), cut.stdout
    cut_serials = cut.stdout.split(": ", 2)[2].split()
    zte_port = next(o["port"] for o in truth["olt-002"]["onus"] if o["run_state"] == "online")
    fail = sim_process.control("power-fail", "olt-002", "--port", zte_port, "--n", "1")
    assert fail.returncode == 0 and fail.stdout.startswith("power-fail: 1 ONUs: "), fail.stdout
    (gasp,) = fail.stdout.split(": ", 2)[2].split()

    assert status_pass(inventory_path=inv)["changed"] == online + 1
    engine = get_engine(pg)
    sc, out = schema.onu_state_changes, schema.outages
    with engine.connect() as conn:
        changes = sorted(conn.execute(select(sc.c.olt, sc.c.serial, sc.c.to_state, sc.c.cause)))
        outages = list(conn.execute(select(out.c.olt, out.c.port, out.c.kind, out.c.affected)
                                    .where(out.c.closed_at.is_(None))))
    assert changes == sorted([("olt-001", s, "offline", "LOS") for s in cut_serials]
                             + [("olt-002", gasp, "offline", "DyingGasp")])
    assert outages == [("olt-001", port, "los", online)]  # one dying gasp opens nothing

    back = sim_process.control("restore", "olt-001")
    assert back.returncode == 0 and back.stdout.startswith(f"restore: {online} ONUs"), back.stdout
    assert sim_process.control("restore", "olt-002", gasp).stdout.startswith("restore: 1 ONUs")
    assert status_pass(inventory_path=inv)["changed"] == online + 1
    with engine.connect() as conn:
        assert conn.execute(select(out.c.id).where(out.c.closed_at.is_(None))).all() == []

    serial = truth["olt-001"]["onus"][0]["serial"]
    assert sim_process.control("degrade", "olt-001", serial, "-31.5").returncode == 0
    assert sync_olt(olt_name="olt-001", inventory_path=inv, return_state=True).is_completed()
    o = schema.onus
    with engine.connect() as conn:
        assert conn.execute(select(o.c.rx_power_dbm).where(o.c.serial == serial)).scalar() == -31.5


def test_a_wrong_knob_is_refused_with_what_was_wrong(sim_process: _Process) -> None:
    bad = sim_process.control("cut", "olt-009", "0/1/0")
    assert bad.returncode == 1 and "no OLT 'olt-009'; OLTs: olt-001, olt-002" in bad.stderr
    bad = sim_process.control("cut", "olt-001", "0/9/9")
    assert bad.returncode == 1 and "olt-001: no PON port '0/9/9'" in bad.stderr
    bad = sim_process.control("restore", "olt-001", "HWTC00000000")
    assert bad.returncode == 1 and "olt-001: no ONU HWTC00000000" in bad.stderr
    gone = subprocess.run([sys.executable, "-m", "simulator.control", "/nonexistent.sock",
                           "ports", "olt-001"], cwd=ROOT, capture_output=True, text=True)
    assert gone.returncode == 2 and "cannot reach the simulator at /nonexistent.sock" in gone.stderr


def test_the_simulator_counts_commands_and_device_seconds(fleet) -> None:
    """What bench (c) and (e) read as device time: login delay + per-command latency (a table's own) +
    the output rate's pauses, as the box spent them."""
    from collector.session import OltSession, Target
    from platforms import profile
    from simulator import control

    f = fleet(1, 128)
    olt = next(iter(f.olts.values()))

    def knobs() -> None:
        olt.knobs.login_delay_s, olt.knobs.command_latency_s = 0.2, 0.05
        olt.knobs.table_latency_s = 0.4

    f.sim.call(knobs)
    before = f.sim.call(lambda: olt.commands)
    sess = OltSession(Target(olt.name, olt.host, olt.port, olt.platform, olt.username,
                             olt.password), profile.load(olt.platform)).open()
    try:
        setup = f.sim.call(lambda: olt.commands) - before  # the session's own setup commands
        base = f.sim.call(lambda: olt.device_s)
        assert base == pytest.approx(0.2 + 0.05 * setup)
        sess.send("display board 0")  # a short answer
        sess.send("display ont version 0 all")  # a table of the online ONUs (of 128)
    finally:
        sess.close()
    stats = f.sim.call(lambda: control.apply(f.olts, {"do": "stats"}))["olts"][olt.name]
    assert stats["commands"] == before + setup + 2 and stats["logins"] == 1
    assert stats["device_s"] == pytest.approx(base + 0.05 + 0.4, abs=1e-3)


def test_one_onus_record_costs_a_short_command_however_long(fleet) -> None:
    """ZTE detail-info is some 40 lines about one ONU: a box answers it like a short command (the
    per-ONU cost operators quote), not like the port table it outgrows in lines."""
    from collector.session import OltSession, Target
    from platforms import profile
    from simulator import control

    f = fleet(1, 128, platform="zte_c300")
    olt = next(iter(f.olts.values()))
    onu = olt.onus[0]

    def knobs() -> None:
        olt.knobs.command_latency_s, olt.knobs.table_latency_s = 0.05, 0.4

    f.sim.call(knobs)
    sess = OltSession(Target(olt.name, olt.host, olt.port, olt.platform, olt.username,
                             olt.password), profile.load(olt.platform)).open()
    try:
        base = f.sim.call(lambda: olt.device_s)
        detail = sess.send(f"show gpon onu detail-info gpon-onu_{onu.port}:{onu.onu_id}")
        assert detail.count("\n") > 30  # longer than the table threshold
        after_detail = f.sim.call(lambda: olt.device_s)
        sess.send("show gpon onu state")  # the table of 128 ONUs
    finally:
        sess.close()
    stats = f.sim.call(lambda: control.apply(f.olts, {"do": "stats"}))["olts"][olt.name]
    assert after_detail - base == pytest.approx(0.05, abs=1e-3)
    assert stats["device_s"] - after_detail == pytest.approx(0.4, abs=1e-3)

"""Change-driven per-ONU commands (ZTE detail-info, profile `refresh:`): an hourly re-sync reads
only the ONUs that are new, changed state, or whose turn came, keeps the others as stored, and the
database still equals the simulator's truth; a full run reads them all."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from collector.refresh import Stored, split, turn
from flows.sync_olt import sync_olt
from platforms import profile as profiles
from simulator.model import OLT_ZONE
from storage import queries, schema
from storage.db import get_engine
from tests.truth_compare import diff_olt

pytestmark = pytest.mark.cadence

DETAIL = next(c for c in profiles.load("zte_c300").datasets["onus"].commands if c.name == "detail")


def _serial_in_turn(hour: int, want: bool, start: int = 0) -> str:
    """A serial whose turn is (or is not) this hour's."""
    return next(s for i in range(start, start + 500) if
                (turn(s := f"ZTEG{i:08X}", 24) == hour % 24) == want)


def test_only_new_changed_recent_or_due_rows_are_read_and_the_rest_carried() -> None:
    hour = 480_000  # hours since the epoch
    quiet, due, changed, recent = (_serial_in_turn(hour, False), _serial_in_turn(hour, True),
                                   _serial_in_turn(hour, False, 1000),
                                   _serial_in_turn(hour, False, 2000))
    stored = {("1/2/1", i): {"port": "1/2/1", "onu_id": i, "serial": s, "run_state": "online",
                             "equipment": "F660", "distance_m": 1200 + i, "description": f"c{i}"}
              for i, s in enumerate([quiet, due, changed, recent], start=1)}
    rows = {("1/2/1", i): {"port": "1/2/1", "onu_id": i, "run_state": "online"} for i in range(1, 6)}
    rows[("1/2/1", 3)]["run_state"] = "offline"  # went down since
    read, carried = split(DETAIL, rows, Stored(stored, frozenset({recent}), hour))
    assert sorted(k[1] for k in read) == [2, 3, 4, 5]  # due, changed, recent, new (5)
    assert carried == {("1/2/1", 1)}
    assert rows[("1/2/1", 1)] == {"port": "1/2/1", "onu_id": 1, "run_state": "online",
                                  "serial": quiet, "equipment": "F660", "distance_m": 1201,
                                  "description": "c1", "last_up_at": None, "last_down_at": None,
                                  "last_down_cause": None}
    assert "serial" not in rows[("1/2/1", 2)]  # to be read: nothing carried into it


def test_turns_spread_every_onu_over_the_day() -> None:
    serials = [f"ZTEG{i:08X}" for i in range(2048)]
    per_hour = [sum(turn(s, 24) == h for s in serials) for h in range(24)]
    assert sum(per_hour) == 2048 and max(per_hour) <= 2048 / 24 * 1.35, per_hour


def _carried(report: dict) -> set[str]:
    return {d["dataset"] for d in report["datasets"] if d["status"] == "carried"}


def _one_olt_synced(fleet, pg: str, monkeypatch: pytest.MonkeyPatch, onus: int,  # noqa: ANN001
                    seed: int, platform: str = "huawei_smartax") -> tuple:
    """One simulated OLT, the daily hour off, synced once: (fleet, olt, engine, inventory)."""
    monkeypatch.setenv("OLTSYNC_FULL_SYNC_HOUR", "off")
    f = fleet(1, onus, seed=seed, platform=platform)
    inv = str(f.inventory_path)
    sync_olt(olt_name="olt-001", inventory_path=inv)
    return f, f.olts["olt-001"], get_engine(pg), inv


def _onus_commands(report: dict) -> int:
    (onus,) = [d for d in report["datasets"] if d["dataset"] == "onus"]
    return onus["commands"]


class _Sent:
    """The commands an OLT received since the last look, by their start."""

    def __init__(self, olt) -> None:  # noqa: ANN001
        self.olt, self.seen = olt, len(olt.received)

    def count(self, prefix: str) -> int:
        new = self.olt.received[self.seen:]
        return sum(line.strip().startswith(prefix) for line in new)

    def reset(self) -> None:
        self.seen = len(self.olt.received)


def _last_onus_run(engine) -> tuple[datetime, int]:  # noqa: ANN001
    r = schema.sync_runs
    with engine.connect() as conn:
        started, carried = conn.execute(select(r.c.started_at, r.c.carried).where(
            r.c.dataset == "onus").order_by(r.c.id.desc()).limit(1)).one()
    return (started if started.tzinfo else started.replace(tzinfo=UTC)), carried


@pytest.mark.usefixtures("prefect_harness")
def test_a_zte_resync_reads_few_detail_commands_and_the_database_stays_true(
        pg: str, fleet, monkeypatch: pytest.MonkeyPatch) -> None:
    from flows.status_pass import status_pass

    monkeypatch.setenv("OLTSYNC_FULL_SYNC_HOUR", "off")
    f = fleet(1, 256, seed=41, platform="zte_c300")
    olt, engine = f.olts["olt-001"], get_engine(pg)
    inv = str(f.inventory_path)
    ports = len({o.port for o in olt.onus})
    first = sync_olt(olt_name="olt-001", inventory_path=inv)
    # state, then detail-info per ONU read, two per-port level tables, the running configuration
    # (the descriptions, every hour)
    assert _onus_commands(first) == 1 + 256 + 2 * ports + 1  # never read: every ONU
    assert _last_onus_run(engine)[1] == 0

    again = sync_olt(olt_name="olt-001", inventory_path=inv)
    started, carried = _last_onus_run(engine)
    hour = int(started.timestamp() // 3600)
    due = sum(turn(o.serial, 24) == hour % 24 for o in olt.onus)
    assert _onus_commands(again) == 1 + due + 2 * ports + 1
    assert carried == 256 - due
    assert diff_olt(engine, f.truth()["olt-001"]) == {}

    # a cut seen by the status pass first: the sync re-reads those ONUs (their down time, cause)
    quiet = [o for o in olt.onus if turn(o.serial, 24) != hour % 24 and o.run_state == "online"]
    cut = olt.cut_port(quiet[0].port)
    assert status_pass(inventory_path=inv)["changed"] == len(cut)
    after = sync_olt(olt_name="olt-001", inventory_path=inv)
    started, _ = _last_onus_run(engine)
    hour2 = int(started.timestamp() // 3600)
    due2 = {o.serial for o in olt.onus if turn(o.serial, 24) == hour2 % 24}
    assert _onus_commands(after) == 1 + len(due2 | set(cut)) + 2 * ports + 1
    assert diff_olt(engine, f.truth()["olt-001"]) == {}

    # what only detail-info tells, changed on an ONU that is not due: kept until a full read
    other = next(o for o in olt.onus if turn(o.serial, 24) not in (hour2 % 24, (hour2 + 1) % 24)
                 and o.serial not in cut)
    other.equipment = "F670L"
    sync_olt(olt_name="olt-001", inventory_path=inv)
    o = schema.onus
    with engine.connect() as conn:
        assert conn.scalar(select(o.c.equipment).where(o.c.serial == other.serial)) != "F670L"
    full = sync_olt(olt_name="olt-001", inventory_path=inv, full=True)
    assert _onus_commands(full) == 1 + 256 + 2 * ports + 1
    assert _last_onus_run(engine)[1] == 0
    assert diff_olt(engine, f.truth()["olt-001"]) == {}


@pytest.mark.usefixtures("prefect_harness")
def test_the_daily_hour_reads_every_dataset_but_keeps_per_onu_commands_to_their_turns(
        pg: str, fleet, monkeypatch: pytest.MonkeyPatch) -> None:
    f, olt, engine, inv = _one_olt_synced(fleet, pg, monkeypatch, 96, 45, "zte_c300")
    ports = len({o.port for o in olt.onus})
    hourly = sync_olt(olt_name="olt-001", inventory_path=inv)
    assert _carried(hourly) == {"olt", "service_ports"}
    hour = datetime.now(ZoneInfo(OLT_ZONE)).hour  # the OLTs' time zone (the inventory's)
    monkeypatch.setenv("OLTSYNC_FULL_SYNC_HOUR", str(hour))
    daily = sync_olt(olt_name="olt-001", inventory_path=inv)
    assert [d["dataset"] for d in daily["datasets"] if d["status"] != "ok"] == []
    started, carried = _last_onus_run(engine)
    due = sum(turn(o.serial, 24) == int(started.timestamp() // 3600) % 24 for o in olt.onus)
    assert _onus_commands(daily) == 1 + due + 2 * ports + 1 and carried == 96 - due
    assert diff_olt(engine, f.truth()["olt-001"]) == {}


@pytest.mark.usefixtures("prefect_harness")
@pytest.mark.parametrize("platform,probe", [("huawei_smartax", "display sysuptime"),
                                            ("zte_c600", "show software")])
def test_an_olt_that_restarted_has_every_dataset_read_at_once(
        pg: str, fleet, monkeypatch: pytest.MonkeyPatch, platform: str, probe: str) -> None:
    f, olt, engine, inv = _one_olt_synced(fleet, pg, monkeypatch, 64, 47, platform)
    up_before = queries.stored_uptime(engine, "olt-001")
    sent = _Sent(olt)
    # (TITAN's MACs, one command per online ONU, are read every 6 hours too)
    slow = {"olt", "service_ports"} | ({"macs"} if platform == "zte_c600" else set())
    quiet = sync_olt(olt_name="olt-001", inventory_path=inv)
    assert _carried(quiet) == slow
    assert sent.count(probe) == 1  # the probe: one command, and nothing else of the dataset

    def restart() -> None:  # ... and a PON port comes back shut
        olt.booted_at = datetime.now(UTC) - timedelta(minutes=5)
        olt.pon_ports[0].admin_state, olt.pon_ports[0].oper_state = "down", "down"

    f.sim.call(restart)
    after = sync_olt(olt_name="olt-001", inventory_path=inv)
    assert [d["dataset"] for d in after["datasets"] if d["status"] != "ok"] == []
    assert diff_olt(engine, f.truth()["olt-001"]) == {}
    assert queries.stored_uptime(engine, "olt-001") < min(up_before, 600)
    again = sync_olt(olt_name="olt-001", inventory_path=inv)  # uptime grows again: not due
    assert _carried(again) == slow


@pytest.mark.usefixtures("prefect_harness")
def test_a_port_whose_onus_went_down_together_has_the_boards_and_ports_read(
        pg: str, fleet, monkeypatch: pytest.MonkeyPatch) -> None:
    f, olt, engine, inv = _one_olt_synced(fleet, pg, monkeypatch, 128, 49)
    busiest = max({o.port for o in olt.onus}, key=lambda p: sum(
        o.port == p and o.run_state == "online" for o in olt.onus))
    few = f.sim.call(lambda: olt.cut_port(busiest, 3))  # three customers: not the box
    quiet = sync_olt(olt_name="olt-001", inventory_path=inv)
    assert _carried(quiet) == {"olt", "service_ports"}

    def shut() -> list[str]:  # someone shuts the port: all its ONUs go down with it
        port = next(p for p in olt.pon_ports if p.port == busiest)
        port.admin_state, port.oper_state = "down", "down"
        return olt.cut_port(busiest)

    down = f.sim.call(shut)
    assert len(down) >= 8, (len(few), len(down))
    after = sync_olt(olt_name="olt-001", inventory_path=inv)
    onus = next(d for d in after["datasets"] if d["dataset"] == "onus")
    assert onus["counts"]["state_changes"] == len(down)
    assert _carried(after) == {"service_ports"}
    assert diff_olt(engine, f.truth()["olt-001"]) == {}


@pytest.mark.usefixtures("prefect_harness")
def test_a_zte_description_edited_on_the_olt_reaches_the_onu_and_its_client_within_the_hour(
        pg: str, fleet, monkeypatch: pytest.MonkeyPatch) -> None:
    """Before, an ONU's description came from its detail-info only, read once a day in turns: an
    edit stayed wrong for up to 24 hours, its client with it."""
    f, olt, engine, inv = _one_olt_synced(fleet, pg, monkeypatch, 96, 51, "zte_c300")
    hour = int(datetime.now(UTC).timestamp() // 3600) % 24
    onu = next(o for o in olt.onus if turn(o.serial, 24) not in (hour, (hour + 1) % 24))

    def edit() -> None:
        onu.description = "00777777_Nova_Cliente"
        onu.client_key, onu.client_name = "00777777", "Nova Cliente"

    f.sim.call(edit)
    sync_olt(olt_name="olt-001", inventory_path=inv)
    o = schema.onus
    with engine.connect() as conn:
        row = conn.execute(select(o.c.description, o.c.client_key)
                           .where(o.c.serial == onu.serial)).one()
    assert tuple(row) == ("00777777_Nova_Cliente", "00777777")
    assert diff_olt(engine, f.truth()["olt-001"]) == {}


@pytest.mark.usefixtures("prefect_harness")
def test_a_port_shut_that_the_status_pass_saw_first_has_the_ports_read_within_the_hour(
        pg: str, fleet, monkeypatch: pytest.MonkeyPatch) -> None:
    """The status pass stores the ONUs' states every few minutes, so the hourly sync after a port
    was shut sees no state change of its own. Before, its boards and ports waited for their 6-hour
    turn (the port showed `up`); the changes stored since their last read count too."""
    from flows.status_pass import status_pass

    f, olt, engine, inv = _one_olt_synced(fleet, pg, monkeypatch, 128, 50)
    busiest = max({o.port for o in olt.onus}, key=lambda p: sum(
        o.port == p and o.run_state == "online" for o in olt.onus))

    def shut() -> list[str]:
        port = next(p for p in olt.pon_ports if p.port == busiest)
        port.admin_state, port.oper_state = "down", "down"
        return olt.cut_port(busiest)

    down = f.sim.call(shut)
    assert len(down) >= 8
    assert status_pass(inventory_path=inv)["changed"] == len(down)
    after = sync_olt(olt_name="olt-001", inventory_path=inv)
    onus = next(d for d in after["datasets"] if d["dataset"] == "onus")
    assert onus["counts"].get("state_changes", 0) == 0  # the pass stored them
    assert _carried(after) == {"service_ports"}
    assert diff_olt(engine, f.truth()["olt-001"]) == {}
    p = schema.pon_ports
    with engine.connect() as conn:
        assert conn.execute(select(p.c.admin_state).where(p.c.port == busiest)).scalar() == "down"
    again = sync_olt(olt_name="olt-001", inventory_path=inv)  # read since: carried again
    assert _carried(again) == {"olt", "service_ports"}


@pytest.mark.usefixtures("prefect_harness")
def test_a_huawei_resync_reads_summary_of_due_or_changed_ports_only(
        pg: str, fleet, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OLTSYNC_FULL_SYNC_HOUR", "off")
    f = fleet(1, 256, seed=43)
    olt, engine = f.olts["olt-001"], get_engine(pg)
    inv = str(f.inventory_path)
    ports = sorted({o.port for o in olt.onus})
    sent = _Sent(olt)

    def per_port(command: str) -> int:
        return sent.count(command)

    sync_olt(olt_name="olt-001", inventory_path=inv)
    # the version table is the frame's, one command each run
    assert [per_port(c) for c in ("display ont info summary", "display ont optical-info",
                                  "display ont version")] == [len(ports), len(ports), 1]

    def due(hour: int) -> set[str]:
        return {p for p in ports if turn(p, 6) == hour % 6}

    sp = schema.service_ports

    def present_service_ports() -> int:
        with engine.connect() as conn:
            return len(conn.execute(select(sp.c.id).where(sp.c.removed_at.is_(None))).all())

    before = present_service_ports()
    olt.service_ports.pop()  # gone from the box, but service ports are not due this hour
    sent.reset()
    again = sync_olt(olt_name="olt-001", inventory_path=inv)
    assert {d["dataset"]: d["status"] for d in again["datasets"]} == {
        "olt": "carried", "onus": "ok", "macs": "ok", "service_ports": "carried",
        "unregistered": "ok"}
    hour = int(_last_onus_run(engine)[0].timestamp() // 3600)
    assert [per_port(c) for c in ("display ont info summary", "display ont optical-info",
                                  "display ont version")] == [len(due(hour)), len(ports), 1]
    assert per_port("display service-port") == 0  # not due
    # the boards' and ports' tables are not due; onus and macs list the GPON boards and ports
    # they read per port (one board table each, one port table per GPON board)
    gpon = [b for b in olt.boards if "GP" in b.type]
    assert per_port("display board") == 2 and per_port("display port state") == len(gpon)
    assert _last_onus_run(engine)[1] == sum(o.port not in due(hour) for o in olt.onus)
    assert present_service_ports() == before  # carried over: nothing marked removed
    r = schema.sync_runs
    with engine.connect() as conn:
        assert sorted(conn.execute(select(r.c.dataset).where(r.c.status == "carried"))
                      .scalars()) == ["olt", "service_ports"]

    # an ONU re-provisioned on another port: that port is read whole, the database follows
    quiet = [p for p in ports if p not in due(hour) | due(hour + 1)]
    mover = next(o for o in olt.onus if o.port == quiet[0])
    olt.move_onu(mover.serial, quiet[1], olt.free_onu_id(quiet[1]))
    sent.reset()
    moved = sync_olt(olt_name="olt-001", inventory_path=inv)
    # the moved ONU brings its service ports (and the boards) in, after the ONUs
    assert {d["dataset"]: d["status"] for d in moved["datasets"]}["service_ports"] == "ok"
    assert present_service_ports() == before - 1
    hour = int(_last_onus_run(engine)[0].timestamp() // 3600)
    assert per_port("display ont info summary") == len(due(hour) | {quiet[1]})
    assert per_port("display service-port") == 1
    assert diff_olt(engine, f.truth()["olt-001"]) == {}

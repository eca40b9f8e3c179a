"""Which datasets an hourly run reads: the profile's periods, the operator's overrides, full runs,
and a new ONU that brings its service ports in early (plain decisions)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from collector.cadence import after_restart, plan, restarted, triggered
from core.errors import ConfigError
from core.settings import Settings
from platforms import profile as profiles

AT = datetime(2026, 12, 2, 13, 0, 5, tzinfo=UTC)
NAMES = ["olt", "onus", "macs", "service_ports", "unregistered"]


@pytest.mark.parametrize("platform", ["huawei_smartax", "zte_c300", "zte_c600"])
def test_boards_and_service_ports_every_6_hours_the_rest_every_run(platform: str) -> None:
    p = profiles.load(platform)
    # TITAN's MACs are one command per online ONU: every 6 hours too, and after new ONUs
    slow = ["macs"] if platform == "zte_c600" else []
    last = {d: AT - timedelta(hours=1) for d in NAMES}
    out = plan(p, NAMES, last, AT)
    assert out.first == [d for d in ["onus", "macs", "unregistered"] if d not in slow]
    assert sorted(out.carried) == sorted(["olt", "service_ports"] + slow)
    assert sorted(out.after) == sorted(["olt", "service_ports"] + slow)  # unless ONUs bring news
    assert "read every 6 h, last at 2026-12-02 12:00Z" in out.carried["olt"]
    # the sixth hourly run (started a few seconds earlier than 6 h after the last) reads them
    six = plan(p, NAMES, {**last, "olt": AT - timedelta(hours=6) + timedelta(seconds=20),
                          "service_ports": AT - timedelta(hours=5, minutes=20)}, AT)
    assert six.first == [d for d in ["olt", "onus", "macs", "unregistered"] if d not in slow]
    assert sorted(six.carried) == sorted(["service_ports"] + slow)


def test_never_read_full_asked_or_overridden_datasets_are_read() -> None:
    p = profiles.load("huawei_smartax")
    recent = {d: AT - timedelta(minutes=55) for d in NAMES}
    assert plan(p, NAMES, {}, AT).first == NAMES  # a new OLT
    assert plan(p, NAMES, recent, AT, full=True).first == NAMES
    assert plan(p, ["service_ports"], recent, AT, asked=True).first == ["service_ports"]
    assert plan(p, NAMES, recent, AT, overrides={"service_ports": 1, "macs": 3}).first == [
        "onus", "service_ports", "unregistered"]


def test_a_new_moved_or_gone_onu_brings_its_boards_and_service_ports_in() -> None:
    p = profiles.load("zte_c300")
    assert triggered(p, ["olt", "service_ports"], {"onus": 0, "macs": 40}) == []  # MACs come and go
    assert triggered(p, ["olt", "service_ports"], {"onus": 1}) == ["olt", "service_ports"]


@pytest.mark.parametrize("platform", ["huawei_smartax", "zte_c300", "zte_c600"])
def test_many_onus_changing_state_bring_the_boards_and_ports_in(platform: str) -> None:
    p = profiles.load(platform)
    waiting = ["olt", "service_ports"]
    assert triggered(p, waiting, {"onus": 0}, {"onus": 7}) == []  # a few customers' ONUs
    assert triggered(p, waiting, {"onus": 0}, {"onus": 8}) == ["olt"]  # a board, a port
    assert triggered(p, waiting, {"onus": 0}, {"macs": 50}) == []  # only the ONUs' states count


def test_the_operators_periods_are_checked(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OLTSYNC_DATASET_HOURS", "service_ports=12, olt=24")
    assert Settings.from_env().dataset_hours == {"service_ports": 12, "olt": 24}
    for bad in ("service_ports", "olt=0", "olt=200", "x y=3"):
        monkeypatch.setenv("OLTSYNC_DATASET_HOURS", bad)
        with pytest.raises(ConfigError, match="OLTSYNC_DATASET_HOURS="):
            Settings.from_env()
    monkeypatch.setenv("OLTSYNC_DATASET_HOURS", "")
    monkeypatch.setenv("OLTSYNC_FULL_SYNC_HOUR", "25")
    with pytest.raises(ConfigError, match="OLTSYNC_FULL_SYNC_HOUR='25'"):
        Settings.from_env()


def test_a_change_driven_command_must_run_per_row_of_its_own_table() -> None:
    from pydantic import ValidationError

    from platforms.profile import CommandSpec

    base = {"name": "detail", "command": "show x", "table": "onus",
            "template": "zte_show_gpon_onu_detail-info.textfsm", "fields": {"serial": "{SERIAL}"},
            "refresh": {}}
    with pytest.raises(ValidationError, match="refresh is for a command run per row"):
        CommandSpec.model_validate(base)
    assert CommandSpec.model_validate({**base, "for_each": {"table": "onus"}}).refresh.spread_hours == 24


def test_an_uptime_that_went_backwards_reads_every_dataset() -> None:
    p = profiles.load("huawei_smartax")
    out = plan(p, NAMES, {d: AT - timedelta(hours=1) for d in NAMES}, AT)
    assert restarted(300, 86_400) and not restarted(90_000, 86_400)
    assert not restarted(None, 86_400) and not restarted(300, None)  # unread, or never stored
    again = after_restart(out)
    assert again.first == ["onus", "macs", "unregistered", "olt", "service_ports"]
    assert again.carried == {} and again.after == []


def test_an_uptime_probe_names_one_command_that_gives_uptime() -> None:
    from platforms.profile import DatasetSpec

    olt = profiles.load("zte_c300").datasets["olt"]
    assert [c.name for c in olt.probe_spec().commands] == ["system"]
    raw = olt.model_dump(exclude_none=True)
    for bad in ("cards", "pon_ports", "nothing"):  # no uptime; one per port; not a command
        with pytest.raises(ValueError, match=f"uptime_probe '{bad}'"):
            DatasetSpec.model_validate({**raw, "uptime_probe": bad})

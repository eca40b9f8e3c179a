"""Pure functions: normal forms, row building, merging, totals, client keys."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from clients.rules import default_rules
from collector import normalize
from collector.rows import build_rows, client_rows, merge
from core.errors import ParseError
from platforms import profile


@pytest.mark.parametrize("raw,expected", [
    ("485754431A2B3C4D", "HWTC1A2B3C4D"),
    ("HWTC-1A2B3C4D", "HWTC1A2B3C4D"),
    ("hwtc1a2b3c4d", "HWTC1A2B3C4D"),
    ("485754431A2B3C4D (HWTC-1A2B3C4D)", "HWTC1A2B3C4D"),
    ("5A544547C0FFEE01", "ZTEGC0FFEE01"),
    # vendor ids with digits exist (third-party ONTs on a Huawei port: capture '32303131...')
    ("32303131350361BD", "2011350361BD"),
    ("2011350361BD", "2011350361BD"),
    # a vendor that is not printable has no text form: the serial keeps its 16 hex digits
    ("00000000DEADBEEF", "00000000DEADBEEF"),
])
def test_serial(raw: str, expected: str) -> None:
    assert normalize.serial(raw) == expected


@pytest.mark.parametrize("raw", ["1234", "HWTC1A2B3C4G", "46VBSM4LFW7QLGAV", "HWTC-1A2B3C"])
def test_bad_serial(raw: str) -> None:
    with pytest.raises(normalize.ValueProblem):
        normalize.serial(raw)


@pytest.mark.parametrize("raw,expected", [
    ("e4c2-d1ab-cdef", "e4:c2:d1:ab:cd:ef"),
    ("E4:C2:D1:AB:CD:EF", "e4:c2:d1:ab:cd:ef"),
    ("e4c2.d1ab.cdef", "e4:c2:d1:ab:cd:ef"),
])
def test_mac(raw: str, expected: str) -> None:
    assert normalize.mac(raw) == expected


@pytest.mark.parametrize("raw,expected", [("0/ 1/0", "0/1/0"), ("0 /1 /0", "0/1/0"),
                                          ("0/1 /0", "0/1/0"), ("0/12/15", "0/12/15")])
def test_port(raw: str, expected: str) -> None:
    assert normalize.port(raw) == expected


def test_timestamps_to_utc() -> None:
    assert normalize.value("last_up_at", "2026-10-28 08:12:44-03:00") == datetime(
        2026, 10, 28, 11, 12, 44, tzinfo=UTC)
    # no offset printed: the OLT's own time zone from the inventory
    assert normalize.value("last_up_at", "2026-10-28 08:12:44", ZoneInfo("America/Sao_Paulo")) == \
        datetime(2026, 10, 28, 11, 12, 44, tzinfo=UTC)


@pytest.mark.parametrize("raw,expected", [
    # day/month/year (MA5603T capture: 28/09/2023), with and without leading zeros
    ("28/09/2023 15:43:18", datetime(2023, 9, 28, 15, 43, 18, tzinfo=UTC)),
    ("1/1/2000 00:00:00", datetime(2000, 1, 1, tzinfo=UTC)),
    ("05/09/2000 01:01:01", datetime(2000, 9, 5, 1, 1, 1, tzinfo=UTC)),
    ("2024-03-12 02:33:42-04:00", datetime(2024, 3, 12, 6, 33, 42, tzinfo=UTC)),
    # what boxes print for "never"
    ("0000-00-00 00:00:00", None),
    ("01/01/1970 00:00:00", None),
])
def test_timestamp_forms(raw: str, expected: datetime | None) -> None:
    assert normalize.value("last_down_at", raw) == expected


def test_a_date_that_cannot_be_day_month_year_is_refused() -> None:
    with pytest.raises(normalize.ValueProblem, match="day/month/year"):
        normalize.value("last_up_at", "09/28/2023 15:43:18")


@pytest.mark.parametrize("raw,seconds", [
    ("11d22h5m17s", ((11 * 24 + 22) * 60 + 5) * 60 + 17),
    ("141 days, 15 hours, 25 minutes", ((141 * 24 + 15) * 60 + 25) * 60),  # ZTE C320, no seconds
    ("20 day(s), 23 hour(s), 19 minute(s), 16 second(s)", ((20 * 24 + 23) * 60 + 19) * 60 + 16),
    ("11 day 22 hour 5 minute 17 second", ((11 * 24 + 22) * 60 + 5) * 60 + 17),
])
def test_durations(raw: str, seconds: int) -> None:
    assert normalize.value("uptime_s", raw) == seconds


@pytest.mark.parametrize("raw", ["5x", "10 days and", "d"])
def test_bad_durations(raw: str) -> None:
    with pytest.raises(normalize.ValueProblem):
        normalize.duration(raw)


def test_masked_description_is_no_description() -> None:
    assert normalize.value("description", "********") is None  # ZTE TITAN's mask
    assert normalize.value("description", " 00612345_Conceição ") == "00612345_Conceição"


def test_nulls_and_numbers() -> None:
    assert normalize.value("rx_power_dbm", "-") is None
    assert normalize.value("rx_power_dbm", "-27.51") == -27.51
    assert normalize.value("uptime_s", "11d22h5m17s") == ((11 * 24 + 22) * 60 + 5) * 60 + 17
    with pytest.raises(normalize.ValueProblem):
        normalize.value("run_state", "working")


def _spec(name: str):  # noqa: ANN202
    return next(c for c in profile.load("huawei_smartax").all_commands() if c.name == name)


def test_build_rows_checks_the_per_port_total() -> None:
    spec = _spec("info")
    recs = [{"PORT": "0/ 1/0", "ONU_ID": "3", "SERIAL": "485754431A2B3C4D", "RUN_STATE": "online",
             "CONFIG_STATE": "normal", "MATCH_STATE": "match", "DESCRIPTION": "", "TOTAL": ""},
            {"PORT": "0/ 1/0", "ONU_ID": "", "SERIAL": "", "RUN_STATE": "", "CONFIG_STATE": "",
             "MATCH_STATE": "", "DESCRIPTION": "", "TOTAL": "2"}]
    with pytest.raises(ParseError, match="0/1/0 reports 2 rows but 1 were read"):
        build_rows("display ont info 0 all", spec, recs, {})
    recs[1]["TOTAL"] = "1"
    rows = build_rows("display ont info 0 all", spec, recs, {})
    assert rows == [{"port": "0/1/0", "onu_id": 3, "serial": "HWTC1A2B3C4D", "run_state": "online",
                     "config_state": "normal", "match_state": "match", "description": None}]


def test_bad_value_names_olt_command_and_field() -> None:
    spec = _spec("info")
    recs = [{"PORT": "0/1/0", "ONU_ID": "3", "SERIAL": "HWTC1A2B3C4G", "RUN_STATE": "online",
             "CONFIG_STATE": "", "MATCH_STATE": "", "DESCRIPTION": "", "TOTAL": ""}]
    with pytest.raises(ParseError) as err:
        build_rows("display ont info 0 all", spec, recs, {})
    # the parse stage names the command; the collector's boundary adds the OLT
    assert str(err.value).startswith("running 'display ont info 0 all': serial:")
    assert str(err.value.of("olt-x")).startswith("olt-x running 'display ont info 0 all': serial:")


def test_merge_keeps_the_latest_session_whatever_its_row() -> None:
    """ZTE's history ring: once full, the newest session is not the last row. The latest up time
    wins, and the latest down time wins together with its own cause."""
    from platforms.profile import Latest

    rules = [Latest(column="last_up_at"), Latest(column="last_down_at", **{"with": ["last_down_cause"]})]
    t = lambda day: datetime(2026, 10, day, tzinfo=UTC)  # noqa: E731
    table: dict = {("1/1/1", 5): {"port": "1/1/1", "onu_id": 5, "serial": "ZTEG00000005"}}
    history = [  # as printed: a wrapped ring, so the rows are not in time order
        {"port": "1/1/1", "onu_id": 5, "last_up_at": t(20), "last_down_at": None, "last_down_cause": None},
        {"port": "1/1/1", "onu_id": 5, "last_up_at": t(3), "last_down_at": t(4), "last_down_cause": "LOS"},
        {"port": "1/1/1", "onu_id": 5, "last_up_at": t(12), "last_down_at": t(19),
         "last_down_cause": "DyingGasp"},
        {"port": "1/1/1", "onu_id": 5, "last_up_at": t(5), "last_down_at": t(11), "last_down_cause": "LOSi"},
    ]
    merge("detail", "onus", table, history, False, rules)
    row = table[("1/1/1", 5)]
    assert (row["last_up_at"], row["last_down_at"], row["last_down_cause"]) == (t(20), t(19), "DyingGasp")


def test_merge_primary_creates_later_enrich() -> None:
    table: dict = {}
    merge("c1", "onus", table, [{"port": "0/1/0", "onu_id": 1, "serial": "HWTC00000001"},
                                     {"port": "0/1/0", "onu_id": 1, "description": "x"}], True)
    merge("c2", "onus", table, [{"port": "0/1/0", "onu_id": 1, "rx_power_dbm": -20.0},
                                     {"port": "0/1/0", "onu_id": 9, "rx_power_dbm": -21.0}], False)
    assert list(table.values()) == [{"port": "0/1/0", "onu_id": 1, "serial": "HWTC00000001",
                                     "description": "x", "rx_power_dbm": -20.0}]
    with pytest.raises(ParseError, match="conflicting serial"):
        merge("c1", "onus", table, [{"port": "0/1/0", "onu_id": 1, "serial": "HWTC00000002"}],
              True)


def test_client_keys_from_descriptions() -> None:
    onus = [{"description": "00612345_Conceição_Gonçalves"}, {"description": "POSTE-741"},
            {"description": None}, {"description": "00612345_Conceição_Gonçalves"},
            {"description": "4512 - João da Silva"}]
    clients, hits = client_rows(onus, default_rules())
    assert hits == {"key_first": 3, "cliente_prefix": 0}
    assert clients == {"00612345": "Conceição Gonçalves", "4512": "João da Silva"}
    assert [o["client_key"] for o in onus] == ["00612345", None, None, "00612345", "4512"]


def test_a_zte_total_that_disagrees_names_the_olt_and_the_command() -> None:
    """Before: `None None reports 64 rows but 42 were read`."""
    spec = next(c for c in profile.load("zte_c300").all_commands() if c.name == "state")
    recs = [{"PORT": "1/2/1", "ONU_ID": str(i), "PHASE_STATE": "working", "ONLINE": "", "TOTAL": ""}
            for i in range(1, 43)] + [{"PORT": "", "ONU_ID": "", "PHASE_STATE": "", "ONLINE": "42",
                                       "TOTAL": "64"}]
    with pytest.raises(ParseError) as err:
        build_rows("show gpon onu state", spec, recs, {})
    assert str(err.value.of("olt-002")) == ("olt-002 running 'show gpon onu state': the OLT "
                                            "reports 64 rows but 42 were read (truncated output?)")

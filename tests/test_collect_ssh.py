"""The collector against the simulator over real SSH (netmiko): rows equal the simulator's truth,
through alarms, split UTF-8 and every fault the collector must name clearly."""

from __future__ import annotations

import time
from dataclasses import replace
from zoneinfo import ZoneInfo

import pytest

from collector.dataset import CollectRequest, collect
from collector.session import OltSession, Target
from core.errors import CollectError, CommandRejected, LoginError, ParseError, UnreachableError
from platforms import profile
from simulator.model import OLT_ZONE

OLT_TZ = ZoneInfo(OLT_ZONE)  # the summary prints local time without an offset, like the boxes

PROFILE = profile.load("huawei_smartax")


def target(olt, **kw) -> Target:  # noqa: ANN001, ANN003
    return replace(Target(olt.name, olt.host, olt.port, olt.platform, olt.username, olt.password),
                   **kw)


def _norm_truth_onu(o: dict) -> dict:
    return {k: v for k, v in o.items() if k != "client_key"}


def _norm_row(r: dict) -> dict:
    out = {k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in r.items()
           if k not in ("config_state", "match_state")}
    return out


def test_onus_over_ssh_equal_truth_with_alarms_and_split_utf8(fleet) -> None:
    f = fleet(1, 300)
    olt = next(iter(f.olts.values()))
    # an alarm block every 7 lines, and output trickled in small chunks that split characters
    f.sim.call(lambda: setattr(olt.knobs, "alarm_every_lines", 7))
    import simulator.server as server

    old_chunk, server.CHUNK = server.CHUNK, 61
    try:
        sess = OltSession(target(olt), PROFILE).open()
        try:
            result = collect(sess, CollectRequest(olt.name, PROFILE, "onus", OLT_TZ))
        finally:
            sess.close()
    finally:
        server.CHUNK = old_chunk
    truth = {o["serial"]: _norm_truth_onu(o) for o in f.truth()[olt.name]["onus"]}
    got = {r["serial"]: _norm_row(r) for r in result.tables["onus"]}
    diffs = {s: {k: (got[s].get(k), v) for k, v in t.items() if got.get(s, {}).get(k) != v}
             for s, t in truth.items() if got.get(s) != t}
    assert not diffs, list(diffs.items())[:3]
    extra = {k for s in got for k in got[s]} - {k for s in truth for k in truth[s]}
    assert not extra, extra
    assert got.keys() == truth.keys()
    assert any("ç" in (o["description"] or "") or "ã" in (o["description"] or "")
               for o in got.values())


def test_box_that_keeps_paging(fleet) -> None:
    f = fleet(1, 150)
    olt = next(iter(f.olts.values()))
    f.sim.call(lambda: setattr(olt.knobs, "ignore_scroll", True))
    sess = OltSession(target(olt, read_timeout=20), PROFILE).open()
    try:
        result = collect(sess, CollectRequest(olt.name, PROFILE, "onus", OLT_TZ))
    finally:
        sess.close()
    truth = {o["serial"]: _norm_truth_onu(o) for o in f.truth()[olt.name]["onus"]}
    assert {r["serial"]: _norm_row(r) for r in result.tables["onus"]} == truth
    assert olt.received.count(" ") >= 3  # pages answered with a space


def test_wrong_password_is_clear_and_not_retried(fleet) -> None:
    f = fleet(1, 8)
    olt = next(iter(f.olts.values()))
    with pytest.raises(LoginError) as err:
        OltSession(target(olt, password="not-the-password"), PROFILE).open()
    msg = str(err.value)
    assert msg.startswith(f"{olt.name}: login failed") and "not retried" in msg
    assert "not-the-password" not in msg


def test_connection_refused(fleet) -> None:
    f = fleet(1, 8)
    olt = next(iter(f.olts.values()))
    f.sim.set_refuse(olt.name, True)
    with pytest.raises(UnreachableError, match=f"{olt.name}: cannot reach .*connection refused"):
        OltSession(target(olt), PROFILE).open()


def test_hang_mid_command_times_out(fleet) -> None:
    f = fleet(1, 8)
    olt = next(iter(f.olts.values()))
    f.sim.call(lambda: setattr(olt.knobs, "hang_on", "display service-port"))
    sess = OltSession(target(olt, read_timeout=2), PROFILE).open()
    t0 = time.monotonic()
    try:
        with pytest.raises(CollectError, match="running 'display service-port all': no prompt within 2s"):
            collect(sess, CollectRequest(olt.name, PROFILE, "service_ports"))
    finally:
        sess.close(graceful=False)  # what the pool does with a session that raised
    assert time.monotonic() - t0 < 10


def test_disconnect_mid_output(fleet) -> None:
    f = fleet(1, 200)
    olt = next(iter(f.olts.values()))
    f.sim.call(lambda: setattr(olt.knobs, "disconnect_on", "display mac-address"))
    sess = OltSession(target(olt, read_timeout=10), PROFILE).open()
    try:
        with pytest.raises(CollectError, match="display mac-address port 0/.*(dropped|no prompt)"):
            collect(sess, CollectRequest(olt.name, PROFILE, "macs"))
    finally:
        sess.close()


def test_rejected_command(fleet) -> None:
    f = fleet(1, 8)
    olt = next(iter(f.olts.values()))
    f.sim.call(lambda: setattr(olt.knobs, "reject", "display ont autofind"))
    sess = OltSession(target(olt), PROFILE).open()
    try:
        with pytest.raises(CommandRejected, match="display ont autofind all': the OLT answered: "
                                                  "% Unknown command"):
            collect(sess, CollectRequest(olt.name, PROFILE, "unregistered"))
    finally:
        sess.close()


def test_garbled_output(fleet) -> None:
    f = fleet(1, 100)
    olt = next(iter(f.olts.values()))
    f.sim.call(lambda: setattr(olt.knobs, "garble_on", "display service-port"))
    sess = OltSession(target(olt), PROFILE).open()
    try:
        with pytest.raises(ParseError, match="display service-port all': template .* at line"):
            collect(sess, CollectRequest(olt.name, PROFILE, "service_ports"))
    finally:
        sess.close()

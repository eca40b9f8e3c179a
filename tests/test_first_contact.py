"""First contact with a real box, as classes of problems rather than single templates: a terminal
that wraps long lines, an account that lands at the user prompt, informational lines the template
does not store, and `oltsync check`, the report an operator runs on day one. Over real SSH to the
simulator, each firmware generation it speaks."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from collector.allowlist import Guard
from collector.dataset import CollectRequest, collect
from collector.session import OltSession, Target
from core.errors import ForbiddenCommand, LoginError, ParseError
from flows.sync_olt import sync_olt
from oltsync.__main__ import main
from parsers.textfsm_parse import Noise, parse_skipping
from parsers.unwrap import join_terminal_wraps
from platforms import profile
from simulator import firmware
from storage.db import get_engine
from tests.capture_corpus import CAPTURES
from tests.truth_compare import diff_olt

ZTE_GENERATIONS = [(p, g) for p in ("zte_c300", "zte_c600") for g in firmware.generations(p)]
GENERATIONS = [(p, g) for p in ("huawei_smartax", "zte_c300", "zte_c600")
               for g in firmware.generations(p)]


def _target(olt, secret: str | None = None) -> Target:  # noqa: ANN001
    return Target(olt.name, olt.host, olt.port, olt.platform, olt.username, olt.password,
                  secret=secret, read_timeout=20)


# --- terminal width ------------------------------------------------------------------------------

def test_a_line_wrapped_at_the_terminal_width_is_joined_whatever_the_command() -> None:
    raw = (CAPTURES / "zte_c300/show_system-group/c320_v2_1_telnet_80_columns.raw").read_text()
    joined = join_terminal_wraps(raw, 80)
    assert ("System Description: C320 Version V2.1.0 Software, Copyright (c) by ZTE Corporation "
            "Compiled\n") in joined
    assert joined.count("\n") == raw.count("\n") - 1
    # a rule that fills the width is its own line; a wider window never wraps at 80
    rule = "-" * 80
    assert join_terminal_wraps(f"a\n{rule}\nb\n", 80) == f"a\n{rule}\nb\n"
    wide = "x" * 80 + "\n" + "y" * 90 + "\n"
    assert join_terminal_wraps(wide, 80) == wide
    # twice wrapped
    assert join_terminal_wraps("a" * 80 + "\n" + "b" * 80 + "\nc\n", 80) == "a" * 80 + "b" * 80 + "c\n"


@pytest.mark.usefixtures("prefect_harness")
@pytest.mark.parametrize("platform,generation", ZTE_GENERATIONS)
def test_an_80_column_zte_session_syncs_to_the_truth(pg: str, fleet, platform: str,
                                                     generation: str) -> None:
    """Every answer wrapped at 80 columns (system-group, detail-info, running-config with long
    descriptions): the database still equals the box."""
    f = fleet(1, 64, seed=41, platform=f"{platform}:{generation}")
    olt = next(iter(f.olts.values()))

    def narrow() -> None:
        olt.knobs.wrap_width = 80
        for i, o in enumerate(olt.onus[:6]):  # descriptions long enough to wrap, accents kept
            o.description = f"{40000 + i:08d}_Condomínio_Residencial_Ipê_Amarelo_Bloco_{i}_Ap_{i}0{i}"
            o.client_key = f"{40000 + i:08d}"
            o.client_name = f"Condomínio Residencial Ipê Amarelo Bloco {i} Ap {i}0{i}"

    f.sim.call(narrow)
    out = sync_olt(olt_name=olt.name, inventory_path=str(f.inventory_path))
    assert out["status"] == "ok"
    assert diff_olt(get_engine(pg), f.truth()[olt.name]) == {}


# --- privilege -----------------------------------------------------------------------------------

def _with_enable_password(f, olt, secret: str, monkeypatch: pytest.MonkeyPatch) -> None:  # noqa: ANN001
    """The box asks `enable` for `secret`; the inventory names a variable that holds it."""
    f.sim.call(lambda: (setattr(olt, "enable_password", secret),
                        setattr(olt.knobs, "user_mode", True)))
    monkeypatch.setenv("OLTSYNC_TEST_ENABLE", secret)
    inv = yaml.safe_load(f.inventory_path.read_text())
    for e in inv["olts"]:
        e["enable_password_env"] = "OLTSYNC_TEST_ENABLE"
    f.inventory_path.write_text(yaml.safe_dump(inv))


@pytest.mark.usefixtures("prefect_harness")
@pytest.mark.parametrize("platform", ["zte_c300", "zte_c600"])
def test_an_account_that_lands_at_the_user_prompt_is_raised_with_enable(
        pg: str, fleet, platform: str, monkeypatch: pytest.MonkeyPatch) -> None:
    f = fleet(1, 64, seed=42, platform=platform)
    olt = next(iter(f.olts.values()))
    _with_enable_password(f, olt, "En4ble-S3cret", monkeypatch)
    out = sync_olt(olt_name=olt.name, inventory_path=str(f.inventory_path))
    assert out["status"] == "ok"
    assert diff_olt(get_engine(pg), f.truth()[olt.name]) == {}
    # `enable`, then paging off again (refused at `>`); the password never among the commands
    sent = [c for c in olt.received if c.strip()]
    assert "enable" in sent and sent.index("enable") < sent.index("terminal length 0", 1)
    assert not any("En4ble" in c for c in olt.received)


@pytest.mark.parametrize("secret,fix", [
    (None, "set enable_password_env or enable_password_secret for it in the inventory"),
    ("wrong-one", "check its enable password in the inventory"),
])
def test_an_account_at_the_user_prompt_without_the_right_enable_password_says_so(
        fleet, secret: str | None, fix: str) -> None:
    f = fleet(1, 8, seed=43, platform="zte_c300")
    olt = next(iter(f.olts.values()))
    f.sim.call(lambda: (setattr(olt, "enable_password", "right-one"),
                        setattr(olt.knobs, "user_mode", True)))
    with pytest.raises(LoginError) as err:
        OltSession(_target(olt, secret), profile.load("zte_c300")).open()
    msg = str(err.value)
    assert msg == (f"{olt.name}: the account '{olt.username}' lands at the user prompt and "
                   f"`enable` did not raise it: {fix} (not retried)")
    assert "right-one" not in msg and (secret is None or secret not in msg)


def test_an_account_at_the_privileged_prompt_sends_no_enable(fleet) -> None:
    """A ZTE box asks `enable`'s password even at `#`: an account already there never sends it."""
    f = fleet(1, 8, seed=44, platform="zte_c300")
    olt = next(iter(f.olts.values()))
    sess = OltSession(_target(olt), profile.load("zte_c300")).open()
    sess.close()
    assert "enable" not in olt.received


def test_the_enable_password_passes_the_allowlist_once_right_after_enable() -> None:
    g = Guard("olt-x", "zte_c300", secret="s3cr3t pass")
    with pytest.raises(ForbiddenCommand) as err:
        g.check("s3cr3t pass\n")  # not after `enable`
    assert "s3cr3t" not in str(err.value) and "(the enable password)" in str(err.value)
    g.check("enable\n")
    g.check("s3cr3t pass\n")
    with pytest.raises(ForbiddenCommand):
        g.check("s3cr3t pass\n")  # not twice
    assert Guard("olt-x", "zte_c300").previous is None


# --- informational lines -------------------------------------------------------------------------

SYSTEM_GROUP = ("System Description: C320 Version V2.1.0 Software, Copyright (c) by ZTE Corporation "
                "Compiled\nSystem ObjectId: .1.3.6.1.4.1.3902.1082.1001.320.2.1\n"
                "Started before: 141 days, 15 hours, 25 minutes\n{extra}"
                "This system primarily offers a set of 78 services\n")


def test_a_key_value_line_we_do_not_store_is_skipped_and_said() -> None:
    text = SYSTEM_GROUP.format(extra="System Serial: 2011ZX0099\nThe system runs in a "
                                     "redundant mode.\n")
    records, skipped = parse_skipping("zte_show_system-group.textfsm", text)
    assert records == [{"MODEL": "C320", "FIRMWARE": "V2.1.0",
                        "UPTIME": "141 days, 15 hours, 25 minutes"}]
    assert skipped == ["System Serial: 2011ZX0099", "The system runs in a redundant mode."]


def test_a_stored_key_whose_value_cannot_be_read_is_still_refused() -> None:
    text = SYSTEM_GROUP.format(extra="").replace("141 days, 15 hours, 25 minutes", "three weeks")
    with pytest.raises(Exception, match="could not parse the output at line 'Started before"):
        parse_skipping("zte_show_system-group.textfsm", text)


def test_a_table_refuses_a_line_it_does_not_know() -> None:
    """Tables stay strict: a row of an unknown shape is refused, never skipped."""
    spec = profile.load("zte_c300").command("onus.state")
    assert spec.unknown_lines == "refuse"
    from collector.parsing import parse_answer

    text = ("OnuIndex   Admin State  OMCC State  Phase State  Channel\n" + "-" * 62 + "\n"
            "1/2/1:1    enable       enable      working      1(GPON)\n"
            "1/2/1:2 garbled\nONU Number: 1/2\n")
    with pytest.raises(ParseError, match="1/2/1:2 garbled"):
        parse_answer(spec, Noise(), [], "show gpon onu state", text, {}, None)


@pytest.mark.usefixtures("prefect_harness")
def test_an_informational_line_does_not_cost_the_olt_dataset(
        pg: str, fleet, monkeypatch: pytest.MonkeyPatch) -> None:
    f = fleet(1, 16, seed=45, platform="zte_c300")
    olt = next(iter(f.olts.values()))
    from simulator.zte.c300 import ZteC300

    real = ZteC300.system_group
    monkeypatch.setattr(ZteC300, "system_group",
                        lambda self, o: real(self, o) + "Cooling fans: 4, all running\r\n")
    out = sync_olt(olt_name=olt.name, inventory_path=str(f.inventory_path))
    assert {d["dataset"]: d["status"] for d in out["datasets"]}["olt"] == "ok"
    assert diff_olt(get_engine(pg), f.truth()[olt.name]) == {}


# --- oltsync check -------------------------------------------------------------------------------

@pytest.mark.parametrize("platform,generation", GENERATIONS)
def test_check_runs_every_command_once_and_says_what_each_gave(
        fleet, tmp_path: Path, capsys: pytest.CaptureFixture, platform: str,
        generation: str) -> None:
    f = fleet(1, 32, seed=46, platform=f"{platform}:{generation}")
    olt = next(iter(f.olts.values()))
    out_dir = tmp_path / "check"
    rc = main(["check", "--olt", olt.name, "--inventory", str(f.inventory_path),
               "--out", str(out_dir)])
    text = capsys.readouterr().out
    prof = profile.load(platform)
    commands = [(ds, c) for ds, spec in prof.datasets.items() for c in spec.commands]
    sent = [c for _, c in commands if c.derived_from is None]
    assert rc == 0, text
    assert f"{len(sent)} of {len(sent)} commands answered and parsed" in text
    for ds, c in commands:  # one line each: name, role, the command as sent, rows
        role = "enrichment" if c.enrichment else "core"
        what = "nothing sent" if c.derived_from else r"ok, \d+ rows?"
        assert re.search(rf"^  {re.escape(ds + '.' + c.name)}\s+{role}\s+\S.*{what}$",
                         text, re.M), (ds, c.name, text)
    assert "this OLT can be synced" in text
    assert olt.password not in "".join(p.read_text() for p in out_dir.rglob("*") if p.is_file())


def test_check_shows_a_refused_enrichment_and_where_its_answer_is(fleet, tmp_path: Path,
                                                                  capsys: pytest.CaptureFixture
                                                                  ) -> None:
    f = fleet(1, 32, seed=47)
    olt = next(iter(f.olts.values()))
    f.sim.call(lambda: setattr(olt.knobs, "reject", "display ont version"))
    rc = main(["check", "--olt", olt.name, "--inventory", str(f.inventory_path),
               "--out", str(tmp_path / "check")])
    text = capsys.readouterr().out
    assert rc == 0  # every core command parsed: the OLT can be synced, without that column
    assert re.search(r"^  onus\.version\s+enrichment\s+display ont version 0 all\s+REFUSED$",
                     text, re.M), text
    assert re.search(r"^  onus\.info\s+core\s+display ont info \d+ all \(in interface gpon "
                     r"0/\d+\)\s+ok, \d+ rows?$", text, re.M), text
    kept = Path(re.search(r"answer kept in (\S+)", text).group(1))
    assert kept.is_file() and "% Unknown command" in kept.read_text()
    assert "1 enrichment(s) would keep their stored values" in text

    f.sim.call(lambda: setattr(olt.knobs, "reject", "display board"))
    rc = main(["check", "--olt", olt.name, "--inventory", str(f.inventory_path),
               "--out", str(tmp_path / "check2")])
    text = capsys.readouterr().out
    assert rc == 1 and "core command(s) failed" in text
    assert re.search(r"^  onus\.info\s+core\s+.*NOT RUN$", text, re.M), text


def test_a_sync_of_a_huawei_box_reads_its_onus_port_by_port(fleet) -> None:
    """The ONU list in the form a capture shows (each port in its GPON interface view), and the
    version table of the frame at the privileged prompt."""
    f = fleet(1, 64, seed=48)
    olt = next(iter(f.olts.values()))
    prof = profile.load("huawei_smartax")
    sess = OltSession(_target(olt), prof).open()
    try:
        got = collect(sess, CollectRequest(olt.name, prof, "onus"))
    finally:
        sess.close()
    ports = sorted({o.port for o in olt.onus})
    sent = [c for c in olt.received if c.startswith("display ont")]
    infos = [c for c in sent if re.fullmatch(r"display ont info \d+ all", c)]
    assert len(infos) == len({p.port for p in olt.pon_ports})  # every port, ONUs or not
    assert sent.count("display ont version 0 all") == 1
    assert sorted({r["port"] for r in got.tables["onus"]}) == ports
    assert not got.enrichment_failures


def test_the_simulated_session_prints_what_the_captured_sessions_print() -> None:
    """The user prompt's refusal, `enable`'s question and the login notice, as real ZXAN and TITAN
    sessions print them (tests/captures/zte_c300/_session/)."""
    from simulator.fleet import generate_fleet
    from simulator.personality import SessionState
    from simulator.platforms import personality

    def captured(name: str, start: str) -> str:
        text = (CAPTURES / "zte_c300/_session" / f"{name}.txt").read_text(encoding="utf-8")
        return next(line for line in text.splitlines() if line.startswith(start))

    olt = generate_fleet(1, 8, 1, "zte_c300:V2.1.0")[0]
    olt.knobs.user_mode = True
    pers, state = personality("zte_c300"), SessionState()
    pers.start(olt, state)
    assert pers.prompt(olt, state).endswith(">")
    refusal = pers.execute(olt, state, "terminal length 0").text
    assert captured("zxan_user_prompt_pager_rejected_show_works", "%Error 20200") in refusal
    assert pers.execute(olt, state, "enable").text == captured(
        "titan_user_prompt_enable_password", "Password:")
    assert captured("c300_lands_privileged_weak_password_notice", "% The password") in pers.banner(olt)


def test_the_simulated_titan_refuses_what_titan_refuses() -> None:
    """`show version` (captured refusal), `show system-group` and the per-port MAC table (reported):
    the simulator answers them as TITAN does, so a profile that sent them would fail its tests."""
    from simulator.fleet import generate_fleet
    from simulator.personality import SessionState
    from simulator.platforms import personality

    text = (CAPTURES / "zte_c600/show_software/c600_titan_error_140303.raw").read_text()
    refusal = next(line for line in text.splitlines() if line.startswith("%Error 140303"))
    olt = generate_fleet(1, 8, 1, "zte_c600:V1.2.2")[0]
    pers, state = personality("zte_c600"), SessionState()
    pers.start(olt, state)
    for command in ("show version", "show system-group", "show mac gpon olt gpon_olt-1/1/1",
                    "show interface gpon_olt-1/1/1"):
        assert refusal in pers.execute(olt, state, command).text, command
    assert pers.execute(olt, state, "show software").text.startswith(olt.model)

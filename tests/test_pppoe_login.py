"""The subscriber's PPPoE login on ZTE ONUs (`onus.pppoe_login`), from the `pon-onu-mng` blocks of
`show running-config` that the ONUs' `descriptions` command already reads: the real C300 capture
and its 80-column wrap, the modelled forms (TITAN's among them), the first line of a block
winning, a simulated C300 and C600 synced into a real database equal to the simulator's truth, and
the PPPoE passwords nowhere: not a value, not in the database, not in a capture."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml
from sqlalchemy import select, text

from capture.replay import meta, outcome, run
from collector.redact import redact
from oltsync.__main__ import main
from parsers.textfsm_parse import parse, parse_textfsm
from parsers.unwrap import join_terminal_wraps
from platforms import profile
from simulator.model import Onu, ServicePort
from simulator.zte.c300 import ZteC300
from storage import schema
from storage.db import get_engine
from sync.olt import SyncRequest, sync_one_olt
from tests.capture_corpus import CAPTURES
from tests.truth_compare import diff_olt

C300_TPL = "zte_c300_show_running-config_descriptions.textfsm"
C600_TPL = "zte_c600_show_running-config_descriptions.textfsm"
REAL = CAPTURES / "zte_c300" / "show_running-config" / "c300_untagged_user_vlan_descriptions.raw"


def _logins(template: str, text_: str) -> list[tuple[str, str, str]]:
    """(port, onu id, login) of every record with a login, by the fast runner; TextFSM's own
    runner must give the same records."""
    fast = parse(template, text_)
    assert fast == parse_textfsm(template, text_)
    return [(r["PORT"], r["ONU_ID"], r["PPPOE_LOGIN"]) for r in fast if r["PPPOE_LOGIN"]]


# --- the template on the real capture -------------------------------------------------------------

def test_the_real_c300_capture_gives_the_login_never_the_password() -> None:
    raw = REAL.read_text(encoding="utf-8")
    wan = next(line for line in raw.split("\n") if "wan-ip" in line)
    assert len(wan) == 80 and wan.endswith("PPPOE-21")  # the capture as printed: cut at 80
    # as the collector reads it (the wrap joined: no line is wider than 80), and as printed
    for text_ in (join_terminal_wraps(raw, 80), raw):
        records = parse(C300_TPL, text_)
        assert [(r["PORT"], r["ONU_ID"], r["PPPOE_LOGIN"]) for r in records] == [
            ("1/3/1", "1", ""), ("1/3/1", "2", ""), ("1/3/1", "1", "000000000000")]
        assert not any("xxxxx" in v for r in records for v in r.values())  # the password
    rows = run(REAL).rows
    assert rows == meta(REAL)["rows"]
    assert {(r["onu_id"], r["pppoe_login"]) for r in rows} == {(1, "000000000000"), (2, None)}


def test_the_wrapped_tail_is_no_row_and_no_error_wherever_the_box_cuts() -> None:
    """Where the collector cannot join the wrap (a line wider than 80 elsewhere: a session that
    does not wrap everything), the template reads the cut line itself: the tail at column 0 is
    skipped. The second block is cut inside `host` (constructed: the Go project of the capture
    shows such a block too, but its line is 81 wide, so not as a box printed it)."""
    cut_in_host = ("pon-onu-mng gpon-onu_1/3/1:10\n"
                   "  wan-ip 1 mode pppoe username 000000000 password xxxxx vlan-profile PPPOE-214 h\n"
                   "ost 1\n"
                   "!\n")
    assert len(cut_in_host.split("\n")[1]) == 80
    wide = "interface gpon-olt_1/3/1\n  description " + "x" * 90 + "\n!\n"
    text_ = wide + REAL.read_text(encoding="utf-8") + cut_in_host
    assert join_terminal_wraps(text_, 80) == text_  # not joined: the template sees the tails
    assert _logins(C300_TPL, text_) == [("1/3/1", "1", "000000000000"),
                                        ("1/3/1", "10", "000000000")]
    assert len(parse(C300_TPL, text_)) == 4  # two ONU interfaces and two logins: no tail row


def test_a_login_cut_by_the_wrap_is_no_login_rather_than_part_of_one() -> None:
    # only when `password` follows the value is it the whole login
    login = "cliente14577.conta.antiga.de.exemplo@provedor.net.br"
    line = f"  wan-ip 1 mode pppoe username {login} password xxxxx vlan-profile PPPOE-102 host 1"
    block = "\n".join(["pon-onu-mng gpon-onu_1/2/1:7", line[:80], line[80:], "!", ""])
    assert block.split("\n")[1].endswith("@provedor.net")  # cut inside the login
    assert _logins(C300_TPL, block) == []
    assert _logins(C300_TPL, join_terminal_wraps(block, 80)) == [("1/2/1", "7", login)]


# --- the modelled forms, the first line of a block, masks ------------------------------------------

@pytest.mark.parametrize("template,block,login", [
    # C300 forms of provisioning scripts (modelled)
    (C300_TPL, "pon-onu-mng gpon-onu_1/2/1:5\n  service 1 gemport 1 vlan 102\n"
               "  wan-ip 1 mode pppoe username 00114577 password xxxxx vlan-profile P host 1\n!\n",
     "00114577"),
    (C300_TPL, "pon-onu-mng gpon-onu_1/2/1:5\n"
               "  wan-ip 1 mode pppoe username 00114577 password xxxxx vlan 102 priority 0\n!\n",
     "00114577"),
    (C300_TPL, "pon-onu-mng gpon-onu_1/2/1:5\n"
               '  wan-ip 1 mode pppoe username "00114577" password "xxxxx" host 1\n!\n',
     "00114577"),
    # TITAN (modelled: no capture shows a wan-ip line), `$` ends, one- and two-blank indentation
    (C600_TPL, "pon-onu-mng gpon_onu-1/2/1:5\n service 1 gemport 1 vlan 102\n"
               " wan-ip 1 ipv4 mode pppoe username abc.def password xxxxx vlan-profile V host 1\n$\n",
     "abc.def"),
    (C600_TPL, "pon-onu-mng gpon_onu-1/2/1:5\n"
               "  wan-ip ipv4 mode pppoe username abc@isp password xxxxx vlan-profile V host 1\n$\n",
     "abc@isp"),
    # the next block right after (KusumaVision's adjacent blocks, no `$`)
    (C600_TPL, "interface gpon_onu-1/2/1:5\n name x\npon-onu-mng gpon_onu-1/2/1:5\n"
               " wan-ip 1 ipv4 mode pppoe username abc password xxxxx host 1\n"
               "interface vport-1/2/1.5:1\n", "abc"),
    # not a login: a DHCP WAN, a masked one, a ping-response setting
    (C300_TPL, "pon-onu-mng gpon-onu_1/2/1:5\n  wan-ip 1 mode dhcp vlan-profile V host 1\n"
               "  wan-ip 1 ping-response enable traceroute-response enable\n!\n", None),
    (C600_TPL, "pon-onu-mng gpon_onu-1/2/1:5\n"
               "  wan-ip 1 ipv4 mode pppoe username ******** password ******** host 1\n$\n", None),
])
def test_forms_of_the_wan_ip_line(template: str, block: str, login: str | None) -> None:
    assert _logins(template, block) == ([("1/2/1", "5", login)] if login else [])
    assert not any("xxxxx" in v for r in parse(template, block) for v in r.values())


@pytest.mark.parametrize("platform,block", [
    ("zte_c300", "interface gpon-onu_1/2/1:5\n  name x\n!\n"
                 "pon-onu-mng gpon-onu_1/2/1:5\n"
                 "  wan-ip 1 mode pppoe username first password xxxxx vlan-profile A host 1\n"
                 "  wan-ip 2 mode pppoe username second password yyyyy vlan-profile B host 2\n!\n"),
    ("zte_c600", "interface gpon_onu-1/2/1:5\n  name x\n$\n"
                 "pon-onu-mng gpon_onu-1/2/1:5\n"
                 "  wan-ip 1 ipv4 mode pppoe username first password xxxxx host 1\n"
                 "  wan-ip 2 ipv4 mode pppoe username second password yyyyy host 2\n$\n"),
])
def test_the_first_wan_ip_pppoe_line_of_a_block_wins(platform: str, block: str) -> None:
    """One record per block: the merge (two records of one ONU from one command fill each other,
    conflicting values are an error) gets no conflict."""
    tpl = profile.load(platform).command("onus.descriptions").template
    assert _logins(tpl, block) == [("1/2/1", "5", "first")]
    m = {"command": "show running-config", "profile": "onus.descriptions"}
    out = outcome(platform, m, block)
    assert out.error is None and out.rows == [
        {"port": "1/2/1", "onu_id": 5, "description": None, "pppoe_login": "first"}]


# --- the simulator: the capture's layout ------------------------------------------------------------

def test_the_simulated_c300_block_is_the_captures_layout_wrapped_at_80() -> None:
    """With the capture's values, a session that wraps at 80 (Knobs.wrap_width, as
    simulator/server.py cuts every line) prints the capture's wan-ip line and tail exactly."""
    o = Onu(port="1/3/1", onu_id=1, serial="ZTEG00000001", run_state="online", description=None,
            equipment="F660", firmware=None, distance_m=None, last_down_cause=None,
            last_up_at=None, last_down_at=None, rx_power_dbm=None, tx_power_dbm=None,
            olt_rx_power_dbm=None, temperature_c=None, pppoe_login="000000000000",
            pppoe_password="xxxxx")
    sp = ServicePort(index=2, vlan=214, user_vlan=214, port="1/3/1", onu_id=1, gem_port=2)
    lines = ZteC300().service_port_config(o, [sp])
    mng = lines[lines.index("pon-onu-mng gpon-onu_1/3/1:1"):]
    wrapped = [line[i:i + 80] for line in mng for i in range(0, max(len(line), 1), 80)]
    real = REAL.read_text(encoding="utf-8").rstrip("\n").split("\n")
    at = real.index("pon-onu-mng gpon-onu_1/3/1:1")
    # the service line names its service by index here (the capture: `ServiceName`)
    assert wrapped[0] == real[at] and wrapped[2:] == real[at + 2:]
    assert wrapped[1] == "  service 2 gemport 2 vlan 214"


# --- end to end: a C300 and a C600 synced into a real database -----------------------------------

FLEET = "zte_c300:V2.1.0,zte_c600:V1.2.2,zte_c600:V2.0.10"


def _passwords(f) -> set[str]:  # noqa: ANN001
    return f.sim.call(lambda: {o.pppoe_password for olt in f.olts.values() for o in olt.onus
                               if o.pppoe_password})


@pytest.mark.parametrize("db", ["pg", "sqlite_url"])
def test_a_synced_c300_and_c600_hold_every_onus_login_and_no_password(
        db: str, request: pytest.FixtureRequest, fleet) -> None:
    url = request.getfixturevalue(db)
    f = fleet(3, 64, seed=57, platform=FLEET)
    c300 = f.olts["olt-001"]
    f.sim.call(lambda: setattr(c300.knobs, "wrap_width", 80))  # the capture's session: cut at 80
    for name in f.olts:
        out = sync_one_olt(SyncRequest.load(name, str(f.inventory_path)))
        assert out.failures == [] and out.report.status == "ok", (name, out.failures)
    engine = get_engine(url)
    truth = f.truth()
    o = schema.onus
    for name, t in truth.items():
        assert diff_olt(engine, t) == {}, name
        with engine.connect() as conn:
            stored = {(r.port, r.onu_id): r.pppoe_login for r in conn.execute(
                select(o.c.port, o.c.onu_id, o.c.pppoe_login).where(o.c.olt == name))}
        want = {(x["port"], x["onu_id"]): x["pppoe_login"] for x in t["onus"]}
        assert stored == want, name
        # most ONUs dial PPPoE, some are bridged
        assert 0.6 * len(want) < sum(1 for v in want.values() if v) < len(want), name
    # some logins are the client code the description starts with (a `pppoe_login` rule finds it)
    assert f.sim.call(lambda: sum(o.pppoe_login == o.client_key for olt in f.olts.values()
                                  for o in olt.onus if o.pppoe_login)) > 10
    # no password anywhere in the database: every column of every table, as text
    with engine.connect() as conn:
        everything = "\n".join(str(tuple(r)) for tb in schema.metadata.sorted_tables
                               for r in conn.execute(text(f"SELECT * FROM {tb.name}")))
    logins = {x["pppoe_login"] for t in truth.values() for x in t["onus"] if x["pppoe_login"]}
    assert all(login in everything for login in logins)  # the search looks at real content
    leaked = sorted(p for p in _passwords(f) if p in everything)
    assert not leaked, f"{len(leaked)} PPPoE password(s) in the database"


@pytest.mark.parametrize("platform,wrap", [("zte_c300:V2.1.0", 80), ("zte_c600:V1.2.2", None)])
def test_capture_writes_no_pppoe_password_even_unanonymized(
        platform: str, wrap: int | None, fleet, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture) -> None:
    """`capture` redacts every `password X` (collector/redact.py) whether or not it anonymizes:
    with --no-anonymize the logins stay, the passwords do not; the corpus case of the
    descriptions command holds every ONU's login."""
    f = fleet(1, 48, seed=58, platform=platform)
    olt = next(iter(f.olts.values()))
    f.sim.call(lambda: setattr(olt.knobs, "wrap_width", wrap))
    monkeypatch.setenv("OLTSYNC_INVENTORY", str(f.inventory_path))
    out = tmp_path / "corpus"
    assert main(["capture", "--olt", olt.name, "--no-anonymize", "--out", str(out)]) == 0
    said = capsys.readouterr().out
    assert not [line for line in said.splitlines() if line.startswith("  ")], said  # none failed
    files = sorted(p for p in out.rglob("*") if p.is_file())
    everything = "\n".join(p.read_text(encoding="utf-8") for p in files)
    passwords = _passwords(f)
    assert passwords and not [p for p in passwords if p in everything]
    assert "password ********" in everything
    if wrap:  # the box's own cut lines are what was written
        assert re.search(r"(?m)^\S+ host 1$", everything)
    (case,) = [p for p in out.rglob("*.yml")
               if yaml.safe_load(p.read_text(encoding="utf-8"))["profile"] == "onus.descriptions"]
    rows = yaml.safe_load(case.read_text(encoding="utf-8"))["rows"]
    want = f.sim.call(lambda: {(o.port, o.onu_id): o.pppoe_login for o in olt.onus})
    assert {(r["port"], r["onu_id"]): r["pppoe_login"] for r in rows} == want


def test_a_password_cut_by_the_80_column_wrap_is_redacted_whole() -> None:
    for n in range(30, 50):
        line = (f"  wan-ip 1 mode pppoe username {'a' * n} password K9f2Lm7Qz vlan-profile "
                "PPPOE-105 host 1")
        wrapped = "\n".join(line[i:i + 80] for i in range(0, len(line), 80))
        out, _ = redact(wrapped)
        assert "Qz" not in out and "K9f" not in out and "Lm7" not in out, n
        # cut again at the box's column: the answer keeps its layout
        assert max(len(x) for x in out.split("\n")) <= 80 and len(out.split("\n")) == \
            len(wrapped.split("\n")), n

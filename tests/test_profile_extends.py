"""`extends:`: a profile made of another's plus its differences (ZTE C600 on the C300's)."""

from __future__ import annotations

from platforms import profile


def _cmd(name: str, **kw: object) -> dict:
    return {"name": name, "command": f"show {name}", "template": "t", "table": "onus",
            "fields": {"port": "{PORT}"}, **kw}


def test_a_child_command_replaces_the_keys_it_gives_and_drops_what_it_names() -> None:
    base = {"platform": "a", "errors": ["^%Error"], "datasets": {"onus": {"commands": [
        _cmd("state", totals={"field": "TOTAL"}, values={"run_state": {"working": "online"}}),
        _cmd("detail")]}, "macs": {"commands": [_cmd("macs")]}}}
    child = {"platform": "b", "datasets": {"onus": {"commands": [
        {"name": "state", "values": {"run_state": {"up": "online"}}, "drop": ["totals"]},
        _cmd("extra")]}}}
    out = profile.extended(base, child)
    state, detail, extra = out["datasets"]["onus"]["commands"]
    assert out["platform"] == "b" and out["errors"] == ["^%Error"]
    assert state["values"] == {"run_state": {"up": "online"}}  # replaced whole, not merged
    assert "totals" not in state and "drop" not in state
    assert state["command"] == "show state" and detail == _cmd("detail")
    assert extra["name"] == "extra"  # a command the base lacks comes after the base's
    assert out["datasets"]["macs"] == base["datasets"]["macs"]
    assert "totals" in base["datasets"]["onus"]["commands"][0]  # the base is not changed


def test_c600_keeps_the_c300_command_plan_with_its_own_names() -> None:
    c300, c600 = profile.load("zte_c300"), profile.load("zte_c600")
    assert profile.sources("zte_c600") == [profile.PROFILES / "zte_c600.yaml",
                                           profile.PROFILES / "zte_c300.yaml"]
    for name, ds in c300.datasets.items():
        names = [c.name for c in c600.datasets[name].commands]
        if name == "macs":  # replaced whole (`replace: true`): TITAN's own MAC commands
            assert names == ["onus", "macs"]
        else:
            assert names == [c.name for c in ds.commands]
    cmds = {c.name: c for ds in c600.datasets.values() for c in ds.commands}
    # both read the descriptions from the running configuration, each in its own layout
    assert cmds["descriptions"].template == "zte_c600_show_running-config_descriptions.textfsm"
    assert c300.datasets["onus"].commands[-1].template == \
        "zte_c300_show_running-config_descriptions.textfsm"
    assert cmds["detail"].command == "show gpon onu detail-info gpon_onu-{port}:{onu_id}"
    assert cmds["state"].totals is None
    assert cmds["system"].command == "show software" and cmds["system"].enrichment
    assert cmds["pon_ports"].derived_from == "olt.cards" and not cmds["pon_ports"].command
    assert "pon_ports" not in {c.name for c in c600.all_commands()}  # nothing sent for it
    assert cmds["uncfg"].fields["equipment"] == "{MODEL}"
    assert c600.errors == c300.errors and c600.netmiko == c300.netmiko

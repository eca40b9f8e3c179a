"""Only read-only commands can reach an OLT, whatever a profile says (checked over real SSH)."""

from __future__ import annotations

import pytest

from collector.allowlist import Guard, is_allowed
from collector.session import OltSession, Target
from oltsync.errors import ForbiddenCommand
from platforms import profile


@pytest.mark.parametrize("cmd", [
    "display ont info 0 all", "display ont info summary 0/1/0", "show gpon onu state gpon-olt_1/2/1",
    "enable", "config", "interface gpon 0/1", "quit", "undo smart", "scroll", "scroll 512",
    "infoswitch cli OFF", "terminal length 0", "",
])
def test_allowed(cmd: str) -> None:
    assert is_allowed(cmd)


@pytest.mark.parametrize("cmd", [
    "ont delete 0 1", "undo service-port 12", "reboot", "save", "ont add 0 1 sn-auth x",
    "service-port 1 vlan 100 gpon 0/1/0 ont 1 gemport 1", "display ont info 0 all | save x",
    "display ont info 0 all; reboot", "sysname EVIL", "y", "reset", "shutdown",
    "interface gpon 0/1 ; shutdown", "diagnose", "su",
])
def test_forbidden(cmd: str) -> None:
    assert not is_allowed(cmd)


def test_confirmation_only_after_quit() -> None:
    g = Guard("olt-x")
    with pytest.raises(ForbiddenCommand):
        g.check("y\n")
    g.check("quit\n")
    g.check("y\n")


def test_forbidden_command_never_reaches_the_olt(fleet) -> None:
    f = fleet(1, 16)
    olt = next(iter(f.olts.values()))
    sess = OltSession(Target(olt.name, olt.host, olt.port, olt.platform, olt.username, olt.password),
                      profile.load(olt.platform)).open()
    try:
        with pytest.raises(ForbiddenCommand, match="ont delete 0 1"):
            sess.send("ont delete 0 1")
        # even below our own send(): netmiko's config helpers write through the guarded channel
        with pytest.raises(ForbiddenCommand, match="sysname EVIL"):
            sess.conn.send_config_set(["sysname EVIL"])
        assert sess.send("display sysuptime").strip().startswith("System up time")
    finally:
        sess.close()
    received = [line.strip() for line in f.sim.call(lambda: list(olt.received))]
    assert "display sysuptime" in received
    assert not any(r.startswith(("ont delete", "sysname")) for r in received)
    assert all(is_allowed(r) or r == "y" for r in received), received

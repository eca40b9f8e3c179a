"""Only read-only commands can reach an OLT, whatever a profile says (checked over real SSH)."""

from __future__ import annotations

import random
import re
import string
import time

import pytest

from collector.allowlist import Guard, is_allowed
from collector.session import OltSession, Target
from core.errors import ForbiddenCommand
from platforms import profile


@pytest.mark.parametrize("platform,cmd", [
    ("huawei_smartax", "display ont info 0 all"), ("huawei_smartax", "display ont info summary 0/1/0"),
    ("huawei_smartax", "display ont optical-info 3 all"), ("huawei_smartax", "interface gpon 0/1"),
    ("zte_c300", "show gpon onu detail-info gpon-onu_1/2/1:5"), ("zte_c300", "show card"),
    ("zte_c600", "show pon power olt-rx gpon_olt-1/2/1"), ("zte_c600", "show software"),
    ("zte_c600", "show mac interface gpon_onu-1/3/16:7"),
    ("huawei_smartax", "enable"), ("huawei_smartax", "config"), ("huawei_smartax", "quit"),
    ("huawei_smartax", "undo smart"), ("huawei_smartax", "scroll"), ("huawei_smartax", "scroll 512"),
    ("huawei_smartax", "infoswitch cli OFF"), ("zte_c300", "terminal length 0"), ("zte_c600", ""),
    ("huawei_smartax", " "),  # the pager's space
])
def test_allowed(platform: str, cmd: str) -> None:
    assert is_allowed(cmd, platform=platform)


@pytest.mark.parametrize("cmd", [
    "ont delete 0 1", "undo service-port 12", "reboot", "save", "ont add 0 1 sn-auth x",
    "service-port 1 vlan 100 gpon 0/1/0 ont 1 gemport 1", "display ont info 0 all | save x",
    "display ont info 0 all; reboot", "sysname EVIL", "y", "reset", "shutdown",
    "interface gpon 0/1 ; shutdown", "diagnose", "su",
    # read-only verbs the profiles never use, with arguments outside the vocabulary
    "display diagnostic-information flash:/x", "show tech-support", "display current-configuration",
    "display ont info 0 all flash:/dump", "display board 0 ../../etc", "show running-config > x",
    "display ont info summary 0/1/0 extra", "show gpon onu detail-info gpon-onu_1/2/1:5 | include x",
    "display ont info summary a/b/c", "display  ont info 0 all", " display version",
    "display version ",
    # control characters anywhere: refused, not stripped
    "\x0bdisplay version", "\x03display version", "display\tversion", "display version\x1b[A",
    "display ont info 0 all\x00", "\x7fshow card",
])
def test_forbidden(cmd: str) -> None:
    assert not is_allowed(cmd)


def test_each_platform_has_only_its_own_shapes() -> None:
    assert is_allowed("show gpon onu uncfg", platform="zte_c300")
    assert not is_allowed("show gpon onu uncfg", platform="zte_c600")  # C600 says `show pon onu uncfg`
    assert not is_allowed("display ont info 0 all", platform="zte_c300")


def test_confirmation_only_after_quit_and_yes_only_at_the_start() -> None:
    g = Guard("olt-x", "huawei_smartax")
    g.check("\n")
    g.check("yes\n")  # a post-login YES/NO banner, before anything else
    g.check("display version\n")
    with pytest.raises(ForbiddenCommand):
        g.check("yes\n")
    with pytest.raises(ForbiddenCommand):
        g.check("y\n")
    g.check("quit\n")
    g.check("y\n")


def test_a_payload_with_a_forbidden_line_is_refused_whole() -> None:
    g = Guard("olt-x", "huawei_smartax")
    for payload in ("display version\nreboot system\n", "display version\rsave\n",
                    "display version\r\nundo service-port 1\r\n"):
        with pytest.raises(ForbiddenCommand):
            g.check(payload)
    with pytest.raises(ForbiddenCommand) as err:
        g.check("\x1b[2Jdisplay version\n")
    assert "\\x1b" in str(err.value)  # shown escaped, never printed raw to a terminal


def test_a_profile_command_outside_the_grammar_stops_the_grammar(monkeypatch) -> None:
    from collector import allowlist
    from core.errors import ConfigError

    base = profile.load("huawei_smartax")
    for evil in ("display diagnostic-information", "display version | include x", "reboot",
                 "display ont info {serial}"):
        spec = base.datasets["olt"].commands[0].model_copy(update={"command": evil})
        hacked = base.model_copy(update={"datasets": {
            "olt": base.datasets["olt"].model_copy(update={"commands": [spec]})}})
        monkeypatch.setattr(profile, "load", lambda name, h=hacked: h)
        allowlist.grammar.cache_clear()
        with pytest.raises(ConfigError, match="allowlist|vocabulary"):
            allowlist.grammar("huawei_smartax")
    monkeypatch.undo()
    allowlist.grammar.cache_clear()


_TOKEN = re.compile(r"^(?:[a-z][a-z0-9-]*|OFF|\d{1,4}|\d{1,3}/\d{1,3}(?:/\d{1,3})?"
                    r"|gpon[-_](?:olt|onu)[-_]\d{1,3}/\d{1,3}/\d{1,3}(?::\d{1,4})?)$")


def _safe(cmd: str) -> bool:
    """What any allowed line must be, whatever the grammar says: a read verb or a session
    command, plain words, numbers, F/S/P and ZTE interface names, nothing else."""
    words = cmd.split(" ")
    return (cmd.strip() == "" and set(cmd) <= {" "}) or (
        all(_TOKEN.match(w) for w in words) and not any(
            w in ("save", "reboot", "delete", "reset", "write", "copy", "tech-support")
            for w in words))


def test_fuzz_random_and_mutated_commands() -> None:
    """Bounded: 20,000 tries or 10 s. Every line the grammar accepts is safe by the independent
    check above, and the mutations that break safety are all refused."""
    rnd = random.Random(1303)
    seeds = sorted({c.command.replace("{port}", "0/1/0").replace("{pon}", "1").replace(
        "{frame}", "0").replace("{slot}", "1").replace("{shelf}", "1").replace("{n}", "2")
        .replace("{onu_id}", "5") for p in profile.available()
        for c in profile.load(p).all_commands()})
    junk = ["|", ";", "&", ">", "`", "$(", "flash:/", "../", "\x00", "\x03", "\x1b[A", "\t", "\r",
            "\x7f", "save", "reboot", "tech-support", "diagnostic-information", "include", "  ",
            "ÿ", "\u2028", "0/1/0/9", "99999", "-1", "*", "?"]
    accepted = tried = 0
    deadline = time.monotonic() + 10
    while tried < 20_000 and time.monotonic() < deadline:
        tried += 1
        base = rnd.choice(seeds)
        kind = rnd.randrange(4)
        if kind == 0:  # insert junk somewhere
            i = rnd.randrange(len(base) + 1)
            cmd = base[:i] + rnd.choice(junk) + base[i:]
        elif kind == 1:  # append a word
            cmd = base + " " + rnd.choice(junk + ["all", "0", "0/1/0"])
        elif kind == 2:  # replace a character
            i = rnd.randrange(len(base))
            cmd = base[:i] + chr(rnd.randrange(0, 256)) + base[i + 1:]
        else:  # random printable garbage
            cmd = "".join(rnd.choice(string.printable) for _ in range(rnd.randrange(1, 40)))
        ok = is_allowed(cmd)
        accepted += ok
        assert not ok or _safe(cmd.rstrip("\r\n")), repr(cmd)  # a line end is a line end
    assert tried >= 1000 and accepted > 0  # the seeds' own shapes come back now and then


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

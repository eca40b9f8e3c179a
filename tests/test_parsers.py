"""Templates against raw fixtures (ntc-templates layout), noise handling and loud failures."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from parsers.textfsm_parse import TEMPLATES, TemplateError, parse
from platforms import profile
from tests.fixture_cases import FIXTURES, cases, expected, parse_raw, platform_for, template_for

CASES = cases()


@pytest.mark.parametrize("raw", CASES, ids=[str(c.relative_to(FIXTURES)) for c in CASES])
def test_fixture_parses_to_expected(raw: Path) -> None:
    assert parse_raw(raw) == expected(raw)


@pytest.mark.parametrize("platform", profile.available())
def test_every_profile_template_has_a_fixture(platform: str) -> None:
    covered = {template_for(c) for c in CASES if platform_for(c) == platform}
    used = {c.template for c in profile.load(platform).all_commands()}
    assert used <= covered, f"templates without fixtures: {sorted(used - covered)}"


def _index_lines() -> list[tuple[str, str, str]]:
    rows = []
    for line in (TEMPLATES / "index").read_text().splitlines():
        if line.strip() and not line.startswith("#") and not line.startswith("Template,"):
            tpl, _host, platform, cmd = (x.strip() for x in line.split(",", 3))
            rows.append((tpl, platform, cmd))
    return rows


def _expand(cmd_re: str) -> str:
    # ntc-templates' abc[[xyz]] completion syntax
    return re.sub(r"\[\[(.+?)\]\]", lambda m: "".join(
        "(" + re.escape(c) for c in m.group(1)) + ")?" * len(m.group(1)), cmd_re)


@pytest.mark.parametrize("platform", profile.available())
def test_index_resolves_our_commands_to_the_profile_template(platform: str) -> None:
    """The ntc-style index and the profile agree, so the templates could go upstream as they are."""
    idx = _index_lines()
    examples = {"{port}": "0/1/0", "{pon}": "3", "{frame}": "0", "{slot}": "1", "{shelf}": "1",
                "{n}": "2", "{onu_id}": "5"}
    for spec in profile.load(platform).all_commands():
        if spec.template.startswith("ntc:"):
            continue
        cmd = spec.command
        for k, v in examples.items():
            cmd = cmd.replace(k, v)
        hits = [t for t, plats, rx in idx if platform in plats.split("|")
                and re.fullmatch(_expand(rx), cmd)]
        assert hits[:1] == [spec.template], (cmd, hits)


def test_alarm_block_and_pager_remnant_change_nothing() -> None:
    base = FIXTURES / "huawei_smartax" / "huawei_smartax_display_ont_info_0_all"
    clean = parse_raw(base / "two_ports_slot12_accents.raw")
    noisy_text = (base / "alarm_and_pager_remnant.raw").read_text()
    assert "ALARM" in noisy_text and "More" in noisy_text
    assert parse_raw(base / "alarm_and_pager_remnant.raw") == clean


def test_garbled_line_fails_naming_the_line() -> None:
    raw = (FIXTURES / "huawei_smartax" / "huawei_smartax_display_ont_info_0_all"
           / "two_ports_slot12_accents.raw").read_text().split("\n")
    raw[5] = "  0/ 2/0   5~#!%?F2B  active      online   normal   match    no"
    with pytest.raises(TemplateError) as err:
        parse("huawei_smartax_display_ont_info_0_all.textfsm", "\n".join(raw))
    assert "5~#!%?F2B" in str(err.value)
    assert "huawei_smartax_display_ont_info_0_all.textfsm" in str(err.value)


def test_unknown_footer_fails() -> None:
    raw = (FIXTURES / "huawei_smartax" / "huawei_smartax_display_service-port_all"
           / "four.raw").read_text()
    rows = raw.split("\n")
    rows.insert(7, "  Something new this firmware prints")
    with pytest.raises(TemplateError, match="Something new"):
        parse("huawei_smartax_display_service-port_all.textfsm", "\n".join(rows))


def test_zte_alarm_and_pager_remnant_change_nothing() -> None:
    base = FIXTURES / "zte_c300" / "zte_show_mac_gpon_olt"
    noisy = (base / "alarm_and_pager_remnant.raw").read_text()
    assert "Alarm 33054" in noisy and "--More--\b" in noisy
    rows = [r for r in parse_raw(base / "alarm_and_pager_remnant.raw") if r["mac"]]
    total = next(r["total"] for r in parse_raw(base / "alarm_and_pager_remnant.raw") if r["total"])
    assert len(rows) == int(total) == noisy.count("vport ")


def test_zte_detail_info_takes_the_latest_session_from_the_history() -> None:
    """Oldest first: the last non-zero up and down times win, the cause goes with its down time."""
    raw = (FIXTURES / "zte_c300" / "zte_show_gpon_onu_detail-info" / "online_with_history.raw")
    lines = raw.read_text().split("\n")
    i = next(n for n, line in enumerate(lines) if line.strip().startswith("3 "))
    lines[i] = "   3   2026-10-01 08:00:00    2026-10-02 09:30:00     LOS"
    lines[i + 1] = "   4   2026-10-02 10:00:00    0000-00-00 00:00:00"
    [rec] = parse("zte_show_gpon_onu_detail-info.textfsm", "\n".join(lines))
    assert (rec["LAST_UP_AT"], rec["LAST_DOWN_AT"], rec["LAST_DOWN_CAUSE"]) == (
        "2026-10-02 10:00:00", "2026-10-02 09:30:00", "LOS")


@pytest.mark.parametrize("template,fixture,line", [
    ("zte_c300_show_gpon_onu_state.textfsm", "zte_c300/zte_c300_show_gpon_onu_state/two_ports",
     "1/3/1:9    enable       enable      working      1(GPON)   extra"),
    ("zte_c300_show_running-config.textfsm", "zte_c300/zte_c300_show_running-config/config",
     "  service-port 9 vport 1 user-vlan 103 vlan 103 svlan 20"),
    ("zte_c600_show_running-config.textfsm", "zte_c600/zte_c600_show_running-config/config",
     "  service-port 9 user-vlan 103 vlan 103 egress Fiber300M"),
])
def test_zte_unknown_line_fails_naming_it(template: str, fixture: str, line: str) -> None:
    text = (FIXTURES / f"{fixture}.raw").read_text().split("\n")
    at = next(n for n, x in enumerate(text) if "service-port" in x or x.startswith("1/"))
    text.insert(at + 1, line)
    with pytest.raises(TemplateError) as err:
        parse(template, "\n".join(text))
    assert line.strip() in str(err.value)


@pytest.mark.parametrize("pattern,needle", [
    (r"[ ]*-{4} More \( Press 'Q' to break \) -{4}[ ]{0,36}", " More ( Press 'Q' to break ) "),
    (r"[ ]?--More--\x08*[ ]*\x08*", "--More--"),
    (r"(?i)more", ""),  # case-insensitive: no literal is safe
    (r"abc|abd", "ab"),  # re factors the common prefix out of the branches
    (r"abc|xyz", ""),
    (r"x(?!abc)[ab]yz", "yz"),
])
def test_noise_needle_is_a_substring_of_every_match(pattern: str, needle: str) -> None:
    from parsers.textfsm_parse import _needle

    assert _needle(pattern) == needle


@pytest.mark.parametrize("platform", profile.available())
def test_pager_remnants_are_stripped_with_the_needle_shortcut(platform: str) -> None:
    cleaner = profile.load(platform).cleaner
    zte = " --More--" + "\x08" * 8 + " " * 8 + "\x08" * 8
    pager = {"huawei_smartax": "  ---- More ( Press 'Q' to break ) ----" + " " * 36}.get(platform, zte)
    text = "line one\n" + pager + "line two\n"
    assert cleaner.clean(text) == "line one\nline two\n"
    assert cleaner.clean("line one\nline two\n") == "line one\nline two\n"

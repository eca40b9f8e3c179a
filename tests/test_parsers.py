"""Templates against raw fixtures (ntc-templates layout), noise handling and loud failures."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from parsers.textfsm_parse import TEMPLATES, TemplateError, parse
from platforms import profile
from tests.fixture_cases import FIXTURES, cases, expected, parse_raw, template_for

CASES = cases()


@pytest.mark.parametrize("raw", CASES, ids=[str(c.relative_to(FIXTURES)) for c in CASES])
def test_fixture_parses_to_expected(raw: Path) -> None:
    assert parse_raw(raw) == expected(raw)


def test_every_profile_template_has_a_fixture() -> None:
    covered = {template_for(c) for c in CASES}
    used = {c.template for c in profile.load("huawei_smartax").all_commands()}
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


def test_index_resolves_our_commands_to_the_profile_template() -> None:
    """The ntc-style index and the profile agree, so the templates could go upstream as they are."""
    idx = _index_lines()
    examples = {"{port}": "0/1/0", "{pon}": "3", "{frame}": "0", "{slot}": "1"}
    for spec in profile.load("huawei_smartax").all_commands():
        if spec.template.startswith("ntc:"):
            continue
        cmd = spec.command
        for k, v in examples.items():
            cmd = cmd.replace(k, v)
        hits = [t for t, plat, rx in idx if plat == "huawei_smartax"
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

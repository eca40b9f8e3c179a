"""Templates and noise handling on real captures (tests/captures/): what a box interleaves changes
nothing, what a template does not know fails loudly, naming the line."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from parsers.textfsm_parse import TEMPLATES, TemplateError, parse
from parsers.unwrap import join_wrapped
from platforms import profile
from tests.capture_corpus import CAPTURES, meta, run, text_of

HUAWEI = CAPTURES / "huawei_smartax"
ZTE = CAPTURES / "zte_c300"


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
    indexed = {t for t, _, _ in idx}
    commands = profile.load(platform).all_commands()
    for spec in commands:
        if spec.template.startswith("ntc:"):
            continue
        if spec.template not in indexed:
            # a second reading of an answer the index gives another template (TITAN's running
            # configuration: its service ports, and its ONUs' descriptions)
            assert any(c.command == spec.command and c.template in indexed for c in commands), spec
            continue
        cmd = spec.command
        for k, v in examples.items():
            cmd = cmd.replace(k, v)
        hits = [t for t, plats, rx in idx if platform in plats.split("|")
                and re.fullmatch(_expand(rx), cmd)]
        assert hits[:1] == [spec.template], (cmd, hits)


def _text(raw: Path) -> str:
    """A capture's text as the corpus reads it (its placeholders replaced)."""
    return text_of(raw, meta(raw))


def _alarm_block() -> str:
    """The alarm of netmiko #3559 as the box printed it, cut from its capture."""
    text = (HUAWEI / "alarm" / "netmiko_3559_fault_block_between_commands.raw").read_text()
    lines = text.split("\n")
    return "\n".join(lines[1:lines.index("****") + 1]) + "\n"


def test_alarm_blocks_and_pager_remnants_inside_a_table_change_nothing() -> None:
    raw = HUAWEI / "display_ont_info" / "ntc_two_ports_total_of.raw"
    clean = run(raw).rows
    lines = _text(raw).split("\n")
    # the real alarm after the first serial row, the pager and its ANSI erase before the totals
    at = next(i for i, x in enumerate(lines) if "active" in x) + 1
    lines[at:at] = _alarm_block().rstrip("\n").split("\n")
    totals = next(i for i, x in enumerate(lines) if "In port" in x)
    lines[totals] = ("  ---- More ( Press 'Q' to break ) ----\x1b[37D" + " " * 37 + "\x1b[37D"
                     + lines[totals])
    noisy = "\n".join(lines)
    assert "ALARM NAME" in noisy and "More" in noisy
    assert run(raw, noisy).rows == clean


def test_an_alarm_whose_end_never_comes_is_not_swallowed() -> None:
    """A block start without its '--- END-' leaves the text in place: the template refuses it."""
    raw = HUAWEI / "display_ont_info" / "ntc_two_ports_total_of.raw"
    lines = _text(raw).split("\n")
    at = next(i for i, x in enumerate(lines) if "active" in x) + 1
    lines[at:at] = ["  ! 1 [17/01/2025 00:00:00-00:00]:", "", "  ALARM NAME  : cut short"]
    out = run(raw, "\n".join(lines))
    assert out.error and "! 1 [17/01/2025" in out.error


def test_garbled_line_fails_naming_the_line() -> None:
    raw = HUAWEI / "display_ont_info" / "serial_table_nineteen_onts.raw"
    lines = _text(raw).split("\n")
    lines[6] = "  0/ 2/1    2  48575443~#!%?EB2A  active      offline  initial  initial  no"
    out = run(raw, "\n".join(lines))
    assert "48575443~#!%?EB2A" in out.error
    assert "huawei_smartax_display_ont_info_0_all.textfsm" in out.error


def test_unknown_footer_fails() -> None:
    raw = HUAWEI / "display_service-port" / "ma5800_x7_no_total_line.raw"
    lines = _text(raw).split("\n")
    lines.insert(8, "  Something new this firmware prints")
    out = run(raw, "\n".join(lines))
    assert "Something new" in out.error


def test_totals_that_disagree_with_the_rows_fail() -> None:
    """A table cut short by the transport must not shrink the inventory."""
    raw = HUAWEI / "display_ont_info" / "ntc_total_number_is.raw"
    text = _text(raw).replace("total number of ONTs is: 16", "total number of ONTs is: 17")
    out = run(raw, text)
    assert "reports 17 rows but 16 were read" in out.error


def test_zte_backspace_erase_and_modelled_alarm_change_nothing() -> None:
    raw = ZTE / "show_gpon_onu_state" / "c300_footer_doc.raw"
    clean = run(raw).rows
    lines = _text(raw).split("\n")
    lines[3] = " --More--" + "\b \b" * 8 + lines[3]  # the pager and its erase (Pesagi capture)
    lines.insert(4, "[2026-11-21 23:00:02] Alarm 33054 (GPON ONU LOS) raised: gpon-onu_1/1/1:9, "
                    "level: major")
    assert run(raw, "\n".join(lines)).rows == clean


@pytest.mark.parametrize("capture,line", [
    ("zte_c300/show_gpon_onu_state/c300_footer_doc",
     "1/1/1:9     enable       enable      working      1(GPON)   extra"),
    ("zte_c300/show_running-config/c320_onu_interface",
     "  service-port 9 vport 1 user-vlan 103 vlan 103 svlan 20"),
    ("zte_c600/show_card/c600_irara_offline_card_without_name",
     "1     7    GFGH    GFGH         16   V1.0.0  INSERVICE   spare"),
])
def test_zte_unknown_line_fails_naming_it(capture: str, line: str) -> None:
    raw = CAPTURES / f"{capture}.raw"
    text = _text(raw).split("\n")
    at = next(n for n, x in enumerate(text) if "service-port" in x or x.startswith("1"))
    text.insert(at + 1, line)
    out = run(raw, "\n".join(text))
    assert out.error and line.strip() in out.error


def test_wrapped_description_joining_follows_the_boxs_three_cases() -> None:
    after, row = r"^\s*F/S/P\s+ONT-ID\s+Description\s*$", r"^\s*\d+/\s*\d+/\d+\s+\d+\s+"
    until = r"^\s*In port"
    text = "\n".join([
        "  F/S/P   ONT-ID   Description",
        "  0/ 6/0       0   word boundary, padded   ",
        "                   next",
        "  0/ 6/0       1   cut inside a wo",
        "                   rd",
        "  0/ 6/0       2   filled exactly at a word's end",
        "                    then the blank",
        "  In port 0/ 6/0, the total of ONTs are: 3, online: 3",
        "                   not a continuation: the section is over",
    ])
    joined = join_wrapped(text, after, row, until).split("\n")
    assert joined[1:4] == ["  0/ 6/0       0   word boundary, padded next",
                           "  0/ 6/0       1   cut inside a word",
                           "  0/ 6/0       2   filled exactly at a word's end then the blank"]
    assert joined[-1] == "                   not a continuation: the section is over"


def test_ntc_templates_autofind_would_merge_blocks_without_multi_channel() -> None:
    """Why autofind has our own template: ntc-templates' records a block only at its 'Multi
    channel' line, so blocks without it (a real partial capture) would be lost or merged."""
    raw = (HUAWEI / "display_ont_autofind" / "ma5800_x7_one_block_no_separators.raw").read_text()
    two = raw + "\n" + raw.replace("534B5957B800528F (SKYW-B800528F)",
                                   "534B5957B8005290 (SKYW-B8005290)")
    assert len(parse("ntc:huawei_smartax_display_ont_autofind.textfsm", two)) == 1
    assert [r["SERIAL_NUMBER"][:16] for r in parse("huawei_smartax_display_ont_autofind_all.textfsm",
                                                    two)] == ["534B5957B800528F", "534B5957B8005290"]


@pytest.mark.parametrize("pattern,needle", [
    (r"[ ]*-{4} More \( Press 'Q' to break \) -{4}[ ]{0,36}", " More ( Press 'Q' to break ) "),
    (r"[ ]?--More--", "--More--"),
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
    zte = " --More--" + "\x08 \x08" * 8
    pager = {"huawei_smartax": "  ---- More ( Press 'Q' to break ) ----" + " " * 36}.get(platform, zte)
    text = "line one\n" + pager + "line two\n"
    assert cleaner.clean(text) == "line one\nline two\n"
    assert cleaner.clean("line one\nline two\n") == "line one\nline two\n"


def test_every_template_is_used_by_a_profile() -> None:
    used = {c.template for p in profile.available() for c in profile.load(p).all_commands()}
    ours = {p.name for p in TEMPLATES.glob("*.textfsm")}
    assert ours <= used, f"templates no profile uses: {sorted(ours - used)}"


def test_templates_refuse_lines_they_do_not_know() -> None:
    """Every template of ours ends its states with a catch-all error (ntc-templates style). A
    running configuration is the exception by nature: all but the ONU blocks is skipped, and an
    unknown service-port line inside them fails (test_zte_unknown_line_fails_naming_it)."""
    for path in TEMPLATES.glob("*.textfsm"):
        body = path.read_text()
        assert "^. -> Error" in body, path.name
        if "running-config" in path.name:
            continue
        with pytest.raises(TemplateError):
            parse(path.name, "a line no box prints\n")

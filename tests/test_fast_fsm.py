"""The fast TextFSM runner gives exactly what TextFSM gives: on every real capture, on a whole
simulated OLT of each platform and firmware, and on templates written to exercise each rule of the
state machine."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
import textfsm

from collector import parsing
from parsers import textfsm_parse
from parsers.fast_fsm import FastFSM
from platforms import profile
from simulator import firmware
from simulator.fleet import generate_fleet
from simulator.personality import SessionState
from simulator.platforms import personality
from tests.capture_corpus import case_id, cases, meta, platform, text_of

CASES = [c for c in cases() if meta(c)["profile"] != "noise"]


def _both(template_text: str, text: str) -> tuple[list[list[str]] | str, list[list[str]] | str]:
    """(TextFSM's result or error, the fast runner's result or error)."""
    out = []
    for runner in ("textfsm", "fast"):
        fsm = textfsm.TextFSM(io.StringIO(template_text))
        try:
            out.append(fsm.ParseText(text) if runner == "textfsm" else FastFSM(fsm).parse(text))
        except textfsm.TextFSMError as exc:
            out.append(f"error: {exc}")
    return out[0], out[1]


@pytest.mark.parametrize("raw", CASES, ids=[case_id(c) for c in CASES])
def test_capture_gives_what_textfsm_gives(raw: Path) -> None:
    from collector import transcript

    m = meta(raw)
    prof = profile.load(platform(raw))
    ds, name = m["profile"].split(".")
    spec = next(c for c in prof.datasets[ds].commands if c.name == name)
    template = spec.template
    answer = transcript.answer(text_of(raw, m), m["command"], prof, m.get("prompt"))
    text = parsing.prepared(spec, prof.cleaner, answer)
    fast = textfsm_parse._fast(template)
    assert fast is not None, f"{template} fell back to TextFSM"
    both = _both(textfsm_parse._template_text(template), text)
    assert both[0] == both[1]


GENERATIONS = [f"{p}:{g}" for p in profile.available() for g in firmware.generations(p)]


@pytest.mark.parametrize("generation", GENERATIONS)
def test_a_whole_simulated_olt_gives_what_textfsm_gives(generation: str) -> None:
    """Every data command of one 256-ONU OLT, rendered by the simulator, parsed both ways."""
    platform = generation.split(":")[0]
    olt = generate_fleet(1, 256, seed=7, platform=generation)[0]
    pers = personality(olt.platform)
    state = SessionState(page_lines=None, smart=False)
    prof = profile.load(platform)
    pers.start(olt, state)
    if state.mode == "user":  # Huawei: `enable` (no password)
        pers.execute(olt, state, "enable")
    records = 0
    for spec in prof.all_commands():
        if "{" in spec.command or any("{" in c for c in spec.context):
            continue  # per-port forms: their whole-OLT siblings and fixtures cover the templates
        for c in spec.context:
            pers.execute(olt, state, c)
        text = pers.execute(olt, state, spec.command).text.replace("\r\n", "\n")
        for _ in spec.context:
            pers.execute(olt, state, prof.context_exit)
        text = parsing.prepared(spec, prof.cleaner, text)
        fast = textfsm_parse.parse(spec.template, text)
        assert fast == textfsm_parse.parse_textfsm(spec.template, text), spec.command
        records += len(fast)
    assert records > 256  # the test really parsed tables, not error messages


RULES = """\
Value Filldown SLOT (\\d+)
Value Required PORT (\\d+)
Value STATE (up|down)
Value OPT (x)

Start
  ^Slot ${SLOT} -> Continue
  ^Slot \\d+ clear -> Clear
  ^Slot \\d+ reset -> Clearall
  ^Port ${PORT} ${STATE}(?:\\s+${OPT})? -> Record
  ^State ${STATE}
  ^bad -> Error
  ^worse -> Error "custom message"
  ^goto -> Second
  ^stop -> End

Second
  ^Port ${PORT} -> Record Start
"""

TEXTS = {
    "filldown and record": "Slot 1\nPort 1 up\nPort 2 down x\nSlot 2\nPort 1 up\n",
    "required skips and clears": "Slot 1\nState up\nSlot 1 clear\nPort 3 up\n",
    "clear keeps filldown": "Slot 4\nState down\nSlot 4 clear\nPort 1 up\n",
    "clearall drops filldown": "Slot 4\nSlot 4 reset\nPort 1 up\n",
    "implicit record at eof": "Slot 1\nPort 1 up\nPort 2 up\nState down\n",
    "empty record at eof is not output": "Slot 1\nPort 1 up\n",
    "state change and back": "Slot 5\ngoto\nPort 9\nPort 8 up\n",
    "end stops without eof record": "Slot 1\nPort 1 up\nState up\nstop\nPort 2 up\n",
    "error": "Slot 1\nPort 1 up\nbad\n",
    "error with message": "Slot 1\nworse\n",
    "nothing": "",
    "carriage returns and form feeds": "Slot 1\r\nPort 1 up\x0cPort 2 down\n",
}


@pytest.mark.parametrize("name", list(TEXTS))
def test_state_machine_rules_match_textfsm(name: str) -> None:
    reference, fast = _both(RULES, TEXTS[name])
    assert fast == reference
    if name == "error with message":
        assert fast == 'error: Error: "custom message". Rule Line: 13. Input Line: worse.'
    if name == "filldown and record":
        assert fast == [["1", "1", "up", ""], ["1", "2", "down", "x"], ["2", "1", "up", ""]]
    if name == "clear keeps filldown":
        assert fast == [["4", "1", "up", ""]]


def test_explicit_eof_state_suppresses_the_last_record() -> None:
    tpl = "Value A (\\w+)\n\nStart\n  ^a ${A}\n\nEOF\n"
    reference, fast = _both(tpl, "a one\n")
    assert fast == reference == []


def test_template_with_list_values_falls_back_to_textfsm(tmp_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    tpl = "Value List VLANS (\\d+)\nValue Required NAME (\\w+)\n\nStart\n  ^vlan ${VLANS}\n" \
          "  ^name ${NAME} -> Record\n"
    assert not FastFSM.supports(textfsm.TextFSM(io.StringIO(tpl)))
    (tmp_path / "list.textfsm").write_text(tpl)
    monkeypatch.setattr(textfsm_parse, "TEMPLATES", tmp_path)
    textfsm_parse._template_text.cache_clear()
    textfsm_parse._fast.cache_clear()
    try:
        assert textfsm_parse._fast("list.textfsm") is None
        assert textfsm_parse.parse("list.textfsm", "vlan 10\nvlan 20\nname a\nname b\n") == [
            {"VLANS": ["10", "20"], "NAME": "a"}, {"VLANS": [], "NAME": "b"}]
    finally:
        textfsm_parse._template_text.cache_clear()
        textfsm_parse._fast.cache_clear()

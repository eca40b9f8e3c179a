"""A faster runner for TextFSM templates that use only Filldown, Required and Key.

TextFSM itself spends most of its time not in regexes but in bookkeeping: a method call per value
option on every assignment, every record and every clear. On a 2,048-ONU OLT that was over half of
the parse CPU. This runner takes the template as TextFSM compiled it (same syntax, same
validation, same regexes) and runs the same state machine over plain lists.

It gives the same records and the same errors as `textfsm.TextFSM.ParseText` (checked on every
fixture by tests/test_fast_fsm.py); a template with any other option (List, Fillup) is not
compiled here and the caller uses TextFSM.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import textfsm

SUPPORTED_OPTIONS = frozenset({"Filldown", "Required", "Key"})

# line operations
_NEXT, _CONTINUE, _ERROR = 0, 1, 2
# record operations
_NONE, _RECORD, _CLEAR, _CLEARALL = 0, 1, 2, 3
_LINE_OPS = {"": _NEXT, "Next": _NEXT, "Continue": _CONTINUE, "Error": _ERROR}
_RECORD_OPS = {"": _NONE, "NoRecord": _NONE, "Record": _RECORD, "Clear": _CLEAR,
               "Clearall": _CLEARALL}


@dataclass(frozen=True)
class _Rule:
    match: Callable
    assigns: tuple[tuple[str, int], ...]  # (group name, value index)
    record_op: int
    line_op: int
    new_state: str  # "" = stay
    line_num: int


class FastFSM:
    """Compiled once per template; `parse` keeps no state between calls (thread-safe)."""

    def __init__(self, fsm: textfsm.TextFSM) -> None:
        self.header: list[str] = [v.name for v in fsm.values]
        index = {name: i for i, name in enumerate(self.header)}
        self._required = tuple(i for i, v in enumerate(fsm.values)
                               if "Required" in v.OptionNames())
        self._cleared = tuple(i for i, v in enumerate(fsm.values)
                              if "Filldown" not in v.OptionNames())
        self._has_eof_state = "EOF" in fsm.states
        self._states: dict[str, tuple[_Rule, ...]] = {}
        for name, rules in fsm.states.items():
            compiled = []
            for r in rules:
                groups = r.regex_obj.regex.groupindex
                compiled.append(_Rule(
                    match=r.regex_obj.regex.match,
                    assigns=tuple((g, index[g]) for g in groups if g in index),
                    record_op=_RECORD_OPS[r.record_op], line_op=_LINE_OPS[r.line_op],
                    new_state=r.new_state, line_num=r.line_num))
            self._states[name] = tuple(compiled)

    @staticmethod
    def supports(fsm: textfsm.TextFSM) -> bool:
        return all(set(v.OptionNames()) <= SUPPORTED_OPTIONS for v in fsm.values)

    def parse(self, text: str) -> list[list[str]]:
        n = len(self.header)
        cur: list[str | None] = [None] * n
        result: list[list[str]] = []
        required, cleared = self._required, self._cleared

        def record() -> None:
            for i in required:
                if not cur[i]:
                    for j in cleared:
                        cur[j] = None
                    return
            if all(v is None for v in cur):
                return  # TextFSM neither records nor clears an empty record
            result.append([v if v is not None else "" for v in cur])
            for j in cleared:
                cur[j] = None

        state_name = "Start"
        rules = self._states["Start"]
        for line in text.splitlines() if text else ():
            for rule in rules:
                m = rule.match(line)
                if m is None:
                    continue
                if rule.assigns:
                    group = m.group
                    for g, i in rule.assigns:
                        cur[i] = group(g)
                op = rule.record_op
                if op == _RECORD:
                    record()
                elif op == _CLEAR:
                    for j in cleared:
                        cur[j] = None
                elif op == _CLEARALL:
                    cur[:] = [None] * n
                if rule.line_op == _ERROR:
                    if rule.new_state:
                        raise textfsm.TextFSMError(
                            f"Error: {rule.new_state}. Rule Line: {rule.line_num}. "
                            f"Input Line: {line}.")
                    raise textfsm.TextFSMError(
                        f"State Error raised. Rule Line: {rule.line_num}. Input Line: {line}")
                if rule.line_op == _CONTINUE:
                    continue
                if rule.new_state:
                    state_name = rule.new_state
                    if state_name not in ("End", "EOF"):
                        rules = self._states[state_name]
                break
            if state_name in ("End", "EOF"):
                break
        if state_name != "End" and not self._has_eof_state:
            record()
        return result

"""What every simulated CLI shares: the session state and the reply a command produces."""

from __future__ import annotations

from dataclasses import dataclass, field

from simulator.model import Olt


@dataclass
class SessionState:
    mode: str = "user"  # user | enable | config | interface
    interface: str | None = None  # "0/1" while in interface gpon 0/1
    smart: bool = True  # Huawei: ask { <cr>||<K> }: for commands with optional arguments
    page_lines: int | None = 40  # None: paging off
    confirm_logout: bool = False


@dataclass
class Reply:
    text: str = ""
    close: bool = False  # end the session after writing text
    ask: str | None = None  # a question whose answer (one line) is passed to `answer`
    secret: bool = False  # the answer is a password: not echoed
    paged: bool = True  # subject to the pager (and to the output-rate/alarm/fault knobs)
    command: str | None = None  # the data command that produced text (for fault matching)


@dataclass
class Personality:
    """Base class: one subclass per CLI family; stateless, all state is in SessionState."""

    name: str = "base"
    more_prompt: str = "--More--"
    more_erase: str = ""
    handlers: list = field(default_factory=list)
    # Commands about one ONU (ZTE `detail-info`): a record, a short command however many lines
    # it has, unlike a table of a port or of the OLT (the `table_latency` knob). Modelled.
    records: tuple[str, ...] = ()

    def banner(self, olt: Olt) -> str:
        raise NotImplementedError

    def start(self, olt: Olt, state: SessionState) -> None:
        """The session's state at login (the mode the account lands in)."""

    def prompt(self, olt: Olt, state: SessionState) -> str:
        raise NotImplementedError

    def execute(self, olt: Olt, state: SessionState, line: str) -> Reply:
        raise NotImplementedError

    def answer(self, olt: Olt, state: SessionState, question: str, line: str) -> Reply:
        return Reply()

    def unknown(self, olt: Olt, state: SessionState, line: str) -> Reply:
        raise NotImplementedError

    def alarm(self, olt: Olt, n: int) -> str:
        raise NotImplementedError

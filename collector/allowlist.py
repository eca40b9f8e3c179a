"""The read-only allowlist: the only lines that may ever be written to an OLT.

Enforced twice: in `OltSession.send` (a clear error before anything leaves) and in the netmiko
connection's `write_channel` (every byte netmiko writes, including its own session set-up), so no
profile, template or library change can send a configuration command to a customer's OLT.
"""

from __future__ import annotations

import re

from oltsync.errors import ForbiddenCommand

# Read-only verbs, with plain arguments only: no pipes, redirections or command separators.
_ARGS = r"(?: [\w./:\-]+)*"
READ_ONLY = [
    rf"display{_ARGS}",
    rf"show{_ARGS}",
]
# Terminal and navigation commands that change nothing on the box: privilege level, entering a
# view to run a per-port display command, paging and interaction settings of this session only.
SESSION = [
    r"enable",
    r"disable",
    r"config",
    r"configure terminal",
    r"interface gpon \d+/\d+",
    r"interface gpon[_-]olt[_-]\d+/\d+/\d+",
    r"quit",
    r"exit",
    r"end",
    r"return",
    r"undo smart",
    r"scroll(?: \d+)?",
    r"infoswitch cli OFF",
    r"terminal length 0",
    r"screen-length 0 temporary",
]
_ALLOWED = re.compile("|".join(f"(?:{p})" for p in READ_ONLY + SESSION))
# The answer to "Are you sure to log out? (y/n)" is allowed only right after `quit`.
_CONFIRM_AFTER = {"quit", "exit"}


def is_allowed(line: str, previous: str | None = None) -> bool:
    cmd = line.strip()
    if cmd == "" or cmd == "\x00":
        return True
    if cmd.lower() == "y" and previous in _CONFIRM_AFTER:
        return True
    return _ALLOWED.fullmatch(cmd) is not None


class Guard:
    """Per-connection checker: remembers the previous command for the logout confirmation."""

    def __init__(self, olt: str) -> None:
        self.olt = olt
        self.previous: str | None = None

    def check(self, data: str) -> None:
        for line in data.replace("\r", "\n").split("\n"):
            cmd = line.strip()
            if not is_allowed(cmd, self.previous):
                raise ForbiddenCommand(self.olt, cmd)
            if cmd and cmd != "\x00":
                self.previous = cmd

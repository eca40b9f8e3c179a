"""The read-only allowlist: the only lines that may ever be written to an OLT.

A grammar, not a verb check: per platform, exactly the command shapes its profile uses, with each
placeholder filled from a safe vocabulary (numbers, F/S/P; ZTE interface names are literal text
around them), plus the terminal and navigation commands netmiko's session set-up and our CLI
contexts send. Anything else is refused, not cleaned: a file path (`flash:/…`), a tech-support
or diagnostic dump, a pipe, a second command after a separator, any control character.

Enforced twice: in `OltSession.send` (a clear error before anything leaves) and in the netmiko
connection's `write_channel` (every byte netmiko writes, including its own session set-up), so no
template, library change or in-memory profile can send a configuration command to a customer's
OLT. The grammar is built from the profile files as shipped, and refuses to build from a profile
command that is not a plain `display`/`show`.
"""

from __future__ import annotations

import re
from functools import cache

from core.errors import ConfigError, ForbiddenCommand

_NUM = r"\d{1,4}"
# What a profile command's {placeholder} may be filled with.
VALUES = {"port": r"\d{1,3}/\d{1,3}/\d{1,3}", "frame": _NUM, "slot": _NUM, "shelf": _NUM,
          "pon": _NUM, "n": _NUM, "onu_id": _NUM}
# Terminal and navigation commands that change nothing on the box: privilege level, the CLI view a
# per-port display command runs in, paging and interaction settings of this session only. netmiko
# sends some itself (huawei_smartax: `undo smart`, `infoswitch cli OFF`, `scroll`, `quit`;
# zte_zxros: `terminal length 0`, `exit`).
SESSION = [
    r"enable", r"disable", r"config", r"configure terminal", r"quit", r"exit", r"end", r"return",
    r"undo smart", r"scroll(?: \d{1,4})?", r"infoswitch cli OFF", r"terminal length 0",
    r"screen-length 0 temporary",
]
READ_VERBS = ("display ", "show ")
# Read-only verbs that still must never be sent: dumps that load a box, and file access.
_NEVER = re.compile(r"(?i)tech-support|diagnos|flash:|cfcard:|sd\d?:|usb:|ftp|tftp|sftp|debug"
                    r"|\bsave\b|\bwrite\b|\bcopy\b|\bdelete\b|\breboot\b|\breset\b")
# The answer to "Are you sure to log out? (y/n)" only right after `quit`; "yes" to a post-login
# YES/NO banner only before any other command (netmiko's huawei_smartax answers both).
_CONFIRM_AFTER = {"quit", "exit"}
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def shape(template: str, platform: str) -> str:
    """A profile command as a regex: its text literally, each placeholder from VALUES."""
    out, pos = [], 0
    for m in re.finditer(r"\{(\w+)\}", template):
        if m.group(1) not in VALUES:
            raise ConfigError(f"platform profile {platform}: placeholder {{{m.group(1)}}} in "
                              f"'{template}' has no safe vocabulary in collector/allowlist.py")
        out += [re.escape(template[pos:m.start()]), f"(?:{VALUES[m.group(1)]})"]
        pos = m.end()
    out.append(re.escape(template[pos:]))
    return "".join(out)


@cache
def grammar(platform: str) -> re.Pattern[str]:
    """Every line this platform's sessions may write, as one anchored pattern."""
    from platforms import profile as profiles

    prof = profiles.load(platform)
    shapes = list(SESSION)
    for cmd in prof.all_commands():
        if not cmd.command.startswith(READ_VERBS) or _NEVER.search(cmd.command) or re.search(
                r"[|;>&`$]", cmd.command):
            raise ConfigError(f"platform profile {platform}: '{cmd.command}' is not a plain "
                              "display/show command; the allowlist will not carry it")
        shapes.append(shape(cmd.command, platform))
        shapes += [shape(c, platform) for c in cmd.context]
    shapes += [re.escape(c) for c in prof.netmiko.session_commands]
    return re.compile("|".join(f"(?:{s})" for s in dict.fromkeys(shapes)))


def is_allowed(line: str, previous: str | None = None, platform: str | None = None,
               first: bool = False) -> bool:
    """Whether `line` (one line, its line end removed) may be written. Without a platform: on the
    grammar of any platform (for tests that look at what a simulated box received)."""
    cmd = line.rstrip("\r\n")
    if cmd.strip() == "":
        return cmd.strip(" ") == ""  # an empty line (prompt discovery), or the pager's space
    if _CONTROL.search(cmd) or cmd != cmd.strip() or "  " in cmd:
        return False  # refused, not cleaned: a box may act on what we would have cleaned away
    if cmd.lower() == "y" and previous in _CONFIRM_AFTER:
        return True
    if cmd.lower() == "yes" and first:
        return True
    if _NEVER.search(cmd):
        return False
    from platforms import profile as profiles

    names = [platform] if platform else profiles.available()
    return any(grammar(p).fullmatch(cmd) is not None for p in names)


class Guard:
    """Per-connection checker: remembers the previous command for the logout confirmation, and
    lets the inventory's enable password through once, as the line right after `enable`."""

    def __init__(self, olt: str, platform: str, secret: str | None = None) -> None:
        self.olt = olt
        self.platform = platform
        self.previous: str | None = None
        self._secret = secret or None
        grammar(platform)  # a profile the grammar refuses fails before any login

    def check(self, data: str) -> None:
        lines = re.split(r"\r\n|\n|\r", data)
        if len(lines) > 1 and lines[-1] == "":
            lines.pop()  # the line end of the last line
        for line in lines:
            if self._secret is not None and self.previous == "enable" and line == self._secret:
                self.previous = "(enable password)"  # never kept, never sent twice in a row
                continue
            if not is_allowed(line, self.previous, self.platform, first=self.previous is None):
                # never quote a password in an error
                raise ForbiddenCommand(self.olt, "(the enable password)" if self._secret
                                       and self._secret in line else line)
            if line.strip():
                self.previous = line.strip()

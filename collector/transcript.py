"""Replay printed output as a live session would have read it: for the capture corpus, `capture`,
and anything else that holds a box's text rather than a socket.

A live `OltSession.send` gets netmiko's reads (line ends normalized, collector/linefeeds.py; ANSI
codes stripped on the platforms whose netmiko class does that as it reads) and returns what came
between the command's echo and the next prompt. A capture as printed in an issue, a blog or a test
fixture may hold a banner, prompts, several commands or none: `answer` cuts out the one command's
answer the same way.
"""

from __future__ import annotations

import re
from functools import cache
from typing import Any

from netmiko.ssh_dispatcher import CLASS_MAPPER

from collector import linefeeds
from platforms.profile import Profile


@cache
def _netmiko(device_type: str) -> Any:
    # A bare instance: only its text functions are used (no connection, no __init__), so the replay
    # applies netmiko's own normalization rather than a copy that could drift from it.
    conn = CLASS_MAPPER[device_type].__new__(CLASS_MAPPER[device_type])
    conn.RESPONSE_RETURN = conn.RETURN = "\n"
    return conn


def as_received(text: str, profile: Profile) -> str:
    """The text as `OltSession` reads it from netmiko."""
    conn = _netmiko(profile.netmiko.device_type)
    text = linefeeds.normalize(text)  # what OltSession's netmiko class does in place of netmiko's
    if profile.netmiko.strips_ansi:
        text = conn.strip_ansi_escape_codes(text)
    return text


def _prompt_line(profile: Profile) -> re.Pattern[str]:
    # a host name, the profile's prompt suffix, then the end of the line or what was typed after it
    return re.compile(rf"^[ \t]*[A-Za-z0-9_\[][\w.\-\[\]]*{profile.prompt_suffix}")


def answer(text: str, command: str | None, profile: Profile, prompt: str | None = None) -> str:
    """What `send(command)` would have returned, cut from a printed session.

    The answer starts after the line that echoes the command (else after the first prompt line),
    and ends before the next prompt line. Text with neither is taken whole. `prompt` is an extra regex for a
    prompt line the platform's pattern does not know (e.g. one whose '#' a terminal program ate).
    """
    text = as_received(text, profile)
    lines = text.split("\n")
    rx = _prompt_line(profile)
    extra = re.compile(prompt) if prompt else None
    wanted = " ".join(command.split()) if command else None

    def is_prompt(line: str) -> bool:
        return bool(rx.match(line) or (extra and extra.match(line)))

    start = 0
    # the line that echoes the command, else the first prompt line (an abandoned command typed
    # before it has its own prompt line)
    echo = next((i for i, line in enumerate(lines)
                 if wanted and wanted in " ".join(line.split())), None)
    first = echo if echo is not None else next(
        (i for i, line in enumerate(lines) if is_prompt(line)), None)
    # a prompt after everything is the answer's end, not its start (a capture that begins with
    # the answer: its echo was not kept)
    if first is not None and any(x.strip() for x in lines[first + 1:]):
        start = first + 1
    end = len(lines)
    for i in range(start, len(lines)):
        if is_prompt(lines[i]):
            end = i
            break
    return "\n".join(lines[start:end])

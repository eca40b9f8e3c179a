"""Parse command output in helper processes, so one worker process uses more than one core.

Scraping and storing are mostly waiting (network, database); parsing is pure CPU, and Python runs
the CPU work of all threads of a process on one core. With `OLTSYNC_PARSE_PROCESSES=N` (N ≥ 1) the
text of each command goes to one of N helper processes, which clean, parse and build the rows; the
collect thread waits without holding the interpreter. 0 (the default) parses in the thread.

The helpers start with `forkserver` (never a fork of a process with live threads), once per
process, and are reused by every sync in it. Each helper watches the process it serves and exits
when that process is gone, also when it was killed (a cancelled or crashed flow run) and could not
shut its pool down.
"""

from __future__ import annotations

import multiprocessing
import os
import re
import threading
import time
from concurrent.futures import ProcessPoolExecutor
from datetime import tzinfo
from typing import Any

from collector import rows as rowlib
from core.errors import CommandRejected, ParseError
from parsers.textfsm_parse import Noise, TemplateError, parse
from parsers.unwrap import join_wrapped
from platforms.profile import CommandSpec, Profile

_pool: ProcessPoolExecutor | None = None
_pool_lock = threading.Lock()


def processes() -> int:
    try:
        return max(0, int(os.environ.get("OLTSYNC_PARSE_PROCESSES", "0")))
    except ValueError:
        return 0


def _exit_with(parent: int) -> None:
    """Helper initializer: leave as soon as the process we parse for no longer exists."""
    def watch() -> None:
        while True:
            time.sleep(1.0)
            try:
                os.kill(parent, 0)
            except ProcessLookupError:
                os._exit(0)
            except PermissionError:  # exists, owned by someone else: not ours to judge
                pass

    threading.Thread(target=watch, name="parent-watch", daemon=True).start()


def _executor(n: int) -> ProcessPoolExecutor:
    global _pool
    with _pool_lock:
        if _pool is None:
            _pool = ProcessPoolExecutor(max_workers=n,
                                        mp_context=multiprocessing.get_context("forkserver"),
                                        initializer=_exit_with, initargs=(os.getpid(),))
        return _pool


def first_lines(text: str, n: int = 3) -> list[str]:
    """Where an OLT puts its error for a command: the first non-blank lines of the answer."""
    return [line.strip() for line in text.split("\n") if line.strip()][:n]


def is_empty(spec: CommandSpec, text: str) -> bool:
    """The box's "nothing to show": its whole answer is one line, an `empty` phrase. A row that
    holds the phrase (an ONU described "Failure: The ONT does not exist") is never one: taken for
    emptiness it would remove every ONU of the OLT."""
    lines = first_lines(text, 2)
    return len(lines) == 1 and any(re.match(p, lines[0]) for p in spec.empty)


def is_error(line: str, errors: list[str]) -> bool:
    """An error answer starts one of the first lines; a row quoting the phrase does not."""
    return any(re.match(p, line) for p in errors)


def prepared(spec: CommandSpec, cleaner: Noise, out: str) -> str:
    """A command's answer as its template reads it: noise removed, wrapped columns joined."""
    text = cleaner.clean(out)
    if spec.unwrap is not None:
        text = join_wrapped(text, spec.unwrap.after, spec.unwrap.row, spec.unwrap.until)
    return text


def parse_command(olt: str, spec: CommandSpec, cleaner: Noise, errors: list[str], command: str,
                  out: str, variables: dict[str, str], tz: tzinfo) -> tuple[str, Any]:
    """Clean, check, parse and build the rows of one command's output.

    Returns ("rows", rows) or (error kind, message): exceptions with our one-line messages are
    passed back as data, so that nothing depends on pickling them."""
    text = prepared(spec, cleaner, out)
    if is_empty(spec, text):
        records: list[dict[str, str]] = []
    else:
        for line in first_lines(text):
            if is_error(line, errors):
                # Boxes answer a command above the account's level as if it did not exist
                # (netmiko #3412), so the message names both causes.
                return "rejected", (f"the OLT answered: {line} (a command this firmware does not "
                                    "know, or one the account's privilege level may not run)")
        try:
            records = parse(spec.template, text)
        except TemplateError as exc:
            return "parse", str(exc)
    try:
        return "rows", rowlib.build_rows(olt, command, spec, records, variables, tz)
    except ParseError as exc:
        return "parse", exc.cause


def rows_for(olt: str, profile: Profile, spec: CommandSpec, command: str, out: str,
             variables: dict[str, str], tz: tzinfo) -> list[dict[str, Any]]:
    """parse_command here or in a helper process; raises our errors either way."""
    n = processes()
    args = (olt, spec, profile.cleaner, list(profile.errors), command, out, variables, tz)
    kind, value = (_executor(n).submit(parse_command, *args).result() if n
                   else parse_command(*args))
    if kind == "rows":
        return value
    if kind == "rejected":
        raise CommandRejected(olt, command, value)
    raise ParseError(olt, command, value)

"""Run the parse stage (collector/parsing.py) in helper processes, so one worker process uses more
than one core.

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
import threading
import time
from concurrent.futures import ProcessPoolExecutor
from datetime import tzinfo
from typing import Any

from collector import parsing
from core.errors import CommandRejected, ParseError
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


def _in_helper(*args: Any) -> tuple[str, Any]:
    """parsing.parse_answer, its errors passed back as data (kind, command, cause), so that
    nothing depends on pickling exceptions."""
    try:
        return "rows", parsing.parse_answer(*args)
    except CommandRejected as exc:
        return "rejected", (exc.command, exc.cause)
    except ParseError as exc:
        return "parse", (exc.command, exc.cause)


def rows_for(profile: Profile, spec: CommandSpec, command: str, out: str,
             variables: dict[str, str], tz: tzinfo) -> tuple[list[dict[str, Any]], list[str]]:
    """parsing.parse_answer here, or in a helper process when OLTSYNC_PARSE_PROCESSES is set:
    the rows, and the lines skipped as not stored."""
    args = (spec, profile.cleaner, list(profile.errors), command, out, variables, tz)
    n = processes()
    if not n:
        return parsing.parse_answer(*args)
    kind, value = _executor(n).submit(_in_helper, *args).result()
    if kind == "rows":
        return value
    raise (CommandRejected if kind == "rejected" else ParseError)(None, *value)


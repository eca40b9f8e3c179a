"""What logs may say: secrets never (loggers that would print them are kept above DEBUG), and an
operator's mistake or a box's refusal in its one line, without a traceback."""

from __future__ import annotations

import logging

from core.errors import OltSyncError


def keep_out_of_logs() -> None:
    """The websockets library logs each frame at DEBUG, Prefect's events client's auth frame (the
    auth string itself) among them: its loggers never go below INFO, whatever the root's level.
    paramiko's "Socket exception" lines are dropped (see _SocketClosed)."""
    for name in ("websockets", "websockets.client"):
        logger = logging.getLogger(name)
        if logger.level < logging.INFO:
            logger.setLevel(logging.INFO)
    transport = logging.getLogger("paramiko.transport")
    if _SOCKET_CLOSED not in transport.filters:
        transport.addFilter(_SOCKET_CLOSED)


class _SocketClosed(logging.Filter):
    """paramiko's reader thread logs at ERROR the socket a box resets as a session closes, in
    every normal pass. A connection that really drops mid-answer is our session's error, which
    names the OLT and the command; paramiko's line adds nothing but a false alarm."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not str(record.msg).startswith("Socket exception")


_SOCKET_CLOSED = _SocketClosed()


class _OneLineErrors(logging.Filter):
    """Our errors (OltSyncError: a wrong password, a missing variable, a refused command) are
    their message: the traceback Prefect logs with a failed run says nothing more to an operator.
    Any other exception keeps its traceback: that one is a bug."""

    def filter(self, record: logging.LogRecord) -> bool:
        exc = record.exc_info[1] if record.exc_info else None
        if isinstance(exc, OltSyncError) and not _debug():
            record.exc_info, record.exc_text = None, None
        return True


_FILTER = _OneLineErrors()


def _debug() -> bool:
    import os

    return os.environ.get("OLTSYNC_DEBUG", "").lower() in ("1", "true", "yes")


# Where Prefect logs a failed run with its exception (its task and flow engines).
_RUN_LOGGERS = ("prefect.task_runs", "prefect.flow_runs", "prefect.task_engine",
                "prefect.flow_engine")


def without_tracebacks() -> None:
    """Put the filter on the loggers that log failed runs (a logger's filters survive Prefect's
    logging configuration, which replaces handlers). OLTSYNC_DEBUG=1 keeps the tracebacks."""
    for name in _RUN_LOGGERS:
        logger = logging.getLogger(name)
        if _FILTER not in logger.filters:
            logger.addFilter(_FILTER)

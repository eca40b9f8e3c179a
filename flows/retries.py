"""The Prefect API's hiccups, retried where a retry is safe. Prefect's client already tries a 503
five times over about a minute; a server busier than that (hundreds of OLTs starting at the top
of the hour) must not cost an OLT its hour, so a call whose repetition cannot do anything twice
(creating a flow run under an idempotency key, reading a run) is tried again, with backoff."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import TypeVar

import httpx

from core.settings import backoff_s

T = TypeVar("T")
RETRYABLE = frozenset({408, 429, 500, 502, 503, 504})
ATTEMPTS = 4
BACKOFF_S = 15.0  # after Prefect's own minute of retries: 15, 30, 60 s (with jitter)


def busy(exc: BaseException) -> str | None:
    """How the API refused (e.g. 'HTTP 503'), if the error is one worth trying again."""
    if isinstance(exc, httpx.HTTPStatusError) and exc.response.status_code in RETRYABLE:
        return f"HTTP {exc.response.status_code}"
    if isinstance(exc, httpx.TransportError):
        return type(exc).__name__
    return None


def retried(call: Callable[[], T], what: str, log: logging.Logger | logging.LoggerAdapter,
            attempts: int = ATTEMPTS, base_s: float = BACKOFF_S,
            sleep: Callable[[float], None] = time.sleep) -> T:
    """`call()`, tried again while the API is busy (up to `attempts` in all)."""
    for attempt in range(1, attempts + 1):
        try:
            return call()
        except Exception as exc:
            why = busy(exc)
            if why is None or attempt == attempts:
                raise
            delay = backoff_s(attempt, base_s)
            log.warning("%s: the Prefect API answered %s; trying again in %.0f s (try %d of %d)",
                        what, why, delay, attempt + 1, attempts)
            sleep(delay)
    raise AssertionError("unreachable")

"""Each answer says where its time went (`Server-Timing: db;dur=…, total;dur=…`, milliseconds): what
bench/web.py reads to split a request's time between the database and the application."""

from __future__ import annotations

import time
from contextvars import ContextVar
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Engine

# One mutable cell per request: the route's worker thread gets a copy of the context, the same cell.
_db_ms: ContextVar[list[float] | None] = ContextVar("oltsync_web_db_ms", default=None)


def watch(engine: Engine) -> None:
    @event.listens_for(engine, "before_cursor_execute")
    def _start(conn: Any, *_: Any) -> None:
        conn.info.setdefault("oltsync_t0", []).append(time.perf_counter())

    @event.listens_for(engine, "after_cursor_execute")
    def _end(conn: Any, *_: Any) -> None:
        started = conn.info["oltsync_t0"].pop()
        cell = _db_ms.get()
        if cell is not None:
            cell[0] += (time.perf_counter() - started) * 1000


class ServerTiming:
    """ASGI middleware: the database's and the whole request's milliseconds, as a header."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        cell = [0.0]
        token = _db_ms.set(cell)
        started = time.perf_counter()

        async def timed_send(message: dict) -> None:
            if message["type"] == "http.response.start":
                total = (time.perf_counter() - started) * 1000
                message.setdefault("headers", []).append(
                    (b"server-timing", f"db;dur={cell[0]:.1f}, total;dur={total:.1f}".encode()))
            await send(message)

        try:
            await self.app(scope, receive, timed_send)
        finally:
            _db_ms.reset(token)

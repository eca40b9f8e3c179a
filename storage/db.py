"""Where the inventory lives, and an engine for it.

The URL comes from OLTSYNC_DATABASE_URL, else from the prefect-sqlalchemy `SqlAlchemyConnector`
block named by OLTSYNC_DATABASE_BLOCK, else a SQLite file `oltsync.db` in the working directory
(the embedded default: no set-up). Errors never show the password part of a URL.
"""

from __future__ import annotations

import threading
from typing import Any

from sqlalchemy import create_engine, event
from sqlalchemy.engine import Engine, make_url

from core.errors import DatabaseError
from core.settings import Settings

DEFAULT_URL = "sqlite:///oltsync.db"

_engines: dict[str, Engine] = {}
_lock = threading.Lock()


def database_url(settings: Settings | None = None) -> str:
    settings = settings or Settings.from_env()
    if settings.database_url:
        return settings.database_url
    if settings.database_block:
        from prefect_sqlalchemy import SqlAlchemyConnector

        try:
            block = SqlAlchemyConnector.load(settings.database_block)
        except ValueError as exc:
            raise DatabaseError(f"SqlAlchemyConnector block {settings.database_block!r} "
                                f"could not be loaded: {exc}") from None
        return block.connection_info.create_url().render_as_string(hide_password=False)
    return DEFAULT_URL


def safe_url(url: str) -> str:
    """The URL for messages and logs: password masked."""
    return make_url(url).render_as_string(hide_password=True)


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    dbapi_conn.isolation_level = None  # let SQLAlchemy's begin event issue BEGIN itself
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA journal_mode=WAL")  # readers do not block the writer
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.execute("PRAGMA busy_timeout=60000")  # OLT syncs in parallel threads take turns writing
    cur.close()


def get_engine(url: str | None = None) -> Engine:
    url = url or database_url()
    with _lock:
        engine = _engines.get(url)
        if engine is None:
            u = make_url(url)
            if u.get_backend_name() == "sqlite":
                engine = create_engine(url, connect_args={"timeout": 60, "check_same_thread": False})
                event.listen(engine, "connect", _sqlite_pragmas)
                # A sync reads then writes: take the write lock up front, or a concurrent writer
                # turns the read snapshot stale and SQLite fails instead of waiting.
                event.listen(engine, "begin", lambda conn: conn.exec_driver_sql("BEGIN IMMEDIATE"))
            else:
                # Storing is short, one connection per dataset being stored; many OLTs at once
                # queue for a connection rather than fail (the OLT locks share one session).
                engine = create_engine(url, pool_pre_ping=True, pool_size=5, max_overflow=15,
                                       pool_timeout=600, connect_args={"connect_timeout": 10})
            _engines[url] = engine
        return engine


def dispose_all() -> None:
    with _lock:
        for engine in _engines.values():
            engine.dispose()
        _engines.clear()

"""Schema migrations (Alembic), driven from code: `python -m oltsync db upgrade`."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError

from core.errors import DatabaseError
from storage.db import database_url, get_engine, safe_url

MIGRATIONS = Path(__file__).parent / "migrations"


def alembic_config(url: str | None = None) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    # ConfigParser interpolation: a literal % in a password must be doubled.
    cfg.set_main_option("sqlalchemy.url", (url or database_url()).replace("%", "%%"))
    return cfg


def upgrade(url: str | None = None) -> str:
    url = url or database_url()
    command.upgrade(alembic_config(url), "head")
    return head()


def head() -> str:
    return ScriptDirectory(str(MIGRATIONS)).get_current_head() or ""


def current(url: str | None = None) -> str | None:
    url = url or database_url()
    missing = sqlite_file_missing(url)
    if missing is not None:  # reading must not create an empty database file
        raise DatabaseError(f"database {safe_url(url)} does not exist ({missing}): run `oltsync db "
                            "upgrade` to create it, or set OLTSYNC_DATABASE_URL to yours")
    try:
        with get_engine(url).connect() as conn:
            return MigrationContext.configure(conn).get_current_revision()
    except SQLAlchemyError as exc:
        orig = getattr(exc, "orig", None) or exc
        raise DatabaseError(f"database {safe_url(url)} is unreachable: "
                            f"{str(orig).strip().splitlines()[0]} (check that the server is up and "
                            "OLTSYNC_DATABASE_URL / OLTSYNC_DATABASE_BLOCK point at it)") from None


def sqlite_file_missing(url: str) -> str | None:
    """The absolute path of a SQLite database file that does not exist yet; None otherwise."""
    u = make_url(url)
    if u.get_backend_name() != "sqlite" or not u.database or u.database == ":memory:":
        return None
    path = Path(u.database).expanduser().resolve()
    return None if path.exists() else str(path)


def check(url: str | None = None) -> None:
    """Fail with a message that says what to do unless the database is reachable and at head."""
    url = url or database_url()
    rev = current(url)
    if rev != head():
        state = "has no schema" if rev is None else f"is at revision {rev}, code expects {head()}"
        raise DatabaseError(f"database {safe_url(url)} {state}: run `python -m oltsync db upgrade` "
                            "(with the same OLTSYNC_DATABASE_URL)")

"""The web page's indexes: trigram indexes for substring search on PostgreSQL (extension pg_trgm),
and sync_runs.started_at (each dataset's last run).

Revision ID: 0008
Revises: 0007
"""

from __future__ import annotations

import logging

from alembic import op

from storage.schema import SEARCH_INDEXES

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index(op.f("ix_sync_runs_started_at"), "sync_runs", ["started_at"])
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return
    # pg_trgm is a trusted extension (PostgreSQL 13+): a database owner may create it. Where it
    # cannot be, search still works, by scanning: say so, do not fail the upgrade.
    try:
        with bind.begin_nested():
            op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    except Exception as exc:  # noqa: BLE001 - any refusal: the indexes are an optimisation
        logging.getLogger("alembic").warning(
            "pg_trgm not available (%s): the web page's search works without its indexes, "
            "slower; as a superuser, CREATE EXTENSION pg_trgm in this database, then create the "
            "indexes listed in storage/schema.py SEARCH_INDEXES",
            str(exc).splitlines()[0])
        return
    for name, spec in SEARCH_INDEXES.items():
        op.execute(f"CREATE INDEX IF NOT EXISTS {name} ON {spec}")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for name in SEARCH_INDEXES:
            op.execute(f"DROP INDEX IF EXISTS {name}")
    op.drop_index(op.f("ix_sync_runs_started_at"), table_name="sync_runs")

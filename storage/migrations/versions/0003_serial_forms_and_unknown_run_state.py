"""Serials up to 16 characters; an ONU's run state may be unknown.

Real captures showed serials whose vendor id has digits, and vendor ids that are not printable
(kept as 16 hex digits, normalize.serial), and the protection side of a type-C pair, which
reports no run state (Huawei prints '-'): it was stored as 'offline', a wrong value; now NULL.

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

SERIAL_TABLES = ("onus", "onu_optical_history", "unregistered_onus")


def upgrade() -> None:
    for table in SERIAL_TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.alter_column("serial", existing_type=sa.String(length=12),
                                  type_=sa.String(length=16), existing_nullable=False)
    with op.batch_alter_table("onus", schema=None) as batch_op:
        batch_op.alter_column("run_state", existing_type=sa.String(length=16), nullable=True)


def downgrade() -> None:
    # Rows the older schema cannot hold would be cut or refused: refuse, loudly, instead.
    conn = op.get_bind()
    for table in SERIAL_TABLES:
        n = conn.execute(sa.text(f"SELECT count(*) FROM {table} WHERE length(serial) > 12")).scalar()
        if n:
            raise RuntimeError(f"{table} holds {n} serials longer than 12 characters; "
                               "the schema of revision 0002 cannot store them")
    # what revision 0002 stored for a run state the box did not report
    conn.execute(sa.text("UPDATE onus SET run_state = 'offline' WHERE run_state IS NULL"))
    with op.batch_alter_table("onus", schema=None) as batch_op:
        batch_op.alter_column("run_state", existing_type=sa.String(length=16), nullable=False)
    for table in SERIAL_TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.alter_column("serial", existing_type=sa.String(length=16),
                                  type_=sa.String(length=12), existing_nullable=False)

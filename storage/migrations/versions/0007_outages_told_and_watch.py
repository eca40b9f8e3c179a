"""outages: ports (an OLT-wide outage's PON ports), told (the last message sent for it), reason (an
OLT that cannot be read); outage_watch: per OLT, the last state change evaluated and the passes in
a row that could not read it.

Revision ID: 0007
Revises: 0006
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    with op.batch_alter_table("outages", schema=None) as batch_op:
        batch_op.add_column(sa.Column("ports", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("told", sa.String(length=8), nullable=True))
        batch_op.add_column(sa.Column("reason", sa.Text(), nullable=True))
    # what was told before: every opening and every closing that was not a flapping port's
    op.execute("UPDATE outages SET told = CASE WHEN closed_at IS NULL THEN 'opened' "
               "ELSE 'closed' END")
    op.create_table(
        "outage_watch",
        sa.Column("id", ID, nullable=False),
        sa.Column("olt", sa.String(length=64), nullable=False),
        sa.Column("change_id", sa.BigInteger(), nullable=True),
        sa.Column("unreadable_passes", sa.Integer(), nullable=False),
        sa.Column("unreadable_reason", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(["olt"], ["olts.name"], onupdate="CASCADE",
                                name=op.f("fk_outage_watch_olt_olts")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outage_watch")),
        sa.UniqueConstraint("olt", name=op.f("uq_outage_watch_olt")),
    )


def downgrade() -> None:
    op.drop_table("outage_watch")
    with op.batch_alter_table("outages", schema=None) as batch_op:
        batch_op.drop_column("reason")
        batch_op.drop_column("told")
        batch_op.drop_column("ports")

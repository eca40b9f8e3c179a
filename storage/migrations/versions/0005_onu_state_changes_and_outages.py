"""onu_state_changes (ONU online/offline transitions), outages (PON ports that went dark, OLTs
that could not be reached) and signal_alerts (low optical levels).

Revision ID: 0005
Revises: 0004
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
TS = sa.DateTime(timezone=True)


def _olt() -> sa.Column:
    return sa.Column("olt", sa.String(length=64), nullable=False)


def upgrade() -> None:
    op.create_table(
        "onu_state_changes",
        sa.Column("id", ID, nullable=False), _olt(),
        sa.Column("serial", sa.String(length=16), nullable=False),
        sa.Column("port", sa.String(length=32), nullable=False),
        sa.Column("onu_id", sa.Integer(), nullable=False),
        sa.Column("at", TS, nullable=False),
        sa.Column("from_state", sa.String(length=16), nullable=True),
        sa.Column("to_state", sa.String(length=16), nullable=True),
        sa.Column("cause", sa.String(length=128), nullable=True),
        sa.ForeignKeyConstraint(["olt"], ["olts.name"], onupdate="CASCADE",
                                name=op.f("fk_onu_state_changes_olt_olts")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_onu_state_changes")),
    )
    op.create_index(op.f("ix_onu_state_changes_olt_at"), "onu_state_changes", ["olt", "at"])
    op.create_index(op.f("ix_onu_state_changes_at"), "onu_state_changes", ["at"])
    op.create_table(
        "outages",
        sa.Column("id", ID, nullable=False), _olt(),
        sa.Column("port", sa.String(length=32), nullable=True),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("opened_at", TS, nullable=False),
        sa.Column("closed_at", TS, nullable=True),
        sa.Column("affected", sa.Integer(), nullable=False),
        sa.Column("los", sa.Integer(), nullable=False),
        sa.Column("dying_gasp", sa.Integer(), nullable=False),
        sa.Column("clients", sa.Integer(), nullable=False),
        sa.Column("serials", sa.Text(), nullable=False),
        sa.Column("reopened", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["olt"], ["olts.name"], onupdate="CASCADE",
                                name=op.f("fk_outages_olt_olts")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outages")),
    )
    op.create_index(op.f("ix_outages_olt_closed_at"), "outages", ["olt", "closed_at"])
    op.create_table(
        "signal_alerts",
        sa.Column("id", ID, nullable=False), _olt(),
        sa.Column("serial", sa.String(length=16), nullable=False),
        sa.Column("port", sa.String(length=32), nullable=False),
        sa.Column("onu_id", sa.Integer(), nullable=False),
        sa.Column("metric", sa.String(length=16), nullable=False),
        sa.Column("severity", sa.String(length=16), nullable=False),
        sa.Column("level_dbm", sa.Float(), nullable=False),
        sa.Column("opened_at", TS, nullable=False),
        sa.Column("closed_at", TS, nullable=True),
        sa.ForeignKeyConstraint(["olt"], ["olts.name"], onupdate="CASCADE",
                                name=op.f("fk_signal_alerts_olt_olts")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_signal_alerts")),
    )
    op.create_index(op.f("ix_signal_alerts_olt_closed_at"), "signal_alerts", ["olt", "closed_at"])


def downgrade() -> None:
    op.drop_table("signal_alerts")
    op.drop_table("outages")
    op.drop_table("onu_state_changes")

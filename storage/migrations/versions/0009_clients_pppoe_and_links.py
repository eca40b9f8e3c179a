"""Clients as the ISP knows them: the ONU's PPPoE login, the ISP's client list's columns, and the
history of client <-> ONU links.

Revision ID: 0009
Revises: 0008
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)
ID = sa.BigInteger().with_variant(sa.Integer, "sqlite")


def upgrade() -> None:
    with op.batch_alter_table("onus") as b:
        b.add_column(sa.Column("pppoe_login", sa.String(length=128), nullable=True))
        b.create_index(b.f("ix_onus_pppoe_login"), ["pppoe_login"], unique=False)
    with op.batch_alter_table("clients") as b:
        b.add_column(sa.Column("pppoe_login", sa.String(length=128), nullable=True))
        b.add_column(sa.Column("serial", sa.String(length=16), nullable=True))
        b.add_column(sa.Column("document", sa.String(length=32), nullable=True))
        b.add_column(sa.Column("address", sa.Text(), nullable=True))
        b.add_column(sa.Column("plan", sa.String(length=128), nullable=True))
        b.add_column(sa.Column("imported_at", TS, nullable=True))
        b.create_index(b.f("ix_clients_pppoe_login"), ["pppoe_login"], unique=False)
        b.create_index(b.f("ix_clients_serial"), ["serial"], unique=False)
    op.create_table(
        "client_links",
        sa.Column("id", ID, nullable=False),
        sa.Column("olt", sa.String(length=64), nullable=False),
        sa.Column("serial", sa.String(length=16), nullable=False),
        sa.Column("client_key", sa.String(length=64), nullable=False),
        sa.Column("via", sa.String(length=16), nullable=False),
        sa.Column("linked_at", TS, nullable=False),
        sa.Column("unlinked_at", TS, nullable=True),
        sa.ForeignKeyConstraint(["olt"], ["olts.name"], name=op.f("fk_client_links_olt_olts"),
                                onupdate="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_client_links")),
    )
    op.create_index(op.f("ix_client_links_client_key_unlinked_at"), "client_links",
                    ["client_key", "unlinked_at"])
    op.create_index(op.f("ix_client_links_olt_serial_unlinked_at"), "client_links",
                    ["olt", "serial", "unlinked_at"])
    op.create_index(op.f("ix_client_links_unlinked_at"), "client_links", ["unlinked_at"])


def downgrade() -> None:
    op.drop_table("client_links")
    with op.batch_alter_table("clients") as b:
        b.drop_index(b.f("ix_clients_serial"))
        b.drop_index(b.f("ix_clients_pppoe_login"))
        for col in ("imported_at", "plan", "address", "document", "serial", "pppoe_login"):
            b.drop_column(col)
    with op.batch_alter_table("onus") as b:
        b.drop_index(b.f("ix_onus_pppoe_login"))
        b.drop_column("pppoe_login")

"""initial schema

Revision ID: 0001
Revises:
Create Date: 2026-11-22 14:27:53.453162
"""

import sqlalchemy as sa
from alembic import op


revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:

    op.create_table(
        "clients",
        sa.Column(
            "id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=True),
        sa.Column("first_seen", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_seen", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_clients")),
        sa.UniqueConstraint("key", name=op.f("uq_clients_key")),
    )
    op.create_table(
        "olts",
        sa.Column(
            "id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("host", sa.String(length=255), nullable=False),
        sa.Column("port", sa.Integer(), nullable=False),
        sa.Column("platform", sa.String(length=64), nullable=False),
        sa.Column("vendor", sa.String(length=64), nullable=True),
        sa.Column("hostname", sa.String(length=128), nullable=True),
        sa.Column("model", sa.String(length=64), nullable=True),
        sa.Column("firmware", sa.String(length=128), nullable=True),
        sa.Column("patch", sa.String(length=64), nullable=True),
        sa.Column("uptime_s", sa.BigInteger(), nullable=True),
        sa.Column("last_sync_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("first_seen", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_olts")),
        sa.UniqueConstraint("name", name=op.f("uq_olts_name")),
    )
    op.create_table(
        "boards",
        sa.Column(
            "id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("olt", sa.String(length=64), nullable=False),
        sa.Column("slot", sa.Integer(), nullable=False),
        sa.Column("type", sa.String(length=64), nullable=True),
        sa.Column("status", sa.String(length=64), nullable=True),
        sa.Column("first_seen", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_seen", sa.DateTime(timezone=True), nullable=False),
        sa.Column("removed_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["olt"], ["olts.name"], name=op.f("fk_boards_olt_olts"), onupdate="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_boards")),
        sa.UniqueConstraint("olt", "slot", name=op.f("uq_boards_olt_slot")),
    )
    op.create_table(
        "macs",
        sa.Column(
            "id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("olt", sa.String(length=64), nullable=False),
        sa.Column("mac", sa.String(length=17), nullable=False),
        sa.Column("vlan", sa.Integer(), nullable=False),
        sa.Column("port", sa.String(length=32), nullable=True),
        sa.Column("onu_id", sa.Integer(), nullable=True),
        sa.Column("service_port", sa.Integer(), nullable=True),
        sa.Column("gem_port", sa.Integer(), nullable=True),
        sa.Column("type", sa.String(length=16), nullable=True),
        sa.Column("first_seen", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_seen", sa.DateTime(timezone=True), nullable=False),
        sa.Column("removed_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["olt"], ["olts.name"], name=op.f("fk_macs_olt_olts"), onupdate="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_macs")),
        sa.UniqueConstraint("olt", "mac", "vlan", name=op.f("uq_macs_olt_mac_vlan")),
    )
    with op.batch_alter_table("macs", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_macs_mac"), ["mac"], unique=False)

    op.create_table(
        "onu_optical_history",
        sa.Column(
            "id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("olt", sa.String(length=64), nullable=False),
        sa.Column("serial", sa.String(length=12), nullable=False),
        sa.Column("sampled_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("rx_power_dbm", sa.Float(), nullable=True),
        sa.Column("tx_power_dbm", sa.Float(), nullable=True),
        sa.Column("olt_rx_power_dbm", sa.Float(), nullable=True),
        sa.Column("temperature_c", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["olt"],
            ["olts.name"],
            name=op.f("fk_onu_optical_history_olt_olts"),
            onupdate="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_onu_optical_history")),
    )
    with op.batch_alter_table("onu_optical_history", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_onu_optical_history_olt_serial_sampled_at"),
            ["olt", "serial", "sampled_at"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_onu_optical_history_sampled_at"),
            ["sampled_at"],
            unique=False,
        )

    op.create_table(
        "onus",
        sa.Column(
            "id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("olt", sa.String(length=64), nullable=False),
        sa.Column("port", sa.String(length=32), nullable=False),
        sa.Column("onu_id", sa.Integer(), nullable=False),
        sa.Column("serial", sa.String(length=12), nullable=False),
        sa.Column("run_state", sa.String(length=16), nullable=False),
        sa.Column("config_state", sa.String(length=32), nullable=True),
        sa.Column("match_state", sa.String(length=32), nullable=True),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("client_key", sa.String(length=64), nullable=True),
        sa.Column("equipment", sa.String(length=64), nullable=True),
        sa.Column("firmware", sa.String(length=64), nullable=True),
        sa.Column("distance_m", sa.Integer(), nullable=True),
        sa.Column("last_down_cause", sa.String(length=128), nullable=True),
        sa.Column("last_up_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_down_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("rx_power_dbm", sa.Float(), nullable=True),
        sa.Column("tx_power_dbm", sa.Float(), nullable=True),
        sa.Column("olt_rx_power_dbm", sa.Float(), nullable=True),
        sa.Column("temperature_c", sa.Integer(), nullable=True),
        sa.Column("first_seen", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_seen", sa.DateTime(timezone=True), nullable=False),
        sa.Column("removed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("moved_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("previous_port", sa.String(length=32), nullable=True),
        sa.Column("previous_onu_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["olt"], ["olts.name"], name=op.f("fk_onus_olt_olts"), onupdate="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_onus")),
        sa.UniqueConstraint("olt", "serial", name=op.f("uq_onus_olt_serial")),
    )
    with op.batch_alter_table("onus", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_onus_client_key"), ["client_key"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_onus_olt_port_onu_id"),
            ["olt", "port", "onu_id"],
            unique=False,
        )

    op.create_table(
        "pon_ports",
        sa.Column(
            "id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("olt", sa.String(length=64), nullable=False),
        sa.Column("port", sa.String(length=32), nullable=False),
        sa.Column("admin_state", sa.String(length=16), nullable=True),
        sa.Column("oper_state", sa.String(length=16), nullable=True),
        sa.Column("onu_count", sa.Integer(), nullable=True),
        sa.Column("first_seen", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_seen", sa.DateTime(timezone=True), nullable=False),
        sa.Column("removed_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["olt"],
            ["olts.name"],
            name=op.f("fk_pon_ports_olt_olts"),
            onupdate="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pon_ports")),
        sa.UniqueConstraint("olt", "port", name=op.f("uq_pon_ports_olt_port")),
    )
    op.create_table(
        "service_ports",
        sa.Column(
            "id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("olt", sa.String(length=64), nullable=False),
        sa.Column("index", sa.Integer(), nullable=False),
        sa.Column("vlan", sa.Integer(), nullable=False),
        sa.Column("user_vlan", sa.Integer(), nullable=True),
        sa.Column("port", sa.String(length=32), nullable=False),
        sa.Column("onu_id", sa.Integer(), nullable=True),
        sa.Column("gem_port", sa.Integer(), nullable=True),
        sa.Column("first_seen", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_seen", sa.DateTime(timezone=True), nullable=False),
        sa.Column("removed_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["olt"],
            ["olts.name"],
            name=op.f("fk_service_ports_olt_olts"),
            onupdate="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_service_ports")),
        sa.UniqueConstraint("olt", "index", name=op.f("uq_service_ports_olt_index")),
    )
    op.create_table(
        "sync_runs",
        sa.Column(
            "id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("olt", sa.String(length=64), nullable=False),
        sa.Column("dataset", sa.String(length=32), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("inserted", sa.Integer(), nullable=False),
        sa.Column("updated", sa.Integer(), nullable=False),
        sa.Column("unchanged", sa.Integer(), nullable=False),
        sa.Column("removed", sa.Integer(), nullable=False),
        sa.Column("moved", sa.Integer(), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("flow_run_id", sa.String(length=64), nullable=True),
        sa.ForeignKeyConstraint(
            ["olt"],
            ["olts.name"],
            name=op.f("fk_sync_runs_olt_olts"),
            onupdate="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sync_runs")),
    )
    with op.batch_alter_table("sync_runs", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_sync_runs_olt_dataset_started_at"),
            ["olt", "dataset", "started_at"],
            unique=False,
        )

    op.create_table(
        "unregistered_onus",
        sa.Column(
            "id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("olt", sa.String(length=64), nullable=False),
        sa.Column("port", sa.String(length=32), nullable=False),
        sa.Column("serial", sa.String(length=12), nullable=False),
        sa.Column("equipment", sa.String(length=64), nullable=True),
        sa.Column("firmware", sa.String(length=64), nullable=True),
        sa.Column("found_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("first_seen", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_seen", sa.DateTime(timezone=True), nullable=False),
        sa.Column("removed_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["olt"],
            ["olts.name"],
            name=op.f("fk_unregistered_onus_olt_olts"),
            onupdate="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_unregistered_onus")),
        sa.UniqueConstraint(
            "olt", "serial", name=op.f("uq_unregistered_onus_olt_serial")
        ),
    )
    if op.get_bind().dialect.name == "postgresql":
        # room for HOT updates of the state columns of the tables rewritten most
        op.execute("ALTER TABLE onus SET (fillfactor = 90)")
        op.execute("ALTER TABLE macs SET (fillfactor = 90)")


def downgrade() -> None:

    op.drop_table("unregistered_onus")
    with op.batch_alter_table("sync_runs", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_sync_runs_olt_dataset_started_at"))

    op.drop_table("sync_runs")
    op.drop_table("service_ports")
    op.drop_table("pon_ports")
    with op.batch_alter_table("onus", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_onus_olt_port_onu_id"))
        batch_op.drop_index(batch_op.f("ix_onus_client_key"))

    op.drop_table("onus")
    with op.batch_alter_table("onu_optical_history", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_onu_optical_history_sampled_at"))
        batch_op.drop_index(batch_op.f("ix_onu_optical_history_olt_serial_sampled_at"))

    op.drop_table("onu_optical_history")
    with op.batch_alter_table("macs", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_macs_mac"))

    op.drop_table("macs")
    op.drop_table("boards")
    op.drop_table("olts")
    op.drop_table("clients")

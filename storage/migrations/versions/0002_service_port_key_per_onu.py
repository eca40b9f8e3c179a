"""service_ports: identify a service port by (olt, port, onu_id, index).

ZTE numbers service ports per ONU (each ONU has its own 1, 2, ...), Huawei per OLT. A key that
includes the ONU fits both: Huawei's OLT-wide index stays unique within it.

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("service_ports", schema=None) as batch_op:
        batch_op.drop_constraint("uq_service_ports_olt_index", type_="unique")
        batch_op.create_unique_constraint(
            "uq_service_ports_olt_port_onu_id_index", ["olt", "port", "onu_id", "index"])


def downgrade() -> None:
    with op.batch_alter_table("service_ports", schema=None) as batch_op:
        batch_op.drop_constraint("uq_service_ports_olt_port_onu_id_index", type_="unique")
        batch_op.create_unique_constraint("uq_service_ports_olt_index", ["olt", "index"])

"""delivery fencing: every change of a lease's holder bumps its fencing token

Revision ID: 0005_delivery_fencing
Revises: 0004_delivery
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005_delivery_fencing"
down_revision = "0004_delivery"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("job_leases", schema=None) as batch_op:
        batch_op.add_column(sa.Column("fence", sa.Integer(), nullable=False, server_default="0"))


def downgrade() -> None:
    with op.batch_alter_table("job_leases", schema=None) as batch_op:
        batch_op.drop_column("fence")

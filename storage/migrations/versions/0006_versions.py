"""versions on pairings and programs (optimistic concurrency); merges the team-roles and delivery heads

Revision ID: 0006_versions
Revises: 0005_team_roles, 0005_delivery_fencing
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006_versions"
down_revision = ("0005_team_roles", "0005_delivery_fencing")
branch_labels = None
depends_on = None

TABLES = ("pairings", "programs")


def upgrade() -> None:
    for table in TABLES:
        with op.batch_alter_table(table) as batch:
            batch.add_column(sa.Column("version", sa.Integer(), server_default="0", nullable=False))


def downgrade() -> None:
    for table in TABLES:
        with op.batch_alter_table(table) as batch:
            batch.drop_column("version")

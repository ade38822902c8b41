"""team members' roles (owners take over a program whose last facilitator left)

Revision ID: 0005_team_roles
Revises: 0004_delivery
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005_team_roles"
down_revision = "0004_delivery"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("team_members") as batch:
        batch.add_column(sa.Column("role", sa.String(length=10), server_default="user", nullable=False))


def downgrade() -> None:
    with op.batch_alter_table("team_members") as batch:
        batch.drop_column("role")

"""Teams bot tables: conversation references, team rosters, processed activity ids

Revision ID: 0002_bot
Revises: 0001_core
Create Date: 2026-11-21
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = "0002_bot"
down_revision = "0001_core"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "conversation_references",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("organization_id", sa.String(length=32), nullable=False),
        sa.Column("scope", sa.String(length=20), nullable=False),
        sa.Column("key", sa.String(length=255), nullable=False),
        sa.Column("conversation_id", sa.String(length=500), nullable=False),
        sa.Column("service_url", sa.String(length=500), nullable=False),
        sa.Column("channel_id", sa.String(length=32), nullable=False),
        sa.Column("tenant_id", sa.String(length=64), nullable=False),
        sa.Column("bot_id", sa.String(length=255), nullable=False),
        sa.Column("reference", sa.JSON(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_conversation_references_organization_id_organizations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_conversation_references")),
        sa.UniqueConstraint(
            "organization_id", "scope", "key", name=op.f("uq_conversation_references_organization_id_scope_key")
        ),
    )
    op.create_table(
        "team_members",
        sa.Column("organization_id", sa.String(length=32), nullable=False),
        sa.Column("team_id", sa.String(length=255), nullable=False),
        sa.Column("person_id", sa.String(length=32), nullable=False),
        sa.ForeignKeyConstraint(
            ["organization_id", "person_id"],
            ["persons.organization_id", "persons.id"],
            name=op.f("fk_team_members_organization_id_person_id_persons"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_team_members_organization_id_organizations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("organization_id", "team_id", "person_id", name=op.f("pk_team_members")),
    )
    with op.batch_alter_table("team_members", schema=None) as batch_op:
        batch_op.create_index("ix_team_members_person", ["organization_id", "person_id"], unique=False)
    op.create_table(
        "processed_activities",
        sa.Column("key", sa.String(length=300), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_processed_activities")),
    )
    with op.batch_alter_table("processed_activities", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_processed_activities_received_at"), ["received_at"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("processed_activities", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_processed_activities_received_at"))
    op.drop_table("processed_activities")
    with op.batch_alter_table("team_members", schema=None) as batch_op:
        batch_op.drop_index("ix_team_members_person")
    op.drop_table("team_members")
    op.drop_table("conversation_references")

"""delivery tables: job leases, outbox deliveries, app installations, pairing chats (merges bot and lti)

Revision ID: 0004_delivery
Revises: 0002_bot, 0003_lti
Create Date: 2026-11-21
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004_delivery"
down_revision = ("0002_bot", "0003_lti")
branch_labels = None
depends_on = None


def _org_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["organization_id"],
        ["organizations.id"],
        name=op.f(f"fk_{table}_organization_id_organizations"),
        ondelete="CASCADE",
    )


def upgrade() -> None:
    op.create_table(
        "job_leases",
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("holder", sa.String(length=100), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_job_leases")),
    )
    op.create_table(
        "outbox_deliveries",
        sa.Column("outbox_id", sa.String(length=32), nullable=False),
        sa.Column("organization_id", sa.String(length=32), nullable=False),
        sa.Column("program_id", sa.String(length=32), nullable=True),
        sa.Column("outcome", sa.String(length=20), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("activity_id", sa.String(length=255), nullable=True),
        sa.Column("conversation_id", sa.String(length=500), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("completed_at", sa.DateTime(timezone=True), nullable=False),
        _org_fk("outbox_deliveries"),
        sa.ForeignKeyConstraint(
            ["outbox_id"],
            ["outbox.id"],
            name=op.f("fk_outbox_deliveries_outbox_id_outbox"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("outbox_id", name=op.f("pk_outbox_deliveries")),
    )
    with op.batch_alter_table("outbox_deliveries", schema=None) as batch_op:
        batch_op.create_index(
            "ix_outbox_deliveries_program", ["organization_id", "program_id", "outcome"], unique=False
        )
    op.create_table(
        "app_installations",
        sa.Column("organization_id", sa.String(length=32), nullable=False),
        sa.Column("person_id", sa.String(length=32), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["organization_id", "person_id"],
            ["persons.organization_id", "persons.id"],
            name=op.f("fk_app_installations_organization_id_person_id_persons"),
            ondelete="CASCADE",
        ),
        _org_fk("app_installations"),
        sa.PrimaryKeyConstraint("organization_id", "person_id", name=op.f("pk_app_installations")),
    )
    op.create_table(
        "pairing_chats",
        sa.Column("organization_id", sa.String(length=32), nullable=False),
        sa.Column("pairing_id", sa.String(length=32), nullable=False),
        sa.Column("program_id", sa.String(length=32), nullable=False),
        sa.Column("chat_id", sa.String(length=500), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["organization_id", "pairing_id"],
            ["pairings.organization_id", "pairings.id"],
            name=op.f("fk_pairing_chats_organization_id_pairing_id_pairings"),
            ondelete="CASCADE",
        ),
        _org_fk("pairing_chats"),
        sa.PrimaryKeyConstraint("organization_id", "pairing_id", name=op.f("pk_pairing_chats")),
    )


def downgrade() -> None:
    op.drop_table("pairing_chats")
    op.drop_table("app_installations")
    with op.batch_alter_table("outbox_deliveries", schema=None) as batch_op:
        batch_op.drop_index("ix_outbox_deliveries_program")
    op.drop_table("outbox_deliveries")
    op.drop_table("job_leases")

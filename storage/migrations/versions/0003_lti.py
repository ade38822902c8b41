"""lti tables: registrations, deployments, tool keys, launch data

Revision ID: 0003_lti
Revises: 0001_core
Create Date: 2026-11-21
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003_lti"
down_revision = "0001_core"
branch_labels = None
depends_on = None


def _org_column() -> sa.Column:
    return sa.Column("organization_id", sa.String(length=32), nullable=False)


def upgrade() -> None:
    op.create_table(
        "lti_registrations",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("issuer", sa.String(length=255), nullable=False),
        sa.Column("client_id", sa.String(length=255), nullable=False),
        sa.Column("auth_login_url", sa.String(length=1000), nullable=False),
        sa.Column("auth_token_url", sa.String(length=1000), nullable=False),
        sa.Column("auth_audience", sa.String(length=1000), nullable=True),
        sa.Column("key_set_url", sa.String(length=1000), nullable=False),
        sa.Column("key_set", sa.JSON(), nullable=True),
        sa.Column("key_set_fetched_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        _org_column(),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_lti_registrations_organization_id_organizations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lti_registrations")),
        sa.UniqueConstraint("issuer", "client_id", name=op.f("uq_lti_registrations_issuer_client_id")),
        sa.UniqueConstraint("organization_id", "id", name=op.f("uq_lti_registrations_organization_id_id")),
    )
    with op.batch_alter_table("lti_registrations", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_lti_registrations_organization_id"), ["organization_id"], unique=False
        )

    op.create_table(
        "lti_deployments",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("registration_id", sa.String(length=32), nullable=False),
        sa.Column("deployment_id", sa.String(length=255), nullable=False),
        _org_column(),
        sa.ForeignKeyConstraint(
            ["organization_id", "registration_id"],
            ["lti_registrations.organization_id", "lti_registrations.id"],
            name=op.f("fk_lti_deployments_organization_id_lti_registrations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_lti_deployments_organization_id_organizations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lti_deployments")),
        sa.UniqueConstraint(
            "registration_id", "deployment_id", name=op.f("uq_lti_deployments_registration_id_deployment_id")
        ),
    )
    with op.batch_alter_table("lti_deployments", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_lti_deployments_organization_id"), ["organization_id"], unique=False
        )

    op.create_table(
        "lti_tool_keys",
        sa.Column("kid", sa.String(length=100), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("private_pem", sa.Text(), nullable=False),
        sa.Column("public_pem", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("kid", name=op.f("pk_lti_tool_keys")),
    )

    op.create_table(
        "lti_launch_data",
        sa.Column("key", sa.String(length=255), nullable=False),
        sa.Column("value", sa.JSON(), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        _org_column(),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_lti_launch_data_organization_id_organizations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_lti_launch_data")),
    )
    with op.batch_alter_table("lti_launch_data", schema=None) as batch_op:
        batch_op.create_index("ix_lti_launch_data_expires", ["expires_at"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_lti_launch_data_organization_id"), ["organization_id"], unique=False
        )


def downgrade() -> None:
    op.drop_table("lti_launch_data")
    op.drop_table("lti_tool_keys")
    op.drop_table("lti_deployments")
    op.drop_table("lti_registrations")

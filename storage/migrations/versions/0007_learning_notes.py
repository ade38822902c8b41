"""learning notes: notes, their authors (each with their own attribution) and skill tags for search; profile
skills by level for the expert search

Revision ID: 0007_learning_notes
Revises: 0006_versions
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007_learning_notes"
down_revision = "0006_versions"
branch_labels = None
depends_on = None

ID = sa.String(length=32)


def _org(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["organization_id"],
        ["organizations.id"],
        name=op.f(f"fk_{table}_organization_id_organizations"),
        ondelete="CASCADE",
    )


def _org_fk(table: str, column: str, target: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["organization_id", column],
        [f"{target}.organization_id", f"{target}.id"],
        name=op.f(f"fk_{table}_organization_id_{column}_{target}"),
        ondelete="CASCADE",
    )


def upgrade() -> None:
    op.create_table(
        "learning_notes",
        sa.Column("id", ID, nullable=False),
        sa.Column("program_id", ID, nullable=False),
        sa.Column("pairing_id", ID, nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("visibility", sa.String(length=10), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("organization_id", ID, nullable=False),
        _org_fk("learning_notes", "pairing_id", "pairings"),
        _org_fk("learning_notes", "program_id", "programs"),
        _org("learning_notes"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_learning_notes")),
        sa.UniqueConstraint("organization_id", "id", name=op.f("uq_learning_notes_organization_id_id")),
    )
    with op.batch_alter_table("learning_notes", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_learning_notes_organization_id"), ["organization_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_learning_notes_pairing_id"), ["pairing_id"], unique=False)

    op.create_table(
        "learning_note_authors",
        sa.Column("note_id", ID, nullable=False),
        sa.Column("person_id", ID, nullable=False),
        sa.Column("attributed", sa.Boolean(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("organization_id", ID, nullable=False),
        _org_fk("learning_note_authors", "note_id", "learning_notes"),
        _org_fk("learning_note_authors", "person_id", "persons"),
        _org("learning_note_authors"),
        sa.PrimaryKeyConstraint("note_id", "person_id", name=op.f("pk_learning_note_authors")),
    )
    with op.batch_alter_table("learning_note_authors", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_learning_note_authors_organization_id"), ["organization_id"], unique=False
        )
        batch_op.create_index(
            "ix_learning_note_authors_person", ["organization_id", "person_id"], unique=False
        )

    op.create_table(
        "learning_note_tags",
        sa.Column("note_id", ID, nullable=False),
        sa.Column("skill_key", sa.String(length=60), nullable=False),
        sa.Column("label", sa.String(length=60), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("shared", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("organization_id", ID, nullable=False),
        _org_fk("learning_note_tags", "note_id", "learning_notes"),
        _org("learning_note_tags"),
        sa.PrimaryKeyConstraint("note_id", "skill_key", name=op.f("pk_learning_note_tags")),
    )
    with op.batch_alter_table("learning_note_tags", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_learning_note_tags_organization_id"), ["organization_id"], unique=False
        )
        batch_op.create_index(
            "ix_learning_note_tags_search",
            ["organization_id", "skill_key", "shared", "created_at"],
            unique=False,
        )

    with op.batch_alter_table("profile_skills", schema=None) as batch_op:
        batch_op.create_index(
            "ix_profile_skills_by_level",
            ["organization_id", "direction", "skill_key", "level", "person_id"],
            unique=False,
        )


def downgrade() -> None:
    with op.batch_alter_table("profile_skills", schema=None) as batch_op:
        batch_op.drop_index("ix_profile_skills_by_level")
    with op.batch_alter_table("learning_note_tags", schema=None) as batch_op:
        batch_op.drop_index("ix_learning_note_tags_search")
        batch_op.drop_index(batch_op.f("ix_learning_note_tags_organization_id"))
    op.drop_table("learning_note_tags")
    with op.batch_alter_table("learning_note_authors", schema=None) as batch_op:
        batch_op.drop_index("ix_learning_note_authors_person")
        batch_op.drop_index(batch_op.f("ix_learning_note_authors_organization_id"))
    op.drop_table("learning_note_authors")
    with op.batch_alter_table("learning_notes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_learning_notes_pairing_id"))
        batch_op.drop_index(batch_op.f("ix_learning_notes_organization_id"))
    op.drop_table("learning_notes")

"""Learning notes: the note, its authors (each with their own choice to be named) and its skill tags.

A tag row repeats the note's `shared` flag and `created_at`, so the search colleagues run ("shared notes
about Kubernetes, newest first") is one range of the index (organization, skill, shared, created) at any
number of notes."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKeyConstraint, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from storage.models import ID, Base, OrgScoped, ProfileSkillRow, _org_fk


class LearningNoteRow(OrgScoped, Base):
    __tablename__ = "learning_notes"
    __table_args__ = (
        UniqueConstraint("organization_id", "id"),
        _org_fk(["pairing_id"], "pairings", ondelete="CASCADE"),
        _org_fk(["program_id"], "programs", ondelete="CASCADE"),
    )
    id: Mapped[str] = mapped_column(ID, primary_key=True)
    program_id: Mapped[str] = mapped_column(ID)
    pairing_id: Mapped[str] = mapped_column(ID, index=True)
    text: Mapped[str] = mapped_column(Text)
    visibility: Mapped[str] = mapped_column(String(10))
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime | None]


def _note_fk() -> ForeignKeyConstraint:
    return ForeignKeyConstraint(
        ["organization_id", "note_id"],
        ["learning_notes.organization_id", "learning_notes.id"],
        ondelete="CASCADE",
    )


class LearningNoteAuthorRow(OrgScoped, Base):
    __tablename__ = "learning_note_authors"
    __table_args__ = (
        _note_fk(),
        _org_fk(["person_id"], "persons", ondelete="CASCADE"),
        Index("ix_learning_note_authors_person", "organization_id", "person_id"),
    )
    note_id: Mapped[str] = mapped_column(ID, primary_key=True)
    person_id: Mapped[str] = mapped_column(ID, primary_key=True)
    attributed: Mapped[bool] = mapped_column(Boolean)
    position: Mapped[int] = mapped_column(Integer)


class LearningNoteTagRow(OrgScoped, Base):
    __tablename__ = "learning_note_tags"
    __table_args__ = (
        _note_fk(),
        Index("ix_learning_note_tags_search", "organization_id", "skill_key", "shared", "created_at"),
    )
    note_id: Mapped[str] = mapped_column(ID, primary_key=True)
    skill_key: Mapped[str] = mapped_column(String(60), primary_key=True)
    label: Mapped[str] = mapped_column(String(60))
    position: Mapped[int] = mapped_column(Integer)
    shared: Mapped[bool] = mapped_column(Boolean)
    created_at: Mapped[datetime]


# The compose box's expert search (`SqlProfileRepository.findable_teachers`): a skill's teachers best level
# first, read backwards straight from this index and stopped after the few shown, however many teach it (at
# 100,000 people tens of thousands teach the most common skills; the lookup index alone made that a sort).
Index(
    "ix_profile_skills_by_level",
    ProfileSkillRow.organization_id,
    ProfileSkillRow.direction,
    ProfileSkillRow.skill_key,
    ProfileSkillRow.level,
    ProfileSkillRow.person_id,
)

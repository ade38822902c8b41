"""Tables. Every row carries `organization_id`, and references between an organization's rows are composite
foreign keys on (organization_id, id): the database itself refuses a row of one organization that points
at another's."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    Float,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from storage.types import UTCDateTime

ID = String(32)

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_N_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map: ClassVar[dict[Any, Any]] = {
        datetime: UTCDateTime(),
        dict[str, Any]: JSON(),
        list[Any]: JSON(),
    }


def _org_fk(columns: list[str], table: str, ondelete: str | None = None) -> ForeignKeyConstraint:
    return ForeignKeyConstraint(
        ["organization_id", *columns], [f"{table}.organization_id", f"{table}.id"], ondelete=ondelete
    )


class OrganizationRow(Base):
    __tablename__ = "organizations"
    __table_args__ = (UniqueConstraint("kind", "external_id"),)
    id: Mapped[str] = mapped_column(ID, primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    external_id: Mapped[str] = mapped_column(String(255))
    name: Mapped[str] = mapped_column(String(255))
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class OrgScoped:
    organization_id: Mapped[str] = mapped_column(
        ID, ForeignKey("organizations.id", ondelete="CASCADE"), index=True
    )


class PersonRow(OrgScoped, Base):
    __tablename__ = "persons"
    __table_args__ = (
        UniqueConstraint("organization_id", "id"),
        UniqueConstraint("organization_id", "aad_object_id"),
        Index("ix_persons_org_email", "organization_id", "verified_email"),
    )
    id: Mapped[str] = mapped_column(ID, primary_key=True)
    display_name: Mapped[str] = mapped_column(String(200))
    verified_email: Mapped[str | None] = mapped_column(String(320))
    tenant_id: Mapped[str | None] = mapped_column(String(64))
    aad_object_id: Mapped[str | None] = mapped_column(String(64))
    teams_user_id: Mapped[str | None] = mapped_column(String(255))
    erased: Mapped[bool] = mapped_column(Boolean, default=False)


class LtiIdentityRow(OrgScoped, Base):
    __tablename__ = "lti_identities"
    __table_args__ = (
        UniqueConstraint("organization_id", "issuer", "subject"),
        _org_fk(["person_id"], "persons", ondelete="CASCADE"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    person_id: Mapped[str] = mapped_column(ID, index=True)
    issuer: Mapped[str] = mapped_column(String(255))
    subject: Mapped[str] = mapped_column(String(255))


class ProfileRow(OrgScoped, Base):
    __tablename__ = "profiles"
    __table_args__ = (_org_fk(["person_id"], "persons", ondelete="CASCADE"),)
    person_id: Mapped[str] = mapped_column(ID, primary_key=True)
    department: Mapped[str | None] = mapped_column(String(80))
    timezone: Mapped[str] = mapped_column(String(64), default="UTC")
    hours_per_month: Mapped[int | None] = mapped_column(Integer)
    goals: Mapped[str] = mapped_column(Text, default="")
    discoverable_as_expert: Mapped[bool] = mapped_column(Boolean, default=False)
    weekly_availability: Mapped[list[Any]] = mapped_column(JSON, default=list)
    mentor_capacity: Mapped[int] = mapped_column(Integer, default=1)
    is_new_hire: Mapped[bool] = mapped_column(Boolean, default=False)
    started_on: Mapped[date | None] = mapped_column(Date)


class ProfileSkillRow(OrgScoped, Base):
    __tablename__ = "profile_skills"
    __table_args__ = (
        UniqueConstraint("person_id", "direction", "skill_key"),
        Index("ix_profile_skills_lookup", "organization_id", "direction", "skill_key"),
        _org_fk(["person_id"], "persons", ondelete="CASCADE"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    person_id: Mapped[str] = mapped_column(ID)
    direction: Mapped[str] = mapped_column(String(5))  # "teach" or "learn"
    skill_key: Mapped[str] = mapped_column(String(60))
    label: Mapped[str] = mapped_column(String(60))
    level: Mapped[int] = mapped_column(Integer)


class ProgramRow(OrgScoped, Base):
    __tablename__ = "programs"
    __table_args__ = (
        UniqueConstraint("organization_id", "id"),
        UniqueConstraint("organization_id", "scope_kind", "scope_id"),
    )
    id: Mapped[str] = mapped_column(ID, primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    kind: Mapped[str] = mapped_column(String(20))
    scope_kind: Mapped[str] = mapped_column(String(20))
    scope_id: Mapped[str] = mapped_column(String(255))
    cadence: Mapped[str] = mapped_column(String(10))
    group_size: Mapped[int] = mapped_column(Integer)
    prefer_cross_department: Mapped[bool] = mapped_column(Boolean)
    max_level_gap: Mapped[int] = mapped_column(Integer)
    cooldown_rounds: Mapped[int] = mapped_column(Integer)
    timezone: Mapped[str] = mapped_column(String(64))
    starts_on: Mapped[date | None] = mapped_column(Date)
    code_of_conduct: Mapped[str] = mapped_column(Text)
    code_of_conduct_version: Mapped[int] = mapped_column(Integer)
    active: Mapped[bool] = mapped_column(Boolean)
    settings: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    version: Mapped[int] = mapped_column(Integer, default=0, server_default="0")


class FacilitatorRow(OrgScoped, Base):
    __tablename__ = "program_facilitators"
    __table_args__ = (
        _org_fk(["program_id"], "programs", ondelete="CASCADE"),
        _org_fk(["person_id"], "persons", ondelete="CASCADE"),
    )
    program_id: Mapped[str] = mapped_column(ID, primary_key=True)
    person_id: Mapped[str] = mapped_column(ID, primary_key=True)


class EnrollmentRow(OrgScoped, Base):
    __tablename__ = "enrollments"
    __table_args__ = (
        UniqueConstraint("program_id", "person_id"),
        _org_fk(["program_id"], "programs", ondelete="CASCADE"),
        _org_fk(["person_id"], "persons", ondelete="CASCADE"),
    )
    id: Mapped[str] = mapped_column(ID, primary_key=True)
    program_id: Mapped[str] = mapped_column(ID)
    person_id: Mapped[str] = mapped_column(ID, index=True)
    consent_version: Mapped[int] = mapped_column(Integer)
    consented_at: Mapped[datetime]
    role: Mapped[str] = mapped_column(String(10))
    status: Mapped[str] = mapped_column(String(10))
    paused_until: Mapped[date | None] = mapped_column(Date)
    unmatched_last_round: Mapped[bool] = mapped_column(Boolean, default=False)


class RoundRow(OrgScoped, Base):
    __tablename__ = "rounds"
    __table_args__ = (
        UniqueConstraint("organization_id", "id"),
        UniqueConstraint("program_id", "index"),
        _org_fk(["program_id"], "programs", ondelete="CASCADE"),
    )
    id: Mapped[str] = mapped_column(ID, primary_key=True)
    program_id: Mapped[str] = mapped_column(ID)
    index: Mapped[int] = mapped_column(Integer)
    opened_at: Mapped[datetime]
    status: Mapped[str] = mapped_column(String(10))


class PairingRow(OrgScoped, Base):
    __tablename__ = "pairings"
    __table_args__ = (
        UniqueConstraint("organization_id", "id"),
        Index("ix_pairings_program", "organization_id", "program_id"),
        _org_fk(["program_id"], "programs", ondelete="CASCADE"),
        _org_fk(["round_id"], "rounds", ondelete="SET NULL"),
    )
    id: Mapped[str] = mapped_column(ID, primary_key=True)
    program_id: Mapped[str] = mapped_column(ID)
    round_id: Mapped[str | None] = mapped_column(ID)
    created_at: Mapped[datetime]
    status: Mapped[str] = mapped_column(String(10))
    shared_goal: Mapped[str] = mapped_column(Text, default="")
    skill: Mapped[str | None] = mapped_column(String(60))
    score: Mapped[float] = mapped_column(Float, default=0.0)
    reasons: Mapped[list[Any]] = mapped_column(JSON, default=list)
    version: Mapped[int] = mapped_column(Integer, default=0, server_default="0")


class PairingMemberRow(OrgScoped, Base):
    __tablename__ = "pairing_members"
    __table_args__ = (
        _org_fk(["pairing_id"], "pairings", ondelete="CASCADE"),
        _org_fk(["person_id"], "persons", ondelete="CASCADE"),
    )
    pairing_id: Mapped[str] = mapped_column(ID, primary_key=True)
    person_id: Mapped[str] = mapped_column(ID, primary_key=True, index=True)
    position: Mapped[int] = mapped_column(Integer)
    role: Mapped[str] = mapped_column(String(10))
    response: Mapped[str] = mapped_column(String(30))


class PairingEventRow(OrgScoped, Base):
    __tablename__ = "pairing_events"
    __table_args__ = (_org_fk(["pairing_id"], "pairings", ondelete="CASCADE"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    pairing_id: Mapped[str] = mapped_column(ID, index=True)
    position: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(10))
    at: Mapped[datetime]
    by_person_id: Mapped[str | None] = mapped_column(ID)


class CheckInRow(OrgScoped, Base):
    __tablename__ = "check_ins"
    __table_args__ = (
        _org_fk(["pairing_id"], "pairings", ondelete="CASCADE"),
        _org_fk(["person_id"], "persons", ondelete="CASCADE"),
    )
    id: Mapped[str] = mapped_column(ID, primary_key=True)
    pairing_id: Mapped[str] = mapped_column(ID, index=True)
    person_id: Mapped[str] = mapped_column(ID, index=True)
    submitted_at: Mapped[datetime]
    met: Mapped[bool] = mapped_column(Boolean)
    usefulness: Mapped[int | None] = mapped_column(Integer)
    learned: Mapped[str] = mapped_column(Text, default="")
    blockers: Mapped[str] = mapped_column(Text, default="")


class ConcernRow(OrgScoped, Base):
    __tablename__ = "concerns"
    __table_args__ = (
        _org_fk(["program_id"], "programs", ondelete="CASCADE"),
        _org_fk(["reporter_id"], "persons", ondelete="CASCADE"),
    )
    id: Mapped[str] = mapped_column(ID, primary_key=True)
    program_id: Mapped[str] = mapped_column(ID, index=True)
    reporter_id: Mapped[str] = mapped_column(ID, index=True)
    pairing_id: Mapped[str | None] = mapped_column(ID)
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime]
    status: Mapped[str] = mapped_column(String(10))


class OutboxRow(OrgScoped, Base):
    __tablename__ = "outbox"
    __table_args__ = (
        UniqueConstraint("organization_id", "idempotency_key"),
        Index("ix_outbox_due", "status", "next_attempt_at"),
        _org_fk(["recipient_id"], "persons", ondelete="CASCADE"),
    )
    id: Mapped[str] = mapped_column(ID, primary_key=True)
    recipient_id: Mapped[str] = mapped_column(ID, index=True)
    intent: Mapped[str] = mapped_column(String(30))
    subject_id: Mapped[str] = mapped_column(String(64))
    idempotency_key: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime]
    payload: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    status: Mapped[str] = mapped_column(String(10))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime | None]
    sent_at: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(Text)

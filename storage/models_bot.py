"""Tables the Teams bot needs beyond the core: conversation references (for proactive messages), team
rosters, and the ids of activities already handled (so a replayed activity changes nothing)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, ForeignKeyConstraint, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from storage.models import ID, Base


class ConversationReferenceRow(Base):
    __tablename__ = "conversation_references"
    __table_args__ = (UniqueConstraint("organization_id", "scope", "key"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    organization_id: Mapped[str] = mapped_column(ID, ForeignKey("organizations.id", ondelete="CASCADE"))
    scope: Mapped[str] = mapped_column(String(20))
    key: Mapped[str] = mapped_column(String(255))
    conversation_id: Mapped[str] = mapped_column(String(500))
    service_url: Mapped[str] = mapped_column(String(500))
    channel_id: Mapped[str] = mapped_column(String(32))
    tenant_id: Mapped[str] = mapped_column(String(64))
    bot_id: Mapped[str] = mapped_column(String(255))
    reference: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    updated_at: Mapped[datetime]


class TeamMemberRow(Base):
    __tablename__ = "team_members"
    __table_args__ = (
        ForeignKeyConstraint(
            ["organization_id", "person_id"], ["persons.organization_id", "persons.id"], ondelete="CASCADE"
        ),
        Index("ix_team_members_person", "organization_id", "person_id"),
    )
    organization_id: Mapped[str] = mapped_column(
        ID, ForeignKey("organizations.id", ondelete="CASCADE"), primary_key=True
    )
    team_id: Mapped[str] = mapped_column(String(255), primary_key=True)
    person_id: Mapped[str] = mapped_column(ID, primary_key=True)
    # Teams' `userRole`: "owner", "user" or "guest". Owners are asked to take over a program nobody runs.
    role: Mapped[str] = mapped_column(String(10), default="user", server_default="user")


class ProcessedActivityRow(Base):
    __tablename__ = "processed_activities"
    key: Mapped[str] = mapped_column(String(300), primary_key=True)
    received_at: Mapped[datetime] = mapped_column(index=True)

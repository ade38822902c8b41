"""Tables for reliable delivery: job leases, one delivery record per finished outbox row, app installations
through Graph, and group chats created for pairings."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, ForeignKeyConstraint, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from storage.models import ID, Base


class JobLeaseRow(Base):
    """Who runs a periodic job (or sends for a tenant) until when. A lease past `expires_at` is free.

    `fence` grows by one whenever the lease is taken afresh (a new holder, or the same one after it
    lapsed): work done under an older token is refused (see `storage.repositories.delivery_queue.SqlOutboxQueueRepository.claim`)."""

    __tablename__ = "job_leases"
    name: Mapped[str] = mapped_column(String(200), primary_key=True)
    holder: Mapped[str] = mapped_column(String(100))
    expires_at: Mapped[datetime]
    fence: Mapped[int] = mapped_column(Integer, default=0, server_default="0")


class OutboxDeliveryRow(Base):
    """How an outbox row ended: delivered, skipped (its subject was gone or no longer relevant) or failed."""

    __tablename__ = "outbox_deliveries"
    __table_args__ = (Index("ix_outbox_deliveries_program", "organization_id", "program_id", "outcome"),)
    outbox_id: Mapped[str] = mapped_column(ID, ForeignKey("outbox.id", ondelete="CASCADE"), primary_key=True)
    organization_id: Mapped[str] = mapped_column(ID, ForeignKey("organizations.id", ondelete="CASCADE"))
    program_id: Mapped[str | None] = mapped_column(ID)
    outcome: Mapped[str] = mapped_column(String(20))
    reason: Mapped[str] = mapped_column(Text, default="")
    activity_id: Mapped[str | None] = mapped_column(String(255))
    conversation_id: Mapped[str | None] = mapped_column(String(500))
    attempts: Mapped[int] = mapped_column(Integer)
    completed_at: Mapped[datetime]


class AppInstallationRow(Base):
    """The app installed for a person through Graph (so they can be reached before they ever wrote to it)."""

    __tablename__ = "app_installations"
    __table_args__ = (
        ForeignKeyConstraint(
            ["organization_id", "person_id"], ["persons.organization_id", "persons.id"], ondelete="CASCADE"
        ),
    )
    organization_id: Mapped[str] = mapped_column(
        ID, ForeignKey("organizations.id", ondelete="CASCADE"), primary_key=True
    )
    person_id: Mapped[str] = mapped_column(ID, primary_key=True)
    status: Mapped[str] = mapped_column(String(20))
    reason: Mapped[str] = mapped_column(Text, default="")
    updated_at: Mapped[datetime]


class PairingChatRow(Base):
    """A Teams group chat made for a pairing through Graph, and how far its set-up got."""

    __tablename__ = "pairing_chats"
    __table_args__ = (
        ForeignKeyConstraint(
            ["organization_id", "pairing_id"], ["pairings.organization_id", "pairings.id"], ondelete="CASCADE"
        ),
    )
    organization_id: Mapped[str] = mapped_column(
        ID, ForeignKey("organizations.id", ondelete="CASCADE"), primary_key=True
    )
    pairing_id: Mapped[str] = mapped_column(ID, primary_key=True)
    program_id: Mapped[str] = mapped_column(ID)
    chat_id: Mapped[str | None] = mapped_column(String(500))
    status: Mapped[str] = mapped_column(String(20))
    reason: Mapped[str] = mapped_column(Text, default="")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime]
    updated_at: Mapped[datetime]

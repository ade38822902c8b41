"""How notifications leave: outcomes of outbox rows, claims on them, and what a facilitator sees of it.

An outbox row ends exactly once, in one of three ways:

- delivered: the Bot Connector accepted the message;
- skipped: at send time its subject was gone or no longer relevant (an answered proposal, an ended pairing),
  so there was nothing worth saying any more;
- failed: Teams refused it for good (the person blocked or removed the app, left the organization, cannot be
  found), or it stayed undeliverable after every retry. Failed rows are never retried again.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime

from core.model.outbox import OutboxMessage


class DeliveryOutcome(enum.StrEnum):
    DELIVERED = "delivered"
    SKIPPED = "skipped"
    FAILED = "failed"


@dataclass(frozen=True)
class Claim:
    """A row one sender holds until `attempt` is superseded: only this attempt may finish or postpone it."""

    message: OutboxMessage
    attempt: int


@dataclass(frozen=True)
class Finish:
    outcome: DeliveryOutcome
    reason: str = ""
    program_id: str | None = None
    activity_id: str | None = None
    conversation_id: str | None = None


@dataclass(frozen=True)
class GraphStatus:
    """Whether peerlearn may use Microsoft Graph (installing the app for people, group chats), and if not, why."""

    enabled: bool
    reason: str = ""


@dataclass(frozen=True)
class DeliveryHealth:
    """A program's notifications, in figures: what got through, what was skipped, what failed and why."""

    delivered: int
    skipped: int
    failed: int
    failures_by_reason: list[tuple[str, int]]
    graph: GraphStatus


@dataclass(frozen=True)
class PairingChat:
    """How far the group chat of a pairing got: created → installed (the app is in it) → introduced, or failed."""

    organization_id: str
    pairing_id: str
    program_id: str
    chat_id: str | None
    status: str
    reason: str
    attempts: int
    next_attempt_at: datetime
    updated_at: datetime


@dataclass(frozen=True)
class AppInstallation:
    organization_id: str
    person_id: str
    status: str  # "installed" or "failed"
    reason: str
    updated_at: datetime

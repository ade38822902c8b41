"""How notifications leave: outcomes of outbox rows, claims on them, and what a facilitator sees of it.

An outbox row ends exactly once, in one of three ways:

- delivered: the Bot Connector accepted the message;
- skipped: at send time its subject was gone or no longer relevant (an answered proposal, an ended pairing),
  so there was nothing worth saying any more;
- failed: Teams refused it for good (the person blocked or removed the app, left the organization, cannot be
  found), or it stayed undeliverable until the retry horizon passed. Failed rows are never retried again.

A sender works under a fencing token (`LeaseToken`): claiming checks it in the database, and each send
checks, right before it leaves, that the lease it was claimed under is still this sender's.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
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
class LeaseToken:
    """A lease as one holder took it: `fence` is the token its work is checked against."""

    name: str
    holder: str
    fence: int


@dataclass(frozen=True)
class Finish:
    outcome: DeliveryOutcome
    reason: str = ""
    program_id: str | None = None
    activity_id: str | None = None
    conversation_id: str | None = None


@dataclass(frozen=True)
class Outcome:
    """How one attempt at an outbox row ended, at `at`: kept by the sender until the database has it.

    A delivery is a fact, recorded whenever the row is still pending (even if its claim was taken over
    meanwhile: the message did reach the person). A skip or a failure is a decision, recorded only under
    the claim it was made with."""

    outbox_id: str
    organization_id: str
    attempt: int
    finish: Finish
    at: datetime

    @staticmethod
    def of(claim: Claim, finish: Finish, at: datetime) -> Outcome:
        return Outcome(claim.message.id, claim.message.organization_id, claim.attempt, finish, at)


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
    # Who could not be reached (their last message failed), by name, so a facilitator can follow up.
    unreachable: list[str] = field(default_factory=list)


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

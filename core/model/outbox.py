from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import datetime


class OutboxStatus(enum.StrEnum):
    PENDING = "pending"
    SENT = "sent"
    FAILED = "failed"


class Intent(enum.StrEnum):
    """What a notification is for; the sender renders its card from current state at send time."""

    WELCOME = "welcome"
    PAIRING_PROPOSED = "pairing_proposed"
    PAIRING_DECLINED = "pairing_declined"
    INTRODUCTION = "introduction"
    CHECK_IN = "check_in"
    CHECK_IN_REMINDER = "check_in_reminder"
    UNMATCHED = "unmatched"
    CONCERN_RAISED = "concern_raised"
    PARTNER_LEFT = "partner_left"  # subject: the pairing that ended; said neutrally, never why
    FACILITATOR_NEEDED = "facilitator_needed"  # subject: the program its last facilitator left
    NOTE_INVITE = "note_invite"  # subject: the completed pairing; asks for a learning note


@dataclass
class OutboxMessage:
    """An intent to notify one person, written in the same transaction as the change that causes it.

    `idempotency_key` is unique per organization: the same intent for the same recipient and subject
    is written at most once and sent at most once.
    """

    id: str
    organization_id: str
    recipient_id: str
    intent: Intent
    subject_id: str
    idempotency_key: str
    created_at: datetime
    payload: dict[str, object] = field(default_factory=dict)
    status: OutboxStatus = OutboxStatus.PENDING
    attempts: int = 0
    next_attempt_at: datetime | None = None
    sent_at: datetime | None = None
    last_error: str | None = None

    @staticmethod
    def key_for(intent: Intent, recipient_id: str, subject_id: str) -> str:
        return f"{intent.value}:{subject_id}:{recipient_id}"

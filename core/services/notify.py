"""Writing outbox rows: the only way a use case asks for someone to be told something."""

from __future__ import annotations

from collections.abc import Iterable

from core.model import Intent, OutboxMessage, new_id
from core.ports import Clock, UnitOfWork


async def notify(
    uow: UnitOfWork,
    clock: Clock,
    organization_id: str,
    recipients: Iterable[str],
    intent: Intent,
    subject_id: str,
    payload: dict[str, object] | None = None,
) -> int:
    """Queue one message per recipient in the current transaction; returns how many were new."""
    queued = 0
    for recipient in dict.fromkeys(recipients):
        message = OutboxMessage(
            id=new_id(),
            organization_id=organization_id,
            recipient_id=recipient,
            intent=intent,
            subject_id=subject_id,
            idempotency_key=OutboxMessage.key_for(intent, recipient, subject_id),
            created_at=clock.now(),
            payload=dict(payload or {}),
        )
        queued += await uow.outbox.add(message)
    return queued

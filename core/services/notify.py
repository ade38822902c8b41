"""Writing outbox rows: the only way a use case asks for someone to be told something."""

from __future__ import annotations

from collections.abc import Iterable

from core.model import Intent, OutboxMessage, new_id
from core.ports import Clock, UnitOfWork

Notice = tuple[Iterable[str], Intent, str, dict[str, object] | None]  # recipients, intent, subject, payload


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
    return await notify_all(uow, clock, organization_id, [(recipients, intent, subject_id, payload)])


async def notify_all(uow: UnitOfWork, clock: Clock, organization_id: str, notices: Iterable[Notice]) -> int:
    """`notify` for many subjects at once (e.g. everyone a round matched): one write for all the rows."""
    messages = [
        OutboxMessage(
            id=new_id(),
            organization_id=organization_id,
            recipient_id=recipient,
            intent=intent,
            subject_id=subject_id,
            idempotency_key=OutboxMessage.key_for(intent, recipient, subject_id),
            created_at=clock.now(),  # in order: a pairing's rows stay next to each other in the queue
            payload=dict(payload or {}),
        )
        for recipients, intent, subject_id, payload in notices
        for recipient in dict.fromkeys(recipients)
    ]
    return await uow.outbox.add_many(messages)

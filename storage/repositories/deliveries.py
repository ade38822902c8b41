"""What the sender recorded of each message (delivered, skipped, failed), read for the facilitator's report."""

from __future__ import annotations

from sqlalchemy import case, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from core.model.delivery import DeliveryOutcome
from storage.models import OutboxRow
from storage.models_delivery import OutboxDeliveryRow


class SqlDeliveryRecordRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def counts_for_program(self, organization_id: str, program_id: str) -> dict[str, int]:
        rows = await self.session.execute(
            select(OutboxDeliveryRow.outcome, func.count())
            .where(
                OutboxDeliveryRow.organization_id == organization_id,
                OutboxDeliveryRow.program_id == program_id,
            )
            .group_by(OutboxDeliveryRow.outcome)
        )
        counts = {o.value: 0 for o in DeliveryOutcome}
        counts.update({outcome: n for outcome, n in rows})
        return counts

    async def failure_reasons(self, organization_id: str, program_id: str) -> list[tuple[str, int]]:
        rows = await self.session.execute(
            select(OutboxDeliveryRow.reason, func.count().label("n"))
            .where(
                OutboxDeliveryRow.organization_id == organization_id,
                OutboxDeliveryRow.program_id == program_id,
                OutboxDeliveryRow.outcome == DeliveryOutcome.FAILED.value,
            )
            .group_by(OutboxDeliveryRow.reason)
            .order_by(func.count().desc(), OutboxDeliveryRow.reason)
        )
        return [(reason, n) for reason, n in rows]

    async def unreachable(self, organization_id: str, program_id: str) -> list[str]:
        outcome = OutboxDeliveryRow.outcome
        last_failed = func.max(
            case((outcome == DeliveryOutcome.FAILED.value, OutboxDeliveryRow.completed_at))
        )
        last_delivered = func.max(
            case((outcome == DeliveryOutcome.DELIVERED.value, OutboxDeliveryRow.completed_at))
        )
        rows = await self.session.execute(
            select(OutboxRow.recipient_id)
            .select_from(OutboxDeliveryRow)
            .join(OutboxRow, OutboxRow.id == OutboxDeliveryRow.outbox_id)
            .where(
                OutboxDeliveryRow.organization_id == organization_id,
                OutboxDeliveryRow.program_id == program_id,
                outcome.in_([DeliveryOutcome.FAILED.value, DeliveryOutcome.DELIVERED.value]),
            )
            .group_by(OutboxRow.recipient_id)
            .having(last_failed.is_not(None))
            .having(last_delivered.is_(None) | (last_delivered < last_failed))
            .order_by(OutboxRow.recipient_id)
        )
        return [recipient for (recipient,) in rows]

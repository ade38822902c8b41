"""Check-ins, concerns and the outbox: what happens inside a running program."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import delete, insert, select
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from core.model import CheckIn, Concern, ConcernStatus, Intent, OutboxMessage, OutboxStatus
from storage.models import CheckInRow, ConcernRow, OutboxRow, PairingRow


class SqlCheckInRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    @staticmethod
    def _to_domain(r: CheckInRow) -> CheckIn:
        return CheckIn(
            r.id,
            r.organization_id,
            r.pairing_id,
            r.person_id,
            r.submitted_at,
            r.met,
            r.usefulness,
            r.learned,
            r.blockers,
        )

    async def for_pairing(self, organization_id: str, pairing_id: str) -> list[CheckIn]:
        rows = await self.session.scalars(
            select(CheckInRow)
            .where(CheckInRow.organization_id == organization_id, CheckInRow.pairing_id == pairing_id)
            .order_by(CheckInRow.submitted_at, CheckInRow.id)
        )
        return [self._to_domain(r) for r in rows]

    async def latest_of_member(self, organization_id: str, pairing_id: str, person_id: str) -> CheckIn | None:
        row = await self.session.scalar(
            select(CheckInRow)
            .where(
                CheckInRow.organization_id == organization_id,
                CheckInRow.pairing_id == pairing_id,
                CheckInRow.person_id == person_id,
            )
            .order_by(CheckInRow.submitted_at.desc(), CheckInRow.id.desc())
            .limit(1)
        )
        return None if row is None else self._to_domain(row)

    async def by_person(self, organization_id: str, person_id: str) -> list[CheckIn]:
        rows = await self.session.scalars(
            select(CheckInRow)
            .where(CheckInRow.organization_id == organization_id, CheckInRow.person_id == person_id)
            .order_by(CheckInRow.submitted_at, CheckInRow.id)
        )
        return [self._to_domain(r) for r in rows]

    async def for_program(self, organization_id: str, program_id: str) -> list[CheckIn]:
        rows = await self.session.scalars(
            select(CheckInRow)
            .join(PairingRow, PairingRow.id == CheckInRow.pairing_id)
            .where(
                CheckInRow.organization_id == organization_id,
                PairingRow.organization_id == organization_id,
                PairingRow.program_id == program_id,
            )
            .order_by(CheckInRow.submitted_at, CheckInRow.id)
        )
        return [self._to_domain(r) for r in rows]

    async def add(self, check_in: CheckIn) -> None:
        c = check_in
        await self.session.execute(  # a plain INSERT, without the ORM's flush machinery
            insert(CheckInRow).values(
                id=c.id,
                organization_id=c.organization_id,
                pairing_id=c.pairing_id,
                person_id=c.person_id,
                submitted_at=c.submitted_at,
                met=c.met,
                usefulness=c.usefulness,
                learned=c.learned,
                blockers=c.blockers,
            )
        )

    async def delete_by_person(self, organization_id: str, person_id: str) -> None:
        await self.session.execute(
            delete(CheckInRow).where(
                CheckInRow.organization_id == organization_id, CheckInRow.person_id == person_id
            )
        )


class SqlConcernRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    @staticmethod
    def _to_domain(r: ConcernRow) -> Concern:
        return Concern(
            r.id,
            r.organization_id,
            r.program_id,
            r.reporter_id,
            r.text,
            r.created_at,
            r.pairing_id,
            ConcernStatus(r.status),
        )

    async def for_program(self, organization_id: str, program_id: str) -> list[Concern]:
        rows = await self.session.scalars(
            select(ConcernRow)
            .where(ConcernRow.organization_id == organization_id, ConcernRow.program_id == program_id)
            .order_by(ConcernRow.created_at, ConcernRow.id)
        )
        return [self._to_domain(r) for r in rows]

    async def by_reporter(self, organization_id: str, person_id: str) -> list[Concern]:
        rows = await self.session.scalars(
            select(ConcernRow)
            .where(ConcernRow.organization_id == organization_id, ConcernRow.reporter_id == person_id)
            .order_by(ConcernRow.created_at, ConcernRow.id)
        )
        return [self._to_domain(r) for r in rows]

    async def add(self, concern: Concern) -> None:
        await self.save(concern)

    async def save(self, concern: Concern) -> None:
        c = concern
        row = await self.session.get(ConcernRow, c.id)
        if row is None:
            row = ConcernRow(
                id=c.id,
                organization_id=c.organization_id,
                program_id=c.program_id,
                reporter_id=c.reporter_id,
                created_at=c.created_at,
            )
            self.session.add(row)
        row.text, row.pairing_id, row.status = c.text, c.pairing_id, c.status.value
        await self.session.flush()

    async def delete_by_reporter(self, organization_id: str, person_id: str) -> None:
        await self.session.execute(
            delete(ConcernRow).where(
                ConcernRow.organization_id == organization_id, ConcernRow.reporter_id == person_id
            )
        )


def outbox_to_domain(r: OutboxRow) -> OutboxMessage:
    return OutboxMessage(
        id=r.id,
        organization_id=r.organization_id,
        recipient_id=r.recipient_id,
        intent=Intent(r.intent),
        subject_id=r.subject_id,
        idempotency_key=r.idempotency_key,
        created_at=r.created_at,
        payload=dict(r.payload or {}),
        status=OutboxStatus(r.status),
        attempts=r.attempts,
        next_attempt_at=r.next_attempt_at,
        sent_at=r.sent_at,
        last_error=r.last_error,
    )


def _outbox_row(m: OutboxMessage) -> dict[str, Any]:
    return {
        "id": m.id,
        "organization_id": m.organization_id,
        "recipient_id": m.recipient_id,
        "intent": m.intent.value,
        "subject_id": m.subject_id,
        "idempotency_key": m.idempotency_key,
        "created_at": m.created_at,
        "payload": m.payload,
        "status": m.status.value,
        "attempts": m.attempts,
        "next_attempt_at": m.next_attempt_at or m.created_at,
    }


class SqlOutboxRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(self, message: OutboxMessage) -> bool:
        existing = await self.session.scalar(
            select(OutboxRow.id).where(
                OutboxRow.organization_id == message.organization_id,
                OutboxRow.idempotency_key == message.idempotency_key,
            )
        )
        if existing is not None:
            return False
        try:
            async with self.session.begin_nested():
                self.session.add(OutboxRow(**_outbox_row(message)))
        except IntegrityError:
            # A concurrent transaction queued the same key first: that one is the message.
            return False
        return True

    async def add_many(self, messages: Sequence[OutboxMessage]) -> int:
        """One INSERT … ON CONFLICT DO NOTHING for all: a key already queued, by us or by a concurrent
        transaction (PostgreSQL waits for that one to end, then skips the row), adds nothing."""
        if not messages:
            return 0
        rows = [_outbox_row(m) for m in messages]
        dialect = self.session.get_bind().dialect.name
        insert_ = postgresql_insert if dialect == "postgresql" else sqlite_insert
        added = await self.session.scalars(
            insert_(OutboxRow)
            .on_conflict_do_nothing(index_elements=["organization_id", "idempotency_key"])
            .returning(OutboxRow.id),
            rows,
        )
        return len(added.all())

    async def for_recipient(self, organization_id: str, person_id: str) -> list[OutboxMessage]:
        rows = await self.session.scalars(
            select(OutboxRow)
            .where(OutboxRow.organization_id == organization_id, OutboxRow.recipient_id == person_id)
            .order_by(OutboxRow.created_at, OutboxRow.id)
        )
        return [outbox_to_domain(r) for r in rows]

    async def delete_for_recipient(self, organization_id: str, person_id: str) -> None:
        await self.session.execute(
            delete(OutboxRow).where(
                OutboxRow.organization_id == organization_id, OutboxRow.recipient_id == person_id
            )
        )

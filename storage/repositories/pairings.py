from __future__ import annotations

import copy
from collections.abc import Sequence

from sqlalchemy import ColumnElement, and_, delete, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from core.model import (
    MatchReason,
    MemberRole,
    Pairing,
    PairingMember,
    PairingStatus,
    Response,
    Round,
    RoundStatus,
    StatusChange,
)
from storage.models import PairingEventRow, PairingMemberRow, PairingRow, RoundRow
from storage.repositories._chunks import chunks
from storage.repositories._joined import by_parent
from storage.repositories._versions import guarded_update


class SqlRoundRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    @staticmethod
    def _to_domain(row: RoundRow) -> Round:
        return Round(
            row.id, row.organization_id, row.program_id, row.index, row.opened_at, RoundStatus(row.status)
        )

    async def get(self, organization_id: str, round_id: str) -> Round | None:
        row = await self.session.scalar(
            select(RoundRow).where(RoundRow.organization_id == organization_id, RoundRow.id == round_id)
        )
        return None if row is None else self._to_domain(row)

    async def recent(self, organization_id: str, program_id: str, limit: int) -> list[Round]:
        rows = await self.session.scalars(
            select(RoundRow)
            .where(RoundRow.organization_id == organization_id, RoundRow.program_id == program_id)
            .order_by(RoundRow.index.desc())
            .limit(limit)
        )
        return [self._to_domain(r) for r in rows]

    async def save(self, round_: Round) -> None:
        row = await self.session.get(RoundRow, round_.id)
        if row is None:
            row = RoundRow(id=round_.id, organization_id=round_.organization_id, program_id=round_.program_id)
            self.session.add(row)
        row.index, row.opened_at, row.status = round_.index, round_.opened_at, round_.status.value
        await self.session.flush()


class SqlPairingRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session
        # Pairings read by id in this transaction (the repository lives as long as its unit of work). A
        # card action shows a pairing and then changes it: this reads it once instead of twice (three
        # queries each). Callers get copies, so one that changes a pairing without saving it changes
        # nothing the next reader sees; `save` and `delete` drop the entry.
        self._read: dict[tuple[str, str], Pairing] = {}

    async def _select(self, organization_id: str, *conditions: ColumnElement[bool]) -> list[Pairing]:
        """The pairings matching `conditions`, oldest first: with their members in one query (a join), and
        their status histories in a second."""
        result = await self.session.execute(
            select(PairingRow, PairingMemberRow)
            .outerjoin(
                PairingMemberRow,
                and_(
                    PairingMemberRow.organization_id == PairingRow.organization_id,
                    PairingMemberRow.pairing_id == PairingRow.id,
                ),
            )
            .where(PairingRow.organization_id == organization_id, *conditions)
            .order_by(PairingRow.created_at, PairingRow.id, PairingMemberRow.position)
        )
        found = by_parent(result)
        if not found:
            return []
        events: list[PairingEventRow] = []
        for some in chunks(r.id for r, _ in found):
            events += await self.session.scalars(
                select(PairingEventRow)
                .where(
                    PairingEventRow.organization_id == organization_id, PairingEventRow.pairing_id.in_(some)
                )
                .order_by(PairingEventRow.pairing_id, PairingEventRow.position)
            )
        history_of: dict[str, list[StatusChange]] = {}
        for e in events:
            history_of.setdefault(e.pairing_id, []).append(
                StatusChange(PairingStatus(e.status), e.at, e.by_person_id)
            )
        return [
            Pairing(
                id=r.id,
                organization_id=r.organization_id,
                program_id=r.program_id,
                round_id=r.round_id,
                members=[
                    PairingMember(m.person_id, MemberRole(m.role), Response(m.response)) for m in members
                ],
                created_at=r.created_at,
                status=PairingStatus(r.status),
                shared_goal=r.shared_goal,
                skill=r.skill,
                score=r.score,
                reasons=[MatchReason(x["factor"], float(x["contribution"]), x["text"]) for x in r.reasons],
                history=history_of.get(r.id, []),
                version=r.version,
            )
            for r, members in found
        ]

    async def get(self, organization_id: str, pairing_id: str) -> Pairing | None:
        key = (organization_id, pairing_id)
        if key in self._read:
            return copy.deepcopy(self._read[key])
        found = await self._select(organization_id, PairingRow.id == pairing_id)
        if not found:
            return None
        self._read[key] = copy.deepcopy(found[0])
        return found[0]

    async def for_person(self, organization_id: str, person_id: str) -> list[Pairing]:
        theirs = select(PairingMemberRow.pairing_id).where(
            PairingMemberRow.organization_id == organization_id, PairingMemberRow.person_id == person_id
        )
        return await self._select(organization_id, PairingRow.id.in_(theirs))

    async def for_program(self, organization_id: str, program_id: str) -> list[Pairing]:
        return await self._select(organization_id, PairingRow.program_id == program_id)

    async def many(self, organization_id: str, pairing_ids: Sequence[str]) -> list[Pairing]:
        found: list[Pairing] = []
        for some in chunks(pairing_ids):
            found += await self._select(organization_id, PairingRow.id.in_(some))
        return found

    async def save(self, pairing: Pairing) -> None:
        if not pairing.members:
            raise ValueError(
                f"Pairing {pairing.id} has no members; a pairing without members is never stored."
            )
        self._read.pop((pairing.organization_id, pairing.id), None)
        values = {
            "status": pairing.status.value,
            "shared_goal": pairing.shared_goal,
            "skill": pairing.skill,
            "score": pairing.score,
            "reasons": [
                {"factor": r.factor, "contribution": r.contribution, "text": r.text} for r in pairing.reasons
            ],
        }
        exists = await self.session.scalar(
            select(PairingRow.organization_id).where(PairingRow.id == pairing.id)
        )
        if exists is None:
            self.session.add(
                PairingRow(
                    id=pairing.id,
                    organization_id=pairing.organization_id,
                    program_id=pairing.program_id,
                    round_id=pairing.round_id,
                    created_at=pairing.created_at,
                    version=pairing.version,
                    **values,
                )
            )
        elif exists != pairing.organization_id:
            raise ValueError(f"Pairing {pairing.id} belongs to another organization; refusing to move it.")
        else:
            # Written only if nobody saved it since it was read: otherwise the whole request runs again.
            await guarded_update(
                self.session, PairingRow, pairing.organization_id, pairing.id, pairing.version, values
            )
            pairing.version += 1
        await self.session.flush()
        for table in (PairingMemberRow, PairingEventRow):
            await self.session.execute(delete(table).where(table.pairing_id == pairing.id))
        org = pairing.organization_id
        for position, m in enumerate(pairing.members):
            self.session.add(
                PairingMemberRow(
                    organization_id=org,
                    pairing_id=pairing.id,
                    person_id=m.person_id,
                    position=position,
                    role=m.role.value,
                    response=m.response.value,
                )
            )
        for position, h in enumerate(pairing.history):
            self.session.add(
                PairingEventRow(
                    organization_id=org,
                    pairing_id=pairing.id,
                    position=position,
                    status=h.status.value,
                    at=h.at,
                    by_person_id=h.by_person_id,
                )
            )
        await self.session.flush()

    async def add_new(self, pairings: Sequence[Pairing]) -> None:
        """One INSERT per table for all of them (a fresh id has no rows to replace, nothing to read first)."""
        for pairing in pairings:
            if not pairing.members:
                raise ValueError(
                    f"Pairing {pairing.id} has no members; a pairing without members is never stored."
                )
        if not pairings:
            return
        await self.session.flush()  # the round they belong to goes first
        await self.session.execute(
            insert(PairingRow),
            [
                {
                    "id": p.id,
                    "organization_id": p.organization_id,
                    "program_id": p.program_id,
                    "round_id": p.round_id,
                    "created_at": p.created_at,
                    "status": p.status.value,
                    "shared_goal": p.shared_goal,
                    "skill": p.skill,
                    "score": p.score,
                    "reasons": [
                        {"factor": r.factor, "contribution": r.contribution, "text": r.text}
                        for r in p.reasons
                    ],
                    "version": p.version,
                }
                for p in pairings
            ],
        )
        members = [
            {
                "organization_id": p.organization_id,
                "pairing_id": p.id,
                "person_id": m.person_id,
                "position": position,
                "role": m.role.value,
                "response": m.response.value,
            }
            for p in pairings
            for position, m in enumerate(p.members)
        ]
        await self.session.execute(insert(PairingMemberRow), members)
        events = [
            {
                "organization_id": p.organization_id,
                "pairing_id": p.id,
                "position": position,
                "status": h.status.value,
                "at": h.at,
                "by_person_id": h.by_person_id,
            }
            for p in pairings
            for position, h in enumerate(p.history)
        ]
        if events:
            await self.session.execute(insert(PairingEventRow), events)

    async def delete(self, organization_id: str, pairing_id: str) -> None:
        self._read.pop((organization_id, pairing_id), None)
        await self.session.execute(
            delete(PairingRow).where(
                PairingRow.organization_id == organization_id, PairingRow.id == pairing_id
            )
        )
        self.session.expunge_all()

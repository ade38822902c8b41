from __future__ import annotations

from datetime import date

from sqlalchemy import ColumnElement, and_, delete, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from core.model import (
    Cadence,
    Enrollment,
    EnrollmentStatus,
    ParticipantRole,
    Program,
    ProgramKind,
    ProgramOptions,
    ScopeKind,
)
from storage.models import EnrollmentRow, FacilitatorRow, ProgramRow
from storage.repositories._joined import by_parent
from storage.repositories._versions import guarded_update


class SqlProgramRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def running(self) -> list[tuple[str, str]]:
        """(organization id, program id) of every active program, across organizations (the worker's jobs)."""
        rows = await self.session.execute(
            select(ProgramRow.organization_id, ProgramRow.id)
            .where(ProgramRow.active.is_(True), ProgramRow.kind.in_([k.value for k in ProgramKind]))
            .order_by(ProgramRow.organization_id, ProgramRow.id)
        )
        return [(org, program) for org, program in rows]

    async def _select(self, *conditions: ColumnElement[bool]) -> list[Program]:
        """The programs matching `conditions`, by name, with their facilitators: one query (a join)."""
        result = await self.session.execute(
            select(ProgramRow, FacilitatorRow.person_id)
            .outerjoin(
                FacilitatorRow,
                and_(
                    FacilitatorRow.organization_id == ProgramRow.organization_id,
                    FacilitatorRow.program_id == ProgramRow.id,
                ),
            )
            .where(*conditions)
            .order_by(ProgramRow.name, ProgramRow.id, FacilitatorRow.person_id)
        )
        return [self._to_domain(row, facilitators) for row, facilitators in by_parent(result)]

    @staticmethod
    def _to_domain(row: ProgramRow, facilitator_ids: list[str]) -> Program:
        return Program(
            id=row.id,
            organization_id=row.organization_id,
            name=row.name,
            kind=ProgramKind(row.kind),
            scope_kind=ScopeKind(row.scope_kind),
            scope_id=row.scope_id,
            cadence=Cadence(row.cadence),
            group_size=row.group_size,
            prefer_cross_department=row.prefer_cross_department,
            max_level_gap=row.max_level_gap,
            cooldown_rounds=row.cooldown_rounds,
            timezone=row.timezone,
            starts_on=row.starts_on,
            facilitator_ids=facilitator_ids,
            code_of_conduct=row.code_of_conduct,
            code_of_conduct_version=row.code_of_conduct_version,
            active=row.active,
            settings=ProgramOptions.from_json(row.settings),
            version=row.version,
        )

    async def get(self, organization_id: str, program_id: str) -> Program | None:
        found = await self._select(ProgramRow.organization_id == organization_id, ProgramRow.id == program_id)
        return found[0] if found else None

    async def by_scope(self, organization_id: str, scope_kind: ScopeKind, scope_id: str) -> Program | None:
        found = await self._select(
            ProgramRow.organization_id == organization_id,
            ProgramRow.scope_kind == scope_kind.value,
            ProgramRow.scope_id == scope_id,
        )
        return found[0] if found else None

    async def for_organization(self, organization_id: str) -> list[Program]:
        return await self._select(ProgramRow.organization_id == organization_id)

    async def add(self, program: Program) -> None:
        await self.save(program)

    async def save(self, program: Program) -> None:
        values = {
            "name": program.name,
            "kind": program.kind.value,
            "scope_kind": program.scope_kind.value,
            "scope_id": program.scope_id,
            "cadence": program.cadence.value,
            "group_size": program.group_size,
            "prefer_cross_department": program.prefer_cross_department,
            "max_level_gap": program.max_level_gap,
            "cooldown_rounds": program.cooldown_rounds,
            "timezone": program.timezone,
            "starts_on": program.starts_on,
            "code_of_conduct": program.code_of_conduct,
            "code_of_conduct_version": program.code_of_conduct_version,
            "active": program.active,
            "settings": program.settings.to_json(),
        }
        exists = await self.session.scalar(
            select(ProgramRow.organization_id).where(ProgramRow.id == program.id)
        )
        if exists is None:
            self.session.add(
                ProgramRow(
                    id=program.id, organization_id=program.organization_id, version=program.version, **values
                )
            )
        elif exists != program.organization_id:
            raise ValueError(f"Program {program.id} belongs to another organization; refusing to move it.")
        else:
            await guarded_update(
                self.session, ProgramRow, program.organization_id, program.id, program.version, values
            )
            program.version += 1
        await self.session.flush()
        await self.session.execute(delete(FacilitatorRow).where(FacilitatorRow.program_id == program.id))
        for person_id in dict.fromkeys(program.facilitator_ids):
            self.session.add(
                FacilitatorRow(
                    organization_id=program.organization_id, program_id=program.id, person_id=person_id
                )
            )
        await self.session.flush()


class SqlEnrollmentRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    @staticmethod
    def _to_domain(row: EnrollmentRow) -> Enrollment:
        return Enrollment(
            id=row.id,
            organization_id=row.organization_id,
            program_id=row.program_id,
            person_id=row.person_id,
            consent_version=row.consent_version,
            consented_at=row.consented_at,
            role=ParticipantRole(row.role),
            status=EnrollmentStatus(row.status),
            paused_until=row.paused_until,
            unmatched_last_round=row.unmatched_last_round,
        )

    async def get(self, organization_id: str, program_id: str, person_id: str) -> Enrollment | None:
        row = await self.session.scalar(
            select(EnrollmentRow).where(
                EnrollmentRow.organization_id == organization_id,
                EnrollmentRow.program_id == program_id,
                EnrollmentRow.person_id == person_id,
            )
        )
        return None if row is None else self._to_domain(row)

    async def for_person(self, organization_id: str, person_id: str) -> list[Enrollment]:
        rows = await self.session.scalars(
            select(EnrollmentRow)
            .where(EnrollmentRow.organization_id == organization_id, EnrollmentRow.person_id == person_id)
            .order_by(EnrollmentRow.consented_at, EnrollmentRow.id)
        )
        return [self._to_domain(r) for r in rows]

    async def for_program(self, organization_id: str, program_id: str) -> list[Enrollment]:
        rows = await self.session.scalars(
            select(EnrollmentRow)
            .where(EnrollmentRow.organization_id == organization_id, EnrollmentRow.program_id == program_id)
            .order_by(EnrollmentRow.consented_at, EnrollmentRow.id)
        )
        return [self._to_domain(r) for r in rows]

    async def readiness(
        self, organization_id: str, program_id: str, day: date, code_of_conduct_version: int
    ) -> tuple[int, int]:
        status = EnrollmentRow.status
        joined = status != EnrollmentStatus.LEFT.value
        available = and_(
            or_(
                status == EnrollmentStatus.ACTIVE.value,
                and_(status == EnrollmentStatus.PAUSED.value, EnrollmentRow.paused_until <= day),
            ),
            EnrollmentRow.consent_version >= code_of_conduct_version,
        )
        row = (
            await self.session.execute(
                select(func.count().filter(joined), func.count().filter(available)).where(
                    EnrollmentRow.organization_id == organization_id, EnrollmentRow.program_id == program_id
                )
            )
        ).one()
        return int(row[0]), int(row[1])

    async def save(self, enrollment: Enrollment) -> None:
        row = await self.session.get(EnrollmentRow, enrollment.id)
        if row is None:
            row = EnrollmentRow(
                id=enrollment.id,
                organization_id=enrollment.organization_id,
                program_id=enrollment.program_id,
                person_id=enrollment.person_id,
            )
            self.session.add(row)
        elif row.organization_id != enrollment.organization_id:
            raise ValueError(
                f"Enrollment {enrollment.id} belongs to another organization; refusing to move it."
            )
        row.consent_version, row.consented_at = enrollment.consent_version, enrollment.consented_at
        row.role, row.status, row.paused_until = (
            enrollment.role.value,
            enrollment.status.value,
            enrollment.paused_until,
        )
        row.unmatched_last_round = enrollment.unmatched_last_round
        await self.session.flush()

    async def delete_for_person(self, organization_id: str, person_id: str) -> None:
        await self.session.execute(
            delete(EnrollmentRow).where(
                EnrollmentRow.organization_id == organization_id, EnrollmentRow.person_id == person_id
            )
        )

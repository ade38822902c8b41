"""The facilitator's view of a program's health: aggregates only, never anyone's private answers.

Concerns are the one exception, by design: they are written for the facilitator, so only a facilitator
can produce this report."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime

from core.errors import PermissionDenied
from core.model import ConcernStatus, EnrollmentStatus, PairingStatus, Program, Response
from core.ports import UnitOfWork
from core.services import _lookups, aggregates

ANSWERED = frozenset({PairingStatus.ACCEPTED, PairingStatus.ACTIVE, PairingStatus.COMPLETED})


@dataclass(frozen=True)
class OpenConcern:
    id: str
    text: str
    reporter_name: str
    created_at: datetime


@dataclass(frozen=True)
class FacilitatorReport:
    """Counts of people and proposals are shown as they are; every figure made of people's answers is None
    when fewer than `min_group` distinct people gave them (see `core.services.aggregates`)."""

    program: Program
    opted_in: int
    paused: int
    left: int
    proposals: int
    accepted: int | None
    declined: int | None
    meetings_held: int | None
    check_ins: int | None
    average_usefulness: float | None
    open_concerns: list[OpenConcern]
    skills_wanted_untaught: list[tuple[str, int | None]]
    min_group: int = aggregates.DEFAULT_MIN_GROUP

    @property
    def acceptance_rate(self) -> float | None:
        if self.accepted is None or self.declined is None:
            return None
        decided = self.accepted + self.declined
        return None if decided == 0 else self.accepted / decided


async def facilitator_report(
    organization_id: str, program_id: str, actor_id: str, uow: UnitOfWork, min_group: int | None = None
) -> FacilitatorReport:
    async with uow:
        program = await _lookups.program(uow, organization_id, program_id)
        if not program.is_facilitator(actor_id):
            raise PermissionDenied("Only this program's facilitators can see its report.")
        enrollments = await uow.enrollments.for_program(organization_id, program_id)
        statuses = Counter(e.status for e in enrollments)
        pairings = await uow.pairings.for_program(organization_id, program_id)
        check_ins = await uow.check_ins.for_program(organization_id, program_id)
        rated = [c for c in check_ins if c.met and c.usefulness is not None]
        ratings = [c.usefulness for c in rated if c.usefulness is not None]
        concerns = [
            c
            for c in await uow.concerns.for_program(organization_id, program_id)
            if c.status is ConcernStatus.OPEN
        ]
        reporters = {
            p.id: p for p in await uow.persons.many(organization_id, [c.reporter_id for c in concerns])
        }
        participants = [e.person_id for e in enrollments if e.status is not EnrollmentStatus.LEFT]
        profiles = await uow.profiles.many(organization_id, participants)
    threshold = aggregates.min_group(min_group)
    taught = {s.key for p in profiles for s in p.teaches}
    wanted: Counter[str] = Counter()
    labels: dict[str, str] = {}
    for profile in profiles:
        for skill in profile.learns:
            if skill.key not in taught:
                wanted[skill.key] += 1
                labels.setdefault(skill.key, skill.label)
    answered = [p for p in pairings if p.status in ANSWERED or p.status is PairingStatus.DECLINED]
    deciders = [m.person_id for p in answered for m in p.members if m.response is not Response.PENDING]
    checked_in = [c.person_id for c in check_ins]
    return FacilitatorReport(
        program=program,
        opted_in=statuses[EnrollmentStatus.ACTIVE] + statuses[EnrollmentStatus.PAUSED],
        paused=statuses[EnrollmentStatus.PAUSED],
        left=statuses[EnrollmentStatus.LEFT],
        proposals=len(pairings),
        accepted=aggregates.over(deciders, sum(p.status in ANSWERED for p in pairings), threshold),
        declined=aggregates.over(
            deciders, sum(p.status is PairingStatus.DECLINED for p in pairings), threshold
        ),
        # A meeting held is a pairing where at least one member said they met.
        meetings_held=aggregates.over(checked_in, len({c.pairing_id for c in check_ins if c.met}), threshold),
        check_ins=aggregates.over(checked_in, len(check_ins), threshold),
        average_usefulness=aggregates.over(
            [c.person_id for c in rated],
            round(sum(ratings) / len(ratings), 2) if ratings else None,
            threshold,
        ),
        open_concerns=[
            OpenConcern(
                c.id,
                c.text,
                reporters[c.reporter_id].display_name
                if c.reporter_id in reporters
                else "A former participant",
                c.created_at,
            )
            for c in sorted(concerns, key=lambda c: c.created_at)
        ],
        skills_wanted_untaught=sorted(
            ((labels[k], n if n >= threshold else None) for k, n in wanted.items()),
            key=lambda item: (-(item[1] or 0), item[0]),
        ),
        min_group=threshold,
    )

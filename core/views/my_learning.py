"""The personal tab "My learning": one person's programs, current matches (shared goal, next check-in), check-in
history and learning log (their check-in answers and the learning notes they wrote), and profile. Read in a unit of work the caller has open; changes nothing.

Only the person's own data: other members appear by name and role, never with their answers."""

from __future__ import annotations

import zoneinfo
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from core.model import (
    CheckIn,
    EnrollmentStatus,
    Pairing,
    PairingStatus,
    Person,
    Profile,
    Program,
)
from core.ports import UnitOfWork
from core.services.schedule import check_in_due, started_at
from core.views.notes import MyNote, my_notes
from core.views.status import PairingView, view_of


@dataclass(frozen=True)
class ProgramPart:
    program: Program
    status: EnrollmentStatus
    paused_until: date | None
    facilitator: bool


@dataclass(frozen=True)
class Match:
    view: PairingView
    next_check_in: date | None  # None: not active yet (proposed or accepted)

    @property
    def others(self) -> str:
        return ", ".join(m.display_name for m in self.view.others) or "nobody else yet"


@dataclass(frozen=True)
class PastCheckIn:
    check_in: CheckIn
    program_name: str
    with_whom: str


@dataclass(frozen=True)
class MyLearning:
    person: Person
    profile: Profile | None
    programs: list[ProgramPart]
    matches: list[Match]
    check_ins: list[PastCheckIn]  # newest first
    notes: list[MyNote]  # the learning notes I wrote (alone or with my partners), newest first

    @property
    def taking_part(self) -> bool:
        return any(p.status is not EnrollmentStatus.LEFT for p in self.programs)

    @property
    def paused(self) -> bool:
        return any(p.status is EnrollmentStatus.PAUSED for p in self.programs)

    @property
    def learning_log(self) -> list[PastCheckIn]:
        """What I wrote I learned, newest first."""
        return [c for c in self.check_ins if c.check_in.learned.strip()]


def next_check_in(program: Program, pairing: Pairing, now: datetime) -> date | None:
    """The day of the next check-in of an active pairing (the schedule's own rule, one step ahead)."""
    if pairing.status is not PairingStatus.ACTIVE:
        return None
    latest = check_in_due(program, pairing, now)
    if latest is not None:
        return latest + timedelta(days=program.cadence.days)
    zone = zoneinfo.ZoneInfo(program.timezone)
    return started_at(pairing).astimezone(zone).date() + timedelta(days=max(program.cadence.days // 2, 1))


async def my_learning(organization_id: str, person: Person, uow: UnitOfWork, now: datetime) -> MyLearning:
    """Everything the tab shows `person` about themselves (the caller proved who they are)."""
    org, pid = organization_id, person.id
    programs = {p.id: p for p in await uow.programs.for_organization(org)}
    enrollments = await uow.enrollments.for_person(org, pid)
    parts = [
        ProgramPart(
            programs[e.program_id], e.status, e.paused_until, programs[e.program_id].is_facilitator(pid)
        )
        for e in enrollments
        if e.program_id in programs
    ]
    enrolled = {e.program_id for e in enrollments}
    parts += [
        ProgramPart(p, EnrollmentStatus.LEFT, None, True)
        for p in programs.values()
        if p.is_facilitator(pid) and p.id not in enrolled
    ]
    pairings = [p for p in await uow.pairings.for_person(org, pid) if p.program_id in programs]
    member_ids = sorted({m for p in pairings for m in p.member_ids()})
    people = {p.id: p for p in await uow.persons.many(org, member_ids)}
    check_ins = sorted(await uow.check_ins.by_person(org, pid), key=lambda c: c.submitted_at, reverse=True)
    latest: dict[str, CheckIn] = {}
    for c in check_ins:
        latest.setdefault(c.pairing_id, c)
    matches = []
    for pairing in pairings:
        if not pairing.is_open:
            continue
        program = programs[pairing.program_id]
        profiles = {p.person_id: p for p in await uow.profiles.many(org, pairing.member_ids())}
        view = view_of(pairing, program, people, pid, latest.get(pairing.id), profiles)
        matches.append(Match(view, next_check_in(program, pairing, now)))
    by_id = {p.id: p for p in pairings}
    history = []
    for c in check_ins:
        of = by_id.get(c.pairing_id)
        in_program = programs.get(of.program_id) if of else None
        others = [
            people[m].display_name if m in people else "a former participant"
            for m in (of.member_ids() if of else [])
            if m != pid
        ]
        history.append(PastCheckIn(c, in_program.name if in_program else "a program", ", ".join(others)))
    return MyLearning(
        person=person,
        profile=await uow.profiles.get(org, pid),
        programs=sorted(parts, key=lambda p: p.program.name.lower()),
        matches=matches,
        check_ins=history,
        notes=await my_notes(uow, org, pid),
    )

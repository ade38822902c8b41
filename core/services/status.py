"""Read models for what a person sees: their status, and one pairing from a member's side."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from core.errors import PermissionDenied
from core.model import (
    CheckIn,
    Enrollment,
    MemberRole,
    Pairing,
    PairingStatus,
    Person,
    Profile,
    Program,
    Response,
)
from core.ports import UnitOfWork
from core.services import _lookups


@dataclass(frozen=True)
class MemberView:
    person_id: str
    display_name: str
    email: str | None
    role: MemberRole
    response: Response
    is_viewer: bool


@dataclass(frozen=True)
class PairingView:
    """A pairing as one of its members sees it: names and roles, never the other members' reasons."""

    pairing: Pairing
    program: Program
    members: list[MemberView]
    viewer_id: str
    last_check_in: CheckIn | None = None  # the viewer's latest on this pairing

    @property
    def me(self) -> MemberView:
        return next(m for m in self.members if m.is_viewer)

    @property
    def others(self) -> list[MemberView]:
        return [m for m in self.members if not m.is_viewer]


@dataclass(frozen=True)
class EnrollmentView:
    enrollment: Enrollment
    program: Program


@dataclass(frozen=True)
class MyStatus:
    person: Person
    profile: Profile | None
    enrollments: list[EnrollmentView]
    open_pairings: list[PairingView]
    facilitated: list[Program]


def view_of(
    pairing: Pairing,
    program: Program,
    people: Mapping[str, Person],
    viewer_id: str,
    last_check_in: CheckIn | None,
) -> PairingView:
    """The pairing as `viewer_id` sees it, from what was read: `people` by id (a missing one was erased)."""
    members = []
    for m in pairing.members:
        person = people.get(m.person_id)
        members.append(
            MemberView(
                person_id=m.person_id,
                display_name=person.display_name if person else "A former participant",
                email=person.verified_email if person else None,
                role=m.role,
                response=m.response,
                is_viewer=m.person_id == viewer_id,
            )
        )
    return PairingView(pairing, program, members, viewer_id, last_check_in)


async def _pairing_view(uow: UnitOfWork, pairing: Pairing, program: Program, viewer_id: str) -> PairingView:
    pairing.member(viewer_id)  # raises PermissionDenied for anyone else
    people = {p.id: p for p in await uow.persons.many(pairing.organization_id, pairing.member_ids())}
    last = await uow.check_ins.latest_of_member(pairing.organization_id, pairing.id, viewer_id)
    return view_of(pairing, program, people, viewer_id, last)


async def pairing_view(organization_id: str, pairing_id: str, viewer_id: str, uow: UnitOfWork) -> PairingView:
    async with uow:
        pairing = await _lookups.pairing(uow, organization_id, pairing_id)
        if viewer_id not in pairing.member_ids():
            raise PermissionDenied("Only the members of this pairing can see it.")
        program = await _lookups.program(uow, organization_id, pairing.program_id)
        return await _pairing_view(uow, pairing, program, viewer_id)


async def my_status(organization_id: str, person_id: str, uow: UnitOfWork) -> MyStatus:
    async with uow:
        person = await _lookups.person(uow, organization_id, person_id)
        programs = {p.id: p for p in await uow.programs.for_organization(organization_id)}
        enrollments = [
            EnrollmentView(e, programs[e.program_id])
            for e in await uow.enrollments.for_person(organization_id, person_id)
            if e.program_id in programs
        ]
        open_views = []
        for pairing in await uow.pairings.for_person(organization_id, person_id):
            if pairing.is_open and pairing.program_id in programs:
                open_views.append(await _pairing_view(uow, pairing, programs[pairing.program_id], person_id))
        facilitated = [p for p in programs.values() if p.is_facilitator(person_id)]
        return MyStatus(
            person=person,
            profile=await uow.profiles.get(organization_id, person_id),
            enrollments=enrollments,
            open_pairings=open_views,
            facilitated=facilitated,
        )


def awaiting_my_answer(view: PairingView) -> bool:
    return view.pairing.status is PairingStatus.PROPOSED and view.me.response is Response.PENDING

"""Read models for what a person sees: their status, and one pairing from a member's side."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

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
from core.services.meeting_times import Availability, Slot, next_shared_slot


@dataclass(frozen=True)
class MemberView:
    person_id: str
    display_name: str
    email: str | None
    role: MemberRole
    response: Response
    is_viewer: bool
    timezone: str | None = None  # from their profile: the first meeting is shown on their clock


@dataclass(frozen=True)
class FirstMeeting:
    """The first meeting proposed to a pairing: the next slot every member is free, or why there is none.

    It is searched from the moment everyone accepted, so every member, and every refresh, sees the same slot."""

    slot: Slot | None
    someone_has_no_hours: bool  # a member has not said when they are free (never who)
    from_calendars: bool = False  # the members' calendars (Graph free/busy) were read too


@dataclass(frozen=True)
class PairingView:
    """A pairing as one of its members sees it: names and roles, never the other members' reasons."""

    pairing: Pairing
    program: Program
    members: list[MemberView]
    viewer_id: str
    last_check_in: CheckIn | None = None  # the viewer's latest on this pairing
    first_meeting: FirstMeeting | None = None  # None when the members' profiles were not read

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


def accepted_at(pairing: Pairing) -> datetime:
    """When the last member accepted (the introduction's moment); the proposal's time if not recorded."""
    moments = [c.at for c in pairing.history if c.status is PairingStatus.ACCEPTED]
    return moments[-1] if moments else pairing.created_at


def first_meeting(pairing: Pairing, profiles: Mapping[str, Profile]) -> FirstMeeting:
    """The next slot all members share, from their weekly hours and time zones (see `meeting_times`)."""
    members = [profiles.get(pid) for pid in pairing.member_ids()]
    hours = [Availability(p.timezone, p.weekly_availability) for p in members if p is not None]
    unknown = len(hours) < len(members) or any(not a.hours for a in hours)
    slot = None if unknown else next_shared_slot(hours, accepted_at(pairing))
    return FirstMeeting(slot, someone_has_no_hours=unknown)


def view_of(
    pairing: Pairing,
    program: Program,
    people: Mapping[str, Person],
    viewer_id: str,
    last_check_in: CheckIn | None,
    profiles: Mapping[str, Profile] | None = None,
) -> PairingView:
    """The pairing as `viewer_id` sees it, from what was read: `people` by id (a missing one was erased), and
    the members' `profiles` by person id when they were read (for the first meeting's time)."""
    members = []
    for m in pairing.members:
        person = people.get(m.person_id)
        profile = profiles.get(m.person_id) if profiles is not None else None
        members.append(
            MemberView(
                person_id=m.person_id,
                display_name=person.display_name if person else "A former participant",
                email=person.verified_email if person else None,
                role=m.role,
                response=m.response,
                is_viewer=m.person_id == viewer_id,
                timezone=profile.timezone if profile is not None else None,
            )
        )
    meeting = None
    if profiles is not None and pairing.status in (PairingStatus.ACCEPTED, PairingStatus.ACTIVE):
        meeting = first_meeting(pairing, profiles)
    return PairingView(pairing, program, members, viewer_id, last_check_in, meeting)


async def member_profiles(uow: UnitOfWork, pairing: Pairing) -> dict[str, Profile]:
    """The members' profiles by person id, as `view_of` takes them."""
    return {p.person_id: p for p in await uow.profiles.many(pairing.organization_id, pairing.member_ids())}


async def _pairing_view(uow: UnitOfWork, pairing: Pairing, program: Program, viewer_id: str) -> PairingView:
    pairing.member(viewer_id)  # raises PermissionDenied for anyone else
    people = {p.id: p for p in await uow.persons.many(pairing.organization_id, pairing.member_ids())}
    last = await uow.check_ins.latest_of_member(pairing.organization_id, pairing.id, viewer_id)
    return view_of(pairing, program, people, viewer_id, last, await member_profiles(uow, pairing))


async def pairing_view(organization_id: str, pairing_id: str, viewer_id: str, uow: UnitOfWork) -> PairingView:
    pairing = await _lookups.pairing(uow, organization_id, pairing_id)
    if viewer_id not in pairing.member_ids():
        raise PermissionDenied("Only the members of this pairing can see it.")
    program = await _lookups.program(uow, organization_id, pairing.program_id)
    return await _pairing_view(uow, pairing, program, viewer_id)


async def my_status(organization_id: str, person_id: str, uow: UnitOfWork) -> MyStatus:
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

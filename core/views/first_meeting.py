"""The first meeting proposed to a pairing, searched again with the members' free/busy from Graph when the
organisation grants it (`Calendars.busy`): the hours people gave, less what their calendars have booked.

Only when every member's calendar could be read: a slot chosen with half the calendars would look checked
when it is not. The search starts where the hours-only one does (everyone's acceptance), so the slot is the
same for every member; a meeting they booked together from the card does not move it (see
`core.services.meeting_times`)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace

from core.errors import PermissionDenied
from core.model import PairingStatus, Profile
from core.ports import UnitOfWork
from core.ports.teams import Calendars
from core.services import _lookups
from core.services.meeting_times import HORIZON, LENGTH, NOTICE, Availability, next_shared_slot
from core.views.status import FirstMeeting, PairingView, _pairing_view, accepted_at, member_profiles


async def with_calendars(
    view: PairingView, profiles: Mapping[str, Profile], calendars: Calendars | None, asked_as: str | None
) -> PairingView:
    """`view` with its first meeting checked against the members' calendars; as it was when they cannot all
    be read, or when the hours alone propose nothing (then calendars cannot either). `asked_as`: the Entra
    object id of a member, on whose behalf Graph reads the schedules."""
    meeting = view.first_meeting
    emails = [m.email for m in view.members]
    if calendars is None or asked_as is None or meeting is None or meeting.slot is None:
        return view
    if any(not e for e in emails) or any(m.person_id not in profiles for m in view.members):
        return view
    start = accepted_at(view.pairing) + NOTICE
    busy = await calendars.busy(asked_as, [e for e in emails if e], start, start + HORIZON + LENGTH)
    if busy is None or any(e.lower() not in busy for e in emails if e):
        return view
    members = [
        Availability(
            profiles[m.person_id].timezone,
            profiles[m.person_id].weekly_availability,
            tuple(busy[(m.email or "").lower()]),
        )
        for m in view.members
    ]
    slot = next_shared_slot(members, accepted_at(view.pairing))
    return replace(view, first_meeting=FirstMeeting(slot, someone_has_no_hours=False, from_calendars=True))


async def for_calendars(
    organization_id: str, pairing_id: str, viewer_id: str, uow: UnitOfWork, *, with_profiles: bool
) -> tuple[PairingView, Mapping[str, Profile]]:
    """What `with_calendars` needs, read in one unit of work: `core.views.status.pairing_view`, and the
    members' profiles (when calendars will be asked). Graph is called after the unit of work, never in it."""
    pairing = await _lookups.pairing(uow, organization_id, pairing_id)
    if viewer_id not in pairing.member_ids():
        raise PermissionDenied("Only the members of this pairing can see it.")
    program = await _lookups.program(uow, organization_id, pairing.program_id)
    view = await _pairing_view(uow, pairing, program, viewer_id)
    profiles = await member_profiles(uow, pairing) if with_profiles else {}
    return view, profiles


def proposes_a_time(view: PairingView) -> bool:
    """An accepted pairing whose first meeting the members' hours could place: calendars may refine it."""
    meeting = view.first_meeting
    accepted = view.pairing.status in (PairingStatus.ACCEPTED, PairingStatus.ACTIVE)
    return accepted and meeting is not None and meeting.slot is not None

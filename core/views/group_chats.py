"""The pairings of a program that get a Teams group chat (`ProgramOptions.group_chats`), as the chat's
introduction shows them."""

from __future__ import annotations

from dataclasses import dataclass

from core.model import PairingStatus, Person, Profile
from core.ports import UnitOfWork
from core.views.status import PairingView, view_of


@dataclass(frozen=True)
class GroupChatPairing:
    """One accepted pairing seen from the shared chat (no member is the viewer); `members` in the pairing's
    order, None for someone no longer on record; `profiles` for the first meeting."""

    view: PairingView
    profiles: dict[str, Profile]
    members: list[Person | None]


async def group_chat_pairings(
    organization_id: str, program_id: str, uow: UnitOfWork
) -> list[GroupChatPairing]:
    """Every accepted or active pairing of the program, or none when its group chats are off (or it is gone)."""
    program = await uow.programs.get(organization_id, program_id)
    if program is None or not program.settings.group_chats:
        return []
    pairings = [
        p
        for p in await uow.pairings.for_program(organization_id, program_id)
        if p.status in (PairingStatus.ACCEPTED, PairingStatus.ACTIVE)
    ]
    ids = [m for p in pairings for m in p.member_ids()]
    people = {p.id: p for p in await uow.persons.many(organization_id, ids)}
    # The members' time zones and hours: the chat's introduction proposes the same first meeting as each
    # member's own introduction card, on the clocks of the places they are in.
    profiles = {p.person_id: p for p in await uow.profiles.many(organization_id, ids)}
    found = []
    for pairing in pairings:
        mine = {m: profiles[m] for m in pairing.member_ids() if m in profiles}
        view = view_of(pairing, program, people, "", None, mine)
        found.append(GroupChatPairing(view, mine, [people.get(m) for m in pairing.member_ids()]))
    return found

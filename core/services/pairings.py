"""Answering a pairing proposal."""

from __future__ import annotations

from core import commands
from core.errors import InvalidInput
from core.model import Intent, Pairing
from core.ports import Clock, UnitOfWork
from core.services import _lookups
from core.services.notify import notify

ANSWERS = ("accept", "decline", "someone_else")


async def respond(cmd: commands.RespondToPairing, uow: UnitOfWork, clock: Clock) -> Pairing:
    """Accept, decline, or ask for someone else.

    When the last member accepts, the pairing becomes active and everyone gets the introduction.
    A decline closes it; the others are told it will not go ahead, never who said no or why.
    """
    if cmd.answer not in ANSWERS:
        raise InvalidInput("answer", f"The answer '{cmd.answer}' is not one of: {', '.join(ANSWERS)}.")
    pairing = await _lookups.pairing(uow, cmd.organization_id, cmd.pairing_id)
    now = clock.now()
    if cmd.answer == "accept":
        if pairing.accept(cmd.person_id, now):
            pairing.start(now)
            await notify(
                uow, clock, cmd.organization_id, pairing.member_ids(), Intent.INTRODUCTION, pairing.id
            )
    else:
        pairing.decline(cmd.person_id, now, ask_for_someone_else=cmd.answer == "someone_else")
        others = [m for m in pairing.member_ids() if m != cmd.person_id]
        await notify(uow, clock, cmd.organization_id, others, Intent.PAIRING_DECLINED, pairing.id)
    await uow.pairings.save(pairing)
    return pairing

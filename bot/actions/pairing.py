"""A pairing proposal: view it, accept, decline or ask for someone else. Only its members may."""

from __future__ import annotations

from adaptive_cards import pairing as pairing_cards
from adaptive_cards import verbs
from bot.actions.context import ActionContext, Reply
from bot.forms import card_id
from core import commands
from core.services import pairings
from core.views.first_meeting import pairing_view_on_calendars


async def view(ctx: ActionContext) -> Reply:
    pairing_id = card_id(ctx.data, "pairing_id")
    # An introduction proposes the slot the members' calendars have free, as the one the sender delivered.
    asked_as = ctx.person.teams.aad_object_id if ctx.person.teams else None
    shown = await pairing_view_on_calendars(
        ctx.organization_id,
        pairing_id,
        ctx.person.id,
        ctx.services.uow_factory(),
        ctx.services.calendars,
        asked_as,
    )
    return Reply(pairing_cards.pairing_card(shown), view=(verbs.PAIRING_VIEW, {"pairing_id": pairing_id}))


async def _answer(ctx: ActionContext, answer: str) -> Reply:
    pairing_id = card_id(ctx.data, "pairing_id")
    await pairings.respond(
        commands.RespondToPairing(ctx.organization_id, pairing_id, ctx.person.id, answer),
        ctx.services.uow_factory(),
        ctx.services.clock,
    )
    return await view(ctx)


async def accept(ctx: ActionContext) -> Reply:
    return await _answer(ctx, "accept")


async def decline(ctx: ActionContext) -> Reply:
    return await _answer(ctx, "decline")


async def someone_else(ctx: ActionContext) -> Reply:
    return await _answer(ctx, "someone_else")

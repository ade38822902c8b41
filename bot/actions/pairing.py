"""A pairing proposal: view it, accept, decline or ask for someone else. Only its members may."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from adaptive_cards import pairing as pairing_cards
from adaptive_cards import verbs
from bot.actions.context import ActionContext, Reply, Services
from bot.forms import card_id
from core import commands
from core.errors import DomainError
from core.views.first_meeting import for_calendars, proposes_a_time, with_calendars
from core.views.status import pairing_view

AfterTurn = Callable[[Services], Awaitable[Reply]]


async def view(ctx: ActionContext) -> Reply:
    pairing_id = card_id(ctx.data, "pairing_id")
    shown = await pairing_view(ctx.organization_id, pairing_id, ctx.person.id, ctx.uow)
    refresh = (verbs.PAIRING_VIEW, {"pairing_id": pairing_id})
    reply = Reply(pairing_cards.pairing_card(shown), view=refresh)
    if ctx.services.calendars is not None and proposes_a_time(shown):
        reply.after_turn = _on_calendars(ctx, pairing_id, reply)
    return reply


def _on_calendars(ctx: ActionContext, pairing_id: str, in_turn: Reply) -> AfterTurn:
    """The introduction's first meeting checked against the members' calendars, as the sender's introductions
    and the group chat's are (the same slot on every card). Graph is called once the turn has committed, so
    no transaction waits for it; if the pairing cannot be read again, the card from the turn stands."""
    asked_as = ctx.person.teams.aad_object_id if ctx.person.teams else None

    async def check(services: Services) -> Reply:
        try:
            shown, profiles = await services.bus.read(
                lambda uow: for_calendars(
                    ctx.organization_id, pairing_id, ctx.person.id, uow, with_profiles=True
                )
            )
        except DomainError:
            return in_turn
        if proposes_a_time(shown):
            shown = await with_calendars(shown, profiles, services.calendars, asked_as)
        return Reply(pairing_cards.pairing_card(shown), view=in_turn.view)

    return check


async def _answer(ctx: ActionContext, answer: str) -> Reply:
    pairing_id = card_id(ctx.data, "pairing_id")
    await ctx.handle(commands.RespondToPairing(ctx.organization_id, pairing_id, ctx.person.id, answer))
    return await view(ctx)


async def accept(ctx: ActionContext) -> Reply:
    return await _answer(ctx, "accept")


async def decline(ctx: ActionContext) -> Reply:
    return await _answer(ctx, "decline")


async def someone_else(ctx: ActionContext) -> Reply:
    return await _answer(ctx, "someone_else")

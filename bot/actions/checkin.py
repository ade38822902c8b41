"""The check-in card: open it for a pairing, submit it (validated; a mistake keeps what was typed)."""

from __future__ import annotations

from adaptive_cards import checkin as checkin_cards
from adaptive_cards import verbs
from bot.actions.context import ActionContext, Reply
from bot.forms import card_id, field_of, parse_check_in
from core.errors import InvalidInput
from core.views.status import pairing_view


async def open_check_in(ctx: ActionContext) -> Reply:
    pairing_id = card_id(ctx.data, "pairing_id")
    shown = await pairing_view(ctx.organization_id, pairing_id, ctx.person.id, ctx.uow)
    return Reply(checkin_cards.check_in(shown), view=(verbs.CHECKIN_OPEN, {"pairing_id": pairing_id}))


async def submit(ctx: ActionContext) -> Reply:
    pairing_id = card_id(ctx.data, "pairing_id")
    # Loading the view first checks membership, so a non-member learns nothing from validation messages.
    shown = await pairing_view(ctx.organization_id, pairing_id, ctx.person.id, ctx.uow)
    form = parse_check_in(ctx.data, ctx.organization_id, pairing_id, ctx.person.id)
    if form.command is None:
        return Reply(checkin_cards.check_in(shown, form.values, form.errors))
    try:
        await ctx.handle(form.command)
    except InvalidInput as error:
        return Reply(checkin_cards.check_in(shown, form.values, {field_of(error, {}): error.message}))
    return Reply(
        checkin_cards.check_in_thanks(shown, concern_sent=bool(form.command.confidential_note.strip()))
    )

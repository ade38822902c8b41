"""The profile editor: open it filled from storage; save it, or show what to fix with the typed values kept."""

from __future__ import annotations

from adaptive_cards import profile as profile_cards
from adaptive_cards import verbs
from bot.actions.context import ActionContext, Reply
from bot.forms import field_of, parse_profile
from core.errors import InvalidInput
from core.services import profiles

DOMAIN_FIELDS = {"skills": "teach", "skill": "teach", "level": "teach"}


async def open_profile(ctx: ActionContext) -> Reply:
    uow = ctx.services.uow_factory()
    async with uow:
        stored = await uow.profiles.get(ctx.organization_id, ctx.person.id)
    return Reply(
        profile_cards.profile_editor(profile_cards.profile_values(stored)), view=(verbs.PROFILE_OPEN, {})
    )


async def save_profile(ctx: ActionContext) -> Reply:
    form = parse_profile(ctx.data, ctx.organization_id, ctx.person.id)
    if form.command is None:
        return Reply(profile_cards.profile_editor(form.values, form.errors))
    try:
        saved = await profiles.update_profile(form.command, ctx.services.uow_factory())
    except InvalidInput as error:
        return Reply(
            profile_cards.profile_editor(form.values, {field_of(error, DOMAIN_FIELDS): error.message})
        )
    return Reply(
        profile_cards.profile_editor(profile_cards.profile_values(saved), saved=True),
        view=(verbs.PROFILE_OPEN, {}),
    )

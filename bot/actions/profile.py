"""The profile editor: open it filled from storage (a first one with the time zone Teams detected); save it,
or show every mistake at once with the typed values kept; a profile nobody can be matched with says why."""

from __future__ import annotations

from dataclasses import replace

from adaptive_cards import profile as profile_cards
from adaptive_cards import verbs
from adaptive_cards.elements import Card
from bot.actions.context import ActionContext, Reply
from bot.client_info import detected_timezone
from bot.forms import field_of, parse_profile
from core.errors import InvalidInput
from core.model import Profile
from core.ports.teams import MailboxSettings
from core.services import availability, vocabulary
from core.views import participation

DOMAIN_FIELDS = {"skills": "teach", "skill": "teach", "level": "teach"}
AVAILABILITY_FIELDS = ("available_days", "available_from", "available_to")


async def _stored(ctx: ActionContext) -> tuple[Profile | None, bool]:
    """The stored profile, and whether the person takes part in a program (joined, or paused)."""
    return await participation.profile_and_taking_part(ctx.organization_id, ctx.person.id, ctx.uow)


def _kept(stored: Profile | None) -> str | None:
    """Availability the editor's days-and-hours cannot show (a course questionnaire's grid): kept as is."""
    hours = stored.weekly_availability if stored is not None else frozenset()
    return availability.describe(hours) if hours and availability.as_weekly(hours) is None else None


async def _editor(
    ctx: ActionContext,
    values: dict[str, str],
    stored: Profile | None,
    errors: dict[str, str] | None = None,
    *,
    saved: bool = False,
    joined: bool = True,
    from_outlook: bool = False,
) -> Card:
    known = await vocabulary.organization_skills(ctx.organization_id, ctx.uow)
    return profile_cards.profile_editor(
        values,
        errors,
        saved=saved,
        unmatched=unmatched_because(stored, joined) if saved and stored is not None else (),
        offer_join=saved and not joined,
        # Just saved, the zone is the person's choice: a hint to pick another would only nag.
        detected_timezone=None if saved else detected_timezone(ctx.data),
        kept_availability=_kept(stored),
        suggestions=vocabulary.suggested_skills(known),
        at=ctx.services.clock.now(),
        from_outlook=from_outlook,
    )


def unmatched_because(profile: Profile, joined: bool) -> list[str]:
    """Why a round would leave this person out, in their words."""
    reasons = []
    if not joined:
        reasons.append("you have not joined a program yet")
    if not profile.teaches and not profile.learns:
        reasons.append("add at least one skill you can teach or want to learn")
    if profile.hours_per_month == 0:
        reasons.append("you have 0 hours a month to give")
    return reasons


async def _from_outlook(ctx: ActionContext) -> MailboxSettings | None:
    """A first profile's time zone and working hours, from the person's mailbox settings when Graph is
    configured and the organisation grants it (else None, and Teams' `clientInfo` alone pre-fills)."""
    calendars, teams = ctx.services.calendars, ctx.person.teams
    if calendars is None or teams is None:
        return None
    return await calendars.mailbox_settings(teams.aad_object_id)


async def open_profile(ctx: ActionContext) -> Reply:
    stored, _ = await _stored(ctx)
    detected = detected_timezone(ctx.data)
    mailbox = await _from_outlook(ctx) if stored is None else None
    if mailbox is not None and mailbox.timezone:
        detected = mailbox.timezone  # what the person set in Outlook, over the device's clock
    values = profile_cards.profile_values(stored, detected_timezone=detected)
    weekly = availability.as_weekly(mailbox.working_hours) if mailbox is not None else None
    if weekly is not None:
        values |= profile_cards.weekly_values(weekly)
    card = await _editor(ctx, values, stored, from_outlook=mailbox is not None and bool(mailbox.timezone))
    return Reply(card, view=(verbs.PROFILE_OPEN, {}))


async def save_profile(ctx: ActionContext) -> Reply:
    stored, joined = await _stored(ctx)
    form = parse_profile(ctx.data, ctx.organization_id, ctx.person.id)
    if form.command is None:
        return Reply(await _editor(ctx, form.values, stored, form.errors))
    command = form.command
    if stored is not None:
        # What this card does not show is kept, not reset: a mentor's capacity, a new hire's start, and
        # availability more detailed than days-and-hours unless the person picked new days and hours.
        command = replace(
            command,
            mentor_capacity=stored.mentor_capacity,
            is_new_hire=stored.is_new_hire,
            started_on=stored.started_on,
        )
        if _kept(stored) is not None and not any(form.values.get(f) for f in AVAILABILITY_FIELDS):
            command = replace(command, weekly_availability=stored.weekly_availability)
    try:
        saved = await ctx.handle(command)
    except InvalidInput as error:
        errors = {field_of(error, DOMAIN_FIELDS): error.message}
        return Reply(await _editor(ctx, form.values, stored, errors))
    card = await _editor(ctx, profile_cards.profile_values(saved), saved, saved=True, joined=joined)
    return Reply(card, view=(verbs.PROFILE_OPEN, {}))

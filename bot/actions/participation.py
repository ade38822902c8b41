"""Joining, help, status, pausing, resuming, leaving, finding experts, and a person's data."""

from __future__ import annotations

from adaptive_cards import my_data, onboarding, status, verbs
from bot import export_file
from bot.actions.context import ActionContext, Reply, require_team_member, target_program
from bot.forms import StaleCard, plain, weeks
from core import commands
from core.errors import InvalidInput
from core.model import EnrollmentStatus, Program
from core.views import experts, participation, people
from core.views import status as status_service


async def _taking_part(ctx: ActionContext) -> bool:
    return await participation.taking_part(ctx.organization_id, ctx.person.id, ctx.uow)


def _not_joined(what: str) -> Reply:
    return Reply(
        onboarding.not_joined(
            f"You are not taking part in a program, so there is nothing to {what}. Press Join to read the "
            "code of conduct and take part."
        )
    )


async def _facilitator_names(ctx: ActionContext, program: Program) -> list[str]:
    names = await people.display_names(
        ctx.organization_id, program.facilitator_ids, ctx.uow, with_erased=False
    )
    return list(names.values())


async def join(ctx: ActionContext) -> Reply:
    program = await target_program(ctx, for_facilitator=False)
    await require_team_member(ctx, program)
    version = plain(ctx.data.get("version"))
    if version is None or not version.isdigit():
        # From a typed 'join' there is no version seen yet: show the code of conduct to accept first.
        if "version" in ctx.data:
            raise StaleCard("This card's code-of-conduct version is not valid. Nothing was changed.")
        return Reply(onboarding.welcome(program))
    await ctx.handle(commands.Enroll(ctx.organization_id, program.id, ctx.person.id, int(version)))
    facilitators = await _facilitator_names(ctx, program)
    return Reply(
        onboarding.welcome(program, joined=True, facilitators=facilitators),
        view=(verbs.CHANNEL_VIEW, {"program_id": program.id}),
    )


async def channel_view(ctx: ActionContext) -> Reply:
    """What one member sees on the team's invitation card: the invitation, or that they joined."""
    program = await target_program(ctx, for_facilitator=False)
    if await participation.joined(program, ctx.person.id, ctx.uow):
        return Reply(
            onboarding.welcome(program, joined=True), view=(verbs.CHANNEL_VIEW, {"program_id": program.id})
        )
    return Reply(onboarding.channel_invite(program), view=(verbs.CHANNEL_VIEW, {"program_id": program.id}))


async def help_(ctx: ActionContext) -> Reply:
    mine = await status_service.my_status(ctx.organization_id, ctx.person.id, ctx.uow)
    joined = any(e.enrollment.status is not EnrollmentStatus.LEFT for e in mine.enrollments)
    card = onboarding.help_card(facilitator=bool(mine.facilitated), joined=joined, shared=ctx.shared)
    return Reply(card, view=(verbs.HELP, {}))


async def show_status(ctx: ActionContext) -> Reply:
    mine = await status_service.my_status(ctx.organization_id, ctx.person.id, ctx.uow)
    return Reply(status.status(mine), view=(verbs.STATUS, {}))


async def pause(ctx: ActionContext) -> Reply:
    count = weeks(ctx.data)
    if not await _taking_part(ctx):
        return _not_joined("pause")
    changed = await ctx.handle(commands.Pause(ctx.organization_id, ctx.person.id, count))
    until = changed[0].paused_until
    when = until.isoformat() if until else "later"
    return Reply(
        onboarding.done("Paused", f"You will not be matched until {when}. Say 'resume' to come back earlier.")
    )


async def resume(ctx: ActionContext) -> Reply:
    if not await _taking_part(ctx):
        return _not_joined("resume")
    await ctx.handle(commands.Resume(ctx.organization_id, ctx.person.id))
    return Reply(onboarding.done("Welcome back", "You take part again from the next round."))


async def leave(ctx: ActionContext) -> Reply:
    if not await _taking_part(ctx):
        return _not_joined("leave")
    left = await ctx.handle(commands.Leave(ctx.organization_id, ctx.person.id))
    return Reply(
        onboarding.done(
            "You left",
            f"You left {len(left)} program(s); your open pairings there have ended. You can join again any time.",
        )
    )


async def find(ctx: ActionContext) -> Reply:
    skill = (plain(ctx.data.get("skill")) or "").strip()
    if not skill:
        raise InvalidInput("skill", "Say which skill, e.g. 'find kubernetes'.")
    found = await experts.find_experts(ctx.organization_id, ctx.person.id, skill[:60], ctx.uow)
    return Reply(status.experts(skill[:60], found))


async def export(ctx: ActionContext) -> Reply:
    """A readable summary; the complete export follows as a file (Teams' file offer), only in the 1:1 chat.
    From a shared chat the summary is sent 1:1 and its 'Get the full file' button makes the offer there."""
    data = await ctx.handle(commands.ExportMyData(ctx.organization_id, ctx.person.id))
    mine = await status_service.my_status(ctx.organization_id, ctx.person.id, ctx.uow)
    programs = [(e.program.name, e.enrollment.status.value) for e in mine.enrollments]
    records = data["stored_records"]
    counts = [
        ("Pairings", len(data["pairings"])),
        ("Check-ins", len(data["check_ins"])),
        ("Concerns you raised", len(data["concerns_raised"])),
        ("Messages waiting to reach you", len(data["pending_notifications"])),
        ("Records of chats, team memberships and messages sent", sum(len(rows) for rows in records.values())),
    ]
    now = ctx.services.clock.now()
    offered = not ctx.shared
    attachments = (
        [export_file.consent_card(ctx.person.id, len(export_file.export_bytes(data)), now)] if offered else []
    )
    card = my_data.summary(mine.person, mine.profile, programs, counts, now, file_offered=offered)
    return Reply(card, attachments=attachments)


async def delete_ask(ctx: ActionContext) -> Reply:
    return Reply(onboarding.confirm_delete())


async def delete_confirm(ctx: ActionContext) -> Reply:
    if plain(ctx.data.get("confirm")) != "yes":
        raise StaleCard("Deleting your data needs the confirmation button. Nothing was changed.")
    await ctx.handle(commands.DeleteMyData(ctx.organization_id, ctx.person.id))
    return Reply(
        onboarding.done("Your data is deleted", "Everything about you is erased. Say 'help' to start again.")
    )

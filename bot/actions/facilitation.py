"""Facilitators: set up a program, run a round now, read the report. Core checks who is a facilitator."""

from __future__ import annotations

from adaptive_cards import onboarding, verbs
from adaptive_cards import report as report_cards
from adaptive_cards import setup as setup_cards
from bot.actions.context import ActionContext, Reply, Services, target_program
from bot.forms import card_id, field_of, parse_setup
from bot.tabs import dashboard as dashboard_tab
from core import commands
from core.errors import InvalidInput, NotFound, PermissionDenied
from core.model import normalize_email
from core.services import programs, rounds
from core.views import delivery as delivery_report
from core.views import people, reports, teams


async def open_setup(ctx: ActionContext) -> Reply:
    program = await target_program(ctx, for_facilitator=True)
    if program.facilitator_ids and not program.is_facilitator(ctx.person.id):
        raise PermissionDenied("Only this program's facilitators can change its set-up.")
    return Reply(setup_cards.setup_card(program), view=(verbs.SETUP_OPEN, {"program_id": program.id}))


async def save_setup(ctx: ActionContext) -> Reply:
    program = await target_program(ctx, for_facilitator=True)
    form = parse_setup(ctx.data, ctx.organization_id, program.id, ctx.person.id)
    if form.command is None:
        return Reply(setup_cards.setup_card(program, form.values, form.errors))
    try:
        saved = await ctx.handle(form.command)
    except InvalidInput as error:
        return Reply(setup_cards.setup_card(program, form.values, {field_of(error, {}): error.message}))
    return Reply(setup_cards.setup_card(saved, saved=True), view=(verbs.SETUP_OPEN, {"program_id": saved.id}))


def _not_enough(name: str, ready: reports.Readiness) -> str:
    if ready.opted_in == 0:
        return (
            f"Nobody has joined '{name}' yet, so there is nobody to match. Share it with your colleagues: they "
            "join with Join on the invitation in the team's channel, or by sending me 'join'."
        )
    others = ready.opted_in - ready.available
    held = f" ({others} of them paused or yet to accept the new code of conduct)" if others else ""
    return (
        f"A round needs at least two people to match; '{name}' has {ready.available} ready of "
        f"{ready.opted_in} opted in{held}. Invite more colleagues, then press Match now again."
    )


async def run_round(ctx: ActionContext) -> Reply:
    """Who may run it is checked in the turn; the round runs after the turn has committed, with its own
    units of work, in the app's worker processes, so no turn's transaction waits for it."""
    program = await target_program(ctx, for_facilitator=True)
    if not program.active:
        return Reply(
            onboarding.error_card(f"'{program.name}' is stopped: the app was removed from its team.")
        )
    rounds.check_runnable(program, ctx.person.id)
    ready = await reports.readiness(ctx.organization_id, program.id, ctx.uow, ctx.services.clock)
    if not ready.enough:  # say what is missing rather than open an empty, numbered round
        return Reply(
            onboarding.error_card(_not_enough(program.name, ready), title="Not enough people to match yet")
        )
    command = commands.RunRound(ctx.organization_id, program.id, ctx.person.id)

    async def run(services: Services) -> Reply:
        outcome = await services.round_runner().run(command)
        ids = [pid for pid, _ in outcome.unmatched]
        names = await services.bus.read(lambda uow: people.display_names(ctx.organization_id, ids, uow))
        unmatched = [(names.get(pid, "A participant"), why) for pid, why in outcome.unmatched]
        return Reply(
            setup_cards.round_result(
                program, outcome.round.index, outcome.pairings, outcome.people, unmatched
            )
        )

    return Reply(onboarding.done("Matching", f"Forming a round of '{program.name}'."), after_turn=run)


async def open_report(ctx: ActionContext) -> Reply:
    program = await target_program(ctx, for_facilitator=True)
    data = await reports.facilitator_report(
        ctx.organization_id,
        program.id,
        ctx.person.id,
        ctx.uow,
        ctx.services.min_group,
        now=ctx.services.clock.now(),
    )
    health = await delivery_report.delivery_health(
        ctx.organization_id, program.id, ctx.person.id, ctx.uow, ctx.services.graph
    )
    public_url = ctx.services.public_url
    dashboard = dashboard_tab.page_url(public_url, program.id) if public_url else None
    return Reply(
        report_cards.report(data, health, dashboard), view=(verbs.REPORT_OPEN, {"program_id": program.id})
    )


async def _named_person(ctx: ActionContext) -> str:
    """Who `facilitator add` names: the @mentioned person (the bot put their id in the data), or an email."""
    if "person_id" in ctx.data:
        return card_id(ctx.data, "person_id")
    who = str(ctx.data.get("who") or "").strip()
    email = normalize_email(who) if "@" in who else None
    if email:
        found = await people.by_verified_email(ctx.organization_id, email, ctx.uow)
        if found is not None:
            return found.id
        raise NotFound(f"Nobody with the address {email} has used peer learning here yet.")
    raise InvalidInput("who", "Say 'facilitator add' and @mention the person (or give their work email).")


async def add_facilitator(ctx: ActionContext) -> Reply:
    program = await target_program(ctx, for_facilitator=True)
    if not program.is_facilitator(ctx.person.id):
        raise PermissionDenied("Only this program's facilitators can name another facilitator.")
    person_id = await _named_person(ctx)
    if program.scope_id != programs.ORGANIZATION_SCOPE and not await teams.is_team_member(
        ctx.organization_id, program.scope_id, person_id, ctx.uow
    ):
        raise PermissionDenied(f"Facilitators of '{program.name}' must be members of its team.")
    program, person, added = await ctx.handle(
        commands.AddFacilitator(ctx.organization_id, program.id, ctx.person.id, person_id)
    )
    if not added:
        return Reply(
            onboarding.done(
                "Already a facilitator", f"{person.display_name} already facilitates '{program.name}'."
            )
        )
    return Reply(
        onboarding.done(
            "Facilitator added",
            f"{person.display_name} now facilitates '{program.name}': set-up, rounds and the report.",
        )
    )


async def take_over(ctx: ActionContext) -> Reply:
    """A team owner takes over a program whose last facilitator left (see `core.services.stewardship`)."""
    program_id = card_id(ctx.data, "program_id")
    program = await ctx.handle(commands.TakeOver(ctx.organization_id, program_id, ctx.person.id))
    return Reply(
        onboarding.done(
            "You facilitate it now",
            f"You took over '{program.name}': its rounds run again. Say 'setup' to check its set-up and "
            "'report' to see how it is going.",
        )
    )

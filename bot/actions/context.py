"""What every action handler gets (who acts, where, with which card data) and gives back (a card)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from botbuilder.schema import Attachment

from adaptive_cards.elements import Card
from bot.forms import card_id
from core import commands
from core.bus import MessageBus, Work
from core.errors import PermissionDenied
from core.model import Person, Program
from core.model.delivery import GraphStatus
from core.ports import Clock, RoundRunner, UnitOfWork
from core.ports.teams import Calendars
from core.services import programs
from core.services.rounds import LocalRounds
from core.views import aggregates, targets, teams


@dataclass(frozen=True)
class Services:
    bus: MessageBus  # the one way to the database: commands and reads, each in a unit of work
    graph: GraphStatus = field(
        default_factory=lambda: GraphStatus(False, "Microsoft Graph is not configured.")
    )
    min_group: int = aggregates.DEFAULT_MIN_GROUP  # the minimum-group rule for the facilitator's figures
    # Where a round runs: the app's worker processes; None runs it here (tests).
    rounds: RoundRunner | None = None
    # Where people reach peerlearn (PUBLIC_URL): the report card opens the dashboard tab page there.
    public_url: str = ""

    @property
    def clock(self) -> Clock:
        return self.bus.clock

    def round_runner(self) -> RoundRunner:
        return self.rounds or LocalRounds(self.bus)

    # People's Outlook settings and free/busy through Graph, when configured (None: Graph is off).
    calendars: Calendars | None = None


@dataclass(frozen=True)
class ActionContext:
    services: Services
    organization_id: str
    person: Person
    data: Mapping[str, object]
    team_id: str | None = None
    shared: bool = False  # a channel or group chat: cards are made user-specific with `refresh`
    # The turn's unit of work on the bus: the action dispatches its command and reads its views there.
    work: Work | None = None

    @property
    def uow(self) -> UnitOfWork:
        """The turn's open unit of work, for `core.views` reads (never for repositories: see the bus)."""
        return self._work().uow

    async def handle(self, command: object) -> Any:
        """Run one command in the turn's unit of work; the turn commits once, after the action answered."""
        return await self._work().handle(command)

    def _work(self) -> Work:
        if self.work is None:
            raise RuntimeError("An action runs inside its turn's unit of work (MessageBus.unit).")
        return self.work


@dataclass
class Reply:
    card: Card
    # The verb and ids that re-render this card from storage (used for `refresh` in shared chats).
    view: tuple[str, dict[str, str]] | None = None
    followups: list[str] = field(default_factory=list)
    # Non-card attachments sent after the card, in the same conversation (Teams' file offer for `my data`).
    attachments: list[Attachment] = field(default_factory=list)
    refused: bool = False  # the action was refused and nothing changed: its card is an error card
    # Long work (a round's matching) that runs once the turn has committed, outside its transaction, with
    # the app's own services (fresh units of work); the reply it gives is the answer instead of this one.
    after_turn: Callable[[Services], Awaitable[Reply]] | None = None


Handler = Callable[[ActionContext], Awaitable[Reply]]


async def target_program(ctx: ActionContext, *, for_facilitator: bool) -> Program:
    """The program an action is about: the one named on the card, else this team's, else the person's own
    (see `core.views.targets`)."""
    program_id = card_id(ctx.data, "program_id") if "program_id" in ctx.data else None
    found = await targets.target_program(
        ctx.organization_id,
        ctx.person.id,
        ctx.uow,
        program_id=program_id,
        team_id=ctx.team_id,
        for_facilitator=for_facilitator,
    )
    if found is not None:
        return found
    program: Program = await ctx.handle(commands.EnsureOrganizationProgram(ctx.organization_id))
    return program


async def require_team_member(ctx: ActionContext, program: Program) -> None:
    """A team's program is for that team's members: known from the roster, or acting in the team itself."""
    if program.scope_id == programs.ORGANIZATION_SCOPE or ctx.team_id == program.scope_id:
        return
    if not await teams.is_team_member(ctx.organization_id, program.scope_id, ctx.person.id, ctx.uow):
        raise PermissionDenied(f"'{program.name}' is for the members of its team.")

"""What the bot action tests share: a context for one person
acting, and `covers`, which says which registry verbs a test exercises (see `test_registry_coverage`)."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import TypeVar

from bot.actions import ActionContext, Reply, Services, build_registry
from core.bus import MessageBus
from core.ports.teams import Busy, Calendars, MailboxSettings
from tests.unit.conftest import ORG, PROGRAM
from tests.unit.fakes import FakeClock, FakeUnitOfWork, FakeUnitOfWorkFactory

PAIR = "c" * 32  # card ids are checked to look like ids
TEAM_PROGRAM = "d" * 32

Test = TypeVar("Test", bound=Callable[..., object])


def covers(*verbs: str) -> Callable[[Test], Test]:
    """Mark a test as exercising these registry verbs; every verb needs at least one such test."""

    def mark(test: Test) -> Test:
        test.covers = (*getattr(test, "covers", ()), *verbs)  # type: ignore[attr-defined]
        return test

    return mark


@dataclass
class FakeCalendars:
    """Outlook as Graph would give it: mailbox settings by Entra id, busy times by email (lower case)."""

    mailboxes: dict[str, MailboxSettings] = field(default_factory=dict)
    booked: dict[str, Busy] = field(default_factory=dict)
    asked: list[tuple[str, tuple[str, ...]]] = field(default_factory=list)

    async def mailbox_settings(self, aad_object_id: str) -> MailboxSettings | None:
        return self.mailboxes.get(aad_object_id)

    async def busy(
        self, asked_as: str, emails: Sequence[str], start: datetime, end: datetime
    ) -> Mapping[str, Busy] | None:
        self.asked.append((asked_as, tuple(emails)))
        return {e.lower(): self.booked.get(e.lower(), ()) for e in emails}


def program_with_a_card_id(uow: FakeUnitOfWork) -> str:
    """The fixture's program under an id a card may carry (card ids are checked to look like ids)."""
    uow.store.programs[TEAM_PROGRAM] = replace(uow.store.programs.pop(PROGRAM), id=TEAM_PROGRAM)
    return TEAM_PROGRAM


def context(
    uow: FakeUnitOfWork,
    clock: FakeClock,
    who: str,
    data: Mapping[str, object] | None = None,
    *,
    calendars: Calendars | None = None,
    team_id: str | None = None,
    shared: bool = False,
) -> ActionContext:
    """`who` acting with card `data`, on a fresh fake unit of work over the same store for each use."""
    services = Services(
        MessageBus(FakeUnitOfWorkFactory(uow.store), clock),
        calendars=calendars,
    )
    person = uow.store.persons[who]
    return ActionContext(services, ORG, person, data or {}, team_id=team_id, shared=shared)


async def act(verb: str, ctx: ActionContext) -> Reply:
    """Run the verb's action as a turn does: in one unit of work of the bus, committed if it answers."""
    async with ctx.services.bus.unit() as work:
        return await build_registry()[verb](replace(ctx, work=work))


async def shown(verb: str, ctx: ActionContext) -> str:
    """The text of the card the action answers with (JSON, so every text block and button is in it)."""
    return json.dumps((await act(verb, ctx)).card, ensure_ascii=False)

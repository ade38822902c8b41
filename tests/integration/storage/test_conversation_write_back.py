"""Nothing writes a deleted person's 1:1 chat back: not a late turn, not the outbox sender, on both databases.

On PostgreSQL the two transactions run at once: the reference's writer holds a share lock on the person's
row, and the delete updates that row before removing their references, so whichever order they meet in,
no reference survives the delete."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from functools import partial

from core import commands
from core.bus import MessageBus
from core.model import Organization, OrganizationKind, Person, TeamsIdentity
from core.model.conversations import ConversationScope, StoredConversation
from core.ports import Clock
from core.views import teams
from storage.unit_of_work import SqlUnitOfWorkFactory

NOW = datetime(2026, 12, 2, 9, 0, tzinfo=UTC)


class _Clock(Clock):
    def now(self) -> datetime:
        return NOW


def _reference(person_id: str) -> StoredConversation:
    return StoredConversation(
        "org-1", ConversationScope.PERSONAL, person_id, "a:chat", "https://smba.example/", "t", "28:bot", NOW
    )


async def _person(uow_factory: SqlUnitOfWorkFactory) -> None:
    async with uow_factory() as uow:
        await uow.organizations.add(Organization("org-1", OrganizationKind.TEAMS_TENANT, "t", "Contoso"))
        await uow.persons.add(
            Person(
                "p-1", "org-1", "Zelda Quartz", "zelda@contoso.example", TeamsIdentity("t", "aad-z", "29:z")
            )
        )
        await uow.commit()


async def _keep(uow_factory: SqlUnitOfWorkFactory, reference: StoredConversation) -> None:
    await MessageBus(uow_factory, _Clock()).handle(commands.KeepConversation(reference))


async def _stored(uow_factory: SqlUnitOfWorkFactory) -> StoredConversation | None:
    return await MessageBus(uow_factory, _Clock()).read(
        partial(teams.conversation, "org-1", ConversationScope.PERSONAL, "p-1")
    )


async def test_a_reference_for_an_erased_person_is_not_written(uow_factory: SqlUnitOfWorkFactory) -> None:
    await _person(uow_factory)
    await _keep(uow_factory, _reference("p-1"))
    assert await _stored(uow_factory) is not None
    await MessageBus(uow_factory, _Clock()).handle(commands.DeleteMyData("org-1", "p-1"))
    assert await _stored(uow_factory) is None
    await _keep(uow_factory, _reference("p-1"))  # a late writer, after the delete
    assert await _stored(uow_factory) is None


async def test_a_reference_written_while_the_person_deletes_their_data_does_not_survive(
    uow_factory: SqlUnitOfWorkFactory,
) -> None:
    await _person(uow_factory)
    for _ in range(5):
        await asyncio.gather(
            _keep(uow_factory, _reference("p-1")),
            MessageBus(uow_factory, _Clock()).handle(commands.DeleteMyData("org-1", "p-1")),
            return_exceptions=True,  # a second delete finds nobody: that is fine here
        )
        assert await _stored(uow_factory) is None

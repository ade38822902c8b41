"""A tenant with one Teams program whose round is due now, and N people who joined it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from core.model import (
    Cadence,
    Enrollment,
    Organization,
    OrganizationKind,
    Person,
    Program,
    ProgramKind,
    ScopeKind,
    TeamsIdentity,
)
from core.model.conversations import ConversationScope, StoredConversation
from storage.unit_of_work import SqlUnitOfWorkFactory

TENANT = "00000000-0000-0000-0000-0000000000aa"
TEAM = "19:peerlearn-bench@thread.tacv2"


@dataclass(frozen=True)
class Seeded:
    organization_id: str
    program_id: str
    people: int


async def seed(
    uows: SqlUnitOfWorkFactory, service_url: str, people: int, *, personal_chat_every: int = 2
) -> Seeded:
    """Everyone has a Teams identity; every `personal_chat_every`-th person already has a 1:1 chat stored,
    the others get one created at send time (from the team's conversation reference)."""
    now = datetime.now(UTC)
    org, program_id = "org-bench", "program-bench"
    async with uows() as uow:
        await uow.organizations.add(Organization(org, OrganizationKind.TEAMS_TENANT, TENANT, "Contoso"))
        for i in range(people):
            teams = TeamsIdentity(TENANT, f"aad-{i:05d}", f"29:user-{i:05d}")
            await uow.persons.add(Person(f"p{i:05d}", org, f"Person {i}", f"p{i}@contoso.example", teams))
        await uow.programs.add(
            Program(
                id=program_id,
                organization_id=org,
                name="Platform guild",
                kind=ProgramKind.PEER_PAIRS,
                scope_kind=ScopeKind.TEAMS_TEAM,
                scope_id=TEAM,
                cadence=Cadence.BIWEEKLY,
                # One cadence ago: the round is due now, whatever the time of day.
                starts_on=now.date() - timedelta(days=Cadence.BIWEEKLY.days),
                facilitator_ids=["p00000"],
            )
        )
        for i in range(people):
            await uow.enrollments.save(Enrollment(f"e{i:05d}", org, program_id, f"p{i:05d}", 1, now))
        await uow.commit()
    async with uows() as uow:
        await uow.conversations.save(_conversation(org, ConversationScope.TEAM, TEAM, TEAM, service_url, now))
        for i in range(0, people, personal_chat_every):
            chat = f"a:personal-29:user-{i:05d}"
            await uow.conversations.save(
                _conversation(org, ConversationScope.PERSONAL, f"p{i:05d}", chat, service_url, now)
            )
        await uow.commit()
    return Seeded(org, program_id, people)


def _conversation(
    org: str, scope: ConversationScope, key: str, conversation_id: str, service_url: str, now: datetime
) -> StoredConversation:
    return StoredConversation(org, scope, key, conversation_id, service_url, TENANT, "28:peerlearn-bot", now)

"""Reads that name tens of thousands of ids at once (a round of 100,000, the check-ins of 40,000 pairings, the
skills typeahead of a big tenant) work on PostgreSQL, whose driver takes at most 32,767 parameters a statement."""

from __future__ import annotations

from datetime import UTC, datetime

from core.model import (
    MemberRole,
    Organization,
    OrganizationKind,
    Pairing,
    PairingMember,
    Person,
    Profile,
    Program,
    ProgramKind,
    ScopeKind,
)
from core.model.conversations import ConversationScope
from storage.unit_of_work import SqlUnitOfWorkFactory

MANY = 40_000
NOW = datetime(2026, 12, 3, 9, 0, tzinfo=UTC)


async def test_forty_thousand_ids_are_read_in_slices_and_every_known_one_is_found(
    uow_factory: SqlUnitOfWorkFactory,
) -> None:
    async with uow_factory() as uow:
        await uow.organizations.add(Organization("org", OrganizationKind.TEAMS_TENANT, "t", "Contoso"))
        await uow.programs.add(
            Program("prog", "org", "Guild", ProgramKind.PEER_PAIRS, ScopeKind.TEAMS_TEAM, "19:t")
        )
        for name in ("ana", "bo"):
            await uow.persons.add(Person(name, "org", name.title()))
            await uow.profiles.save("org", Profile(name, timezone="UTC"))
        members = [PairingMember("ana", MemberRole.PEER), PairingMember("bo", MemberRole.PEER)]
        await uow.pairings.add_new([Pairing("pair", "org", "prog", None, members, NOW)])
        await uow.commit()
    unknown = [f"nobody-{i:05d}" for i in range(MANY)]
    async with uow_factory() as uow:
        people = await uow.persons.many("org", [*unknown, "ana", "bo"])
        profiles = await uow.profiles.many("org", ["bo", *unknown, "ana"])
        pairings = await uow.pairings.many("org", [*unknown, "pair"])
        chats = await uow.conversations.many("org", ConversationScope.PERSONAL, unknown)
    assert sorted(p.id for p in people) == ["ana", "bo"]
    assert sorted(p.person_id for p in profiles) == ["ana", "bo"]
    assert [p.id for p in pairings] == ["pair"]
    assert chats == {}

from __future__ import annotations

import pytest

from core.bus import MessageBus
from core.model import (
    MemberRole,
    Organization,
    OrganizationKind,
    Pairing,
    PairingMember,
    Person,
    Program,
    ProgramKind,
    ScopeKind,
    TeamsIdentity,
)
from tests.unit.fakes import FakeClock, FakeStore, FakeUnitOfWork, FakeUnitOfWorkFactory

ORG = "org-a"
PROGRAM = "program-1"


@pytest.fixture
def uow() -> FakeUnitOfWork:
    """A fake store holding one organization, one program facilitated by 'fay', and people ana, bo, cy, fay."""
    factory = FakeUnitOfWork(FakeStore())
    s = factory.store
    s.organizations[ORG] = Organization(ORG, OrganizationKind.TEAMS_TENANT, "tenant-a", "Contoso")
    for name in ("ana", "bo", "cy", "fay"):
        s.persons[name] = Person(
            id=name,
            organization_id=ORG,
            display_name=name.title(),
            verified_email=f"{name}@contoso.example",
            teams=TeamsIdentity("tenant-a", f"aad-{name}", f"29:{name}"),
        )
    s.programs[PROGRAM] = Program(
        id=PROGRAM,
        organization_id=ORG,
        name="Platform guild",
        kind=ProgramKind.PEER_PAIRS,
        scope_kind=ScopeKind.TEAMS_TEAM,
        scope_id="19:team",
        facilitator_ids=["fay"],
    )
    return factory


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def bus(uow: FakeUnitOfWork, clock: FakeClock) -> MessageBus:
    """The message bus over the fixture's store: `await bus.handle(command)` runs a command and commits;
    `await bus.read(lambda u: some_view(..., u))` reads a view in a unit of work that writes nothing."""
    return MessageBus(FakeUnitOfWorkFactory(uow.store), clock)


def proposed_pairing(
    uow: FakeUnitOfWork, clock: FakeClock, *members: str, pairing_id: str = "pair-1"
) -> Pairing:
    pairing = Pairing(
        id=pairing_id,
        organization_id=ORG,
        program_id=PROGRAM,
        round_id=None,
        members=[PairingMember(m, MemberRole.PEER) for m in members],
        created_at=clock.now(),
    )
    uow.store.pairings[pairing.id] = pairing
    return pairing

from __future__ import annotations

import pytest

from core import commands
from core.bus import MessageBus
from core.errors import InvalidInput
from core.model import LtiIdentity, Organization, OrganizationKind
from tests.unit.fakes import FakeClock, FakeStore, FakeUnitOfWork, FakeUnitOfWorkFactory


def teams_user(
    tenant: str = "tenant-x", aad: str = "aad-1", email: str | None = "Ana@Contoso.example"
) -> commands.ResolveTeamsPerson:
    return commands.ResolveTeamsPerson(tenant, aad, "29:1", "Ana Silva", email)


async def test_a_first_teams_activity_creates_the_organization_and_the_person(
    clock: FakeClock,
) -> None:
    uow = FakeUnitOfWork(FakeStore())
    bus = MessageBus(FakeUnitOfWorkFactory(uow.store), clock)
    org, person = await bus.handle(teams_user())
    again_org, again = await bus.handle(teams_user())
    assert (again_org.id, again.id) == (org.id, person.id)
    assert person.verified_email == "ana@contoso.example"
    assert len(uow.store.persons) == 1


async def test_lms_and_teams_identities_with_the_same_verified_email_become_one_person(
    clock: FakeClock,
) -> None:
    uow = FakeUnitOfWork(FakeStore())
    bus = MessageBus(FakeUnitOfWorkFactory(uow.store), clock)
    org, teams_person = await bus.handle(teams_user())
    lms_person = await bus.handle(
        commands.ResolveLtiPerson(org.id, "https://lms.example", "sub-9", "Ana S.", "ana@contoso.example")
    )
    assert lms_person.id == teams_person.id
    assert lms_person.teams is not None and lms_person.lti == [LtiIdentity("https://lms.example", "sub-9")]
    assert len(uow.store.persons) == 1


async def test_people_of_different_organizations_are_never_linked_even_with_the_same_email(
    clock: FakeClock,
) -> None:
    uow = FakeUnitOfWork(FakeStore())
    bus = MessageBus(FakeUnitOfWorkFactory(uow.store), clock)
    other = Organization("org-lms", OrganizationKind.LMS_PLATFORM, "https://lms.example", "University")
    uow.store.organizations[other.id] = other
    _, teams_person = await bus.handle(teams_user())
    lms_person = await bus.handle(
        commands.ResolveLtiPerson(other.id, "https://lms.example", "sub-9", "Ana", "ana@contoso.example")
    )
    assert lms_person.id != teams_person.id and lms_person.teams is None


async def test_an_activity_without_a_user_object_id_is_refused_and_creates_nothing(
    clock: FakeClock,
) -> None:
    uow = FakeUnitOfWork(FakeStore())
    bus = MessageBus(FakeUnitOfWorkFactory(uow.store), clock)
    with pytest.raises(InvalidInput):
        await bus.handle(teams_user(aad=""))
    assert uow.store.organizations == {}

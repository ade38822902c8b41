from __future__ import annotations

import pytest

from core import commands
from core.errors import InvalidInput
from core.model import LtiIdentity, Organization, OrganizationKind
from core.services import identity
from tests.unit.fakes import FakeStore, FakeUnitOfWork


def teams_user(
    tenant: str = "tenant-x", aad: str = "aad-1", email: str | None = "Ana@Contoso.example"
) -> commands.ResolveTeamsPerson:
    return commands.ResolveTeamsPerson(tenant, aad, "29:1", "Ana Silva", email)


async def test_a_first_teams_activity_creates_the_organization_and_the_person() -> None:
    uow = FakeUnitOfWork(FakeStore())
    org, person = await identity.resolve_teams_person(teams_user(), uow)
    again_org, again = await identity.resolve_teams_person(teams_user(), uow)
    assert (again_org.id, again.id) == (org.id, person.id)
    assert person.verified_email == "ana@contoso.example"
    assert len(uow.store.persons) == 1


async def test_lms_and_teams_identities_with_the_same_verified_email_become_one_person() -> None:
    uow = FakeUnitOfWork(FakeStore())
    org, teams_person = await identity.resolve_teams_person(teams_user(), uow)
    lms_person = await identity.resolve_lti_person(
        commands.ResolveLtiPerson(org.id, "https://lms.example", "sub-9", "Ana S.", "ana@contoso.example"),
        uow,
    )
    assert lms_person.id == teams_person.id
    assert lms_person.teams is not None and lms_person.lti == [LtiIdentity("https://lms.example", "sub-9")]
    assert len(uow.store.persons) == 1


async def test_people_of_different_organizations_are_never_linked_even_with_the_same_email() -> None:
    uow = FakeUnitOfWork(FakeStore())
    other = Organization("org-lms", OrganizationKind.LMS_PLATFORM, "https://lms.example", "University")
    uow.store.organizations[other.id] = other
    _, teams_person = await identity.resolve_teams_person(teams_user(), uow)
    lms_person = await identity.resolve_lti_person(
        commands.ResolveLtiPerson(other.id, "https://lms.example", "sub-9", "Ana", "ana@contoso.example"), uow
    )
    assert lms_person.id != teams_person.id and lms_person.teams is None


async def test_an_activity_without_a_user_object_id_is_refused_and_creates_nothing() -> None:
    uow = FakeUnitOfWork(FakeStore())
    with pytest.raises(InvalidInput):
        await identity.resolve_teams_person(teams_user(aad=""), uow)
    assert uow.store.organizations == {}

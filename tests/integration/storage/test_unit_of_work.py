from __future__ import annotations

import pytest
from sqlalchemy.exc import IntegrityError

from core import commands
from core.errors import InvalidInput
from core.model import MemberRole, Organization, OrganizationKind, Pairing, PairingMember, Person
from core.services import profiles
from storage.unit_of_work import SqlUnitOfWorkFactory
from tests.integration.storage.test_repositories import NOW, seed_organization


async def test_rolls_back_uncommitted_work_by_default(uow_factory: SqlUnitOfWorkFactory) -> None:
    async with uow_factory() as uow:
        await uow.organizations.add(Organization("org-x", OrganizationKind.TEAMS_TENANT, "tenant-x", "X"))
    async with uow_factory() as uow:
        assert await uow.organizations.get("org-x") is None


async def test_rolls_back_when_the_block_raises(uow_factory: SqlUnitOfWorkFactory) -> None:
    with pytest.raises(RuntimeError):
        async with uow_factory() as uow:
            await uow.organizations.add(Organization("org-x", OrganizationKind.TEAMS_TENANT, "tenant-x", "X"))
            raise RuntimeError("boom")
    async with uow_factory() as uow:
        assert await uow.organizations.get("org-x") is None


async def test_committed_work_is_kept(uow_factory: SqlUnitOfWorkFactory) -> None:
    async with uow_factory() as uow:
        await uow.organizations.add(Organization("org-x", OrganizationKind.TEAMS_TENANT, "tenant-x", "X"))
        await uow.commit()
    async with uow_factory() as uow:
        assert await uow.organizations.get("org-x") is not None


async def test_a_refused_profile_update_leaves_the_stored_profile_as_it_was(
    uow_factory: SqlUnitOfWorkFactory,
) -> None:
    await seed_organization(uow_factory, "org-a", "tenant-a")
    good = commands.UpdateProfile("org-a", "org-a-ana", teaches=(commands.SkillInput("Go", 3),))
    await profiles.update_profile(good, uow_factory())
    with pytest.raises(InvalidInput):
        await profiles.update_profile(
            commands.UpdateProfile("org-a", "org-a-ana", teaches=(commands.SkillInput("Go", 9),)),
            uow_factory(),
        )
    async with uow_factory() as uow:
        stored = await uow.profiles.get("org-a", "org-a-ana")
    assert stored is not None and [s.level for s in stored.teaches] == [3]


async def test_the_database_refuses_a_pairing_that_points_at_another_organizations_person(
    uow_factory: SqlUnitOfWorkFactory,
) -> None:
    await seed_organization(uow_factory, "org-a", "tenant-a")
    await seed_organization(uow_factory, "org-b", "tenant-b")
    forged = Pairing(
        id="pair-x",
        organization_id="org-a",
        program_id="org-a-program",
        round_id=None,
        members=[PairingMember("org-a-ana", MemberRole.PEER), PairingMember("org-b-bo", MemberRole.PEER)],
        created_at=NOW,
    )
    with pytest.raises(IntegrityError):
        async with uow_factory() as uow:
            await uow.pairings.save(forged)
            await uow.commit()


async def test_a_person_cannot_be_moved_to_another_organization(uow_factory: SqlUnitOfWorkFactory) -> None:
    await seed_organization(uow_factory, "org-a", "tenant-a")
    await seed_organization(uow_factory, "org-b", "tenant-b")
    with pytest.raises(ValueError, match="another organization"):
        async with uow_factory() as uow:
            await uow.persons.save(Person("org-a-ana", "org-b", "Ana"))

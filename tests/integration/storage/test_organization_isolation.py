"""One organization's data never appears in another's results, whatever id a caller passes."""

from __future__ import annotations

from core.model import Concern, Enrollment, ScopeKind
from storage.unit_of_work import SqlUnitOfWorkFactory
from tests.integration.storage.test_repositories import NOW, seed_organization


async def test_no_query_of_one_organization_returns_another_organizations_rows(
    uow_factory: SqlUnitOfWorkFactory,
) -> None:
    await seed_organization(uow_factory, "org-a", "tenant-a")
    await seed_organization(uow_factory, "org-b", "tenant-b")
    async with uow_factory() as uow:
        await uow.enrollments.save(Enrollment("e-b", "org-b", "org-b-program", "org-b-ana", 1, NOW))
        await uow.concerns.add(Concern("c-b", "org-b", "org-b-program", "org-b-ana", "private to org b", NOW))
        await uow.commit()

    async with uow_factory() as uow:
        # Ask organization A's scope for organization B's ids, one repository method at a time.
        assert await uow.persons.get("org-a", "org-b-ana") is None
        assert await uow.persons.by_lti_subject("org-a", "https://lms.example", "org-b-ana") is None
        assert await uow.persons.by_verified_email("org-a", "ana@tenant-b.example") == []
        assert await uow.persons.many("org-a", ["org-b-ana", "org-b-bo"]) == []
        assert await uow.programs.get("org-a", "org-b-program") is None
        assert [p.id for p in await uow.programs.for_organization("org-a")] == ["org-a-program"]
        assert (await uow.programs.by_scope("org-a", ScopeKind.TEAMS_TEAM, "19:team")).id == "org-a-program"  # type: ignore[union-attr]
        assert await uow.enrollments.for_person("org-a", "org-b-ana") == []
        assert await uow.enrollments.for_program("org-a", "org-b-program") == []
        assert await uow.concerns.for_program("org-a", "org-b-program") == []
        assert await uow.concerns.by_reporter("org-a", "org-b-ana") == []
        assert await uow.pairings.for_person("org-a", "org-b-ana") == []
        assert await uow.check_ins.by_person("org-a", "org-b-ana") == []
        assert await uow.outbox.for_recipient("org-a", "org-b-ana") == []
        # And the same aad object id in two tenants is two different people.
        a = await uow.persons.by_aad_object_id("org-a", "aad-ana")
        b = await uow.persons.by_aad_object_id("org-b", "aad-ana")
        assert a is not None and b is not None and a.id != b.id


async def test_deleting_in_one_organization_leaves_the_other_untouched(
    uow_factory: SqlUnitOfWorkFactory,
) -> None:
    await seed_organization(uow_factory, "org-a", "tenant-a")
    await seed_organization(uow_factory, "org-b", "tenant-b")
    async with uow_factory() as uow:
        await uow.enrollments.save(Enrollment("e-b", "org-b", "org-b-program", "org-b-ana", 1, NOW))
        await uow.commit()
    async with uow_factory() as uow:
        await uow.enrollments.delete_for_person("org-a", "org-b-ana")
        await uow.profiles.delete("org-a", "org-b-ana")
        await uow.persons.remove("org-a", "org-b-ana")
        await uow.commit()
    async with uow_factory() as uow:
        assert await uow.persons.get("org-b", "org-b-ana") is not None
        assert len(await uow.enrollments.for_person("org-b", "org-b-ana")) == 1

"""Who someone is, for the doors: names to show, a person found by address or Entra id, a tenant's
organization. Each reads in the unit of work it is given and changes nothing."""

from __future__ import annotations

from collections.abc import Sequence

from core.model import OrganizationKind, Person
from core.ports import UnitOfWork


async def display_names(
    organization_id: str, person_ids: Sequence[str], uow: UnitOfWork, *, with_erased: bool = True
) -> dict[str, str]:
    """Names by person id, in the order asked; an erased person is left out unless `with_erased`."""
    people = await uow.persons.many(organization_id, list(person_ids))
    names = {p.id: p.display_name for p in people if with_erased or not p.erased}
    return {pid: names[pid] for pid in person_ids if pid in names}


async def person(organization_id: str, person_id: str, uow: UnitOfWork) -> Person | None:
    return await uow.persons.get(organization_id, person_id)


async def by_verified_email(organization_id: str, email: str, uow: UnitOfWork) -> Person | None:
    """The first person (not erased) whose verified email is `email` (normalized by the caller)."""
    found = [p for p in await uow.persons.by_verified_email(organization_id, email) if not p.erased]
    return found[0] if found else None


async def by_aad_object_id(organization_id: str, aad_object_id: str, uow: UnitOfWork) -> Person | None:
    return await uow.persons.by_aad_object_id(organization_id, aad_object_id)


async def teams_organization(tenant_id: str, uow: UnitOfWork) -> str | None:
    """The id of the organization of a Microsoft Entra tenant, if it is known here."""
    found = await uow.organizations.by_external_id(OrganizationKind.TEAMS_TENANT, tenant_id)
    return None if found is None else found.id

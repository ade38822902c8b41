"""Finding or creating the person behind a request, and linking one person's Teams and LMS identities."""

from __future__ import annotations

import unicodedata

from core import commands
from core.errors import InvalidInput, NotFound
from core.model import (
    LtiIdentity,
    Organization,
    OrganizationKind,
    Person,
    TeamsIdentity,
    new_id,
    normalize_email,
)
from core.ports import Clock, UnitOfWork

MAX_NAME_LENGTH = 200


def _clean_name(name: str) -> str:
    """A name as Teams or the LMS sends it, made safe to store: not the person's typing, so nothing is
    refused; control and invisible characters are dropped (see `core.model.text`)."""
    visible = "".join(
        c for c in unicodedata.normalize("NFKC", name) if unicodedata.category(c) not in ("Cc", "Cf")
    )
    name = " ".join(visible.split())[:MAX_NAME_LENGTH]
    return name or "Colleague"


async def _link_by_email(uow: UnitOfWork, person: Person) -> Person:
    """If another record of this organization has the same verified email, merge it into `person`."""
    if person.verified_email is None:
        return person
    for other in await uow.persons.by_verified_email(person.organization_id, person.verified_email):
        if person.can_be_linked_with(other):
            # Keep the older record (it owns the history); fold the new identities into it.
            other.absorb(person)
            await uow.persons.remove(person.organization_id, person.id)
            await uow.persons.save(other)
            return other
    return person


async def resolve_teams_person(
    cmd: commands.ResolveTeamsPerson, uow: UnitOfWork, clock: Clock
) -> tuple[Organization, Person]:
    if not cmd.tenant_id or not cmd.aad_object_id:
        raise InvalidInput("from", "Teams did not say which tenant and user this is, so nothing was changed.")
    organization = await uow.organizations.by_external_id(OrganizationKind.TEAMS_TENANT, cmd.tenant_id)
    if organization is None:
        organization = Organization(
            id=new_id(), kind=OrganizationKind.TEAMS_TENANT, external_id=cmd.tenant_id, name=cmd.tenant_id
        )
        await uow.organizations.add(organization)
    identity = TeamsIdentity(cmd.tenant_id, cmd.aad_object_id, cmd.teams_user_id)
    email = normalize_email(cmd.verified_email)
    person = await uow.persons.by_aad_object_id(organization.id, cmd.aad_object_id)
    if person is None:
        person = Person(
            id=new_id(),
            organization_id=organization.id,
            display_name=_clean_name(cmd.display_name),
            verified_email=email,
            teams=identity,
        )
        await uow.persons.add(person)
        person = await _link_by_email(uow, person)
    elif (person.display_name, person.verified_email, person.teams) != (
        _clean_name(cmd.display_name),
        email or person.verified_email,
        identity,
    ):
        person.display_name = _clean_name(cmd.display_name)
        person.verified_email = email or person.verified_email
        person.teams = identity
        await uow.persons.save(person)
        person = await _link_by_email(uow, person)
    return organization, person


async def resolve_lti_person(cmd: commands.ResolveLtiPerson, uow: UnitOfWork, clock: Clock) -> Person:
    if not cmd.issuer or not cmd.subject:
        raise InvalidInput(
            "sub", "The launch did not name the user (issuer and subject), so nothing was changed."
        )
    if await uow.organizations.get(cmd.organization_id) is None:
        raise NotFound(f"The organization '{cmd.organization_id}' is not registered.")
    email = normalize_email(cmd.verified_email)
    person = await uow.persons.by_lti_subject(cmd.organization_id, cmd.issuer, cmd.subject)
    if person is None:
        person = Person(
            id=new_id(),
            organization_id=cmd.organization_id,
            display_name=_clean_name(cmd.display_name),
            verified_email=email,
            lti=[LtiIdentity(cmd.issuer, cmd.subject)],
        )
        await uow.persons.add(person)
        person = await _link_by_email(uow, person)
    elif (person.display_name, person.verified_email) != (
        _clean_name(cmd.display_name),
        email or person.verified_email,
    ):
        person.display_name = _clean_name(cmd.display_name)
        person.verified_email = email or person.verified_email
        await uow.persons.save(person)
        person = await _link_by_email(uow, person)
    return person

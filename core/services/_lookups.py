"""Loads shared by several use cases; each raises a NotFound whose message a person can act on."""

from __future__ import annotations

from core.errors import NotFound
from core.model import Enrollment, Pairing, Person, Program
from core.ports import UnitOfWork


async def person(uow: UnitOfWork, organization_id: str, person_id: str) -> Person:
    found = await uow.persons.get(organization_id, person_id)
    if found is None or found.erased:
        raise NotFound("We could not find you in this organization. Say 'help' to start again.")
    return found


async def program(uow: UnitOfWork, organization_id: str, program_id: str) -> Program:
    found = await uow.programs.get(organization_id, program_id)
    if found is None:
        raise NotFound("That program does not exist here (it may belong to another team or organization).")
    return found


async def pairing(uow: UnitOfWork, organization_id: str, pairing_id: str) -> Pairing:
    found = await uow.pairings.get(organization_id, pairing_id)
    if found is None:
        raise NotFound("That pairing does not exist here; the card may be out of date.")
    return found


async def enrollments(
    uow: UnitOfWork, organization_id: str, person_id: str, program_id: str | None
) -> list[Enrollment]:
    """The person's enrollments in one program, or in all of them when `program_id` is None."""
    found = await uow.enrollments.for_person(organization_id, person_id)
    if program_id is not None:
        found = [e for e in found if e.program_id == program_id]
    if not found:
        raise NotFound("You are not taking part in a program yet. Join one first.")
    return found

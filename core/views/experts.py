"""'Find an expert for X': colleagues who teach a skill and agreed to be found."""

from __future__ import annotations

from dataclasses import dataclass

from core.model import normalize_skill
from core.ports import UnitOfWork

MAX_RESULTS = 10


@dataclass(frozen=True)
class Expert:
    person_id: str
    display_name: str
    email: str | None
    skill: str
    level: int
    department: str | None


async def find_experts(
    organization_id: str, asker_id: str, skill: str, uow: UnitOfWork, limit: int = MAX_RESULTS
) -> list[Expert]:
    """Best level first; the asker and people who did not opt in to being found are left out."""
    key = normalize_skill(skill)
    profiles = [
        p
        for p in await uow.profiles.teachers_of(organization_id, key)
        if p.discoverable_as_expert and p.person_id != asker_id
    ]
    people = {p.id: p for p in await uow.persons.many(organization_id, [p.person_id for p in profiles])}
    found = []
    for profile in profiles:
        person = people.get(profile.person_id)
        skill_level = next((s for s in profile.teaches if s.key == key), None)
        if person is None or person.erased or skill_level is None:
            continue
        found.append(
            Expert(
                person_id=person.id,
                display_name=person.display_name,
                email=person.verified_email,
                skill=skill_level.label,
                level=skill_level.level,
                department=profile.department,
            )
        )
    found.sort(key=lambda e: (-e.level, e.display_name.casefold()))
    return found[:limit]

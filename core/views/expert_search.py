"""'Find someone who can help with …' from the compose box: findable colleagues and shared notes for a skill.

Who asks is named by Teams (tenant + Entra object id) and looked up, never created: someone the bot has
never met is told to say hi to it first. Results come from the asker's own organization only; a colleague
is listed only if they chose to be findable (`discoverable_as_expert`) and has not deleted their data.
"""

from __future__ import annotations

from dataclasses import dataclass

from core.errors import InvalidInput
from core.model import OrganizationKind, normalize_skill
from core.model.skills import skill_label
from core.ports import UnitOfWork
from core.views.notes import SharedNote, shared_notes

MAX_EXPERTS = 10
MAX_NOTES = 5
MAX_QUERY = 60


@dataclass(frozen=True)
class FoundExpert:
    person_id: str
    display_name: str
    upn: str | None  # the work address Teams gave: deep links to a chat need it
    skill: str
    level: int
    department: str | None


@dataclass(frozen=True)
class Unknown:
    """The asker is not known to peerlearn in this tenant (or deleted their data)."""


@dataclass(frozen=True)
class Prompt:
    """Nothing (usable) typed yet: the answer says what to type."""

    problem: str = ""  # why the text typed was not a skill, when it was not


@dataclass(frozen=True)
class Found:
    skill: str  # the skill as shown
    experts: tuple[FoundExpert, ...]
    notes: tuple[SharedNote, ...]


Answer = Unknown | Prompt | Found


async def search(
    uow: UnitOfWork,
    tenant_id: str,
    aad_object_id: str,
    text: str,
    *,
    experts: int = MAX_EXPERTS,
    notes: int = MAX_NOTES,
) -> Answer:
    organization = await uow.organizations.by_external_id(OrganizationKind.TEAMS_TENANT, tenant_id)
    if organization is None:
        return Unknown()
    asker = await uow.persons.by_aad_object_id(organization.id, aad_object_id)
    if asker is None or asker.erased:
        return Unknown()
    text = text.strip()[:MAX_QUERY]
    if not text:
        return Prompt()
    try:
        key, label = normalize_skill(text), skill_label(text)
    except InvalidInput as error:
        return Prompt(error.message)
    org = organization.id
    # One more than shown: the asker may be among the best, and is left out.
    profiles = [
        p for p in await uow.profiles.findable_teachers(org, key, experts + 1) if p.person_id != asker.id
    ]
    people = {p.id: p for p in await uow.persons.many(org, [p.person_id for p in profiles])}
    found: list[FoundExpert] = []
    for profile in profiles:
        person = people.get(profile.person_id)
        taught = next((s for s in profile.teaches if s.key == key), None)
        if person is None or person.erased or taught is None or not profile.discoverable_as_expert:
            continue
        found.append(
            FoundExpert(
                person.id,
                person.display_name,
                person.verified_email,
                taught.label,
                taught.level,
                profile.department,
            )
        )
    return Found(label, tuple(found[:experts]), tuple(await shared_notes(uow, org, key, notes)))

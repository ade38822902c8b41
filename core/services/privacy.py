"""A person's rights over their data: export everything stored about them, or erase it."""

from __future__ import annotations

import dataclasses
import enum
from datetime import date, datetime
from typing import Any

from core import commands
from core.errors import InvalidInput, NotFound
from core.model import OrganizationKind, Pairing, Person, Profile, normalize_email
from core.model.notes import LearningNote
from core.ports import Clock, UnitOfWork
from core.services import _lookups
from core.services.enrollment import end_pairings_of
from core.services.notes import forget_author
from core.services.rounds import FOR_MEMBER, reasons_for
from core.services.stewardship import release_facilitator

EXPORT_FORMAT = "peerlearn.personal-data.v2"
NEUTRAL_GOAL = "Agree together on one thing you each want to be able to do by the end."


def _plain(value: Any) -> Any:
    """Turn domain values into JSON-ready ones (dates as ISO 8601, enums as their value, sets sorted)."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, frozenset | set):
        return sorted(_plain(v) for v in value)
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    return value


def _my_side_of(pairing: Pairing, person_id: str) -> dict[str, Any]:
    """A pairing as seen by one member: other people's answers are theirs, so only their names appear."""
    me = pairing.member(person_id)
    return {
        "id": pairing.id,
        "program_id": pairing.program_id,
        "status": pairing.status.value,
        "created_at": pairing.created_at.isoformat(),
        "my_role": me.role.value,
        "my_response": me.response.value,
        "shared_goal": pairing.shared_goal,
        "skill": pairing.skill,
        "reasons": [r.text for r in reasons_for(pairing, person_id)],  # written to them, not to the others
        "other_member_ids": [m for m in pairing.member_ids() if m != person_id],
        "history": [{"status": h.status.value, "at": h.at.isoformat()} for h in pairing.history],
    }


async def export_my_data(cmd: commands.ExportMyData, uow: UnitOfWork, clock: Clock) -> dict[str, Any]:
    person = await _lookups.person(uow, cmd.organization_id, cmd.person_id)
    org, pid = cmd.organization_id, cmd.person_id
    pairings = await uow.pairings.for_person(org, pid)
    names = {
        p.id: p.display_name
        for p in await uow.persons.many(org, [m for x in pairings for m in x.member_ids()])
    }
    exported = [
        _my_side_of(p, pid) | {"other_members": [names.get(m, "") for m in p.member_ids() if m != pid]}
        for p in pairings
    ]
    return {
        "format": EXPORT_FORMAT,
        "exported_at": clock.now().isoformat(),
        "person": _plain(person),
        "profile": _plain(await uow.profiles.get(org, pid)),
        "enrollments": _plain(await uow.enrollments.for_person(org, pid)),
        "pairings": exported,
        "check_ins": _plain(await uow.check_ins.by_person(org, pid)),
        "concerns_raised": _plain(await uow.concerns.by_reporter(org, pid)),
        "learning_notes": [_my_note(n, pid) for n in await uow.notes.by_author(org, pid)],
        "pending_notifications": [
            {"intent": m.intent.value, "created_at": m.created_at.isoformat(), "status": m.status.value}
            for m in await uow.outbox.for_recipient(org, pid)
        ],
        # Every stored row that refers to the person, as stored (conversation references, team
        # memberships, delivery records, app installations included): nothing is left out.
        "stored_records": await uow.traces.export(org, pid),
        # What a course knows of the person beyond their answers (their LMS section), per program.
        "course_attributes": {
            p.id: attributes
            for p in await uow.programs.for_organization(org)
            if (attributes := p.member_attributes_of(pid))
        },
    }


def _my_note(note: LearningNote, person_id: str) -> dict[str, Any]:
    """A learning note the person wrote, with their own choice; co-authors are theirs to export."""
    return {
        "id": note.id,
        "pairing_id": note.pairing_id,
        "program_id": note.program_id,
        "text": note.text,
        "skills": [t.label for t in note.tags],
        "sharing": note.sharing_of(person_id).value,
        "created_at": note.created_at.isoformat(),
        "updated_at": note.updated_at.isoformat() if note.updated_at else None,
    }


def _scrubbed(pairing: Pairing, values: list[str], person_id: str) -> None:
    """Copies of the person's words in a pairing they were in: a goal drafted from theirs is replaced by a
    neutral one (the others agree a new one), reasons that name them name "a former participant", and the
    reasons written to them ("you teach Python at level 5…", their goals, their hours) are gone."""
    if pairing.skill is None or any(v in pairing.shared_goal for v in values):
        # A goal drafted from a member's goal may be theirs, even one they have since rewritten.
        pairing.shared_goal = NEUTRAL_GOAL
    theirs = f"{FOR_MEMBER}{person_id}:"
    reasons = []
    for reason in pairing.reasons:
        if reason.factor.startswith(theirs):
            continue
        text = reason.text
        for value in values:
            text = text.replace(value, "a former participant")
        reasons.append(dataclasses.replace(reason, text=text))
    pairing.reasons = reasons


async def delete_my_data(cmd: commands.DeleteMyData, uow: UnitOfWork, clock: Clock) -> None:
    """Erase a person everywhere, in one transaction.

    Their profile, enrollments, check-ins, concerns, queued notifications, conversation references, team
    memberships and delivery records are deleted, and so are the learning notes they wrote alone, shared or
    not (on a note written with others they are no longer an author); copies of their name, addresses, Teams ids and free text
    in other rows (a shared goal drafted from their goal, reasons that name them, a stored conversation
    reference) are rewritten. The person row stays, anonymized, because other people's pairings still point
    at it: their history keeps its shape ("a former participant") and the matcher's cool-down still holds.
    Open pairings end and their other members are told neutrally; programs they were the last facilitator
    of pause and their team's owners are asked to take over.
    """
    person = await _lookups.person(uow, cmd.organization_id, cmd.person_id)
    org, pid = cmd.organization_id, cmd.person_id
    profile = await uow.profiles.get(org, pid)
    values = _personal_values(person, profile)
    values += [c.learned for c in await uow.check_ins.by_person(org, pid)]
    values += [c.blockers for c in await uow.check_ins.by_person(org, pid)]
    values += [c.text for c in await uow.concerns.by_reporter(org, pid)]
    values = [v for v in dict.fromkeys(v.strip() for v in values if v) if _identifying(v)]
    # The person row first: a concurrent turn that would write their chat reference back waits on it.
    person.erase()
    await uow.persons.save(person)
    await end_pairings_of(uow, clock, org, pid)
    for pairing in await uow.pairings.for_person(org, pid):
        _scrubbed(pairing, values, pid)
        await uow.pairings.save(pairing)
    await release_facilitator(uow, clock, org, pid)
    for program in await uow.programs.for_organization(org):
        if program.forget_member_attributes(pid):
            await uow.programs.save(program)
    await uow.profiles.delete(org, pid)
    await uow.enrollments.delete_for_person(org, pid)
    await uow.check_ins.delete_by_person(org, pid)
    await uow.concerns.delete_by_reporter(org, pid)
    await forget_author(uow, org, pid)  # learning notes: theirs alone are deleted, shared ones too
    await uow.outbox.delete_for_recipient(org, pid)
    await uow.traces.erase(org, pid, values)


def _identifying(value: str) -> bool:
    """Long enough to stand for the person and not be part of anyone else's words or dates: a short number
    (an LMS's user id "2026") would otherwise rewrite every date that contains it."""
    return len(value) >= 3 and not (value.isdigit() and len(value) < 8)


def _personal_values(person: Person, profile: Profile | None) -> list[str]:
    values = [person.display_name, person.verified_email or ""]
    if person.teams is not None:
        values += [person.teams.aad_object_id, person.teams.teams_user_id]
    values += [identity.subject for identity in person.lti]
    if profile is not None:
        values.append(profile.goals)
    return values


async def find_for_administrator(
    uow: UnitOfWork, tenant_id: str, *, email: str | None = None, aad_object_id: str | None = None
) -> tuple[str, str]:
    """The organization and person an IT administrator names (someone who left, whose Teams account is
    gone): by Entra object id, or by work email. Raises NotFound with what was looked for."""
    organization = await uow.organizations.by_external_id(OrganizationKind.TEAMS_TENANT, tenant_id)
    if organization is None:
        raise NotFound(f"No organization uses the Teams tenant '{tenant_id}' here.")
    found: list[Person] = []
    if aad_object_id:
        person = await uow.persons.by_aad_object_id(organization.id, aad_object_id)
        found = [person] if person is not None else []
    elif email:
        found = await uow.persons.by_verified_email(organization.id, normalize_email(email) or email)
    found = [p for p in found if not p.erased]
    if not found:
        named = f"Entra object id '{aad_object_id}'" if aad_object_id else f"email '{email}'"
        raise NotFound(f"Nobody with the {named} is stored in that organization (or their data is deleted).")
    if len(found) > 1:
        raise InvalidInput("email", f"{len(found)} people have that email; name them by Entra object id.")
    return organization.id, found[0].id

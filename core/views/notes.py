"""Read models for learning notes, each read inside an open unit of work (`uow`), never opening one.

- `my_notes`: every note the person wrote, private or shared, with how they chose to share it (the
  "My learning" tab and the bot show these);
- `shared_notes`: what colleagues find by skill: shared notes only, naming only the authors who chose to be
  named and are still here (an erased person is never named);
- `note_form`: what the invitation card is drawn from: the member's note on a completed pairing, if any, and
  the skills to pre-fill.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from core.errors import InvalidTransition
from core.model import Pairing, PairingStatus, Profile, Program, normalize_skill
from core.model.notes import MAX_TAGS, LearningNote, Sharing
from core.ports import UnitOfWork
from core.services import _lookups

MAX_SHARED = 5


@dataclass(frozen=True)
class MyNote:
    note_id: str
    pairing_id: str
    program_id: str
    program_name: str
    text: str
    skills: tuple[str, ...]  # labels, as shown
    sharing: Sharing  # the person's own choice
    created_at: datetime
    updated_at: datetime | None


@dataclass(frozen=True)
class SharedNote:
    note_id: str
    text: str
    skills: tuple[str, ...]
    authors: tuple[str, ...]  # display names of the authors who chose to be named; empty: anonymous
    created_at: datetime


@dataclass(frozen=True)
class NoteForm:
    """The invitation to write a note, as one member of a completed pairing sees it."""

    pairing: Pairing
    program: Program
    viewer_id: str
    others: tuple[str, ...]  # the other members' names, as the member knows them
    suggested_skills: tuple[str, ...]
    note: LearningNote | None  # the member's own note on this pairing, if written

    @property
    def sharing(self) -> Sharing:
        return Sharing.PRIVATE if self.note is None else self.note.sharing_of(self.viewer_id)


async def my_notes(uow: UnitOfWork, organization_id: str, person_id: str) -> list[MyNote]:
    """The person's own notes, newest first. Nobody else's notes, whatever they shared."""
    notes = await uow.notes.by_author(organization_id, person_id)
    programs = {p.id: p for p in await uow.programs.for_organization(organization_id)}
    return [
        MyNote(
            note_id=n.id,
            pairing_id=n.pairing_id,
            program_id=n.program_id,
            program_name=programs[n.program_id].name if n.program_id in programs else "",
            text=n.text,
            skills=tuple(t.label for t in n.tags),
            sharing=n.sharing_of(person_id),
            created_at=n.created_at,
            updated_at=n.updated_at,
        )
        for n in notes
    ]


async def shared_notes(
    uow: UnitOfWork, organization_id: str, skill: str, limit: int = MAX_SHARED
) -> list[SharedNote]:
    """Shared notes about `skill` in the organization, newest first. Private notes never appear; an author
    is named only if they chose it and have not deleted their data."""
    notes = await uow.notes.shared_about(organization_id, [normalize_skill(skill)], limit)
    named = {a for n in notes for a in n.attributed_author_ids()}
    people = {p.id: p for p in await uow.persons.many(organization_id, sorted(named))}
    found = []
    for note in notes:
        if not note.shared:
            continue
        authors = tuple(
            people[a].display_name
            for a in note.attributed_author_ids()
            if a in people and not people[a].erased and people[a].display_name
        )
        found.append(
            SharedNote(note.id, note.text, tuple(t.label for t in note.tags), authors, note.created_at)
        )
    return found


def suggested_skills(pairing: Pairing, profiles: Mapping[str, Profile]) -> tuple[str, ...]:
    """The skills a note on `pairing` is pre-filled with: the pairing's own skill, then what one member
    learns and another teaches, then what the members learn (a note is about what was learned)."""
    suggested: dict[str, str] = {}
    if pairing.skill:
        suggested[normalize_skill(pairing.skill)] = pairing.skill
    members = [profiles[m] for m in pairing.member_ids() if m in profiles]
    taught = {s.key for p in members for s in p.teaches}
    for skill in (s for p in members for s in p.learns if s.key in taught):
        suggested.setdefault(skill.key, skill.label)
    for skill in (s for p in members for s in p.learns):
        suggested.setdefault(skill.key, skill.label)
    return tuple(suggested.values())[:MAX_TAGS]


async def note_form(uow: UnitOfWork, organization_id: str, pairing_id: str, person_id: str) -> NoteForm:
    """Raises for a non-member (PermissionDenied) or a pairing that has not completed (InvalidTransition)."""
    pairing = await _lookups.pairing(uow, organization_id, pairing_id)
    pairing.member(person_id)
    if pairing.status is not PairingStatus.COMPLETED:
        raise InvalidTransition(
            f"Notes are written once a pairing has completed; this one is {pairing.status.value}."
        )
    program = await _lookups.program(uow, organization_id, pairing.program_id)
    people = {p.id: p for p in await uow.persons.many(organization_id, pairing.member_ids())}
    others = tuple(
        people[m].display_name
        for m in pairing.member_ids()
        if m != person_id and m in people and not people[m].erased
    )
    profiles = {p.person_id: p for p in await uow.profiles.many(organization_id, pairing.member_ids())}
    note = await uow.notes.of_author_on_pairing(organization_id, person_id, pairing.id)
    return NoteForm(pairing, program, person_id, others, suggested_skills(pairing, profiles), note)

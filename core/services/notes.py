"""Learning notes: a member writes what they learned in a completed pairing, and chooses who may read it.

Handlers of the bus: `(command, uow, clock)`, inside the bus's unit of work; they never commit.
Completing a pairing asks its members (`invite_members`, called where a pairing completes).
"""

from __future__ import annotations

from core import commands
from core.errors import InvalidTransition, NotFound
from core.model import Intent, Pairing, PairingStatus, new_id
from core.model.notes import LearningNote, NoteAuthor, Sharing, note_tags, note_text
from core.ports import Clock, UnitOfWork
from core.services import _lookups
from core.services.notify import notify


async def invite_members(uow: UnitOfWork, clock: Clock, pairing: Pairing) -> int:
    """Ask each member of a pairing that just completed whether to write and share a note (1:1 each)."""
    if pairing.status is not PairingStatus.COMPLETED:
        return 0
    return await notify(
        uow, clock, pairing.organization_id, pairing.member_ids(), Intent.NOTE_INVITE, pairing.id
    )


async def _own_note(uow: UnitOfWork, organization_id: str, note_id: str, person_id: str) -> LearningNote:
    note = await uow.notes.get(organization_id, note_id)
    if note is None:
        raise NotFound("That note does not exist any more; it may have been deleted.")
    note.require_author(person_id)
    return note


async def write_note(cmd: commands.WriteLearningNote, uow: UnitOfWork, clock: Clock) -> LearningNote:
    """The member's note about the pairing: written once, rewritten after (one note per member and pairing)."""
    sharing = Sharing.parse(cmd.sharing)
    text, tags = note_text(cmd.text), note_tags(cmd.skills)
    await _lookups.person(uow, cmd.organization_id, cmd.person_id)
    pairing = await _lookups.pairing(uow, cmd.organization_id, cmd.pairing_id)
    pairing.member(cmd.person_id)  # only a member writes about a pairing
    if pairing.status is not PairingStatus.COMPLETED:
        raise InvalidTransition(
            f"Notes are written once a pairing has completed; this one is {pairing.status.value}."
        )
    now = clock.now()
    note = await uow.notes.of_author_on_pairing(cmd.organization_id, cmd.person_id, pairing.id)
    if note is None:
        note = LearningNote(
            id=new_id(),
            organization_id=cmd.organization_id,
            program_id=pairing.program_id,
            pairing_id=pairing.id,
            authors=[NoteAuthor(cmd.person_id)],
            tags=tags,
            text=text,
            created_at=now,
        )
    else:
        note.rewrite(cmd.person_id, text, tags, now)
    note.choose(cmd.person_id, sharing, now)
    await uow.notes.save(note)
    return note


async def share_note(cmd: commands.ShareLearningNote, uow: UnitOfWork, clock: Clock) -> LearningNote:
    note = await _own_note(uow, cmd.organization_id, cmd.note_id, cmd.person_id)
    note.choose(cmd.person_id, Sharing.ATTRIBUTED if cmd.attributed else Sharing.ANONYMOUS, clock.now())
    await uow.notes.save(note)
    return note


async def unshare_note(cmd: commands.UnshareLearningNote, uow: UnitOfWork, clock: Clock) -> LearningNote:
    note = await _own_note(uow, cmd.organization_id, cmd.note_id, cmd.person_id)
    note.choose(cmd.person_id, Sharing.PRIVATE, clock.now())
    await uow.notes.save(note)
    return note


async def delete_note(cmd: commands.DeleteLearningNote, uow: UnitOfWork, clock: Clock) -> None:
    """An author deletes their note; a note several people wrote loses only this author (their name goes)."""
    note = await _own_note(uow, cmd.organization_id, cmd.note_id, cmd.person_id)
    if note.remove_author(cmd.person_id):
        await uow.notes.delete(cmd.organization_id, note.id)
    else:
        await uow.notes.save(note)


async def forget_author(uow: UnitOfWork, organization_id: str, person_id: str) -> int:
    """A person deleted their data: every note they wrote alone is deleted, shared or not (their words may
    name them; "delete leaves no names behind"); on a note written with others they are no longer an author.
    Returns how many notes were deleted."""
    deleted = 0
    for note in await uow.notes.by_author(organization_id, person_id):
        if note.remove_author(person_id):
            await uow.notes.delete(organization_id, note.id)
            deleted += 1
        else:
            await uow.notes.save(note)
    return deleted

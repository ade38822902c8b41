"""Learning notes through the bot's cards, against the fakes: the form a completed pairing's member opens,
saving it (a mistake keeps what was typed), sharing with or without a name, keeping it private, deleting."""

from __future__ import annotations

import json

import pytest

from adaptive_cards import verbs
from core.errors import PermissionDenied
from core.model import PairingStatus
from tests.unit.bot.actions_support import PAIR, act, context, covers, shown
from tests.unit.conftest import proposed_pairing
from tests.unit.fakes import FakeClock, FakeUnitOfWork

TEXT = "Readiness probes must check the database, not only the process."


def _completed(uow: FakeUnitOfWork, clock: FakeClock) -> None:
    pairing = proposed_pairing(uow, clock, "ana", "bo", "cy", pairing_id=PAIR)
    pairing.skill, pairing.status = "Kubernetes", PairingStatus.COMPLETED


def _save(sharing: str, text: str = TEXT, skills: str = "Kubernetes, Docker") -> dict[str, object]:
    return {"pairing_id": PAIR, "text": text, "skills": skills, "sharing": sharing}


def _note_id(uow: FakeUnitOfWork, person: str) -> str:
    return next(n.id for n in uow.store.notes.values() if person in n.author_ids)


@covers(verbs.NOTE_OPEN)
async def test_a_member_opens_the_note_form_prefilled_with_the_pairings_skill(
    uow: FakeUnitOfWork, clock: FakeClock
) -> None:
    _completed(uow, clock)
    reply = await act(verbs.NOTE_OPEN, context(uow, clock, "ana", {"pairing_id": PAIR}))
    card = json.dumps(reply.card)
    assert "What did you learn?" in card and "Bo and Cy" in card and '"value": "Kubernetes"' in card
    assert "Share with colleagues, anonymously" in card and verbs.NOTE_SAVE in card
    assert reply.view == (verbs.NOTE_OPEN, {"pairing_id": PAIR})


@covers(verbs.NOTE_OPEN)
async def test_a_colleague_outside_the_pairing_cannot_open_its_note_form(
    uow: FakeUnitOfWork, clock: FakeClock
) -> None:
    _completed(uow, clock)
    with pytest.raises(PermissionDenied, match="Only the members"):  # the turn answers "Not allowed"
        await act(verbs.NOTE_OPEN, context(uow, clock, "fay", {"pairing_id": PAIR}))


@covers(verbs.NOTE_SAVE)
async def test_saving_a_shared_note_with_my_name_shows_who_can_read_it(
    uow: FakeUnitOfWork, clock: FakeClock
) -> None:
    _completed(uow, clock)
    card = await shown(verbs.NOTE_SAVE, context(uow, clock, "bo", _save("attributed")))
    assert "Your learning note" in card and TEXT in card
    assert "Colleagues can find it by skill, with your name." in card
    assert "Kubernetes, Docker" in card and "Keep it private" in card and "Share with my name" not in card
    [note] = uow.store.notes.values()
    assert note.shared and note.attributed_author_ids() == ["bo"]


@covers(verbs.NOTE_SAVE)
async def test_a_mistake_in_the_note_keeps_what_was_typed_and_says_what_is_wrong(
    uow: FakeUnitOfWork, clock: FakeClock
) -> None:
    _completed(uow, clock)
    card = await shown(verbs.NOTE_SAVE, context(uow, clock, "ana", _save("private", text="Too short")))
    assert "write at least 10" in card and '"value": "Too short"' in card
    card = await shown(verbs.NOTE_SAVE, context(uow, clock, "ana", _save("private", skills=" , ")))
    assert "Tag your note with at least one skill" in card and TEXT in card
    card = await shown(verbs.NOTE_SAVE, context(uow, clock, "ana", _save("private", text="x" * 2001)))
    assert "use at most 2000" in card
    assert uow.store.notes == {}


@covers(verbs.NOTE_SHARE, verbs.NOTE_UNSHARE)
async def test_a_private_note_is_shared_anonymously_then_kept_private_again(
    uow: FakeUnitOfWork, clock: FakeClock
) -> None:
    _completed(uow, clock)
    await act(verbs.NOTE_SAVE, context(uow, clock, "cy", _save("private")))
    ids = {"pairing_id": PAIR, "note_id": _note_id(uow, "cy")}
    card = await shown(verbs.NOTE_SHARE, context(uow, clock, "cy", ids | {"attributed": "false"}))
    assert "it does not name you" in card
    [note] = uow.store.notes.values()
    assert note.shared and note.attributed_author_ids() == []
    card = await shown(verbs.NOTE_UNSHARE, context(uow, clock, "cy", ids))
    assert "Only you can read it." in card
    assert not next(iter(uow.store.notes.values())).shared


@covers(verbs.NOTE_DELETE, verbs.NOTE_SHARE)
async def test_only_the_author_deletes_their_note(uow: FakeUnitOfWork, clock: FakeClock) -> None:
    _completed(uow, clock)
    await act(verbs.NOTE_SAVE, context(uow, clock, "ana", _save("private")))
    ids = {"pairing_id": PAIR, "note_id": _note_id(uow, "ana")}
    for verb in (verbs.NOTE_DELETE, verbs.NOTE_SHARE):
        with pytest.raises(PermissionDenied, match="Only the authors of this note"):
            await act(verb, context(uow, clock, "bo", ids | {"attributed": "true"}))
    assert len(uow.store.notes) == 1
    assert "Note deleted" in await shown(verbs.NOTE_DELETE, context(uow, clock, "ana", ids))
    assert uow.store.notes == {}

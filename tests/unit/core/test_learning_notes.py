"""Knowledge kept: a completed pairing's members are asked for a note; each chooses who may read it and
whether to be named; colleagues find shared notes by skill; delete and export cover them."""

from __future__ import annotations

import json

import pytest

from core import commands
from core.bus import MessageBus
from core.errors import InvalidInput, InvalidTransition, NotFound, PermissionDenied
from core.model import Intent, OutboxMessage, PairingStatus, Profile, SkillLevel
from core.model.notes import MAX_TEXT, NoteAuthor, Sharing
from core.services import rounds
from core.views import notes as note_views
from core.views import outbox
from tests.unit.conftest import ORG, PROGRAM, proposed_pairing
from tests.unit.fakes import FakeClock, FakeUnitOfWork

LEARNED = {
    "ana": "How to roll out a Kubernetes change behind a feature flag without downtime.",
    "bo": "Bo's take: readiness probes must check the database, not just the process.",
    "cy": "Draining nodes one at a time keeps the service up during an upgrade.",
}


def completed_group(uow: FakeUnitOfWork, clock: FakeClock, *members: str, pairing_id: str = "pair-1") -> None:
    pairing = proposed_pairing(uow, clock, *members, pairing_id=pairing_id)
    pairing.skill = "Kubernetes"
    pairing.status = PairingStatus.COMPLETED


def write(
    person: str, sharing: str, *, text: str | None = None, skills: tuple[str, ...] = ("k8s",)
) -> object:
    return commands.WriteLearningNote(ORG, person, "pair-1", text or LEARNED[person], skills, sharing)


async def shared_about(bus: MessageBus, skill: str) -> list[note_views.SharedNote]:
    return await bus.read(lambda u: note_views.shared_notes(u, ORG, skill))


async def test_each_member_chooses_for_themselves_and_attribution_names_only_who_chose_it(
    bus: MessageBus, uow: FakeUnitOfWork, clock: FakeClock
) -> None:
    completed_group(uow, clock, "ana", "bo", "cy")
    await bus.handle(write("ana", "private"))
    await bus.handle(write("bo", "attributed"))
    await bus.handle(write("cy", "anonymous"))
    found = await shared_about(bus, "Kubernetes")
    assert {n.text: n.authors for n in found} == {LEARNED["bo"]: ("Bo",), LEARNED["cy"]: ()}
    assert all(n.skills == ("Kubernetes",) for n in found)  # "k8s" is the vocabulary's Kubernetes
    mine = await bus.read(lambda u: note_views.my_notes(u, ORG, "ana"))
    assert [(n.text, n.sharing) for n in mine] == [(LEARNED["ana"], Sharing.PRIVATE)]
    assert await bus.read(lambda u: note_views.my_notes(u, ORG, "fay")) == []


async def test_a_private_note_is_never_found_and_sharing_it_later_makes_it_findable(
    bus: MessageBus, uow: FakeUnitOfWork, clock: FakeClock
) -> None:
    completed_group(uow, clock, "ana", "bo")
    note = await bus.handle(write("ana", "private"))
    assert await shared_about(bus, "kubernetes") == []
    await bus.handle(commands.ShareLearningNote(ORG, "ana", note.id, attributed=False))
    assert [n.authors for n in await shared_about(bus, "kubernetes")] == [()]
    await bus.handle(commands.ShareLearningNote(ORG, "ana", note.id, attributed=True))
    assert [n.authors for n in await shared_about(bus, "kubernetes")] == [("Ana",)]
    await bus.handle(commands.UnshareLearningNote(ORG, "ana", note.id))
    assert await shared_about(bus, "kubernetes") == []


async def test_writing_again_rewrites_my_one_note_on_the_pairing(
    bus: MessageBus, uow: FakeUnitOfWork, clock: FakeClock
) -> None:
    completed_group(uow, clock, "ana", "bo")
    first = await bus.handle(write("ana", "private"))
    second = await bus.handle(write("ana", "attributed", text="Feature flags first, then the rollout."))
    assert first.id == second.id
    assert [n.text for n in uow.store.notes.values()] == ["Feature flags first, then the rollout."]


async def test_only_a_member_writes_about_a_pairing_and_only_once_it_completed(
    bus: MessageBus, uow: FakeUnitOfWork, clock: FakeClock
) -> None:
    completed_group(uow, clock, "ana", "bo")
    with pytest.raises(PermissionDenied):
        await bus.handle(write("cy", "attributed"))
    uow.store.pairings["pair-1"].status = PairingStatus.ACTIVE
    with pytest.raises(InvalidTransition, match="once a pairing has completed; this one is active"):
        await bus.handle(write("ana", "private"))
    assert uow.store.notes == {}


@pytest.mark.parametrize(
    ("text", "skills", "sharing", "field", "message"),
    [
        ("   ", ("Go",), "private", "text", "the note is empty"),
        ("Too short", ("Go",), "private", "text", "write at least 10"),
        ("x" * (MAX_TEXT + 1), ("Go",), "private", "text", f"keep it to {MAX_TEXT}"),
        ("Goroutines are cheap.", (), "private", "skills", "at least one skill"),
        ("Goroutines are cheap.", ("a", "b", "c", "d", "e", "f"), "private", "skills", "at most 5"),
        ("Goroutines are cheap.", ("Go",), "everyone", "sharing", "Sharing is 'everyone'"),
        ("Stop\x00here please", ("Go",), "private", "text", "control character"),
    ],
)
async def test_a_bad_note_is_refused_with_what_is_wrong(
    bus: MessageBus,
    uow: FakeUnitOfWork,
    clock: FakeClock,
    text: str,
    skills: tuple[str, ...],
    sharing: str,
    field: str,
    message: str,
) -> None:
    completed_group(uow, clock, "ana", "bo")
    with pytest.raises(InvalidInput, match=message) as refused:
        await bus.handle(write("ana", sharing, text=text, skills=skills))
    assert refused.value.field == field
    assert uow.store.notes == {}


async def test_a_colleague_cannot_share_or_delete_someone_elses_note(
    bus: MessageBus, uow: FakeUnitOfWork, clock: FakeClock
) -> None:
    completed_group(uow, clock, "ana", "bo")
    note = await bus.handle(write("ana", "private"))
    for command in (
        commands.ShareLearningNote(ORG, "bo", note.id, attributed=True),
        commands.UnshareLearningNote(ORG, "bo", note.id),
        commands.DeleteLearningNote(ORG, "bo", note.id),
    ):
        with pytest.raises(PermissionDenied, match="Only the authors"):
            await bus.handle(command)
    assert uow.store.notes[note.id].visibility.value == "private"
    await bus.handle(commands.DeleteLearningNote(ORG, "ana", note.id))
    assert uow.store.notes == {}
    with pytest.raises(NotFound, match="may have been deleted"):
        await bus.handle(commands.DeleteLearningNote(ORG, "ana", note.id))


async def test_notes_of_another_organization_are_never_found(
    bus: MessageBus, uow: FakeUnitOfWork, clock: FakeClock
) -> None:
    completed_group(uow, clock, "ana", "bo")
    await bus.handle(write("ana", "attributed"))
    assert await bus.read(lambda u: note_views.shared_notes(u, "org-b", "Kubernetes")) == []


async def test_a_round_that_completes_a_pairing_asks_each_member_one_to_one(
    bus: MessageBus, uow: FakeUnitOfWork, clock: FakeClock
) -> None:
    pairing = proposed_pairing(uow, clock, "ana", "bo", "cy")
    pairing.status = PairingStatus.ACTIVE
    program = uow.store.programs[PROGRAM]
    async with bus.unit() as work:  # what a new round does to the pairings of the last one
        await rounds._close_previous(
            work.uow, program, await work.uow.pairings.for_program(ORG, PROGRAM), clock
        )
    invites = [m for m in uow.store.outbox.values() if m.intent is Intent.NOTE_INVITE]
    assert sorted(m.recipient_id for m in invites) == ["ana", "bo", "cy"]
    assert {m.subject_id for m in invites} == {pairing.id}
    assert uow.store.pairings[pairing.id].status is PairingStatus.COMPLETED


async def test_the_invitation_is_current_only_for_a_completed_pairing_and_prefills_its_skills(
    bus: MessageBus, uow: FakeUnitOfWork, clock: FakeClock
) -> None:
    completed_group(uow, clock, "ana", "bo")
    uow.store.profiles["ana"] = (ORG, Profile("ana", learns=(SkillLevel.of("Rust", 1),)))
    uow.store.profiles["bo"] = (ORG, Profile("bo", teaches=(SkillLevel.of("Rust", 5),)))
    message = OutboxMessage("m1", ORG, "ana", Intent.NOTE_INVITE, "pair-1", "k", clock.now())
    [current] = await bus.read(lambda u: outbox.current([message], u))
    assert isinstance(current, outbox.AboutPairing)
    assert note_views.suggested_skills(current.view.pairing, current.profiles) == ("Kubernetes", "Rust")
    uow.store.pairings["pair-1"].status = PairingStatus.ENDED
    [stale] = await bus.read(lambda u: outbox.current([message], u))
    assert isinstance(stale, outbox.Stale) and "did not complete" in stale.reason


async def test_export_includes_my_notes_with_my_choice(
    bus: MessageBus, uow: FakeUnitOfWork, clock: FakeClock
) -> None:
    completed_group(uow, clock, "ana", "bo")
    await bus.handle(write("ana", "anonymous"))
    await bus.handle(write("bo", "attributed"))
    exported = await bus.handle(commands.ExportMyData(ORG, "ana"))
    json.dumps(exported)
    assert [(n["text"], n["sharing"], n["skills"]) for n in exported["learning_notes"]] == [
        (LEARNED["ana"], "anonymous", ["Kubernetes"])
    ]


async def test_deleting_my_data_deletes_the_notes_i_wrote_and_leaves_no_name_behind(
    bus: MessageBus, uow: FakeUnitOfWork, clock: FakeClock
) -> None:
    completed_group(uow, clock, "ana", "bo", "cy")
    await bus.handle(write("ana", "private"))
    await bus.handle(write("bo", "attributed"))
    await bus.handle(write("cy", "anonymous"))
    await bus.handle(commands.DeleteMyData(ORG, "bo"))
    found = await shared_about(bus, "Kubernetes")
    assert [(n.text, n.authors) for n in found] == [(LEARNED["cy"], ())]
    assert "Bo" not in json.dumps([n.text for n in uow.store.notes.values()])
    assert all("bo" not in n.author_ids for n in uow.store.notes.values())
    await bus.handle(commands.DeleteMyData(ORG, "ana"))
    assert sorted(n.text for n in uow.store.notes.values()) == [LEARNED["cy"]]


async def test_a_note_written_with_others_loses_only_the_erased_author(
    bus: MessageBus, uow: FakeUnitOfWork, clock: FakeClock
) -> None:
    completed_group(uow, clock, "ana", "bo")
    note = await bus.handle(write("ana", "attributed"))
    stored = uow.store.notes[note.id]
    stored.authors = [NoteAuthor("ana", True), NoteAuthor("bo", True)]
    await bus.handle(commands.DeleteMyData(ORG, "ana"))
    [left] = await shared_about(bus, "Kubernetes")
    assert left.authors == ("Bo",)

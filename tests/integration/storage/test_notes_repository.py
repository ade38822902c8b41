"""Learning notes and findable teachers on real databases: what goes in comes back; search by skill finds
only shared notes of the organization, newest first; deleting a pairing or a person takes their rows along."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from core.model import (
    MemberRole,
    Pairing,
    PairingMember,
    PairingStatus,
    Profile,
    SkillLevel,
)
from core.model.notes import LearningNote, NoteAuthor, NoteTag, NoteVisibility
from storage.unit_of_work import SqlUnitOfWorkFactory
from tests.integration.storage.test_repositories import seed_organization

NOW = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
KUBERNETES = NoteTag("kubernetes", "Kubernetes")
DOCKER = NoteTag("docker", "Docker")


async def _pairing(uow_factory: SqlUnitOfWorkFactory, org: str) -> None:
    async with uow_factory() as uow:
        await uow.pairings.save(
            Pairing(
                id=f"{org}-pair",
                organization_id=org,
                program_id=f"{org}-program",
                round_id=None,
                members=[
                    PairingMember(f"{org}-ana", MemberRole.PEER),
                    PairingMember(f"{org}-bo", MemberRole.PEER),
                ],
                created_at=NOW,
                status=PairingStatus.COMPLETED,
            )
        )
        await uow.commit()


def _note(
    org: str, note_id: str, author: str, visibility: NoteVisibility, minutes: int, *tags: NoteTag
) -> LearningNote:
    return LearningNote(
        id=note_id,
        organization_id=org,
        program_id=f"{org}-program",
        pairing_id=f"{org}-pair",
        authors=[NoteAuthor(f"{org}-{author}", attributed=author == "bo")],
        tags=tags,
        text=f"What {author} learned ({note_id})",
        created_at=NOW + timedelta(minutes=minutes),
        visibility=visibility,
    )


async def test_a_note_round_trips_and_is_found_by_skill_only_when_shared(
    uow_factory: SqlUnitOfWorkFactory,
) -> None:
    for org, tenant in (("org-a", "tenant-a"), ("org-b", "tenant-b")):
        await seed_organization(uow_factory, org, tenant)
        await _pairing(uow_factory, org)
    private = _note("org-a", "a" * 32, "ana", NoteVisibility.PRIVATE, 0, KUBERNETES)
    older = _note("org-a", "b" * 32, "bo", NoteVisibility.SHARED, 1, KUBERNETES, DOCKER)
    newer = _note("org-a", "c" * 32, "ana", NoteVisibility.SHARED, 2, DOCKER, KUBERNETES)
    elsewhere = _note("org-b", "d" * 32, "bo", NoteVisibility.SHARED, 3, KUBERNETES)
    async with uow_factory() as uow:
        for note in (private, older, newer, elsewhere):
            await uow.notes.save(note)
        await uow.commit()
    async with uow_factory() as uow:
        assert await uow.notes.get("org-a", older.id) == older
        assert await uow.notes.get("org-b", older.id) is None  # scoped by organization
        assert await uow.notes.shared_about("org-a", ["kubernetes"], 5) == [newer, older]
        assert await uow.notes.shared_about("org-a", ["kubernetes", "docker"], 1) == [newer]
        assert await uow.notes.by_author("org-a", "org-a-ana") == [newer, private]
        assert await uow.notes.of_author_on_pairing("org-a", "org-a-bo", "org-a-pair") == older
    older.visibility = NoteVisibility.PRIVATE
    older.authors = [NoteAuthor("org-a-bo", attributed=False)]
    async with uow_factory() as uow:
        await uow.notes.save(older)
        await uow.notes.delete("org-a", newer.id)
        await uow.commit()
    async with uow_factory() as uow:
        assert await uow.notes.shared_about("org-a", ["kubernetes", "docker"], 5) == []
        assert await uow.notes.get("org-a", older.id) == older
        assert await uow.notes.get("org-a", newer.id) is None


async def test_findable_teachers_are_only_those_who_opted_in_best_first(
    uow_factory: SqlUnitOfWorkFactory,
) -> None:
    await seed_organization(uow_factory, "org-a", "tenant-a")
    ana = Profile("org-a-ana", teaches=(SkillLevel.of("Kubernetes", 3),), discoverable_as_expert=True)
    bo = Profile("org-a-bo", teaches=(SkillLevel.of("Kubernetes", 5),), discoverable_as_expert=False)
    async with uow_factory() as uow:
        await uow.profiles.save("org-a", ana)
        await uow.profiles.save("org-a", bo)
        await uow.commit()
    async with uow_factory() as uow:
        assert await uow.profiles.findable_teachers("org-a", "kubernetes", 10) == [ana]
        assert await uow.profiles.findable_teachers("org-a", "kubernetes", 0) == []
        assert await uow.profiles.findable_teachers("org-a", "rust", 10) == []

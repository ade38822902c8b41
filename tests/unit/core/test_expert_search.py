"""The compose box's "find help": only findable colleagues of the asker's own organization, never the
erased or anyone who did not opt in; shared notes for the skill; strangers told to say hi first."""

from __future__ import annotations

from core.bus import MessageBus
from core.model import (
    Organization,
    OrganizationKind,
    PairingStatus,
    Person,
    Profile,
    SkillLevel,
    TeamsIdentity,
)
from core.model.notes import LearningNote, NoteAuthor, NoteTag, NoteVisibility
from core.views import expert_search
from tests.unit.conftest import ORG, PROGRAM, proposed_pairing
from tests.unit.fakes import FakeClock, FakeUnitOfWork


def teaches(uow: FakeUnitOfWork, person: str, level: int, *, findable: bool = True, org: str = ORG) -> None:
    uow.store.profiles[person] = (
        org,
        Profile(
            person,
            teaches=(SkillLevel.of("Kubernetes", level),),
            department="Platform",
            discoverable_as_expert=findable,
        ),
    )


async def ask(bus: MessageBus, text: str, *, tenant: str = "tenant-a", aad: str = "aad-ana") -> object:
    return await bus.read(lambda u: expert_search.search(u, tenant, aad, text))


async def test_only_colleagues_who_chose_to_be_found_are_listed_best_level_first(
    bus: MessageBus, uow: FakeUnitOfWork
) -> None:
    teaches(uow, "bo", 3)
    teaches(uow, "cy", 5, findable=False)  # teaches it, never opted in
    teaches(uow, "fay", 5)
    teaches(uow, "ana", 5)  # the asker is not listed to themselves
    found = await ask(bus, "k8s")
    assert isinstance(found, expert_search.Found)
    assert found.skill == "Kubernetes"
    assert [(e.display_name, e.level, e.upn) for e in found.experts] == [
        ("Fay", 5, "fay@contoso.example"),
        ("Bo", 3, "bo@contoso.example"),
    ]


async def test_erased_people_and_other_tenants_are_never_listed(
    bus: MessageBus, uow: FakeUnitOfWork, clock: FakeClock
) -> None:
    teaches(uow, "bo", 4)
    uow.store.persons["bo"].erase()
    uow.store.organizations["org-b"] = Organization(
        "org-b", OrganizationKind.TEAMS_TENANT, "tenant-b", "Fabrikam"
    )
    uow.store.persons["zed"] = Person(
        "zed", "org-b", "Zed", "zed@fabrikam.example", TeamsIdentity("tenant-b", "aad-zed", "29:zed")
    )
    teaches(uow, "zed", 5, org="org-b")
    found = await ask(bus, "Kubernetes")
    assert isinstance(found, expert_search.Found) and found.experts == ()
    from_b = await ask(bus, "Kubernetes", tenant="tenant-b", aad="aad-zed")
    assert isinstance(from_b, expert_search.Found) and from_b.experts == ()  # Zed is the asker there


async def test_someone_peerlearn_does_not_know_is_told_to_say_hi_first(bus: MessageBus) -> None:
    assert isinstance(await ask(bus, "Kubernetes", aad="aad-stranger"), expert_search.Unknown)
    assert isinstance(await ask(bus, "Kubernetes", tenant="tenant-x"), expert_search.Unknown)


async def test_an_empty_or_unusable_query_gets_a_prompt(bus: MessageBus) -> None:
    assert await ask(bus, "   ") == expert_search.Prompt()
    prompt = await ask(bus, "\x00")
    assert isinstance(prompt, expert_search.Prompt) and "control character" in prompt.problem


async def test_shared_notes_for_the_skill_come_with_the_experts(
    bus: MessageBus, uow: FakeUnitOfWork, clock: FakeClock
) -> None:
    pairing = proposed_pairing(uow, clock, "bo", "cy")
    pairing.status = PairingStatus.COMPLETED
    tag = (NoteTag("kubernetes", "Kubernetes"),)
    for note_id, author, visibility in (
        ("n1", NoteAuthor("bo", True), NoteVisibility.SHARED),
        ("n2", NoteAuthor("cy", False), NoteVisibility.PRIVATE),
    ):
        uow.store.notes[note_id] = LearningNote(
            note_id, ORG, PROGRAM, pairing.id, [author], tag, f"Note {note_id}", clock.now(), visibility
        )
    found = await ask(bus, "kubernetes")
    assert isinstance(found, expert_search.Found)
    assert [(n.text, n.authors) for n in found.notes] == [("Note n1", ("Bo",))]

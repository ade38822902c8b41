from __future__ import annotations

import json

import pytest

from core import commands
from core.bus import MessageBus
from core.errors import NotFound, PermissionDenied
from core.model import FORMER_PARTICIPANT, Intent, MatchReason, PairingStatus
from core.services import privacy
from core.services.rounds import FOR_MEMBER
from tests.unit.conftest import ORG, PROGRAM, proposed_pairing
from tests.unit.fakes import FakeClock, FakeUnitOfWork


async def _ana_with_history(bus: MessageBus, uow: FakeUnitOfWork, clock: FakeClock) -> None:
    await bus.handle(commands.Enroll(ORG, PROGRAM, "ana", 1))
    await bus.handle(
        commands.UpdateProfile(
            ORG, "ana", teaches=(commands.SkillInput("Kubernetes", 4),), goals="Learn Rust"
        )
    )
    proposed_pairing(uow, clock, "ana", "bo")
    for person in ("ana", "bo"):
        await bus.handle(commands.RespondToPairing(ORG, "pair-1", person, "accept"))
    await bus.handle(
        commands.SubmitCheckIn(ORG, "pair-1", "ana", met=True, usefulness=5, learned="Borrow checker")
    )
    await bus.handle(commands.RaiseConcern(ORG, PROGRAM, "ana", "Too many meetings"))


async def test_export_is_a_json_document_of_everything_stored_about_me(
    bus: MessageBus, uow: FakeUnitOfWork, clock: FakeClock
) -> None:
    await _ana_with_history(bus, uow, clock)
    exported = await bus.handle(commands.ExportMyData(ORG, "ana"))
    text = json.dumps(exported)  # must be plain JSON
    assert exported["person"]["verified_email"] == "ana@contoso.example"
    assert exported["profile"]["goals"] == "Learn Rust"
    assert exported["enrollments"][0]["consent_version"] == 1
    assert exported["pairings"][0]["other_members"] == ["Bo"]
    assert exported["check_ins"][0]["learned"] == "Borrow checker"
    assert exported["concerns_raised"][0]["text"] == "Too many meetings"
    assert "Kubernetes" in text


async def test_my_export_holds_the_reasons_written_to_me_and_not_those_written_to_my_partner(
    bus: MessageBus, uow: FakeUnitOfWork, clock: FakeClock
) -> None:
    await _ana_with_history(bus, uow, clock)
    uow.store.pairings["pair-1"].reasons = [
        MatchReason("teach", 1.0, "Ana teaches Kubernetes; Bo wants to learn it"),
        MatchReason(f"{FOR_MEMBER}ana:skill", 1.0, "You teach Kubernetes at level 4; Bo wants to learn it"),
        MatchReason(
            f"{FOR_MEMBER}bo:availability", 0.5, "you are both free 3 hours a week, such as Tue 07:00"
        ),
    ]
    exported = await bus.handle(commands.ExportMyData(ORG, "ana"))
    assert exported["pairings"][0]["reasons"] == ["You teach Kubernetes at level 4; Bo wants to learn it"]


async def test_deleting_my_data_erases_me_and_leaves_my_partner_an_anonymous_history(
    bus: MessageBus, uow: FakeUnitOfWork, clock: FakeClock
) -> None:
    await _ana_with_history(bus, uow, clock)
    await bus.handle(commands.DeleteMyData(ORG, "ana"))
    s = uow.store
    ana = s.persons["ana"]
    assert (ana.display_name, ana.verified_email, ana.teams, ana.erased) == (
        FORMER_PARTICIPANT,
        None,
        None,
        True,
    )
    assert "ana" not in s.profiles
    assert not [e for e in s.enrollments.values() if e.person_id == "ana"]
    assert not [c for c in s.check_ins.values() if c.person_id == "ana"]
    assert not [c for c in s.concerns.values() if c.reporter_id == "ana"]
    assert not [m for m in s.outbox.values() if m.recipient_id == "ana"]
    pairing = s.pairings["pair-1"]
    assert pairing.member_ids() == ["ana", "bo"] and pairing.status is PairingStatus.ENDED
    serialized = repr(s)
    assert "ana@contoso.example" not in serialized and "Borrow checker" not in serialized


async def test_an_erased_person_can_no_longer_be_exported(
    bus: MessageBus, uow: FakeUnitOfWork, clock: FakeClock
) -> None:
    await bus.handle(commands.DeleteMyData(ORG, "ana"))
    with pytest.raises(NotFound):
        await bus.handle(commands.ExportMyData(ORG, "ana"))


async def test_deleting_my_data_tells_my_partner_neutrally_and_forgets_my_words_in_our_pairing(
    bus: MessageBus, uow: FakeUnitOfWork, clock: FakeClock
) -> None:
    await _ana_with_history(bus, uow, clock)
    pairing = uow.store.pairings["pair-1"]
    pairing.shared_goal = "Learn Rust."
    pairing.reasons = [
        MatchReason("teach", 1.0, "Ana teaches Kubernetes; Bo wants to learn it"),
        MatchReason(f"{FOR_MEMBER}ana:skill", 1.0, "You teach Kubernetes at level 4; Bo wants to learn it"),
        MatchReason(f"{FOR_MEMBER}ana:goals", 0.5, "you share the goal “rust”"),
        MatchReason(f"{FOR_MEMBER}bo:skill", 1.0, "Ana teaches Kubernetes at level 4; you want to learn it"),
    ]
    await bus.handle(commands.DeleteMyData(ORG, "ana"))
    pairing = uow.store.pairings["pair-1"]
    assert pairing.shared_goal == privacy.NEUTRAL_GOAL
    # What was written to Ana (her level, her goals) is gone; what names her elsewhere names nobody.
    assert [(r.factor, r.text) for r in pairing.reasons] == [
        ("teach", "a former participant teaches Kubernetes; Bo wants to learn it"),
        (f"{FOR_MEMBER}bo:skill", "a former participant teaches Kubernetes at level 4; you want to learn it"),
    ]
    told = [m for m in uow.store.outbox.values() if m.intent is Intent.PARTNER_LEFT]
    assert [m.recipient_id for m in told] == ["bo"] and told[0].payload == {}
    assert uow.store.erasures == 1  # the rows outside the domain were erased in the same transaction


async def test_when_the_last_facilitator_deletes_their_data_the_program_pauses_and_owners_are_asked(
    bus: MessageBus, uow: FakeUnitOfWork, clock: FakeClock
) -> None:
    program = uow.store.programs[PROGRAM]
    program.scope_id = "19:team"
    program.facilitator_ids = ["ana"]
    uow.store.team_owners[(ORG, "19:team")] = {"ana", "bo"}
    await bus.handle(commands.DeleteMyData(ORG, "ana"))
    program = uow.store.programs[PROGRAM]
    assert program.needs_facilitator
    asked = [m for m in uow.store.outbox.values() if m.intent is Intent.FACILITATOR_NEEDED]
    assert [m.recipient_id for m in asked] == ["bo"]
    with pytest.raises(PermissionDenied):
        await bus.handle(commands.TakeOver(ORG, PROGRAM, "cy"))
    taken = await bus.handle(commands.TakeOver(ORG, PROGRAM, "bo"))
    assert taken.facilitator_ids == ["bo"] and not uow.store.programs[PROGRAM].needs_facilitator

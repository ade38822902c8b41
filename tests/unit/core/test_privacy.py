from __future__ import annotations

import json

import pytest

from core import commands
from core.errors import NotFound
from core.model import FORMER_PARTICIPANT, PairingStatus
from core.services import checkins, enrollment, pairings, privacy, profiles
from tests.unit.conftest import ORG, PROGRAM, proposed_pairing
from tests.unit.fakes import FakeClock, FakeUnitOfWork


async def _ana_with_history(uow: FakeUnitOfWork, clock: FakeClock) -> None:
    await enrollment.enroll(commands.Enroll(ORG, PROGRAM, "ana", 1), uow, clock)
    await profiles.update_profile(
        commands.UpdateProfile(
            ORG, "ana", teaches=(commands.SkillInput("Kubernetes", 4),), goals="Learn Rust"
        ),
        uow,
    )
    proposed_pairing(uow, clock, "ana", "bo")
    for person in ("ana", "bo"):
        await pairings.respond(commands.RespondToPairing(ORG, "pair-1", person, "accept"), uow, clock)
    await checkins.submit_check_in(
        commands.SubmitCheckIn(ORG, "pair-1", "ana", met=True, usefulness=5, learned="Borrow checker"),
        uow,
        clock,
    )
    await checkins.raise_concern(commands.RaiseConcern(ORG, PROGRAM, "ana", "Too many meetings"), uow, clock)


async def test_export_is_a_json_document_of_everything_stored_about_me(
    uow: FakeUnitOfWork, clock: FakeClock
) -> None:
    await _ana_with_history(uow, clock)
    exported = await privacy.export_my_data(commands.ExportMyData(ORG, "ana"), uow, clock)
    text = json.dumps(exported)  # must be plain JSON
    assert exported["person"]["verified_email"] == "ana@contoso.example"
    assert exported["profile"]["goals"] == "Learn Rust"
    assert exported["enrollments"][0]["consent_version"] == 1
    assert exported["pairings"][0]["other_members"] == ["Bo"]
    assert exported["check_ins"][0]["learned"] == "Borrow checker"
    assert exported["concerns_raised"][0]["text"] == "Too many meetings"
    assert "Kubernetes" in text


async def test_deleting_my_data_erases_me_and_leaves_my_partner_an_anonymous_history(
    uow: FakeUnitOfWork, clock: FakeClock
) -> None:
    await _ana_with_history(uow, clock)
    await privacy.delete_my_data(commands.DeleteMyData(ORG, "ana"), uow, clock)
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


async def test_an_erased_person_can_no_longer_be_exported(uow: FakeUnitOfWork, clock: FakeClock) -> None:
    await privacy.delete_my_data(commands.DeleteMyData(ORG, "ana"), uow, clock)
    with pytest.raises(NotFound):
        await privacy.export_my_data(commands.ExportMyData(ORG, "ana"), uow, clock)

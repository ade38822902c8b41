"""A proposal is written to its reader: their own reasons ("you three…"), cautions as cautions, and a heading
that counts the people in it."""

from __future__ import annotations

import json
from functools import partial

import pytest

from adaptive_cards.pairing import proposal
from core import commands
from core.bus import MessageBus
from core.model import Enrollment, Profile, ScopeKind, SkillLevel
from core.services import rounds
from core.views.status import pairing_view
from matching import explain_members
from tests.unit.conftest import ORG, PROGRAM
from tests.unit.fakes import FakeClock, FakeUnitOfWork

WEEKDAYS = frozenset(d * 24 + h for d in range(5) for h in range(9, 17))


def _skill(label: str, level: int) -> tuple[SkillLevel, ...]:
    return (SkillLevel.of(label, level),)


async def _trio(bus: MessageBus, uow: FakeUnitOfWork, clock: FakeClock) -> rounds.RoundOutcome:
    plans = {
        "ana": ("Python", "Kubernetes", "Europe/Berlin"),
        "bo": ("Kubernetes", "JavaScript", "Europe/London"),
        "cy": ("JavaScript", "Python", "America/New_York"),
    }
    for person, (teaches, learns, zone) in plans.items():
        uow.store.enrollments[f"e-{person}"] = Enrollment(f"e-{person}", ORG, PROGRAM, person, 1, clock.now())
        uow.store.profiles[person] = (
            ORG,
            Profile(
                person,
                teaches=_skill(teaches, 4),
                learns=_skill(learns, 2),
                timezone=zone,
                hours_per_month=4,
                weekly_availability=WEEKDAYS,
            ),
        )
    return await rounds.run_round(commands.RunRound(ORG, PROGRAM, "fay"), bus)


def _text(card: object) -> str:
    return json.dumps(card, ensure_ascii=False)


async def test_each_member_of_a_trio_reads_their_own_reasons_under_why_you_three(
    bus: MessageBus, uow: FakeUnitOfWork, clock: FakeClock
) -> None:
    outcome = await _trio(bus, uow, clock)
    [pairing] = outcome.pairings
    assert len(pairing.members) == 3
    read = {}
    for member in pairing.member_ids():
        view = await bus.read(partial(pairing_view, ORG, pairing.id, member))
        read[member] = _text(proposal(view))
        own = rounds.reasons_for(pairing, member)
        assert own and all(r.text[1:] in read[member] for r in own)
        assert '"text": "Heads-up: some of you are 6 hours apart' in read[member]  # a caution, as a caution
        assert "your time" in read[member]
        assert "Why you three" in read[member] and "Why you two" not in read[member]
        name = uow.store.persons[member].display_name
        assert f"{name} joins you" not in read[member]  # nobody reads about themselves in the third person
    assert len(set(read.values())) == 3  # three readers, three cards written to each


async def test_a_pairing_stored_before_reasons_per_member_shows_the_shared_ones_under_why_you_two(
    bus: MessageBus, uow: FakeUnitOfWork, clock: FakeClock
) -> None:
    [pairing] = (await _trio(bus, uow, clock)).pairings
    pairing = uow.store.pairings[pairing.id]
    shared = [r for r in pairing.reasons if not r.factor.startswith(rounds.FOR_MEMBER)]
    pairing.members, pairing.reasons = pairing.members[:2], shared
    reader = pairing.member_ids()[0]
    assert rounds.reasons_for(pairing, reader) == shared
    card = _text(proposal(await bus.read(lambda u: pairing_view(ORG, pairing.id, reader, u))))
    assert "Why you two" in card and all(r.text[1:] in card for r in shared)


async def test_a_course_group_keeps_the_shared_reasons_only(
    bus: MessageBus, uow: FakeUnitOfWork, clock: FakeClock
) -> None:
    uow.store.programs[PROGRAM].scope_kind = ScopeKind.LMS_COURSE  # the instructor's page lists every reason
    outcome = await _trio(bus, uow, clock)
    assert outcome.pairings
    assert not any(r.factor.startswith(rounds.FOR_MEMBER) for p in outcome.pairings for r in p.reasons)


@pytest.mark.parametrize(("scope", "sentences"), [(ScopeKind.LMS_COURSE, 0), (ScopeKind.TEAMS_TEAM, 3)])
async def test_only_a_teams_round_spends_time_writing_reasons_to_each_member(
    bus: MessageBus,
    uow: FakeUnitOfWork,
    clock: FakeClock,
    monkeypatch: pytest.MonkeyPatch,
    scope: ScopeKind,
    sentences: int,
) -> None:
    """Member reasons are written when read, and only a Teams round reads them (as it stores its pairings)."""
    written: list[int] = []
    write = explain_members._for
    monkeypatch.setattr(explain_members, "_for", lambda *a: written.append(1) or write(*a))
    uow.store.programs[PROGRAM].scope_kind = scope
    assert (await _trio(bus, uow, clock)).pairings and len(written) == sentences

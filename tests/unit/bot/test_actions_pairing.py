"""A pairing as its members see it through the bot, against the fakes: the proposal, the answers, the
introduction with a first meeting (checked against calendars when Graph gives them), and the check-in."""

from __future__ import annotations

from datetime import UTC, datetime

from adaptive_cards import verbs
from core.model import PairingStatus, Profile, Response
from tests.unit.bot.actions_support import PAIR, FakeCalendars, act, context, covers, shown
from tests.unit.conftest import ORG, proposed_pairing
from tests.unit.fakes import FakeClock, FakeUnitOfWork

MONDAY_BERLIN = frozenset({15, 16})  # Monday 15:00–17:00 in Berlin, 09:00–11:00 in New York
MONDAY_NEW_YORK = frozenset({9, 10})


def _both_free_on_monday(uow: FakeUnitOfWork) -> None:
    uow.store.profiles["ana"] = (
        ORG,
        Profile("ana", timezone="Europe/Berlin", weekly_availability=MONDAY_BERLIN),
    )
    uow.store.profiles["bo"] = (
        ORG,
        Profile("bo", timezone="America/New_York", weekly_availability=MONDAY_NEW_YORK),
    )


@covers(verbs.PAIRING_VIEW)
async def test_a_member_sees_the_proposal_with_the_answers_still_open(
    uow: FakeUnitOfWork, clock: FakeClock
) -> None:
    proposed_pairing(uow, clock, "ana", "bo", pairing_id=PAIR)
    reply = await act(verbs.PAIRING_VIEW, context(uow, clock, "ana", {"pairing_id": PAIR}))
    card = str(reply.card)
    assert "A learning match for you" in card and "Bo" in card
    assert verbs.PAIRING_ACCEPT in card and verbs.PAIRING_SOMEONE_ELSE in card
    assert reply.view == (verbs.PAIRING_VIEW, {"pairing_id": PAIR})  # a refresh re-reads it


@covers(verbs.PAIRING_VIEW, verbs.PAIRING_ACCEPT)
async def test_the_introduction_proposes_a_first_meeting_the_members_calendars_have_free(
    uow: FakeUnitOfWork, clock: FakeClock
) -> None:
    _both_free_on_monday(uow)
    proposed_pairing(uow, clock, "ana", "bo", pairing_id=PAIR)
    await act(verbs.PAIRING_ACCEPT, context(uow, clock, "ana", {"pairing_id": PAIR}))
    by_hours = await shown(verbs.PAIRING_ACCEPT, context(uow, clock, "bo", {"pairing_id": PAIR}))
    assert "Monday 2 November, 09:00–09:30 (New York, UTC-05:00)" in by_hours
    assert "and your calendars" not in by_hours
    assert (
        await act(verbs.PAIRING_VIEW, context(uow, clock, "ana", {"pairing_id": PAIR}))
    ).after_turn is None
    # Ana's Outlook has 14:00–15:00 UTC booked: once the turn has committed (no transaction waits for Graph),
    # the card a member opens moves on to the next half hour both calendars have free.
    booked = (datetime(2026, 11, 2, 14, tzinfo=UTC), datetime(2026, 11, 2, 15, tzinfo=UTC))
    outlook = FakeCalendars(booked={"ana@contoso.example": [booked]})
    ctx = context(uow, clock, "ana", {"pairing_id": PAIR}, calendars=outlook)
    in_turn = await act(verbs.PAIRING_VIEW, ctx)
    assert "Monday 2 November, 15:00–15:30 (Berlin, UTC+01:00)" in str(in_turn.card)
    assert outlook.asked == [] and in_turn.after_turn is not None
    seen = str((await in_turn.after_turn(ctx.services)).card)
    assert "Monday 2 November, 16:00–16:30 (Berlin, UTC+01:00)" in seen
    assert "by the hours you gave and your calendars" in seen
    assert outlook.asked == [("aad-ana", ("ana@contoso.example", "bo@contoso.example"))]


@covers(verbs.PAIRING_DECLINE)
async def test_declining_closes_the_proposal_for_everyone(uow: FakeUnitOfWork, clock: FakeClock) -> None:
    proposed_pairing(uow, clock, "ana", "bo", pairing_id=PAIR)
    closed = await shown(verbs.PAIRING_DECLINE, context(uow, clock, "bo", {"pairing_id": PAIR}))
    assert "Pairing closed" in closed and "You will get a new suggestion in the next round" in closed
    assert uow.store.pairings[PAIR].status is PairingStatus.DECLINED
    assert "Pairing closed" in await shown(
        verbs.PAIRING_VIEW, context(uow, clock, "ana", {"pairing_id": PAIR})
    )


@covers(verbs.PAIRING_SOMEONE_ELSE)
async def test_asking_for_someone_else_ends_the_proposal_without_saying_why(
    uow: FakeUnitOfWork, clock: FakeClock
) -> None:
    proposed_pairing(uow, clock, "ana", "bo", pairing_id=PAIR)
    answer = await shown(verbs.PAIRING_SOMEONE_ELSE, context(uow, clock, "ana", {"pairing_id": PAIR}))
    assert "Pairing closed" in answer
    stored = uow.store.pairings[PAIR]
    assert stored.status is PairingStatus.DECLINED
    assert stored.members[1].response is Response.PENDING  # Bo answered nothing
    told = await shown(verbs.PAIRING_VIEW, context(uow, clock, "bo", {"pairing_id": PAIR}))
    assert "someone else" not in told.lower()


@covers(verbs.CHECKIN_OPEN)
async def test_a_member_opens_the_check_in_about_their_partner(uow: FakeUnitOfWork, clock: FakeClock) -> None:
    pairing = proposed_pairing(uow, clock, "ana", "bo", pairing_id=PAIR)
    pairing.status = PairingStatus.ACTIVE
    reply = await act(verbs.CHECKIN_OPEN, context(uow, clock, "ana", {"pairing_id": PAIR}))
    card = str(reply.card)
    assert "Check-in" in card and "How is it going with Bo?" in card
    assert verbs.CHECKIN_SUBMIT in card

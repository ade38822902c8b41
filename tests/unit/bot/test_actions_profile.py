"""The profile editor as the bot answers it, against the fakes: opened pre-filled, saved with every mistake
shown at once, and a profile nobody can be matched with says why."""

from __future__ import annotations

from adaptive_cards import verbs
from bot.client_info import TIMEZONE
from core.ports.teams import MailboxSettings
from tests.unit.bot.actions_support import FakeCalendars, act, context, covers, shown
from tests.unit.conftest import ORG
from tests.unit.fakes import FakeClock, FakeUnitOfWork

MONDAY_NINE_TO_FIVE = frozenset(range(9, 17))


@covers(verbs.PROFILE_OPEN)
async def test_a_first_profile_opens_in_the_time_zone_teams_detected(
    uow: FakeUnitOfWork, clock: FakeClock
) -> None:
    reply = await act(verbs.PROFILE_OPEN, context(uow, clock, "ana", {TIMEZONE: "Europe/Berlin"}))
    card = str(reply.card)
    assert "Your profile" in card and "Berlin (UTC+01:00)" in card
    assert "Outlook" not in card
    assert reply.view == (verbs.PROFILE_OPEN, {})


@covers(verbs.PROFILE_OPEN)
async def test_with_graph_a_first_profile_takes_the_time_zone_and_hours_from_outlook(
    uow: FakeUnitOfWork, clock: FakeClock
) -> None:
    outlook = FakeCalendars(mailboxes={"aad-ana": MailboxSettings("Asia/Tokyo", MONDAY_NINE_TO_FIVE)})
    ctx = context(uow, clock, "ana", {TIMEZONE: "Europe/Berlin"}, calendars=outlook)
    card = await shown(verbs.PROFILE_OPEN, ctx)
    assert "Tokyo (UTC+09:00)" in card
    assert "Your time zone and working hours come from your Outlook settings" in card


@covers(verbs.PROFILE_SAVE)
async def test_a_profile_with_mistakes_shows_them_all_at_once_and_saves_nothing(
    uow: FakeUnitOfWork, clock: FakeClock
) -> None:
    wrong = {"teach_skill_0": "Kubernetes", "hours_per_month": "500", "timezone": "Atlantis"}
    card = await shown(verbs.PROFILE_SAVE, context(uow, clock, "ana", wrong))
    assert "Pick a level from 1 to 5 for 'Kubernetes'" in card
    assert "We do not know the time zone 'Atlantis'" in card
    assert "'500' is not a whole number from 0 to 80" in card and "Saved" not in card
    assert "ana" not in uow.store.profiles


@covers(verbs.PROFILE_SAVE)
async def test_a_saved_profile_says_what_still_keeps_the_person_from_being_matched(
    uow: FakeUnitOfWork, clock: FakeClock
) -> None:
    empty = await shown(verbs.PROFILE_SAVE, context(uow, clock, "ana", {"timezone": "Europe/Berlin"}))
    assert "Saved, but nobody can be matched with you yet" in empty
    assert "you have not joined a program yet" in empty
    assert "add at least one skill you can teach or want to learn" in empty
    skills = {
        "timezone": "Europe/Berlin",
        "learn_skill_0": "JS",
        "learn_level_0": "2",
        "hours_per_month": "4",
    }
    await shown(verbs.PROFILE_SAVE, context(uow, clock, "ana", skills))
    organization, saved = uow.store.profiles["ana"]
    assert organization == ORG and saved.timezone == "Europe/Berlin"
    assert [(s.label, s.level) for s in saved.learns] == [("JavaScript", 2)]  # folded onto the vocabulary

"""The introduction proposes a first meeting at a real time, on each reader's clock, with a filled Teams link."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qs, urlsplit

from adaptive_cards.pairing import introduction
from bot.delivery.render import Rendered, render_many
from core import commands
from core.bus import MessageBus
from core.model import Intent, Profile
from core.views.status import pairing_view
from tests.unit.conftest import ORG, proposed_pairing
from tests.unit.fakes import FakeClock, FakeUnitOfWork

MONDAY = 0


def _profiles(uow: FakeUnitOfWork, ana_hours: frozenset[int], bo_hours: frozenset[int]) -> None:
    uow.store.profiles["ana"] = (ORG, Profile("ana", timezone="Europe/Berlin", weekly_availability=ana_hours))
    uow.store.profiles["bo"] = (ORG, Profile("bo", timezone="America/New_York", weekly_availability=bo_hours))


async def _matched(bus: MessageBus, uow: FakeUnitOfWork, clock: FakeClock) -> None:
    pairing = proposed_pairing(uow, clock, "ana", "bo")
    pairing.shared_goal = "By the end, use Kubernetes on a real task at work."
    for who in ("ana", "bo"):
        await bus.handle(commands.RespondToPairing(ORG, "pair-1", who, "accept"))


def _link(card: dict[str, Any]) -> dict[str, list[str]]:
    url = next(a["url"] for a in card["actions"] if a["type"] == "Action.OpenUrl" and "meeting" in a["url"])
    return parse_qs(urlsplit(url).query)


def _text(card: dict[str, Any]) -> str:
    return json.dumps(card["body"], ensure_ascii=False)


async def test_each_reader_sees_the_shared_slot_on_their_own_clock_and_a_link_carrying_it(
    bus: MessageBus, uow: FakeUnitOfWork, clock: FakeClock
) -> None:
    _profiles(uow, frozenset({MONDAY * 24 + 15}), frozenset({MONDAY * 24 + 9}))
    clock.current = datetime(2026, 10, 26, 8, tzinfo=UTC)  # the week Europe and America are 5 hours apart
    await _matched(bus, uow, clock)
    clock.advance(days=3)  # a refresh later shows the same proposal
    ana = introduction(await bus.read(lambda u: pairing_view(ORG, "pair-1", "ana", u)))
    bo = introduction(await bus.read(lambda u: pairing_view(ORG, "pair-1", "bo", u)))
    assert "Monday 2 November, 15:00–15:30 (Berlin, UTC+01:00)" in _text(ana)
    assert "Monday 2 November, 09:00–09:30 (New York, UTC-05:00)" in _text(bo)
    query = _link(ana)
    assert query["subject"] == ["By the end, use Kubernetes on a real task at work."]
    assert query["attendees"] == ["ana@contoso.example,bo@contoso.example"]
    assert query["startTime"] == ["2026-11-02T14:00:00+00:00"]
    assert query["endTime"] == ["2026-11-02T14:30:00+00:00"]
    assert _link(bo) == query


async def test_the_introduction_the_outbox_sends_carries_the_proposed_time(
    bus: MessageBus, uow: FakeUnitOfWork, clock: FakeClock
) -> None:
    _profiles(uow, frozenset({MONDAY * 24 + 15}), frozenset({MONDAY * 24 + 9}))
    await _matched(bus, uow, clock)  # on Monday 2 November at 09:00 UTC: the same afternoon is free
    intros = [m for m in uow.store.outbox.values() if m.intent is Intent.INTRODUCTION]
    rendered = await render_many(intros, bus)
    cards = {r.person.id: r.card for r in rendered if isinstance(r, Rendered) and r.person is not None}
    assert "Monday 2 November, 15:00–15:30 (Berlin" in _text(cards["ana"])
    assert "Monday 2 November, 09:00–09:30 (New York" in _text(cards["bo"])
    assert _link(cards["ana"])["startTime"] == ["2026-11-02T14:00:00+00:00"]


async def test_without_a_shared_hour_the_card_says_so_and_keeps_the_plain_link(
    bus: MessageBus, uow: FakeUnitOfWork, clock: FakeClock
) -> None:
    _profiles(uow, frozenset({MONDAY * 24 + 15}), frozenset())
    await _matched(bus, uow, clock)
    card = introduction(await bus.read(lambda u: pairing_view(ORG, "pair-1", "ana", u)))
    assert "not everyone has said when they are free" in _text(card)
    assert "startTime" not in _link(card) and _link(card)["subject"]
    assert any(a.get("verb") == "profile.open" for a in card["actions"])
    _profiles(uow, frozenset({MONDAY * 24 + 15}), frozenset({MONDAY * 24 + 20}))
    card = introduction(await bus.read(lambda u: pairing_view(ORG, "pair-1", "ana", u)))
    assert "do not meet in the next two weeks" in _text(card)
    assert "startTime" not in _link(card)


async def test_in_a_shared_chat_the_slot_is_shown_on_each_members_clock_without_saying_whose(
    bus: MessageBus, uow: FakeUnitOfWork, clock: FakeClock
) -> None:
    _profiles(uow, frozenset({MONDAY * 24 + 15}), frozenset({MONDAY * 24 + 9}))
    await _matched(bus, uow, clock)
    mine = await bus.read(lambda u: pairing_view(ORG, "pair-1", "ana", u))
    shared = replace(mine, viewer_id="", members=[replace(m, is_viewer=False) for m in mine.members])
    text = _text(introduction(shared))
    assert (
        "- Monday 2 November, 09:00–09:30 (New York, UTC-05:00)\\n- Monday 2 November, 15:00–15:30 (Berlin"
        in text
    )
    assert "your time" not in text and "Ana: Monday" not in text

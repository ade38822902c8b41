"""Someone is always responsible: when the last facilitator goes, the program pauses and the team's owners
(from the roster's roles) are asked 1:1 to take it over; partners of someone who left are told neutrally."""

from __future__ import annotations

import asyncio
from typing import Any

from adaptive_cards import verbs
from tests.integration.bot.connector import FakeConnector
from tests.integration.bot.teams import BOT, Teams, User, action_data, card_text

TEAM = "19:stewards@thread.tacv2"
FAY, OWEN, BO, CY = User("fay"), User("owen"), User("bo"), User("cy")


async def _install(teams: Teams, fake: FakeConnector) -> str:
    fake.members.extend([FAY.member, OWEN.member | {"userRole": "owner"}, BO.member, CY.member])
    status, _ = await teams.post(teams.activity(FAY, "conversationUpdate", team=TEAM, membersAdded=[BOT]))
    assert status in (200, 201)
    return str(action_data(fake.cards(TEAM)[-1], verbs.JOIN)["program_id"])


async def _cards_with(fake: FakeConnector, user: User, words: str) -> list[dict[str, Any]]:
    for _ in range(50):  # the outbox sender delivers within a second or two
        found = [c for c in fake.cards(user.chat) if words in card_text(c)]
        if found:
            return found
        await asyncio.sleep(0.1)
    return []


async def test_when_the_last_facilitator_deletes_their_data_an_owner_is_asked_and_can_take_over(
    teams: Teams, connector: tuple[FakeConnector, str]
) -> None:
    fake, _ = connector
    program = await _install(teams, fake)
    setup = {"program_id": program, "kind": "peer_pairs", "cadence": "weekly", "group_size": "2"}
    assert "Saved" in card_text(await teams.click(FAY, verbs.SETUP_SAVE, setup | {"max_level_gap": "3"}))

    await teams.say(FAY, "delete my data")
    confirm = next(
        action_data(c, verbs.DELETE_CONFIRM)
        for c in reversed(fake.cards(FAY.chat))
        if "Delete" in card_text(c)
    )
    assert "deleted" in card_text(await teams.click(FAY, verbs.DELETE_CONFIRM, confirm)).lower()

    asked = await _cards_with(fake, OWEN, "needs a facilitator")
    assert asked, "the team's owner was not asked to take over"
    assert not await _cards_with(fake, BO, "needs a facilitator")  # members who do not own the team are not
    refused = await teams.click(OWEN, verbs.ROUND_RUN, {"program_id": program})
    assert "no facilitator" in card_text(refused) or "Not allowed" in card_text(refused)

    take = action_data(asked[-1], verbs.FACILITATOR_TAKE_OVER)
    not_owner = await teams.click(BO, verbs.FACILITATOR_TAKE_OVER, {"program_id": program})
    assert "Only an owner" in card_text(not_owner)
    taken = await teams.click(OWEN, verbs.FACILITATOR_TAKE_OVER, take)
    assert "You took over" in card_text(taken), card_text(taken)
    opened = await teams.click(OWEN, verbs.SETUP_OPEN, {"program_id": program})
    assert "Set up" in card_text(opened)
    again = await teams.click(OWEN, verbs.FACILITATOR_TAKE_OVER, take)
    assert "already facilitate" in card_text(again)


async def test_partners_of_someone_who_leaves_are_told_neutrally_and_matched_again(
    teams: Teams, connector: tuple[FakeConnector, str]
) -> None:
    fake, _ = connector
    program = await _install(teams, fake)
    for user in (BO, CY):
        joined = await teams.click(user, verbs.JOIN, {"program_id": program, "version": "1"}, team=TEAM)
        assert "You accepted" in card_text(joined)
        profile = {"timezone": "Europe/Berlin", "teach_skill_0": "Go", "teach_level_0": "4"}
        profile |= {"learn_skill_0": "Rust", "learn_level_0": "2"}
        assert "Saved" in card_text(await teams.click(user, verbs.PROFILE_SAVE, profile))
    setup = {"program_id": program, "kind": "peer_pairs", "cadence": "weekly", "group_size": "2"}
    assert "Saved" in card_text(await teams.click(FAY, verbs.SETUP_SAVE, setup | {"max_level_gap": "3"}))
    assert await teams.say(FAY, "match now") in (200, 201)
    pairing = action_data(await teams.click(BO, verbs.STATUS), verbs.PAIRING_VIEW)["pairing_id"]
    for user in (BO, CY):
        await teams.click(user, verbs.PAIRING_ACCEPT, {"pairing_id": pairing})

    assert await teams.say(CY, "leave") in (200, 201)
    told = await _cards_with(fake, BO, "no longer taking part")
    assert told, "Bo was not told his pairing ended"
    assert all("left" not in card_text(c).lower() and "Cy" not in card_text(c) for c in told)
    # Bo has no open pairing any more, and stays in the program: the next round matches him again.
    status = await teams.click(BO, verbs.STATUS)
    assert verbs.PAIRING_VIEW not in str(status) and "Platform\nactive" in card_text(status)

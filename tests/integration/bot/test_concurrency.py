"""Two members answering the same proposal at the same moment: both answers count, on both databases.

On PostgreSQL the two card actions run in parallel transactions; the pairing's version makes the second
save find that the first moved it on, and the bot runs that turn again (it then reads the first's answer)."""

from __future__ import annotations

import asyncio

from adaptive_cards import verbs
from tests.integration.bot.connector import FakeConnector
from tests.integration.bot.teams import Teams, action_data, card_text
from tests.integration.bot.test_bot_http import ANA, BO, join


async def test_two_members_accepting_at_once_both_succeed_and_the_pairing_starts(
    teams: Teams, connector: tuple[FakeConnector, str]
) -> None:
    fake, _ = connector
    welcome = await join(teams, fake, ANA)
    await join(teams, fake, BO)
    program = action_data(welcome, verbs.JOIN)["program_id"]
    setup = {"program_id": program, "kind": "peer_pairs", "cadence": "weekly", "group_size": "2"}
    assert "Saved" in card_text(await teams.click(ANA, verbs.SETUP_SAVE, setup))
    assert await teams.say(ANA, "match now") in (200, 201)
    pairing = action_data(await teams.click(BO, verbs.STATUS), verbs.PAIRING_VIEW)["pairing_id"]

    answers = await asyncio.gather(
        teams.click(ANA, verbs.PAIRING_ACCEPT, {"pairing_id": pairing}),
        teams.click(BO, verbs.PAIRING_ACCEPT, {"pairing_id": pairing}),
    )
    texts = [card_text(a) for a in answers]
    assert all("went wrong" not in t and "changed meanwhile" not in t for t in texts), texts
    shown = card_text(await teams.click(ANA, verbs.PAIRING_VIEW, {"pairing_id": pairing}))
    assert "Everyone accepted" in shown or "You are matched" in shown, shown

"""The whole Teams journey through Microsoft's M365 Agents Playground, against the real server process.

install → consent → profile → facilitator set-up → match now → accept on both sides → check-in → report.

Alex (the Playground's current user) installs the app in the team and so facilitates it; he joins and sets
the program up on the channel's cards, and does everything personal (profile, match now, status, report) in
his own 1:1 chat with the bot: asked for in the channel, it answers only with a neutral note. Megan joins the
team, which makes the bot open a 1:1 chat with her through the Bot Connector; she acts there. The Playground checks every click: the conversation must
exist, `from.id` must be one of its members (a personal chat has only its owner) and `replyToId` must be a
message the bot sent into that very conversation (a post at a channel's root lives in its own thread,
`<channel>;messageid=<id>`).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest

from tests.e2e.playground_driver import (
    ALEX,
    MEGAN,
    NEEDS_PLAYGROUND,
    PERSONAL_CHAT,
    TEAM,
    Playground,
    run_playground,
)
from tests.e2e.playground_driver import card_data as _data
from tests.e2e.playground_driver import card_text as _text

pytestmark = NEEDS_PLAYGROUND


@pytest.fixture
async def playground(tmp_path: Path) -> AsyncIterator[str]:
    async with run_playground(tmp_path) as running:
        yield running.base


async def test_the_journey_from_install_to_report_in_the_agents_playground(playground: str) -> None:
    async with aiohttp.ClientSession() as session:
        pg = Playground(session, playground)
        listener = asyncio.create_task(pg.listen())
        try:
            # Alex installs the app in the team: he becomes the facilitator; the channel gets the invitation.
            async with session.post(f"{playground}/_debug/conversation/{TEAM}/installation", json={}) as r:
                assert r.status < 300
            channel, invite_id, invite = await pg.card(TEAM)
            join = _data(invite, "join")
            program = {"program_id": join["program_id"]}

            # Alex's own 1:1 chat with the bot, where his personal things are answered.
            await pg.install(PERSONAL_CHAT)
            _, alex_welcome_id, _ = await pg.card(PERSONAL_CHAT)

            # Megan joins the team: the bot opens a 1:1 chat with her and welcomes her there.
            await pg.add_to_team(MEGAN)
            megan_chat = await pg.chat_created_with(MEGAN)
            _, welcome_id, welcome = await pg.card(megan_chat)
            assert "Code of conduct" in _text(welcome)
            assert _data(welcome, "join") == join

            # Consent: Alex on the channel's card, Megan in her chat. A profile is personal: in the channel it
            # is refused in place and only opened 1:1; each fills it in their own chat, a mistake first.
            assert "You accepted" in _text(await pg.click(ALEX, channel, invite_id, "join", join))
            assert "You accepted" in _text(await pg.click(MEGAN, megan_chat, welcome_id, "join", join))
            in_channel = await pg.click(ALEX, channel, invite_id, "profile.save", {"teach_skill_0": "Go"})
            assert "1:1 chat" in _text(in_channel) and "Saved" not in _text(in_channel)
            places = {ALEX: (PERSONAL_CHAT, alex_welcome_id), MEGAN: (megan_chat, welcome_id)}
            profiles = {
                ALEX: {"teach_skill_0": "Python", "teach_level_0": "5", "learn_skill_0": "Kubernetes"},
                MEGAN: {"teach_skill_0": "Kubernetes", "teach_level_0": "5", "learn_skill_0": "Python"},
            }
            for user, profile in profiles.items():
                where, message = places[user]
                profile |= {"learn_level_0": "2"}
                mistake = await pg.click(
                    user, where, message, "profile.save", profile | {"hours_per_month": "500"}
                )
                assert "is not a whole number from 0 to 80" in _text(mistake)
                assert "500" in _text(mistake)  # what was typed is kept
                saved = await pg.click(
                    user, where, message, "profile.save", profile | {"hours_per_month": "4"}
                )
                assert "Saved" in _text(saved)

            # Facilitator set-up of the team's program, on the channel's card; Megan may not.
            setup = program | {"kind": "peer_pairs", "cadence": "weekly", "group_size": "2"}
            refused = await pg.click(MEGAN, megan_chat, welcome_id, "setup.save", setup)
            assert "Not allowed" in _text(refused)
            assert "Saved" in _text(await pg.click(ALEX, channel, invite_id, "setup.save", setup))

            # `match now` typed in the channel runs the round; the channel gets only a neutral note and the
            # result (who was not matched, and why) reaches Alex in a 1:1 chat the bot opens with him.
            count = len(pg.cards)
            _, _, note = await pg.say(ALEX, TEAM, "match now")
            assert "1:1 chat" in _text(note) and "Proposals" not in _text(note), _text(note)
            _, _, result = await pg.card(await pg.chat_created_with(ALEX), count)
            assert "Proposals" in _text(result), _text(result)

            # Both accept, each from their own status card, refreshed in place into the proposal.
            megan = await pg.user(MEGAN)
            answers = {}
            for user, where in ((ALEX, PERSONAL_CHAT), (MEGAN, megan_chat)):
                if user == ALEX:
                    thread, status_id, status = await pg.say(user, where, "status")
                else:
                    count = len(pg.cards)
                    await pg.type_as(megan, where, "status")
                    thread, status_id, status = await pg.card(where, count)
                view = _data(status, "pairing.view")
                proposal = await pg.click(user, thread, status_id, "pairing.view", view)
                assert "A learning match for you" in _text(proposal)
                accept = _data(proposal, "pairing.accept")
                answers[user] = _text(await pg.click(user, thread, status_id, "pairing.accept", accept))
                again = await pg.click(user, thread, status_id, "pairing.accept", accept)
                assert "Nothing changed" in _text(again)  # a second click on Accept
            assert "You accepted" in answers[ALEX]
            assert "You are matched" in answers[MEGAN]
            assert "teams.microsoft.com/l/meeting/new?attendees=" in answers[MEGAN]
            assert "alexw%40example.com" in answers[MEGAN] or "alexw@example.com" in answers[MEGAN]

            # Megan checks in from her status card.
            count = len(pg.cards)
            await pg.type_as(megan, megan_chat, "status")
            thread, status_id, status = await pg.card(megan_chat, count)
            check_in = await pg.click(MEGAN, thread, status_id, "checkin.open", _data(status, "checkin.open"))
            filled = _data(check_in, "checkin.submit") | {
                "met": "yes",
                "usefulness": "5",
                "learned": "Helm",
                "confidential_note": "all good",
            }
            thanks = await pg.click(MEGAN, thread, status_id, "checkin.submit", filled)
            assert "Thanks for checking in" in _text(thanks)

            # The report: a neutral note in the channel; the report in Alex's 1:1 chat, where the concern
            # is readable and one person's usefulness is not shown (the minimum-group rule).
            _, _, note = await pg.say(ALEX, TEAM, "report")
            assert "1:1 chat" in _text(note) and "all good" not in _text(note)
            _, _, report = await pg.say(ALEX, PERSONAL_CHAT, "report")
            assert "Meetings held" in _text(report) and "all good" in _text(report), _text(report)
            assert "5.0 / 5" not in _text(report) and "too few answers" in _text(report)
            assert "Not allowed" in _text(
                await pg.click(MEGAN, megan_chat, welcome_id, "report.open", program)
            )
        finally:
            listener.cancel()

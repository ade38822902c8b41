"""The bot through real HTTP on 127.0.0.1: Teams-shaped activities in, cards out to a fake connector."""

from __future__ import annotations

from typing import Any

from adaptive_cards import verbs
from tests.integration.bot.connector import FakeConnector
from tests.integration.bot.teams import Teams, User, action_data, card_text

ANA, BO = User("ana"), User("bo")
STRANGER = User("mallory", tenant="tenant-b")

GOOD_PROFILE = {
    "ana": {"teach_skill_0": "Python", "teach_level_0": "5", "learn_skill_0": "Kubernetes", "learn_level_0": "2"},
    "bo": {"teach_skill_0": "Kubernetes", "teach_level_0": "5", "learn_skill_0": "Python", "learn_level_0": "2"},
}


async def join(teams: Teams, fake: FakeConnector, user: User) -> dict[str, Any]:
    assert await teams.install(user) in (200, 201)
    welcome = fake.cards(user.chat)[-1]
    assert "Code of conduct" in card_text(welcome)
    joined = await teams.click(user, verbs.JOIN, action_data(welcome, verbs.JOIN))
    assert "You accepted the code of conduct" in card_text(joined)
    profile = {"department": user.key.upper(), "timezone": "Europe/Berlin", "hours_per_month": "6"}
    saved = await teams.click(user, verbs.PROFILE_SAVE, profile | GOOD_PROFILE[user.key] | {"discoverable": "true"})
    assert "Saved" in card_text(saved), card_text(saved)
    return welcome


async def test_install_in_a_personal_chat_sends_the_welcome_card_with_the_code_of_conduct(
    teams: Teams, connector: tuple[FakeConnector, str]
) -> None:
    fake, _ = connector
    assert await teams.install(ANA) in (200, 201)
    (welcome,) = fake.cards(ANA.chat)
    assert "Code of conduct (version 1)" in card_text(welcome)
    assert action_data(welcome, verbs.JOIN)["version"] == "1"

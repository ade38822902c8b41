"""Bad input at the door and races of first contact: a 4xx naming the field, never a 5xx or a half-save."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from adaptive_cards import verbs
from core.errors import InvalidInput
from core.model.text import clean
from peerlearn.app import RUNTIME
from tests.integration.bot.connector import FakeConnector
from tests.integration.bot.teams import Teams, User, action_data, card_text
from tests.integration.security.invariants import row_counts

ANA = User("ana")


async def _data_rows(engine: Any) -> dict[str, int]:
    """Rows per table, but the background worker's leases (it runs beside the requests)."""
    return {t: n for t, n in (await row_counts(engine)).items() if t != "job_leases"}


SHAPES: dict[str, Any] = {
    "channelData.tenant as text": {"channelData": {"tenant": "tenant-a"}},
    "channelData as a list": {"channelData": ["tenant-a"]},
    "channelData.team.id as a number": {"channelData": {"tenant": {"id": "t"}, "team": {"id": 7}}},
    "from.aadObjectId as a list": {"from": {"id": "29:ana", "aadObjectId": ["x"]}},
    "from.name as an object": {"from": {"id": "29:ana", "name": {"first": "Ana"}}},
    "conversation.conversationType as a number": {"conversation": {"id": "c", "conversationType": 1}},
    "conversation.isGroup as text": {"conversation": {"id": "c", "isGroup": "yes"}},
    "entities as an object": {"entities": {"type": "mention"}},
}


@pytest.mark.parametrize("shape", list(SHAPES))
async def test_an_activity_of_the_wrong_shape_is_a_400_naming_the_field_and_changes_nothing(
    teams: Teams, shape: str
) -> None:
    activity = teams.activity(ANA, "message", text="status")
    for key, value in SHAPES[shape].items():
        activity[key] = value
    engine = teams.client.app[RUNTIME].engine
    before = await _data_rows(engine)
    status, body = await teams.post(activity)
    assert status == 400, (shape, body)
    assert "Traceback" not in str(body) and "'" in str(body)
    assert await _data_rows(engine) == before


async def test_five_concurrent_join_clicks_join_once_without_an_error(
    teams: Teams, connector: tuple[FakeConnector, str]
) -> None:
    fake, _ = connector
    fake.members.append(ANA.member)
    assert await teams.install(ANA) in (200, 201)
    join = action_data(fake.cards(ANA.chat)[-1], verbs.JOIN)
    cards = await asyncio.gather(*(teams.click(ANA, verbs.JOIN, join) for _ in range(5)))
    texts = [card_text(c) for c in cards]
    assert all("went wrong" not in t for t in texts), texts
    assert sum("You accepted the code of conduct" in t for t in texts) >= 1
    counts = await row_counts(teams.client.app[RUNTIME].engine)
    assert counts["enrollments"] == 1


@pytest.mark.parametrize(
    ("skill", "message"),
    [
        ("\u200b\u200c\u200d", "needs a name"),
        ("Py\x00thon", "control character"),
        ("\x1b[31mRed", "control character"),
    ],
)
async def test_skill_names_made_of_nothing_visible_or_with_control_characters_are_refused(
    teams: Teams, connector: tuple[FakeConnector, str], skill: str, message: str
) -> None:
    profile = {"timezone": "Europe/Berlin", "teach_skill_0": skill, "teach_level_0": "4"}
    card = await teams.click(ANA, verbs.PROFILE_SAVE, profile)
    assert message in card_text(card), card_text(card)
    assert "Saved" not in card_text(card)


async def test_a_fullwidth_skill_is_the_same_skill_as_its_plain_spelling(
    teams: Teams, connector: tuple[FakeConnector, str]
) -> None:
    profile = {
        "timezone": "Europe/Berlin",
        "teach_skill_0": "Python",
        "teach_level_0": "4",
        "teach_skill_1": "\uff30\uff59\uff54\uff48\uff4f\uff4e",  # Ｐｙｔｈｏｎ
        "teach_level_1": "3",
    }
    card = await teams.click(ANA, verbs.PROFILE_SAVE, profile)
    assert "listed twice (the same skill as 'Python')" in card_text(card), card_text(card)


async def test_a_nul_byte_in_a_check_in_answer_is_refused_the_same_on_both_databases(
    teams: Teams, connector: tuple[FakeConnector, str]
) -> None:
    with pytest.raises(InvalidInput, match="U\\+0000"):
        clean("we met\x00", "learned", what="This answer", multiline=True)
    profile = {"timezone": "Europe/Berlin", "goals": "Learn\x00 Go"}
    card = await teams.click(ANA, verbs.PROFILE_SAVE, profile)
    assert "control character" in card_text(card) and "Saved" not in card_text(card)

"""The first week as a new employee lives it, through the bot's real endpoint: joining never dead-ends, a
profile in two minutes (time zone from Teams, skills by typeahead), and `my data` as a summary and a file."""

from __future__ import annotations

import json
from typing import Any

from adaptive_cards import verbs
from bot import export_file
from tests.integration.bot.connector import FakeConnector
from tests.integration.bot.teams import Teams, User, action_data, card_text

ANA, BO, FAY = User("ana"), User("bo"), User("fay")
OUTSIDER = User("zed", tenant="tenant-b")
GROUP = "19:group-chat@thread.v2"
CLIENT_INFO = {"type": "clientInfo", "locale": "de-DE", "timezone": "Europe/Berlin", "platform": "Web"}


def _verbs(card: dict[str, Any]) -> list[str]:
    found: list[str] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if node.get("type") == "Action.Execute":
                found.append(node["verb"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(card)
    return found


async def _say(teams: Teams, fake: FakeConnector, user: User, text: str) -> dict[str, Any]:
    """What the bot answers in the person's 1:1 chat to a typed command (Teams sends clientInfo with it)."""
    status, _ = await teams.post(teams.activity(user, "message", text=text, entities=[CLIENT_INFO]))
    assert status in (200, 201)
    return fake.cards(user.chat)[-1]


async def _join(teams: Teams, user: User) -> dict[str, Any]:
    welcome = await teams.click(user, verbs.JOIN)  # the Join button of help, status or a "not joined" answer
    assert "Code of conduct" in card_text(welcome)
    return await teams.click(user, verbs.JOIN, action_data(welcome, verbs.JOIN))


async def test_joining_never_dead_ends_and_says_who_facilitates(
    teams: Teams, connector: tuple[FakeConnector, str]
) -> None:
    fake, _ = connector
    help_ = await _say(teams, fake, ANA, "help")
    assert verbs.JOIN in _verbs(help_) and "join" in card_text(help_)
    status = await _say(teams, fake, ANA, "status")
    assert "You have not joined" in card_text(status) and verbs.JOIN in _verbs(status)
    paused = await _say(teams, fake, ANA, "pause 2")
    assert "You have not joined" in card_text(paused) and verbs.JOIN in _verbs(paused)

    joined = await _join(teams, ANA)  # from the 1:1 chat: the organization's program
    assert "You accepted" in card_text(joined)
    assert "Nobody facilitates Peer learning yet" in card_text(joined), card_text(joined)
    program_id = action_data(joined, verbs.SETUP_OPEN)["program_id"]
    setup = {"program_id": program_id, "kind": "peer_pairs", "cadence": "weekly", "group_size": "2"}
    assert "Saved" in card_text(await teams.click(FAY, verbs.SETUP_SAVE, setup))  # Fay takes it on

    bo_joined = await _join(teams, BO)
    assert "Fay facilitates Peer learning" in card_text(bo_joined), card_text(bo_joined)
    assert verbs.JOIN not in _verbs(await _say(teams, fake, BO, "help"))


async def test_a_profile_in_two_minutes(teams: Teams, connector: tuple[FakeConnector, str]) -> None:
    fake, _ = connector
    opened = await _say(teams, fake, ANA, "profile")
    text = card_text(opened)
    assert "Berlin (UTC+01:00)" in text and "IANA" not in text
    zone = next(i for i in opened["body"] if i.get("id") == "timezone")
    assert zone["value"] == "Berlin (UTC+01:00)"  # pre-filled from what Teams detected, as a place

    wrong = {
        "teach_skill_0": "JS",
        "teach_level_0": "4",
        "teach_skill_1": "Javascript",
        "teach_level_1": "3",
        "timezone": "Atlantis",
        "hours_per_month": "200",
        "available_days": "mon",
        "available_from": "17:00",
        "available_to": "09:00",
    }
    mistakes = card_text(await teams.click(ANA, verbs.PROFILE_SAVE, wrong))
    for expected in ("the same skill as 'JS'", "'Atlantis'", "'200'", "The end is before the start"):
        assert expected in mistakes, mistakes

    empty = card_text(await teams.click(ANA, verbs.PROFILE_SAVE, {"timezone": "Europe/Berlin"}))
    assert "nobody can be matched with you yet" in empty and "you have not joined" in empty
    assert "add at least one skill" in empty and "✅ Saved" not in empty

    await _join(teams, ANA)
    good = {
        "teach_skill_0": "JS",
        "teach_level_0": "4",
        "learn_skill_0": "Helm charts",
        "learn_level_0": "2",
        "timezone": "Berlin (UTC+01:00)",  # what the pre-filled field sends back
        "available_days": "mon,tue,wed,thu,fri",
        "available_from": "09:00",
        "available_to": "17:00",
        "hours_per_month": "6",
    }
    saved = await teams.click(ANA, verbs.PROFILE_SAVE, good)
    assert "✅ Saved" in card_text(saved), card_text(saved)
    status = card_text(await _say(teams, fake, ANA, "status"))
    assert "JavaScript (4)" in status  # "JS" is the vocabulary's JavaScript

    # Bo, in the same organization, types: the typeahead offers what colleagues listed, synonyms folded.
    code, body = await teams.post(teams.search(BO, "skills", "js"))
    assert code == 200 and body["type"] == "application/vnd.microsoft.search.searchResponse"
    assert body["value"]["results"][0] == {"title": "JavaScript", "value": "JavaScript"}
    _, body = await teams.post(teams.search(BO, "skills", "hel"))
    assert body["value"]["results"][0]["value"] == "Helm charts"
    _, body = await teams.post(teams.search(BO, "skills", "Quantum basket weaving"))
    assert body["value"]["results"][-1]["title"] == "Quantum basket weaving (new skill)"
    _, body = await teams.post(teams.search(OUTSIDER, "skills", "hel"))
    assert "Helm charts" not in [r["value"] for r in body["value"]["results"]]  # another organization's
    _, body = await teams.post(teams.search(BO, "timezones", "lisb"))
    assert body["value"]["results"][0] == {"title": "Lisbon (UTC+00:00)", "value": "Europe/Lisbon"}
    _, body = await teams.post(teams.search(BO, "salaries", "x"))
    assert body["value"]["results"] == []


async def test_my_data_is_a_summary_and_the_full_export_a_file_in_the_one_to_one_chat(
    teams: Teams, connector: tuple[FakeConnector, str]
) -> None:
    fake, _ = connector
    await _join(teams, ANA)
    await teams.click(ANA, verbs.PROFILE_SAVE, {"teach_skill_0": "Python", "teach_level_0": "5"})
    summary = await _say(teams, fake, ANA, "my data")
    shown = card_text(summary)
    assert "Your data" in shown and "Python (level 5)" in shown and "Peer learning" in shown
    assert not [t for t in fake.texts() if "{" in t]  # no wall of raw JSON in the chat
    (offer,) = fake.attachments(export_file.CONSENT_CARD, ANA.chat)
    assert offer["content"]["sizeInBytes"] > 0 and offer["name"].endswith(".json")

    declined = teams.file_consent(ANA, offer["content"]["declineContext"], accept=False)
    assert (await teams.post(declined))[0] == 200
    assert "did not send the file" in fake.texts()[-1] and not fake.uploads

    forged = teams.file_consent(BO, offer["content"]["acceptContext"], name="stolen.json")
    assert (await teams.post(forged))[0] == 200
    assert "not yours" in fake.texts()[-1] and not fake.uploads

    accepted = teams.file_consent(ANA, offer["content"]["acceptContext"], name=offer["name"])
    assert (await teams.post(accepted))[0] == 200
    exported = json.loads(fake.uploads[offer["name"]])
    assert exported["format"].startswith("peerlearn.personal-data")
    assert exported["profile"]["teaches"][0]["label"] == "Python"
    assert fake.upload_headers[offer["name"]]["Content-Range"].startswith("bytes 0-")
    (info,) = fake.attachments(export_file.FILE_INFO_CARD, ANA.chat)
    assert info["name"] == offer["name"] and info["content"]["uniqueId"] == f"unique-{offer['name']}"
    assert (await teams.post(accepted))[0] == 200 and len(fake.attachments(export_file.FILE_INFO_CARD)) == 1


async def test_my_data_asked_in_a_group_chat_offers_the_file_only_one_to_one(
    teams: Teams, connector: tuple[FakeConnector, str]
) -> None:
    fake, _ = connector
    await teams.say(ANA, "my data", group=GROUP)
    assert not fake.attachments(export_file.CONSENT_CARD)  # nothing about the file in any chat yet
    summary = fake.cards(ANA.chat)[-1]
    assert "Your data" in card_text(summary)
    assert all("Your data" not in card_text(c) for c in fake.cards(GROUP))  # only a neutral note there
    again = await teams.click(ANA, verbs.EXPORT_FILE, action_data(summary, verbs.EXPORT_FILE))
    assert "Your data" in card_text(again)
    assert len(fake.attachments(export_file.CONSENT_CARD, ANA.chat)) == 1
    refused = teams.file_consent(ANA, {"for": "anyone"}, name="group.json")
    refused["conversation"] = {
        "id": GROUP,
        "conversationType": "groupChat",
        "tenantId": ANA.tenant,
        "isGroup": True,
    }
    assert (await teams.post(refused))[0] == 200 and not fake.uploads

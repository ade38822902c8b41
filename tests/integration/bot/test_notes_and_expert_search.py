"""Knowledge kept and expert search, over real HTTP through /api/messages, as Teams sends them.

The compose box's `composeExtension/query` (command `findHelp`, parameter `skill`) is answered with a list of
Adaptive Cards with thumbnail previews; the people in it chose to be findable, are still here, and belong to
the asker's tenant. A group that completes is asked 1:1 for notes; each member chooses for themselves; the
search shows only shared notes, names only who chose it, and no name is left after a member deletes their data.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

from adaptive_cards import verbs
from tests.integration.bot.connector import FakeConnector
from tests.integration.bot.teams import Teams, User, action_data, card_text

ANA, BO, CY, DEE = User("ana"), User("bo"), User("cy"), User("dee")
ZED = User("zed", tenant="tenant-b")
STRANGER = User("stranger")
TEAM = "19:team-notes@thread.tacv2"
CARD = "application/vnd.microsoft.card.adaptive"
THUMBNAIL = "application/vnd.microsoft.card.thumbnail"


def find_help(teams: Teams, user: User, skill: str | None, **options: int) -> dict[str, Any]:
    """What Teams sends when someone types in the message extension's search box (or opens it: `None`)."""
    parameters = (
        [{"name": "initialRun", "value": "true"}] if skill is None else [{"name": "skill", "value": skill}]
    )
    value = {
        "commandId": "findHelp",
        "parameters": parameters,
        "queryOptions": {"skip": 0, "count": 25} | options,
    }
    return teams.activity(user, "invoke", name="composeExtension/query", value=value)


async def search(teams: Teams, user: User, skill: str | None) -> dict[str, Any]:
    status, body = await teams.post(find_help(teams, user, skill))
    assert status == 200, body
    result: dict[str, Any] = body["composeExtension"]
    return result


def titles(result: dict[str, Any]) -> list[str]:
    assert result["type"] == "result" and result["attachmentLayout"] == "list", result
    for item in result["attachments"]:
        assert item["contentType"] == CARD and item["preview"]["contentType"] == THUMBNAIL
    return [item["preview"]["content"]["title"] for item in result["attachments"]]


async def profile(teams: Teams, user: User, level: int, *, findable: bool) -> None:
    await teams.say(user, "help")
    values = {
        "department": "Platform",
        "timezone": "Europe/Berlin",
        "teach_skill_0": "Kubernetes",
        "teach_level_0": str(level),
        "learn_skill_0": "Rust",
        "learn_level_0": "1",
        "discoverable": "true" if findable else "false",
    }
    assert "Saved" in card_text(await teams.click(user, verbs.PROFILE_SAVE, values))


async def delete_data(teams: Teams, fake: FakeConnector, user: User) -> None:
    assert await teams.say(user, "delete my data") in (200, 201)
    confirm = next(
        action_data(c, verbs.DELETE_CONFIRM)
        for c in reversed(fake.cards(user.chat))
        if "Delete" in card_text(c)
    )
    assert "deleted" in card_text(await teams.click(user, verbs.DELETE_CONFIRM, confirm)).lower()


async def test_the_compose_box_lists_only_findable_colleagues_of_my_own_tenant(
    teams: Teams, connector: tuple[FakeConnector, str]
) -> None:
    fake, _ = connector
    fake.members.extend([u.member for u in (ANA, BO, CY, DEE, ZED)])  # Teams gives each their UPN
    await profile(teams, ANA, 2, findable=False)
    await profile(teams, BO, 4, findable=True)
    await profile(teams, CY, 5, findable=False)  # teaches it best, never chose to be found
    await profile(teams, DEE, 5, findable=True)
    await profile(teams, ZED, 5, findable=True)  # another tenant
    await delete_data(teams, fake, DEE)

    result = await search(teams, ANA, "k8s")
    assert titles(result) == ["Bo"]
    [bo] = result["attachments"]
    shown = json.dumps(bo["content"])
    assert "Kubernetes: advanced (4/5)" in shown and "Platform" in shown
    assert "https://teams.microsoft.com/l/chat/0/0?users=bo@contoso.example" in shown
    assert "Ask for a session" in shown and "learning%20session%20about%20Kubernetes" in shown
    everything = json.dumps(result)
    assert all(name not in everything for name in ("Cy", "Dee", "Zed", "cy@", "dee@", "zed@"))

    # The other tenant's person finds nobody of tenant-a, and a stranger is told to say hi first.
    from_b = await search(teams, ZED, "Kubernetes")
    assert (
        from_b["type"] == "message" and "Nobody who chose to be findable teaches Kubernetes" in from_b["text"]
    )
    stranger = await search(teams, STRANGER, "Kubernetes")
    assert stranger["type"] == "message" and "say hi" in stranger["text"]
    opened = await search(teams, ANA, None)
    assert opened["type"] == "message" and "Type a skill" in opened["text"]
    bad = await search(teams, ANA, "\x1b[31m")
    assert bad["type"] == "message" and "control character" in bad["text"]


async def test_a_forged_or_unknown_command_is_answered_plainly(teams: Teams) -> None:
    await teams.say(ANA, "help")
    activity = find_help(teams, ANA, "Kubernetes")
    activity["value"]["commandId"] = "dropTables"
    status, body = await teams.post(activity)
    assert status == 200 and body["composeExtension"]["type"] == "message"
    assert "no search called 'dropTables'" in body["composeExtension"]["text"]
    activity = find_help(teams, ANA, "Kubernetes")
    activity["value"] = "not an object"
    status, body = await teams.post(activity)
    assert status == 200 and body["composeExtension"]["type"] == "message"


async def _completed_group(teams: Teams, fake: FakeConnector) -> str:
    """Ana, Bo and Cy join a team's program of groups of three, are matched, accept, and the next round
    completes their group."""
    fake.members.extend([ANA.member, BO.member, CY.member])
    status, _ = await teams.post(
        teams.activity(ANA, "conversationUpdate", team=TEAM, membersAdded=[{"id": "28:peerlearn-bot"}])
    )
    assert status in (200, 201)
    program = action_data(fake.cards(TEAM)[-1], verbs.JOIN)["program_id"]
    for user in (ANA, BO, CY):
        await profile(teams, user, 3, findable=False)
        await teams.click(user, verbs.JOIN, {"program_id": program, "version": "1"}, team=TEAM)
    setup = {"program_id": program, "kind": "peer_pairs", "cadence": "weekly", "group_size": "3"}
    assert "Saved" in card_text(await teams.click(ANA, verbs.SETUP_SAVE, setup | {"max_level_gap": "3"}))
    assert await teams.say(ANA, "match now") in (200, 201)
    pairing = str(action_data(await teams.click(BO, verbs.STATUS), verbs.PAIRING_VIEW)["pairing_id"])
    for user in (ANA, BO, CY):
        await teams.click(user, verbs.PAIRING_ACCEPT, {"pairing_id": pairing})
    assert await teams.say(ANA, "match now") in (200, 201)  # the group's round is over: it completes
    return pairing


def _invitation(fake: FakeConnector, user: User) -> dict[str, Any]:
    found = [c for c in fake.cards(user.chat) if "What did you learn?" in card_text(c)]
    assert found, f"{user.key} was not asked for a note:\n" + "\n---\n".join(
        card_text(c) for c in fake.cards(user.chat)
    )
    return found[-1]


async def test_a_completed_group_keeps_what_it_learned_as_each_member_chose(
    teams: Teams, connector: tuple[FakeConnector, str]
) -> None:
    fake, _ = connector
    pairing = await _completed_group(teams, fake)
    for _ in range(40):  # the outbox sender delivers the invitations 1:1
        if all(any("What did you learn?" in card_text(c) for c in fake.cards(u.chat)) for u in (ANA, BO, CY)):
            break
        await asyncio.sleep(0.25)
    invitations = {u.key: _invitation(fake, u) for u in (ANA, BO, CY)}
    assert not any("What did you learn?" in card_text(c) for c in fake.cards(TEAM))  # never in the channel
    for card in invitations.values():
        data = action_data(card, verbs.NOTE_SAVE)
        assert data == {"pairing_id": pairing, "for": data["for"]}  # addressed to that member only
        skills = next(e for e in card["body"] if e.get("id") == "skills")
        assert skills["value"] == "Rust"  # what the group set out to learn, pre-filled

    # A colleague who opens someone else's invitation changes nothing.
    refused = await teams.click(
        CY,
        verbs.NOTE_SAVE,
        action_data(invitations["ana"], verbs.NOTE_SAVE) | {"text": "Cy writing as Ana!!"},
    )
    assert "someone else's" in card_text(refused)

    choices = {"ana": "private", "bo": "attributed", "cy": "anonymous"}
    words = {
        "ana": "Ana private: feature flags before every Kubernetes rollout.",
        "bo": "Bo shared: readiness probes should check the database too.",
        "cy": "Cy anonymous: drain one node at a time during upgrades.",
    }
    for user in (ANA, BO, CY):
        form = action_data(invitations[user.key], verbs.NOTE_SAVE)
        saved = await teams.click(
            user,
            verbs.NOTE_SAVE,
            form | {"text": words[user.key], "skills": "Kubernetes, Docker", "sharing": choices[user.key]},
        )
        assert "Your learning note" in card_text(saved), card_text(saved)

    await profile(teams, DEE, 1, findable=False)  # a colleague outside the group searches
    found = await search(teams, DEE, "kubernetes")
    shown = json.dumps(found)
    assert words["bo"] in shown and words["cy"] in shown and words["ana"] not in shown
    cards = {item["content"]["body"][1]["text"]: card_text(item["content"]) for item in found["attachments"]}
    assert "Written by\nBo" in cards[words["bo"]]
    assert "a colleague (anonymous)" in cards[words["cy"]] and "Cy" not in cards[words["cy"]].replace(
        words["cy"], ""
    )

    await delete_data(teams, fake, BO)
    after = json.dumps(await search(teams, DEE, "kubernetes"))
    assert words["bo"] not in after and '"Bo"' not in after and "Bo\\n" not in after
    assert words["cy"] in after and words["ana"] not in after


async def test_note_cards_used_in_a_group_chat_show_nothing_there_and_change_nothing(
    teams: Teams, connector: tuple[FakeConnector, str]
) -> None:
    fake, _ = connector
    pairing = await _completed_group(teams, fake)
    group = "19:group-notes@thread.v2"
    secret = "Bo's private lesson: the staging cluster password rotates on Mondays."
    await teams.delivered()  # the round's own messages to Bo are not what this test counts
    before = len(fake.cards(BO.chat))
    for verb, data in (
        (verbs.NOTE_OPEN, {"pairing_id": pairing}),
        (
            verbs.NOTE_SAVE,
            {"pairing_id": pairing, "text": secret, "skills": "Kubernetes", "sharing": "attributed"},
        ),
    ):
        shown = await teams.click(BO, verb, data, group=group)
        assert "1:1 chat" in card_text(shown) and secret not in json.dumps(shown), card_text(shown)
    assert not any(secret in json.dumps(c) for c in fake.cards(group))
    sent_to_bo = fake.cards(BO.chat)[before:]
    assert sent_to_bo and all("What did you learn?" in card_text(c) for c in sent_to_bo)
    assert all(secret not in json.dumps(c) for c in sent_to_bo)  # the form, empty: nothing was saved
    await profile(teams, DEE, 1, findable=False)
    assert secret not in json.dumps(await search(teams, DEE, "Kubernetes"))

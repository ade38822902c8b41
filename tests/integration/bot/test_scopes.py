"""Every command and card verb, in a 1:1 chat, a group chat and a team channel: where each answer went.

Three people: Ana facilitates the team's program, Bo and Cy take part. Bo raised a concern in confidence
and wrote what he learned. Whatever Ana (or anyone) asks for in the group chat or the channel, nothing
personal may reach those shared conversations: not the concern, not anyone's address, goals or answers.
Personal answers go to the asker's own 1:1 chat; the shared conversation gets a neutral note."""

from __future__ import annotations

from typing import Any

import pytest

from adaptive_cards import verbs
from bot import scopes, text_commands
from bot.actions import build_registry
from tests.integration.bot.connector import FakeConnector
from tests.integration.bot.teams import Teams, User, action_data, card_text

ANA, BO, CY = User("ana"), User("bo"), User("cy")
TEAM, GROUP = "19:team-platform@thread.tacv2", "19:group-chat@thread.v2"
SECRETS = ("Bo feels ignored", "bo@contoso.example", "ana@contoso.example", "Graph algorithms", "Helm charts")
TYPED = (
    "status",
    "profile",
    "my data",
    "delete my data",
    "report",
    "match now",
    "pause 2",
    "resume",
    "leave",
)
NEUTRAL = "1:1 chat"
BO_ANSWER = {
    "met": "yes",
    "usefulness": "2",
    "learned": "Helm charts",
    "confidential_note": "Bo feels ignored",
}


def _profile(skill_teach: str, skill_learn: str, goals: str) -> dict[str, str]:
    return {
        "department": "Platform",
        "timezone": "Europe/Berlin",
        "hours_per_month": "6",
        "teach_skill_0": skill_teach,
        "teach_level_0": "5",
        "learn_skill_0": skill_learn,
        "learn_level_0": "2",
        "goals": goals,
    }


async def _program(teams: Teams, fake: FakeConnector) -> dict[str, str]:
    """Ana installs the app in the team; all three join and fill a profile; a round; Bo checks in."""
    fake.members.extend([ANA.member, BO.member, CY.member])
    status, _ = await teams.post(
        teams.activity(ANA, "conversationUpdate", team=TEAM, membersAdded=[{"id": "28:peerlearn-bot"}])
    )
    assert status in (200, 201)
    invite = fake.cards(TEAM)[-1]
    program = action_data(invite, verbs.JOIN)["program_id"]
    for user, skills in (
        (ANA, ("Go", "Rust", "Go faster")),
        (BO, ("Rust", "Go", "Helm charts")),
        (CY, ("Go", "Rust", "Graph algorithms")),
    ):
        joined = await teams.click(user, verbs.JOIN, {"program_id": program, "version": "1"}, team=TEAM)
        assert "You accepted" in card_text(joined), card_text(joined)
        saved = await teams.click(user, verbs.PROFILE_SAVE, _profile(*skills))
        assert "Saved" in card_text(saved), card_text(saved)
    setup = {
        "program_id": program,
        "kind": "peer_pairs",
        "cadence": "weekly",
        "group_size": "2",
        "max_level_gap": "3",
    }
    assert "Saved" in card_text(await teams.click(ANA, verbs.SETUP_SAVE, setup))
    assert await teams.say(ANA, "match now") in (200, 201)
    await teams.say(BO, "status")
    pairing = _last_with(fake, BO, verbs.PAIRING_VIEW)["pairing_id"]
    for user in (ANA, BO, CY):  # every member accepts (a non-member's answer is refused)
        await teams.click(user, verbs.PAIRING_ACCEPT, {"pairing_id": pairing})
    return {"program_id": program, "pairing_id": pairing}


def _last_with(fake: FakeConnector, user: User, verb: str) -> dict[str, Any]:
    """The newest card in the user's 1:1 chat with this action (the outbox may have sent others since)."""
    for card in reversed(fake.cards(user.chat)):
        if f"'verb': '{verb}'" in str(card):
            return action_data(card, verb)
    raise AssertionError(f"no card with '{verb}' in {user.key}'s chat")


async def _bo_checks_in_with_a_concern(teams: Teams, ids: dict[str, str]) -> None:
    thanks = await teams.click(BO, verbs.CHECKIN_SUBMIT, {"pairing_id": ids["pairing_id"]} | BO_ANSWER)
    assert "Thanks" in card_text(thanks), card_text(thanks)


def _shared(fake: FakeConnector, since: int) -> list[dict[str, Any]]:
    return [item["activity"] for item in fake.sent[since:] if item["conversation"] in (TEAM, GROUP)]


def _personal(fake: FakeConnector, user: User, since: int) -> list[dict[str, Any]]:
    return [item["activity"] for item in fake.sent[since:] if item["conversation"] == user.chat]


def _visible(activities: list[dict[str, Any]]) -> str:
    return "\n".join(
        (a.get("text") or "") + "\n" + "\n".join(card_text(x["content"]) for x in a.get("attachments") or [])
        for a in activities
    )


def _scope(name: str) -> dict[str, str]:
    return {"team": {"team": TEAM}, "group": {"group": GROUP}}.get(name, {})  # type: ignore[return-value]


@pytest.mark.parametrize("where", ["personal", "group", "team"])
async def test_no_card_verb_shows_anything_personal_in_a_shared_conversation(
    teams: Teams, connector: tuple[FakeConnector, str], where: str
) -> None:
    fake, _ = connector
    ids = await _program(teams, fake)
    await _bo_checks_in_with_a_concern(teams, ids)
    registry = build_registry()
    destructive = {verbs.DELETE_CONFIRM: {"confirm": "yes"}, verbs.PROFILE_SAVE: _profile("Go", "Rust", "x")}
    # In her own 1:1 chat a delete would erase Ana for the verbs after it: it is run there last, below.
    for verb in sorted(registry, key=lambda v: (where == "personal" and v == verbs.DELETE_CONFIRM, v)):
        if verb in (text_commands.FACILITATOR_ADD,):
            continue
        since = len(fake.sent)
        data: dict[str, Any] = dict(ids) | destructive.get(verb, {})
        if verb == verbs.CHECKIN_SUBMIT:
            data |= BO_ANSWER
        card = await teams.click(ANA, verb, data, **_scope(where))
        if where == "personal":  # answered where asked; nothing reaches a shared conversation
            assert not _shared(fake, since), f"{verb} in a 1:1 chat posted into a shared conversation"
            assert NEUTRAL not in card_text(card), f"{verb} in the 1:1 chat was not answered there"
            continue
        shown = card_text(card) + "\n" + _visible(_shared(fake, since))
        for secret in SECRETS:
            assert secret not in shown, f"{verb} in the {where} showed '{secret}'"
        if scopes.policy_of(verb) is not scopes.Policy.SHARED:
            assert (
                NEUTRAL in card_text(card)
                or "Nothing changed" in card_text(card)
                or "Not allowed" in card_text(card)
            ), f"{verb} in the {where}: {card_text(card)}"
    if where == "personal":
        assert "deleted" in card_text(card), "the last verb in the 1:1 chat confirmed Ana's delete"
        return
    # Ana asked for her data and its deletion in a shared conversation: she still exists, with her profile.
    status = await teams.click(ANA, verbs.STATUS)
    assert "Platform" in card_text(status) or "program" in card_text(status).lower()
    report = await teams.click(ANA, verbs.REPORT_OPEN, {"program_id": ids["program_id"]})
    assert "Bo feels ignored" in card_text(report)  # the facilitator reads it, in her 1:1 chat only


@pytest.mark.parametrize("where", ["personal", "group", "team"])
async def test_typed_commands_answer_personal_things_only_in_the_askers_1_1_chat(
    teams: Teams, connector: tuple[FakeConnector, str], where: str
) -> None:
    fake, _ = connector
    ids = await _program(teams, fake)
    await _bo_checks_in_with_a_concern(teams, ids)
    for typed in TYPED:
        since = len(fake.sent)
        assert await teams.say(ANA, typed, **_scope(where)) in (200, 201)
        shared, personal = _shared(fake, since), _personal(fake, ANA, since)
        for secret in SECRETS:
            assert secret not in _visible(shared), f"'{typed}' in the {where} showed '{secret}'"
        if where == "personal":
            assert personal and not shared, typed
            continue
        policy = scopes.policy_of(text_commands.parse(typed).verb)
        if policy is scopes.Policy.SHARED:
            continue
        assert len(shared) == 1 and NEUTRAL in _visible(shared), f"'{typed}': {_visible(shared)}"
        assert personal, f"'{typed}' in the {where}: nothing reached Ana's 1:1 chat"
    if where != "personal":
        # `report` asked in the shared conversation reached Ana 1:1, concern and all.
        assert "Bo feels ignored" in _visible(_personal(fake, ANA, 0))


async def test_a_colleagues_click_on_someone_elses_card_is_refused_and_changes_nothing(
    teams: Teams, connector: tuple[FakeConnector, str]
) -> None:
    fake, _ = connector
    await _program(teams, fake)
    await teams.say(BO, "delete my data")
    confirm = _last_with(fake, BO, verbs.DELETE_CONFIRM)
    assert confirm.get("for"), "the confirmation card names whom it is for"
    for where in ({}, {"group": GROUP}, {"team": TEAM}):
        refused = await teams.click(CY, verbs.DELETE_CONFIRM, confirm, **where)  # type: ignore[arg-type]
        assert "someone else's" in card_text(refused) or NEUTRAL in card_text(refused), card_text(refused)
    await teams.say(BO, "profile")
    editor = fake.cards(BO.chat)[-1]
    saved_by_cy = await teams.click(
        CY, verbs.PROFILE_SAVE, action_data(editor, verbs.PROFILE_SAVE) | _profile("Go", "Rust", "x")
    )
    assert "someone else's" in card_text(saved_by_cy)
    # Cy is still there with her own profile; Bo too.
    cy = await teams.click(CY, verbs.PROFILE_OPEN)
    assert "Graph algorithms" in card_text(cy) and "someone else's" not in card_text(cy)
    bo = await teams.click(BO, verbs.PROFILE_OPEN)
    assert "Helm charts" in card_text(bo)

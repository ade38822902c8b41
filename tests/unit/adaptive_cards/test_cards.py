from __future__ import annotations

from typing import Any

from adaptive_cards import verbs
from adaptive_cards.elements import with_refresh
from adaptive_cards.pairing import chat_link, meeting_link
from adaptive_cards.profile import profile_editor
from tests.support.card_gallery import gallery


def _opens_a_stage_view(action: dict[str, Any]) -> bool:
    """Teams' own `tab/tabInfoAction` (open a page in stage view): the client handles it, the bot never sees it."""
    invoke = action.get("data", {}).get("msteams", {})
    return invoke.get("type") == "invoke" and invoke.get("value", {}).get("type") == "tab/tabInfoAction"


def test_every_card_is_schema_1_5_with_execute_actions_only_carrying_verbs() -> None:
    for name, card in gallery().items():
        assert card["version"] == "1.5" and card["type"] == "AdaptiveCard", name
        for action in card.get("actions", []):
            if action["type"] == "Action.Submit":
                assert _opens_a_stage_view(action), name
                continue
            assert action["type"] in ("Action.Execute", "Action.OpenUrl"), name
            if action["type"] == "Action.Execute":
                assert action["verb"], name


def test_deep_links_name_every_member_and_encode_the_subject() -> None:
    emails = ["ana@contoso.example", "bo@contoso.example"]
    assert (
        chat_link(emails)
        == "https://teams.microsoft.com/l/chat/0/0?users=ana@contoso.example,bo@contoso.example"
    )
    assert meeting_link(emails, "Learn Go & Rust") == (
        "https://teams.microsoft.com/l/meeting/new?attendees=ana@contoso.example,bo@contoso.example"
        "&subject=Learn%20Go%20%26%20Rust"
    )


def test_a_refresh_makes_a_card_user_specific_only_when_users_are_named() -> None:
    card = profile_editor({})
    assert "refresh" not in with_refresh(card, verbs.PROFILE_OPEN, {}, [])
    refreshed = with_refresh(card, verbs.PROFILE_OPEN, {}, ["29:ana"])
    assert refreshed["refresh"]["userIds"] == ["29:ana"]
    assert refreshed["refresh"]["action"]["verb"] == verbs.PROFILE_OPEN


def test_the_profile_editor_grows_a_row_beyond_the_skills_already_listed() -> None:
    values = {f"teach_skill_{i}": f"s{i}" for i in range(5)}
    ids = [
        e["columns"][0]["items"][0]["id"]
        for e in profile_editor(values)["body"]
        if e.get("type") == "ColumnSet"
    ]
    assert "teach_skill_5" in ids and "teach_skill_6" not in ids

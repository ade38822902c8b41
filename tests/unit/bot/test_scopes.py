"""The scope rules are written once: every verb the bot handles has a stated place where it may answer."""

from __future__ import annotations

from adaptive_cards import verbs
from adaptive_cards.elements import card, execute, with_refresh
from bot import export_file, scopes, typeahead
from bot.actions import build_registry


def test_every_verb_the_bot_handles_has_a_stated_policy() -> None:
    unstated = sorted(set(build_registry()) - set(scopes.POLICY))
    assert not unstated, f"say where these may answer in bot/scopes.py: {unstated}"


def test_a_form_that_changes_personal_data_is_opened_one_to_one_instead_of_run_in_a_shared_chat() -> None:
    for verb, policy in scopes.POLICY.items():
        if policy is scopes.Policy.PRIVATE_ONLY:
            opened = scopes.private_verb(verb)
            assert opened != verb and scopes.policy_of(opened) is scopes.Policy.PRIVATE


def test_personal_things_are_never_shared() -> None:
    for verb in (
        verbs.STATUS,
        verbs.REPORT_OPEN,
        verbs.DELETE_ASK,
        verbs.DELETE_CONFIRM,
        verbs.CHECKIN_SUBMIT,
    ):
        assert scopes.policy_of(verb) is not scopes.Policy.SHARED
    assert scopes.policy_of("a.verb.added.later") is scopes.Policy.PRIVATE


def test_only_ids_survive_when_a_form_is_turned_into_its_opening_verb() -> None:
    data = {"pairing_id": "p1", "confidential_note": "secret", "for": "x"}
    assert scopes.shared_data(verbs.CHECKIN_SUBMIT, data) == {"pairing_id": "p1"}


def test_an_addressed_card_names_its_reader_in_every_action_and_refuses_anyone_else() -> None:
    built = card(
        [{"type": "ActionSet", "actions": [execute("Yes", verbs.DELETE_CONFIRM, {"confirm": "yes"})]}],
        [execute("Status", verbs.STATUS)],
    )
    built = with_refresh(built, verbs.STATUS, {}, ["29:ana"])
    addressed = scopes.addressed_to(built, "ana-id")
    datas = [addressed["body"][0]["actions"][0]["data"], addressed["actions"][0]["data"]]
    datas.append(addressed["refresh"]["action"]["data"])
    assert all(d["for"] == "ana-id" for d in datas)
    assert datas[0]["confirm"] == "yes" and "for" not in built["actions"][0]["data"]  # a copy
    assert scopes.addressee_mismatch(datas[0], "ana-id") is None
    assert "someone else's" in (scopes.addressee_mismatch(datas[0], "bo-id") or "")
    assert scopes.addressee_mismatch({"confirm": "yes"}, "bo-id") is None  # a card meant for everyone


def test_the_invokes_answered_outside_the_registry_have_a_stated_policy_too() -> None:
    assert scopes.POLICY[typeahead.SEARCH] is scopes.Policy.SHARED  # the organization's skill names only
    assert scopes.POLICY[export_file.FILE_CONSENT] is scopes.Policy.PRIVATE_ONLY
    assert scopes.policy_of(verbs.EXPORT_FILE) is scopes.Policy.PRIVATE

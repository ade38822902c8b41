from __future__ import annotations

import pytest

from bot.forms import StaleCard, card_id, parse_check_in, parse_profile, parse_setup

ID = "a" * 32


def test_a_valid_profile_becomes_a_command_with_skills_and_levels() -> None:
    form = parse_profile(
        {
            "teach_skill_0": "Python",
            "teach_level_0": "5",
            "learn_skill_1": "Go",
            "learn_level_1": 2,
            "discoverable": True,
        },
        "org",
        "ana",
    )
    assert form.command is not None and not form.errors
    assert [(s.name, s.level) for s in form.command.teaches] == [("Python", 5)]
    assert [(s.name, s.level) for s in form.command.learns] == [("Go", 2)]
    assert form.command.discoverable_as_expert


def test_profile_mistakes_name_their_field_and_keep_what_was_typed() -> None:
    form = parse_profile(
        {"teach_skill_0": "Rust", "teach_skill_1": "rust", "teach_level_1": "9", "hours_per_month": "lots"},
        "org",
        "ana",
    )
    assert form.command is None
    assert set(form.errors) == {"teach_level_0", "teach_skill_1", "teach_level_1", "hours_per_month"}
    assert form.values["teach_skill_0"] == "Rust" and form.values["hours_per_month"] == "lots"


def test_values_of_the_wrong_type_or_too_long_are_refused() -> None:
    form = parse_profile({"department": {"x": 1}, "goals": "g" * 501}, "org", "ana")
    assert form.command is None and set(form.errors) == {"department", "goals"}


def test_too_many_fields_is_not_one_of_our_cards() -> None:
    with pytest.raises(StaleCard):
        parse_profile({f"f{i}": "x" for i in range(200)}, "org", "ana")


def test_card_ids_must_look_like_ours() -> None:
    assert card_id({"pairing_id": ID}, "pairing_id") == ID
    for bad in ({"pairing_id": "1 OR 1=1"}, {"pairing_id": 7}, {}):
        with pytest.raises(StaleCard):
            card_id(bad, "pairing_id")


def test_setup_needs_a_kind_a_cadence_a_size_and_a_real_date() -> None:
    form = parse_setup({"group_size": "x", "starts_on": "tomorrow"}, "org", ID, "fay")
    assert form.command is None and set(form.errors) == {"kind", "cadence", "group_size", "starts_on"}
    ok = parse_setup(
        {"kind": "mentoring", "cadence": "weekly", "group_size": "2", "starts_on": "2026-12-01"},
        "org",
        ID,
        "fay",
    )
    assert ok.command is not None and ok.command.starts_on is not None


def test_a_check_in_after_meeting_needs_a_usefulness() -> None:
    form = parse_check_in({"met": "yes"}, "org", ID, "ana")
    assert form.command is None and "usefulness" in form.errors
    missed = parse_check_in({"met": "no", "usefulness": "5"}, "org", ID, "ana")
    assert missed.command is not None and missed.command.usefulness is None

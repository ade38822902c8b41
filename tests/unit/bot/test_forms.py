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


def test_every_mistake_of_a_profile_submit_is_reported_at_once() -> None:
    form = parse_profile(
        {
            "teach_skill_0": "JS",
            "teach_level_0": "3",
            "teach_skill_1": "Javascript",
            "teach_level_1": "4",
            "learn_skill_0": "Rust",
            "timezone": "Atlantis",
            "hours_per_month": "200",
            "available_days": "mon,fri",
            "available_from": "17:00",
            "available_to": "09:00",
            "department": "Pay\x1bments",
        },
        "org",
        "ana",
    )
    assert form.command is None
    assert set(form.errors) == {
        "teach_skill_1",
        "learn_level_0",
        "timezone",
        "hours_per_month",
        "available_to",
        "department",
    }
    assert "the same skill as 'JS'" in form.errors["teach_skill_1"]
    assert "Berlin" in form.errors["timezone"] and "IANA" not in form.errors["timezone"]


def test_a_city_typed_as_time_zone_is_understood_and_skills_take_the_vocabulary_label() -> None:
    form = parse_profile({"timezone": "Berlin", "teach_skill_0": "k8s", "teach_level_0": "4"}, "org", "ana")
    assert form.command is not None, form.errors
    assert form.command.timezone == "Europe/Berlin" and form.values["timezone"] == "Europe/Berlin"
    assert [(s.name, s.level) for s in form.command.teaches] == [("Kubernetes", 4)]


def test_weekly_availability_is_days_and_hours_in_the_persons_own_zone() -> None:
    data = {"available_days": "mon,wed", "available_from": "09:30", "available_to": "11:15"}
    form = parse_profile(data, "org", "ana")
    assert form.command is not None, form.errors
    # 09:30–11:15 covers the hours from 9 to 12 on Monday (0) and Wednesday (2 × 24)
    assert form.command.weekly_availability == frozenset({9, 10, 11, 57, 58, 59})
    until_midnight = parse_profile(
        {"available_days": "sun", "available_from": "20:00", "available_to": "23:59"}, "org", "ana"
    )
    assert until_midnight.command is not None
    assert max(until_midnight.command.weekly_availability) == 167
    assert parse_profile({}, "org", "ana").command.weekly_availability == frozenset()  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"available_from": "09:00", "available_to": "17:00"}, "available_days"),
        ({"available_days": "mon", "available_from": "09:00"}, "available_to"),
        (
            {"available_days": "caturday", "available_from": "09:00", "available_to": "10:00"},
            "available_days",
        ),
        ({"available_days": "mon", "available_from": "9 am", "available_to": "10:00"}, "available_from"),
    ],
)
def test_availability_mistakes_name_their_field(data: dict[str, str], field: str) -> None:
    form = parse_profile(data, "org", "ana")
    assert form.command is None and field in form.errors


def test_numbers_no_profile_can_have_are_refused_naming_the_value() -> None:
    form = parse_profile(
        {
            "teach_skill_0": "Go",
            "teach_level_0": "0",
            "learn_skill_0": "SQL",
            "learn_level_0": "7",
            "hours_per_month": "-3",
        },
        "org",
        "ana",
    )
    assert form.command is None
    assert "'0'" in form.errors["teach_level_0"] and "'7'" in form.errors["learn_level_0"]
    assert "'-3'" in form.errors["hours_per_month"]


def test_the_setup_keeps_the_level_gap_the_facilitator_sets_and_refuses_one_out_of_range() -> None:
    base = {"kind": "mentoring", "cadence": "biweekly", "group_size": "2"}
    form = parse_setup(base | {"max_level_gap": "2"}, "org", ID, "fay")
    assert form.command is not None and form.command.max_level_gap == 2
    form = parse_setup(base, "org", ID, "fay")  # a card from before the field existed: the default
    assert form.command is not None and form.command.max_level_gap == 3
    form = parse_setup(base | {"max_level_gap": "7"}, "org", ID, "fay")
    assert form.command is None and "'7'" in form.errors["max_level_gap"]

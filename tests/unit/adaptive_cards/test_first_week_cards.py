"""The first week's cards: joining never dead-ends, the profile asks nothing in jargon, `my data` reads."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from adaptive_cards import my_data, onboarding, profile, status, verbs
from core.model import Enrollment, EnrollmentStatus, Person
from core.views.status import EnrollmentView, MyStatus
from tests.support.card_gallery import PROFILE, PROGRAM

NOW = datetime(2026, 12, 2, 9, 0, tzinfo=UTC)
ANA = Person("ana", "o", "Ana Alvarez", "ana@contoso.example")


def _nodes(node: Any) -> Iterator[dict[str, Any]]:
    if isinstance(node, dict):
        yield node
        for value in node.values():
            yield from _nodes(value)
    elif isinstance(node, list):
        for value in node:
            yield from _nodes(value)


def _verbs(card: dict[str, Any]) -> list[str]:
    return [n["verb"] for n in _nodes(card) if n.get("type") == "Action.Execute"]


def _texts(card: dict[str, Any]) -> str:
    return "\n".join(str(n.get("text", "")) for n in _nodes(card)) + "\n" + str(card)


def _input(card: dict[str, Any], id_: str) -> dict[str, Any]:
    return next(n for n in _nodes(card) if n.get("id") == id_)


def test_help_keeps_the_way_in_until_the_person_has_joined() -> None:
    before = onboarding.help_card(facilitator=False, joined=False)
    assert verbs.JOIN in _verbs(before) and "'join'" in _texts(before)
    assert "join" in [title for title, _ in onboarding.COMMANDS]
    assert verbs.JOIN not in _verbs(onboarding.help_card(facilitator=False, joined=True))


def test_status_of_someone_who_has_not_joined_carries_the_join_action() -> None:
    nobody = MyStatus(ANA, None, [], [], [])
    assert verbs.JOIN in _verbs(status.status(nobody))
    left = Enrollment("e", "o", PROGRAM.id, "ana", 1, NOW, status=EnrollmentStatus.LEFT)
    assert verbs.JOIN in _verbs(status.status(MyStatus(ANA, None, [EnrollmentView(left, PROGRAM)], [], [])))
    joined = replace(left, status=EnrollmentStatus.ACTIVE)
    assert verbs.JOIN not in _verbs(
        status.status(MyStatus(ANA, None, [EnrollmentView(joined, PROGRAM)], [], []))
    )


def test_every_you_have_not_joined_answer_carries_the_join_action() -> None:
    assert verbs.JOIN in _verbs(onboarding.not_joined("You are not taking part in a program."))


def test_joining_says_who_facilitates_or_what_happens_while_nobody_does() -> None:
    named = onboarding.welcome(PROGRAM, joined=True, facilitators=["Fay Field", "Gus Gray"])
    assert "Fay Field and Gus Gray facilitate Platform guild" in _texts(named)
    nobody = onboarding.welcome(PROGRAM, joined=True, facilitators=[])
    assert "Nobody facilitates Platform guild yet" in _texts(nobody)
    assert verbs.SETUP_OPEN in _verbs(nobody)


def test_skills_are_typeahead_choices_from_the_vocabulary() -> None:
    card = profile.profile_editor(profile.profile_values(PROFILE), at=NOW, suggestions=["Helm"])
    skill = _input(card, "teach_skill_0")
    assert skill["type"] == "Input.ChoiceSet" and skill["style"] == "filtered"
    assert skill["choices.data"] == {"type": "Data.Query", "dataset": "skills"}
    assert skill["value"] == "Python" and {"title": "Helm", "value": "Helm"} in skill["choices"]
    assert _input(card, "learn_skill_3")["choices"]  # an empty row still lists suggestions


def test_the_time_zone_is_a_city_choice_prefilled_from_teams_never_an_iana_request() -> None:
    first = profile.profile_values(None, detected_timezone="Europe/Berlin")
    card = profile.profile_editor(first, detected_timezone="Europe/Berlin", at=NOW)
    zone = _input(card, "timezone")
    # The value is the place too: Microsoft's JS renderer shows a filtered choice set's value, not its title.
    assert zone["value"] == "Berlin (UTC+01:00)" and zone["style"] == "filtered"
    assert {"title": "Berlin (UTC+01:00)", "value": "Berlin (UTC+01:00)"} in zone["choices"]
    assert zone["choices.data"]["dataset"] == "timezones"
    assert "IANA" not in _texts(card)
    moved = profile.profile_editor(profile.profile_values(PROFILE), detected_timezone="Asia/Tokyo", at=NOW)
    assert "Teams says you are in Tokyo (UTC+09:00)" in _texts(moved)


def test_weekly_availability_is_in_the_profile_as_days_and_hours() -> None:
    weekdays = frozenset(d * 24 + h for d in range(5) for h in range(9, 17))
    values = profile.profile_values(replace(PROFILE, weekly_availability=weekdays))
    assert values["available_days"] == "mon,tue,wed,thu,fri"
    assert (values["available_from"], values["available_to"]) == ("09:00", "17:00")
    card = profile.profile_editor(values, at=NOW)
    assert _input(card, "available_days")["isMultiSelect"] is True
    assert _input(card, "available_from")["type"] == "Input.Time"


def test_all_errors_show_at_once_and_an_unmatchable_profile_says_why() -> None:
    errors = {
        "timezone": "We do not know the time zone 'x'.",
        "hours_per_month": "'200' is not a whole number.",
    }
    card = profile.profile_editor({}, errors, at=NOW)
    assert all(message in _texts(card) for message in errors.values())
    saved = profile.profile_editor(
        {},
        saved=True,
        unmatched=["add at least one skill you can teach or want to learn"],
        offer_join=True,
        at=NOW,
    )
    assert "nobody can be matched with you yet: add at least one skill" in _texts(saved)
    assert "✅ Saved" not in _texts(saved) and verbs.JOIN in _verbs(saved)


def test_my_data_is_a_readable_summary_without_internal_ids() -> None:
    card = my_data.summary(
        ANA, PROFILE, [("Platform guild", "active")], [("Pairings", 2)], NOW, file_offered=True
    )
    shown = _texts(card)
    assert "Python (level 5)" in shown and "Berlin (UTC+01:00)" in shown and "Platform guild" in shown
    assert PROGRAM.id not in shown and "ana" not in [
        f["value"] for n in _nodes(card) for f in n.get("facts", [])
    ]
    assert verbs.EXPORT_FILE in _verbs(card) and "JSON file" in shown


def test_help_in_a_shared_conversation_offers_join_to_everyone_and_says_nothing_about_anyone() -> None:
    for joined in (True, False):
        card = onboarding.help_card(facilitator=False, joined=joined, shared=True)
        assert verbs.JOIN in _verbs(card) and "You have not joined" not in _texts(card)


def test_my_data_and_status_offer_what_fixes_each_you_have_not() -> None:
    empty = my_data.summary(ANA, None, [], [("Pairings", 0)], NOW, file_offered=False)
    assert {verbs.PROFILE_OPEN, verbs.JOIN} <= set(_verbs(empty))
    no_profile = status.status(MyStatus(ANA, None, [], [], []))
    assert "You have not filled in your profile" in _texts(no_profile)
    assert verbs.PROFILE_OPEN in _verbs(no_profile)


def test_a_time_zone_field_reads_back_its_label_a_city_or_a_zone_name() -> None:
    assert (
        profile.zone_of("Berlin (UTC+02:00)") == "Europe/Berlin"
    )  # a label written in summer, read in winter
    assert profile.zone_of("New York (UTC-05:00)") == "America/New_York"
    assert profile.zone_of("Kolkata") == "Asia/Kolkata"
    assert profile.zone_of("Europe/Lisbon") == "Europe/Lisbon"
    assert profile.zone_of("UTC") == "UTC" and profile.timezone_value("UTC", NOW) == "UTC"
    assert profile.zone_of("Atlantis (UTC+01:00)") is None

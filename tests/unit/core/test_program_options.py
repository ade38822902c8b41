"""A program's settings are one typed value; what is stored reads back the same, and bad stored values
read as the defaults instead of reaching the matcher or a page."""

from __future__ import annotations

from datetime import date

from core.model import ProgramOptions
from core.model.program_options import CRITERIA


def test_settings_read_back_as_they_were_stored() -> None:
    options = ProgramOptions.for_course().with_member_attributes("lea", {"section": "B"})
    again = ProgramOptions.from_json(options.to_json())
    assert again == options
    assert again.member_attributes_of("lea") == {"section": "B"} and again.has_sections()


def test_a_course_starts_with_every_criterion_but_mixing_sections_and_tells_the_matcher() -> None:
    options = ProgramOptions.for_course()
    assert options.criteria == {name: name != "mix_sections" for name in CRITERIA}
    assert options.isolate_rule_attributes == ("section",) and options.avoid_previous_groupmates


def test_criteria_switched_off_reach_the_matcher_as_off() -> None:
    options = ProgramOptions.for_course().with_criteria({"similar_goals": True})
    assert options.isolate_rule_attributes == () and options.avoid_previous_groupmates is False


def test_stored_values_of_the_wrong_type_read_as_the_defaults() -> None:
    options = ProgramOptions.from_json(
        {
            "criteria": "all",
            "questionnaire_deadline": "next friday",
            "member_attributes": {"lea": "B", "bo": {"section": 3}},
            "group_chats": "yes",
            "min_shared_hours": -4,
            "isolate_rule_attributes": "section",
        }
    )
    assert options.criteria == {} and options.questionnaire_deadline is None
    assert options.member_attributes == {"bo": {}} and not options.group_chats
    assert options.min_shared_hours == 0 and options.isolate_rule_attributes == ()


def test_keys_a_newer_version_wrote_are_kept_when_this_one_saves() -> None:
    stored = {"questionnaire_deadline": "2026-12-01", "shiny_new_option": {"on": True}}
    options = ProgramOptions.from_json(stored)
    assert options.questionnaire_deadline == date(2026, 12, 1)
    assert options.to_json()["shiny_new_option"] == {"on": True}


def test_forgetting_a_member_drops_only_their_attributes() -> None:
    options = (
        ProgramOptions().with_member_attributes("lea", {"section": "B"}).with_member_attributes("bo", {})
    )
    assert options.without_member("lea").member_attributes == {"bo": {}}

from __future__ import annotations

from lti.questionnaire import Answers, read, to_command, zone_names


def test_every_mistake_is_reported_at_once_and_the_answers_are_kept() -> None:
    form = {
        "goals": "",
        "teach_0": "SQL",
        "teach_level_0": "7",
        "teach_1": "sql",
        "teach_level_1": "2",
        "timezone": "Nowhere/Else",
    }
    answers, errors = read(form, ["8", "x", "200"])
    assert set(errors) == {"goals", "teach_level_0", "teach_1", "timezone", "code_of_conduct"}
    assert answers.teach[0].name == "SQL" and answers.teach[0].level == "7"
    assert answers.slots == frozenset({8}) and answers.timezone == "Nowhere/Else"


def test_valid_answers_become_a_profile_command_with_two_hour_blocks() -> None:
    form = {
        "goals": "graphs",
        "learn_0": "DP",
        "learn_level_0": "2",
        "timezone": "Europe/Berlin",
        "code_of_conduct": "on",
    }
    answers, errors = read(form, ["32"])
    assert errors == {}
    command = to_command(answers, "org", "p1")
    assert command.weekly_availability == frozenset({32, 33}) and command.learns[0].level == 2


def test_the_picker_offers_real_zones_and_utc_but_not_aliases() -> None:
    names = zone_names()
    assert {"Europe/Berlin", "America/Argentina/Buenos_Aires", "UTC"} <= names
    assert "US/Eastern" not in names and "Etc/GMT+3" not in names


def test_no_profile_means_nothing_chosen() -> None:
    answers = Answers.of(None, accepted=False)
    assert answers.timezone == "" and not answers.code_of_conduct and answers.slots == frozenset()


def test_a_level_no_learner_can_have_is_refused_naming_the_value() -> None:
    form = {"goals": "graphs", "learn_0": "DP", "learn_level_0": "0", "teach_0": "SQL", "teach_level_0": "-3"}
    _, errors = read(form, [])
    assert (
        "'0' is not a level" in errors["learn_level_0"] and "'-3' is not a level" in errors["teach_level_0"]
    )
    _, errors = read({"goals": "graphs", "learn_0": "DP"}, [])
    assert errors["learn_level_0"].startswith("Choose a level from 1 (beginner) to 5 (expert)")

from __future__ import annotations

import pytest

from adaptive_cards import verbs
from bot import text_commands
from bot.text_commands import TextCommand, parse


@pytest.mark.parametrize(
    ("typed", "verb"),
    [
        ("help", verbs.HELP),
        ("  Profile ", verbs.PROFILE_OPEN),
        ("<at>peerlearn</at> status", verbs.STATUS),
        ("Match now!", verbs.ROUND_RUN),
        ("delete my data", verbs.DELETE_ASK),
        ("my data", text_commands.EXPORT),
        ("setup", verbs.SETUP_OPEN),
        ("report", verbs.REPORT_OPEN),
        ("resume", verbs.RESUME),
        ("leave", text_commands.LEAVE),
    ],
)
def test_the_commands_people_type_map_to_their_verbs(typed: str, verb: str) -> None:
    assert parse(typed).verb == verb and parse(typed).understood


def test_pause_takes_a_number_of_weeks() -> None:
    assert parse("pause 3 weeks").data == {"weeks": "3"}
    assert parse("pause").data == {"weeks": "1"}


def test_find_keeps_the_skill_asked_for() -> None:
    assert parse("find Kubernetes").data == {"skill": "kubernetes"}


def test_unknown_text_asks_for_help_and_says_it_was_not_understood() -> None:
    command = parse("what's up")
    assert command.verb == verbs.HELP and not command.understood


def test_facilitator_add_keeps_an_email_and_leaves_mentions_to_the_activity() -> None:
    assert parse("<at>peerlearn</at> facilitator add <at>Megan Bowen</at>") == TextCommand(
        text_commands.FACILITATOR_ADD, {"who": ""}
    )
    assert parse("Facilitator add Megan@Contoso.example").data == {"who": "megan@contoso.example"}
    assert parse("facilitator").verb == verbs.HELP

"""The facilitator's first days in Teams: an honest report before anyone joins, and `match now` that says
what is missing instead of opening an empty round."""

from __future__ import annotations

from adaptive_cards import verbs
from tests.integration.bot.connector import FakeConnector
from tests.integration.bot.teams import Teams, User, action_data, card_text
from tests.integration.bot.test_bot_teams import install_in_team

FAY, BO = User("fay"), User("bo")


async def test_before_two_people_join_the_report_says_what_to_do_and_match_now_opens_no_round(
    teams: Teams, connector: tuple[FakeConnector, str]
) -> None:
    fake, _ = connector
    program = action_data(await install_in_team(teams, fake), verbs.JOIN)
    ids = {"program_id": program["program_id"]}

    report = card_text(await teams.click(FAY, verbs.REPORT_OPEN, ids))
    assert "Nobody has joined yet: share" in report
    assert "every skill asked for has a teacher" not in report
    refused = card_text(await teams.click(FAY, verbs.ROUND_RUN, ids))
    assert "Not enough people to match yet" in refused and "Nobody has joined" in refused

    await teams.click(BO, verbs.JOIN, program)
    refused = card_text(await teams.click(FAY, verbs.ROUND_RUN, ids))
    assert "A round needs at least two people to match" in refused and "1 ready of 1 opted in" in refused
    report = card_text(await teams.click(FAY, verbs.REPORT_OPEN, ids))
    # No round was opened by either attempt.
    assert "No round has run yet. A round needs at least two people; 1 person opted in so far." in report
    assert "Round 1" not in report
    assert "Nobody has said what they want to learn yet." in report

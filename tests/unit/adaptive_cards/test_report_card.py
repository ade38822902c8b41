"""The report card: charts Teams renders, each with a fallback; withheld figures stay out; honest empty states."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from adaptive_cards.notices import delivery_section
from adaptive_cards.report import report
from core.model.delivery import DeliveryHealth, GraphStatus
from core.views.aggregates import TOO_FEW
from core.views.reports import FacilitatorReport
from tests.support.card_gallery import report_data


def _elements(node: Any) -> Iterator[dict[str, Any]]:
    if isinstance(node, dict):
        if "type" in node:
            yield node
        for value in node.values():
            yield from _elements(value)
    elif isinstance(node, list):
        for value in node:
            yield from _elements(value)


def _charts(card: dict[str, Any]) -> dict[str, dict[str, Any]]:
    body = card["body"]
    # Each chart follows its heading (outside the chart, so that clients without charts keep it).
    return {body[i - 1]["text"]: e for i, e in enumerate(body) if e["type"].startswith("Chart.")}


def _text(card: dict[str, Any]) -> str:
    return json.dumps(card, ensure_ascii=False)


def test_every_chart_is_one_teams_renders_and_falls_back_to_a_fact_set() -> None:
    charts = _charts(report(report_data()))
    assert {c["type"] for c in charts.values()} == {"Chart.VerticalBar.Grouped", "Chart.Line", "Chart.Donut"}
    assert len(charts) == 4
    for chart in charts.values():
        assert chart["fallback"]["type"] == "FactSet" and chart["fallback"]["facts"], chart["title"]
    people = charts["Opt-ins and acceptance per round"]
    assert [s["legend"] for s in people["data"]] == ["Opted in", "Matched", "Accepted"]
    skills = charts["Skills people want to learn, against those who teach them"]
    assert skills["data"][0]["values"][0] == {"x": "Kubernetes", "y": 6}
    assert skills["data"][1]["values"][0] == {"x": "Kubernetes", "y": 0}


def test_a_withheld_figure_is_left_out_of_its_chart_and_named_as_too_few() -> None:
    data = report_data()
    latest = data.rounds[-1]
    data = replace(
        data, rounds=[*data.rounds[:-1], replace(latest, accepted=None, declined=None, meetings_held=None)]
    )
    card = report(data)
    charts = _charts(card)
    accepted = next(
        s for s in charts["Opt-ins and acceptance per round"]["data"] if s["legend"] == "Accepted"
    )
    assert f"Round {latest.index}" not in [v["x"] for v in accepted["values"]]
    held = charts["Meetings held per round"]["data"][0]["values"]
    assert f"Round {latest.index}" not in [v["x"] for v in held]
    fallback = json.dumps(charts["Opt-ins and acceptance per round"]["fallback"])
    assert f"accepted: {TOO_FEW}" in fallback
    assert f"Acceptance in Round {latest.index}: {TOO_FEW}" in _text(card)
    no_ratings = report(replace(data, usefulness=None))
    assert "Chart.Donut" not in _text(no_ratings)
    assert f"{TOO_FEW.capitalize()} yet. It appears once 5 people have rated a meeting" in _text(no_ratings)


def test_with_nobody_enrolled_the_report_says_what_to_do_and_claims_nothing() -> None:
    empty = FacilitatorReport(
        program=report_data().program,
        opted_in=0,
        paused=0,
        left=0,
        proposals=0,
        accepted=None,
        declined=None,
        meetings_held=None,
        check_ins=None,
        average_usefulness=None,
        open_concerns=[],
        skills_wanted_untaught=[],
    )
    text = _text(report(empty))
    assert "Nobody has joined yet: share" in text
    assert "every skill asked for has a teacher" not in text
    assert not any(e["type"].startswith("Chart.") for e in _elements(report(empty)))


def test_before_a_round_and_before_anyone_names_a_skill_the_card_says_so() -> None:
    data = replace(
        report_data(),
        rounds=[],
        skills=[],
        skills_wanted_untaught=[],
        anyone_wants_to_learn=False,
        opted_in=1,
        proposals=0,
        accepted=0,
        declined=0,
        waiting=0,
    )
    text = _text(report(data))
    assert "No round has run yet. A round needs at least two people; 1 person opted in so far." in text
    assert "Nobody has said what they want to learn yet." in text
    assert "every skill asked for has a teacher" not in text
    assert "no proposals yet" in text
    assert "No round has run yet: press **Match now**" in _text(report(replace(data, opted_in=2)))


def test_the_acceptance_line_counts_people_and_says_who_is_still_to_answer() -> None:
    text = _text(report(replace(report_data(), accepted=3, declined=1, waiting=2, proposals=3)))
    assert "75 % (3 accepted, 1 declined)" in text and "3 (2 people still to answer)" in text


def test_the_graph_note_reads_as_a_sentence() -> None:
    health = DeliveryHealth(
        3, 0, 0, [], GraphStatus(enabled=False, reason="Microsoft Graph is not configured.")
    )
    note = json.dumps(delivery_section(health))
    assert "Off: installing the app for people who have not opened it, and group chats for pairs." in note
    assert "are off" not in note


def test_a_skipped_scheduled_round_is_named_with_what_is_missing() -> None:
    data = report_data()
    due = datetime(2026, 12, 7, 8, 0, tzinfo=UTC)
    text = _text(report(replace(data, round_skipped=due, ready=1)))
    assert "The round due on Monday 7 December was not opened" in text
    assert "only 1 person can be matched now. It opens as soon as two can." in text
    assert "was not opened" not in _text(report(data))


def test_the_report_opens_the_programs_dashboard_in_teams_when_it_has_an_address() -> None:
    data = report_data()
    assert "Open dashboard" not in _text(report(data))
    url = f"https://peerlearn.example/tabs/dashboard?program_id={data.program.id}"
    actions = report(data, dashboard_url=url)["actions"]
    button = actions[-1]
    assert (button["type"], button["title"]) == ("Action.Submit", "Open dashboard")
    invoke = button["data"]["msteams"]
    assert invoke["type"] == "invoke" and invoke["value"]["type"] == "tab/tabInfoAction"
    assert invoke["value"]["tabInfo"]["contentUrl"] == url
    assert invoke["value"]["tabInfo"]["name"] == f"Health: {data.program.name}"

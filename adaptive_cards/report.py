"""The facilitator's report: the program at a glance, charts per round, open concerns, skills to find teachers for.

Each chart is one of the chart elements Teams renders (`Chart.VerticalBar.Grouped`, `Chart.Line`,
`Chart.Donut`), with a `fallback` FactSet for clients that do not render charts. A figure the minimum-group
rule withholds is left out of its chart and named in the fallback and beside the chart as too few answers."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from zoneinfo import ZoneInfo

from adaptive_cards import verbs
from adaptive_cards.elements import Card, Element, bullets, card, execute, facts, heading, subheading, text
from adaptive_cards.notices import delivery_section
from core.model.delivery import DeliveryHealth
from core.views.aggregates import TOO_FEW
from core.views.reports import FacilitatorReport, RoundFigures, SkillDemand

USEFULNESS = {1: "1 – not useful", 2: "2", 3: "3", 4: "4", 5: "5 – very useful"}
USEFULNESS_COLORS = {1: "attention", 2: "warning", 3: "neutral", 4: "categoricalTeal", 5: "good"}


def _percent(value: float | None) -> str:
    return "–" if value is None else f"{round(value * 100)} %"


def _count(value: int | None) -> str:
    return TOO_FEW if value is None else str(value)


def _people(n: int) -> str:
    return f"{n} person" if n == 1 else f"{n} people"


def _acceptance(data: FacilitatorReport) -> str:
    if data.proposals == 0:
        return "no proposals yet"
    if data.accepted is None or data.declined is None:
        return TOO_FEW
    if data.accepted + data.declined == 0:
        return "no answers yet"
    return f"{_percent(data.acceptance_rate)} ({data.accepted} accepted, {data.declined} declined)"


def _proposals(data: FacilitatorReport) -> str:
    if data.waiting:
        return f"{data.proposals} ({_people(data.waiting)} still to answer)"
    return str(data.proposals)


def chart(
    kind: str, id_: str, title: str, data: list[dict[str, Any]], fallback: Element, **extra: object
) -> list[Element]:
    """A heading, then a Teams chart element whose `fallback` is what clients without charts show instead.
    The heading stands outside the chart so that the fallback keeps it."""
    return [subheading(title), {"type": kind, "id": id_, "data": data, **extra, "fallback": fallback}]


def _round(r: RoundFigures) -> str:
    return f"Round {r.index}"


def _round_people(rounds: Sequence[RoundFigures], min_group: int) -> list[Element]:
    series = [
        ("Opted in", "categoricalBlue", [(_round(r), r.opted_in) for r in rounds]),
        ("Matched", "categoricalLavender", [(_round(r), r.matched) for r in rounds]),
        ("Accepted", "good", [(_round(r), r.accepted) for r in rounds if r.accepted is not None]),
    ]
    lines = [
        (
            _round(r),
            f"{r.opted_in} opted in, {r.matched} matched, "
            + (
                f"{r.accepted} accepted, {r.declined} declined"
                if r.accepted is not None
                else f"accepted: {TOO_FEW}"
            ),
        )
        for r in rounds
    ]
    elements = [
        *chart(
            "Chart.VerticalBar.Grouped",
            "chart-rounds",
            "Opt-ins and acceptance per round",
            [
                {"legend": legend, "color": color, "values": [{"x": x, "y": y} for x, y in values]}
                for legend, color, values in series
            ],
            facts(lines),
            xAxisTitle="Round",
            yAxisTitle="People",
            showBarValues=True,
        )
    ]
    withheld = [_round(r) for r in rounds if r.accepted is None]
    if withheld:
        elements.append(
            text(
                f"Acceptance in {', '.join(withheld)}: {TOO_FEW} (fewer than {min_group} people answered).",
                subtle=True,
            )
        )
    return elements


def _meetings(rounds: Sequence[RoundFigures], min_group: int) -> list[Element]:
    shown = [r for r in rounds if r.meetings_held is not None]
    if not shown:
        return [
            subheading("Meetings held per round"),
            text(
                f"{TOO_FEW.capitalize()} yet. It appears once {min_group} people of a round have checked in.",
                subtle=True,
            ),
        ]
    elements = [
        *chart(
            "Chart.Line",
            "chart-meetings",
            "Meetings held per round",
            [
                {
                    "legend": "Pairings that met",
                    "color": "categoricalTeal",
                    "values": [{"x": _round(r), "y": r.meetings_held} for r in shown],
                }
            ],
            facts((_round(r), _count(r.meetings_held)) for r in rounds),
            xAxisTitle="Round",
            yAxisTitle="Pairings",
        )
    ]
    withheld = [_round(r) for r in rounds if r.meetings_held is None]
    if withheld:
        elements.append(text(f"Meetings held in {', '.join(withheld)}: {TOO_FEW}.", subtle=True))
    return elements


def _usefulness(data: FacilitatorReport) -> list[Element]:
    if data.usefulness is None:
        return [
            subheading("How useful meetings were"),
            text(
                f"{TOO_FEW.capitalize()} yet. It appears once {data.min_group} people have rated a meeting "
                "in a check-in.",
                subtle=True,
            ),
        ]
    counts = data.usefulness
    return [
        *chart(
            "Chart.Donut",
            "chart-usefulness",
            "How useful meetings were (check-ins, 1–5)",
            [
                {"legend": USEFULNESS[n], "value": counts.get(n, 0), "color": USEFULNESS_COLORS[n]}
                for n in range(5, 0, -1)
            ],
            facts((USEFULNESS[n], str(counts.get(n, 0))) for n in range(5, 0, -1)),
        )
    ]


def _skills(skills: Sequence[SkillDemand], min_group: int) -> list[Element]:
    charted = [s for s in skills if s.wanted is not None and s.taught is not None][:8]
    if not charted:
        return []
    elements = [
        *chart(
            "Chart.VerticalBar.Grouped",
            "chart-skills",
            "Skills people want to learn, against those who teach them",
            [
                {
                    "legend": "Want to learn",
                    "color": "categoricalMarigold",
                    "values": [{"x": s.label, "y": s.wanted} for s in charted],
                },
                {
                    "legend": "Teach",
                    "color": "categoricalGreen",
                    "values": [{"x": s.label, "y": s.taught} for s in charted],
                },
            ],
            facts((s.label, f"{s.wanted} want to learn it, {s.taught} teach it") for s in charted),
            xAxisTitle="Skill",
            yAxisTitle="People",
            showBarValues=True,
        )
    ]
    fewer = [s.label for s in skills if s not in charted and (s.wanted is None or s.taught is None)]
    if fewer:
        elements.append(
            text(
                f"Also wanted, with counts too small to show (under {min_group} people): "
                + ", ".join(fewer[:10])
                + ("…" if len(fewer) > 10 else ""),
                subtle=True,
            )
        )
    return elements


def _untaught(data: FacilitatorReport) -> list[Element]:
    body = [subheading("Skills people want that nobody teaches yet")]
    if not data.anyone_wants_to_learn:
        body.append(text("Nobody has said what they want to learn yet."))
    elif data.skills_wanted_untaught:
        body.append(
            bullets(
                f"{label} (wanted by {_people(n)})"
                if n is not None
                else f"{label} (wanted by fewer than {data.min_group} people)"
                for label, n in data.skills_wanted_untaught[:10]
            )
        )
    else:
        body.append(text("None: every skill asked for has a teacher."))
    return body


def _skipped(data: FacilitatorReport) -> list[Element]:
    """A scheduled round that fell due and was not opened, because fewer than two people could be matched."""
    if data.round_skipped is None:
        return []
    due = data.round_skipped.astimezone(ZoneInfo(data.program.timezone))
    who = "nobody" if data.ready == 0 else f"only {_people(data.ready)}"
    return [
        text(
            f"⚠️ The round due on {due:%A} {due.day} {due:%B} was not opened: a round needs at least two "
            f"people to match, and {who} can be matched now. It opens as soon as two can.",
            color="Warning",
        )
    ]


def _per_round(data: FacilitatorReport) -> list[Element]:
    if not data.rounds:
        body: list[Element] = [subheading("Rounds"), *_skipped(data)]
        if data.opted_in >= 2:
            body.append(text("No round has run yet: press **Match now** to form the first one."))
        else:
            body.append(
                text(
                    f"No round has run yet. A round needs at least two people; {_people(data.opted_in)} "
                    "opted in so far."
                )
            )
        return body
    return [
        *_skipped(data),
        *_round_people(data.rounds, data.min_group),
        *_meetings(data.rounds, data.min_group),
    ]


def _nobody_yet(data: FacilitatorReport) -> Card:
    program = data.program
    data_ids = {"program_id": program.id}
    return card(
        [
            heading(f"Report: {program.name}"),
            text(
                "Nobody has joined yet: share this program with your colleagues. They join with **Join** on "
                "the invitation in the team's channel, or by sending me **join** in a chat with me."
            ),
            text(
                "Charts of opt-ins, acceptance, meetings held and usefulness appear here once people take part.",
                subtle=True,
            ),
        ],
        [execute("Refresh", verbs.REPORT_OPEN, data_ids), execute("Set up", verbs.SETUP_OPEN, data_ids)],
    )


def open_dashboard(url: str, program_name: str) -> Element:
    """Opens the program's dashboard tab page in Teams' stage view (Teams handles `tab/tabInfoAction` itself,
    with single sign-on as in the tab); its host must be among the manifest's valid domains."""
    tab_info = {"contentUrl": url, "websiteUrl": url, "name": f"Health: {program_name}"[:60]}
    return {
        "type": "Action.Submit",
        "title": "Open dashboard",
        "data": {"msteams": {"type": "invoke", "value": {"type": "tab/tabInfoAction", "tabInfo": tab_info}}},
    }


def report(
    data: FacilitatorReport, delivery: DeliveryHealth | None = None, dashboard_url: str | None = None
) -> Card:
    """`dashboard_url`: the program's dashboard page (`/tabs/dashboard?program_id=…`), opened by a button."""
    program = data.program
    if data.opted_in == 0 and data.left == 0 and data.proposals == 0 and not data.open_concerns:
        return _nobody_yet(data)
    body: list[Element] = [
        heading(f"Report: {program.name}"),
        text(
            "Figures only; nobody's individual answers are shown. A figure made of fewer than "
            f"{data.min_group} people's answers is not shown ({TOO_FEW}).",
            subtle=True,
        ),
        facts(
            [
                ("Opted in", f"{data.opted_in} (paused {data.paused}, left {data.left})"),
                ("Proposals", _proposals(data)),
                ("Acceptance", _acceptance(data)),
                ("Meetings held", _count(data.meetings_held)),
                ("Check-ins", _count(data.check_ins)),
                (
                    "Average usefulness",
                    TOO_FEW if data.average_usefulness is None else f"{data.average_usefulness:.1f} / 5",
                ),
                ("Status", "running" if program.active else "stopped (the app was removed from the team)"),
            ]
        ),
        *_per_round(data),
        *_usefulness(data),
        *_skills(data.skills, data.min_group),
        subheading(f"Open concerns ({len(data.open_concerns)})"),
    ]
    if data.open_concerns:
        body.append(
            bullets(
                f"{c.created_at:%Y-%m-%d}, {c.reporter_name}: {c.text[:300]}" for c in data.open_concerns[:10]
            )
        )
        body.append(text("Confidential: only facilitators see these.", subtle=True))
    else:
        body.append(text("None."))
    body += _untaught(data)
    if delivery is not None:
        body.extend(delivery_section(delivery))
        if delivery.unreachable:
            # Names only, never why: whether someone blocked the app is theirs to say.
            body.append(text("Could not be reached (their messages failed; follow up in person):"))
            body.append(bullets(delivery.unreachable[:20]))
            if len(delivery.unreachable) > 20:
                body.append(text(f"and {len(delivery.unreachable) - 20} more.", subtle=True))
    data_ids = {"program_id": program.id}
    actions = [
        execute("Refresh", verbs.REPORT_OPEN, data_ids),
        execute("Match now", verbs.ROUND_RUN, data_ids),
        execute("Set up", verbs.SETUP_OPEN, data_ids),
    ]
    if dashboard_url:
        actions.append(open_dashboard(dashboard_url, program.name))
    return card(body, actions)

"""What the dashboard shows, built from `core.views.dashboard.ProgramHealth`: one panel per chart (the SVG and
the table that says the same), the key figures, and the CSV of the aggregates. Pure functions, no I/O.

Every figure here has already passed the minimum-group rule in `core`; a withheld one is None and reads
"fewer than N" in tables and the CSV, "<N" on a chart. The CSV holds aggregates only: no names (not even of
the people who could not be reached, whom the page names for follow-up), no free text but skill labels."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from markupsafe import Markup

from bot.tabs import charts
from bot.tabs.charts import Chart, Series, Value
from core.views.dashboard import ProgramHealth, RoundHealth

CHART_SKILLS = 12  # the most wanted skills a chart shows; the CSV has them all
USEFULNESS = ("1 – not useful", "2", "3", "4", "5 – very useful")
NO_ROUNDS = (
    "No round has run yet: opt-ins, acceptance, meetings and usefulness are charted per round once one has."
)


@dataclass(frozen=True)
class Panel:
    """A chart with its table alternative: `head` names the columns, each row is a category and its cells."""

    chart: Chart
    svg: Markup
    head: list[str]
    rows: list[tuple[str, list[str]]]
    hint: str = ""
    empty: str = ""  # said instead of the chart when there is nothing to draw


def _round(r: RoundHealth) -> str:
    return f"Round {r.index}"


def _rate(r: RoundHealth) -> Value:
    if r.accepted is None or r.declined is None:
        return None
    rate = r.acceptance_rate
    return 0.0 if rate is None else round(rate * 100)


def round_charts(health: ProgramHealth) -> list[Chart]:
    rounds = health.rounds
    names = [_round(r) for r in rounds]
    return [
        Chart(
            "people",
            "People per round",
            names,
            [
                Series("Opted in", [r.opted_in for r in rounds]),
                Series("Matched", [r.matched for r in rounds]),
                Series("Accepted", [r.accepted for r in rounds]),
            ],
        ),
        Chart(
            "acceptance",
            "Acceptance per round",
            names,
            [Series("Said yes, of those who answered", [_rate(r) for r in rounds])],
            unit="%",
            maximum=100,
        ),
        Chart(
            "meetings",
            "Meetings held per round",
            names,
            [
                Series("Pairings and groups", [r.proposals for r in rounds]),
                Series("Met at least once", [r.meetings_held for r in rounds]),
            ],
        ),
        Chart(
            "usefulness-rounds",
            "Usefulness per round (average, 1 to 5)",
            names,
            [Series("Average usefulness", [r.average_usefulness for r in rounds])],
            maximum=5,
            decimals=1,
        ),
    ]


def other_charts(health: ProgramHealth, skills_shown: int | None = CHART_SKILLS) -> list[Chart]:
    """Usefulness ratings, skills (the `skills_shown` most wanted; None: all), and messages delivered."""
    found: list[Chart] = []
    ratings = health.usefulness
    found.append(
        Chart(
            "usefulness",
            "How useful meetings were (check-ins per rating)",
            list(USEFULNESS),
            [Series("Check-ins", [None if ratings is None else ratings[n] for n in range(1, 6)])],
        )
    )
    skills = health.skills[:skills_shown]
    found.append(
        Chart(
            "skills",
            "Skills wanted against skills taught (people)",
            [s.label for s in skills],
            [
                Series("Want to learn", [s.wanted for s in skills]),
                Series("Teach", [s.taught for s in skills]),
            ],
        )
    )
    if health.reach is not None:
        reach = health.reach
        found.append(
            Chart(
                "reach",
                "Messages to participants",
                ["Delivered", "Skipped (no longer needed)", "Could not be delivered"],
                [Series("Messages", [reach.delivered, reach.skipped, reach.failed])],
            )
        )
    return found


def panels(health: ProgramHealth) -> list[Panel]:
    threshold = health.min_group
    found = []
    per_round = round_charts(health)
    if not health.rounds:  # one panel says so, not four empty ones
        found.append(_panel(per_round[0], threshold, "Round", columns=True, empty=NO_ROUNDS))
    else:
        opened = [_opened(r, health.program.timezone) for r in health.rounds]
        found.extend(
            _panel(chart, threshold, "Round", columns=True, empty="", row_names=opened) for chart in per_round
        )
    for chart in other_charts(health):
        empty = ""
        if chart.id == "skills" and not chart.categories:
            empty = "Nobody has said what they want to learn yet."
        elif chart.id == "reach" and health.reach is not None and not any(chart.series[0].values):
            empty = "No message has been sent to this program's participants yet."
        elif chart.id == "usefulness" and health.usefulness is None:
            empty = f"Fewer than {threshold} people have rated a meeting yet, so no ratings are shown."
        hint = ""
        if chart.id == "skills" and any(s.taught == 0 for s in health.skills):
            hint = (
                "A skill nobody teaches yet shows 0: look for a teacher among colleagues outside the program."
            )
        found.append(
            _panel(chart, threshold, _category_name(chart.id), columns=False, empty=empty, hint=hint)
        )
    return found


def _category_name(chart_id: str) -> str:
    return {"usefulness": "Rating", "skills": "Skill", "reach": "Outcome"}.get(chart_id, "")


def _opened(r: RoundHealth, timezone: str) -> str:
    """A round as its table row names it: with the day it opened, in the program's time zone."""
    try:
        day = r.opened_at.astimezone(ZoneInfo(timezone))
    except (ZoneInfoNotFoundError, ValueError):
        day = r.opened_at
    return f"{_round(r)} ({day.day} {day:%b %Y})"


def _panel(
    chart: Chart,
    threshold: int,
    category: str,
    *,
    columns: bool,
    empty: str,
    hint: str = "",
    row_names: Sequence[str] = (),
) -> Panel:
    """`row_names`: what the table calls each category, when it says more than the chart's axis."""
    svg = "" if empty else (charts.columns(chart, threshold) if columns else charts.rows(chart, threshold))
    return Panel(
        chart=chart,
        svg=Markup(svg),  # noqa: S704 (built by bot.tabs.charts, which escapes every text it writes)
        head=[category, *(s.name for s in chart.series)],
        rows=[
            (
                row_names[i] if row_names else name,
                [charts.cell(s.values[i], chart, threshold) for s in chart.series],
            )
            for i, name in enumerate(chart.categories)
        ],
        hint=hint,
        empty=empty,
    )


def key_figures(health: ProgramHealth) -> list[tuple[str, str]]:
    average = health.average_usefulness
    figures = [
        ("Opted in", f"{health.opted_in} (paused {health.paused}, left {health.left})"),
        ("Rounds charted", str(len(health.rounds))),
        (
            "Average usefulness",
            f"fewer than {health.min_group} ratings" if average is None else f"{average:.1f} / 5",
        ),
    ]
    if health.reach is not None:
        figures.append(("Could not be reached", _people(len(health.reach.unreachable))))
    return figures


def _people(n: int) -> str:
    return "nobody" if n == 0 else f"{n} person" if n == 1 else f"{n} people"


def aggregates_csv(health: ProgramHealth) -> str:
    """Every chart's figures, one per line: chart, category, measure, value (withheld: "fewer than N")."""
    threshold = health.min_group
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(["chart", "category", "measure", "value"])
    for chart in [*round_charts(health), *other_charts(health, skills_shown=None)]:
        for i, category in enumerate(chart.categories):
            for series in chart.series:
                value = charts.cell(series.values[i], chart, threshold)
                writer.writerow([_safe(chart.title), _safe(category), _safe(series.name), value])
    if health.reach is not None:
        writer.writerow(["Could not be reached", "People", "People", str(len(health.reach.unreachable))])
    return out.getvalue()


def _safe(text: str) -> str:
    """A cell a spreadsheet will not run as a formula (a skill label is typed by people)."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text

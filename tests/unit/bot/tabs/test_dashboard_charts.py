"""The dashboard's charts are accessible SVG drawn on the server, and its tables and CSV say the same in words:
withheld figures read "fewer than N", never a number, and the CSV holds aggregates only."""

from __future__ import annotations

import csv
import io
import xml.etree.ElementTree as ET
from dataclasses import replace
from datetime import UTC, datetime

from bot.tabs import charts, dashboard_panels
from bot.tabs.charts import Chart, Series
from core.model import Program, ProgramKind, ScopeKind
from core.views.dashboard import ProgramHealth, Reach, RoundHealth
from core.views.reports import SkillDemand

SVG = "{http://www.w3.org/2000/svg}"
OPENED = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


def _tree(svg: str) -> ET.Element:
    return ET.fromstring(svg)


def _health(*, reach: Reach | None = None) -> ProgramHealth:
    program = Program("p1", "org", "Platform <guild>", ProgramKind.PEER_PAIRS, ScopeKind.TEAMS_TEAM, "19:t")
    return ProgramHealth(
        program=program,
        min_group=5,
        opted_in=12,
        paused=1,
        left=2,
        rounds=[
            RoundHealth(
                1,
                OPENED,
                opted_in=10,
                matched=10,
                proposals=5,
                accepted=3,
                declined=5,
                meetings_held=4,
                average_usefulness=4.25,
            ),
            RoundHealth(
                2,
                OPENED,
                opted_in=12,
                matched=4,
                proposals=2,
                accepted=None,
                declined=None,
                meetings_held=None,
                average_usefulness=None,
            ),
        ],
        usefulness={1: 0, 2: 1, 3: 2, 4: 4, 5: 3},
        average_usefulness=3.9,
        skills=[
            SkillDemand("Kubernetes", 9, 0),
            SkillDemand("=HYPERLINK(evil)", None, 6),
        ],
        reach=reach,
    )


def test_a_chart_is_an_image_with_a_title_and_a_description_in_words() -> None:
    chart = Chart("c", "People per round", ["Round 1", "Round 2"], [Series("Accepted", [7, None])])
    root = _tree(charts.columns(chart, 5))
    assert root.get("role") == "img"
    assert root.get("aria-labelledby") == "c-title c-desc"
    assert root.find(f"{SVG}title").text == "People per round"  # type: ignore[union-attr]
    desc = root.find(f"{SVG}desc").text or ""  # type: ignore[union-attr]
    assert "Round 1: Accepted 7" in desc and "Round 2: Accepted fewer than 5" in desc
    assert "fewer than 5 people are not shown" in desc


def test_a_withheld_figure_is_drawn_as_fewer_than_n_and_never_as_a_bar() -> None:
    chart = Chart("c", "Accepted", ["Round 1", "Round 2"], [Series("Accepted", [7, None])])
    root = _tree(charts.columns(chart, 5))
    bars = [r for r in root.iter(f"{SVG}rect") if "bar" in (r.get("class") or "").split()]
    assert len(bars) == 2  # the legend's swatch and round 1's bar; round 2 has none
    withheld = [t.text for t in root.iter(f"{SVG}text") if t.get("class") == "withheld"]
    assert withheld == ["<5"]


def test_colours_come_from_the_theme_not_from_the_svg() -> None:
    chart = Chart("c", "Skills", ["Go", "Rust"], [Series("Want", [3, 9]), Series("Teach", [1, 0])])
    svg = charts.rows(chart, 5)
    assert "#" not in svg.replace("url(#", "")  # no colour literal: the classes take the theme's colours
    assert "style=" not in svg  # the CSP refuses inline styles
    root = _tree(svg)
    teach = [r for r in root.iter(f"{SVG}rect") if (r.get("class") or "") == "bar p1"]
    assert teach and all(r.get("fill") == "url(#c-stripes)" for r in teach)  # told apart without colour


def test_text_in_a_chart_is_escaped() -> None:
    chart = Chart("c", "Skills <b>", ["<script>x</script>"], [Series("A & B", [2])])
    svg = charts.rows(chart, 5)
    assert "<script>" not in svg and "&lt;script&gt;" in svg
    _tree(svg)


def test_an_empty_chart_says_so() -> None:
    chart = Chart("c", "People per round", [], [Series("Opted in", [])])
    assert "nothing to show yet" in charts.describe(chart, 5)
    _tree(charts.columns(chart, 5))


def test_every_panel_has_a_table_with_the_same_figures() -> None:
    panels = dashboard_panels.panels(_health())
    people = next(p for p in panels if p.chart.id == "people")
    assert people.head == ["Round", "Opted in", "Matched", "Accepted"]
    assert people.rows == [
        ("Round 1 (2 Nov 2026)", ["10", "10", "3"]),
        ("Round 2 (2 Nov 2026)", ["12", "4", "fewer than 5"]),
    ]
    acceptance = next(p for p in panels if p.chart.id == "acceptance")
    assert [cells for _, cells in acceptance.rows] == [["38%"], ["fewer than 5"]]
    usefulness = next(p for p in panels if p.chart.id == "usefulness-rounds")
    assert usefulness.rows[0] == ("Round 1 (2 Nov 2026)", ["4.2"])
    assert {p.chart.id for p in panels} == {
        "people",
        "acceptance",
        "meetings",
        "usefulness-rounds",
        "usefulness",
        "skills",
    }
    assert all(p.svg.startswith("<svg") for p in panels)


def test_the_csv_holds_the_aggregates_only_with_withheld_figures_in_words() -> None:
    health = _health(reach=Reach(20, 3, 2, ["Ana Lopez", "Bo Chen"]))
    text = dashboard_panels.aggregates_csv(health)
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == ["chart", "category", "measure", "value"]
    assert ["People per round", "Round 2", "Accepted", "fewer than 5"] in rows
    assert ["Skills wanted against skills taught (people)", "Kubernetes", "Teach", "0"] in rows
    assert ["Could not be reached", "People", "People", "2"] in rows
    assert "Ana Lopez" not in text and "Bo Chen" not in text  # names are for the page, not the download
    assert [
        "Skills wanted against skills taught (people)",
        "'=HYPERLINK(evil)",
        "Want to learn",
        "fewer than 5",
    ] in rows


def test_key_figures_say_who_could_not_be_reached() -> None:
    figures = dict(dashboard_panels.key_figures(_health(reach=Reach(1, 0, 1, ["Bo Chen"]))))
    assert figures["Could not be reached"] == "1 person"
    assert figures["Opted in"] == "12 (paused 1, left 2)"
    assert figures["Average usefulness"] == "3.9 / 5"


def test_before_any_round_one_panel_says_so_and_nothing_is_drawn_empty() -> None:
    health = replace(_health(), rounds=[], usefulness=None, average_usefulness=None, skills=[])
    panels = dashboard_panels.panels(health)
    assert [p.chart.id for p in panels] == ["people", "usefulness", "skills"]
    assert all(p.empty and not p.svg for p in panels)
    assert "No round has run yet" in panels[0].empty
    assert "Fewer than 5 people have rated" in panels[1].empty
    assert "Nobody has said what they want to learn" in panels[2].empty


def test_a_rounds_table_row_says_the_day_it_opened_in_the_programs_time_zone() -> None:
    late = datetime(2026, 11, 2, 23, 30, tzinfo=UTC)  # already 3 November in Berlin
    health = _health()
    health.program.timezone = "Europe/Berlin"
    health = replace(health, rounds=[replace(health.rounds[0], opened_at=late)])
    people = next(p for p in dashboard_panels.panels(health) if p.chart.id == "people")
    assert people.rows[0][0] == "Round 1 (3 Nov 2026)"
    assert people.chart.categories == ["Round 1"]  # the chart's axis stays short

"""Every card the bot can send passes Microsoft's Adaptive Cards SDK at schema 1.5 with no errors."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest

from tests.support.card_gallery import gallery
from tests.support.card_renderer import NODE_MODULES, validate

NODE = shutil.which("node")

pytestmark = pytest.mark.skipif(
    NODE is None or not (NODE_MODULES / "adaptivecards").is_dir(),
    reason="needs `node` and the adaptivecards package: run `npm ci` in tests/e2e/node (make test does)",
)


def test_every_card_parses_and_validates_at_schema_1_5_without_errors(tmp_path: Path) -> None:
    cards = gallery()
    results = validate(dict(cards), tmp_path)
    assert set(results) == set(cards)
    errors = {name: r["errors"] for name, r in results.items() if r["errors"]}
    assert errors == {}


def test_a_teams_chart_passes_only_with_a_fallback_which_is_validated_in_its_place(tmp_path: Path) -> None:
    def one(element: dict[str, Any]) -> dict[str, Any]:
        return {"type": "AdaptiveCard", "version": "1.5", "body": [element]}

    line: dict[str, Any] = {
        "type": "Chart.Line",
        "title": "Meetings",
        "data": [{"legend": "a", "values": [{"x": "1", "y": 2}]}],
    }
    fact_set: dict[str, Any] = {"type": "FactSet", "facts": [{"title": "Round 1", "value": "2"}]}
    results = validate(
        {
            "with_fallback": one(line | {"fallback": fact_set}),
            "without": one(line),
            "dropped": one(line | {"fallback": "drop"}),
            "broken_fallback": one(line | {"fallback": {"type": "Gizmo"}}),
            "not_a_teams_chart": one({"type": "Chart.Bubble", "data": [], "fallback": fact_set}),
        },
        tmp_path,
    )
    assert results["with_fallback"]["errors"] == []
    assert any("Chart.Line" in w for w in results["with_fallback"]["warnings"])
    for name in ("without", "dropped", "broken_fallback", "not_a_teams_chart"):
        assert results[name]["errors"], name


def test_the_report_charts_each_kind_teams_renders_and_the_validator_sees_them(tmp_path: Path) -> None:
    results = validate({"report": gallery()["report"]}, tmp_path)
    assert results["report"]["errors"] == []
    warned = " ".join(results["report"]["warnings"])
    for kind in ("Chart.VerticalBar.Grouped", "Chart.Line", "Chart.Donut"):
        assert kind in warned


def test_cards_carry_ids_only_in_their_action_data() -> None:
    # Ids, and the choice a button makes (confirm a delete; share a note with one's name or without).
    allowed = {"program_id", "pairing_id", "note_id", "version", "confirm", "attributed"}

    def walk(node: object) -> None:
        if isinstance(node, dict):
            if node.get("type") == "Action.Execute":
                assert set(node.get("data", {})) <= allowed, node
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    for card in gallery().values():
        walk(card)

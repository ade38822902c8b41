"""Every card the bot can send passes Microsoft's Adaptive Cards SDK at schema 1.5 with no errors."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.support.card_gallery import gallery

ROOT = Path(__file__).resolve().parents[2]
VALIDATOR = ROOT / "tests" / "integration" / "node" / "validate_cards.js"
NODE_MODULES = ROOT / "tests" / "e2e" / "node" / "node_modules"
NODE = shutil.which("node")

pytestmark = pytest.mark.skipif(
    NODE is None or not (NODE_MODULES / "adaptivecards").is_dir(),
    reason="needs `node` and the adaptivecards package: run `npm ci` in tests/e2e/node (make test does)",
)


def test_every_card_parses_and_validates_at_schema_1_5_without_errors(tmp_path: Path) -> None:
    cards = gallery()
    path = tmp_path / "cards.json"
    path.write_text(json.dumps(cards))
    assert NODE is not None
    done = subprocess.run(
        [NODE, str(VALIDATOR), str(path), str(NODE_MODULES)],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    results = json.loads(done.stdout)
    assert set(results) == set(cards)
    errors = {name: r["errors"] for name, r in results.items() if r["errors"]}
    assert errors == {}


def test_cards_carry_ids_only_in_their_action_data() -> None:
    allowed = {"program_id", "pairing_id", "version", "confirm"}

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

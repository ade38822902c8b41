"""The TeamsJS the tabs serve (bot/tabs/static) is Microsoft's published build, unmodified, with its licence."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
STATIC = ROOT / "bot" / "tabs" / "static"
PUBLISHED = ROOT / "tests" / "e2e" / "node" / "node_modules" / "@microsoft" / "teams-js"


@pytest.mark.skipif(
    not PUBLISHED.is_dir(),
    reason="needs npm's @microsoft/teams-js: run `npm ci` in tests/e2e/node (make test does)",
)
def test_the_served_teamsjs_is_the_npm_package_byte_for_byte() -> None:
    package = json.loads((PUBLISHED / "package.json").read_text(encoding="utf-8"))
    wanted = json.loads((ROOT / "tests" / "e2e" / "node" / "package.json").read_text(encoding="utf-8"))

    assert package["version"] == wanted["dependencies"]["@microsoft/teams-js"]
    assert package["version"].startswith("2.")
    assert (STATIC / "MicrosoftTeams.min.js").read_bytes() == (
        PUBLISHED / "dist" / "umd" / "MicrosoftTeams.min.js"
    ).read_bytes()
    assert (STATIC / "MicrosoftTeams.LICENSE.txt").read_bytes() == (PUBLISHED / "LICENSE").read_bytes()

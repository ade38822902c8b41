"""The commands the Teams app package lists are the commands the bot understands."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.text_commands import parse

MANIFEST = Path(__file__).resolve().parents[3] / "appPackage" / "manifest.json"


def _listed_commands() -> list[tuple[str, str]]:
    manifest = json.loads(MANIFEST.read_text())
    return [
        (scope, command["title"])
        for bot in manifest["bots"]
        for command_list in bot["commandLists"]
        for scope in command_list["scopes"]
        for command in command_list["commands"]
    ]


@pytest.mark.parametrize(("scope", "title"), _listed_commands())
def test_every_command_the_app_package_lists_is_understood_by_the_bot(scope: str, title: str) -> None:
    example = {
        "pause": "pause 2",
        "find": "find python",
        "facilitator add": "facilitator add ana@contoso.com",
    }
    assert parse(example.get(title, title)).understood, f"'{title}' ({scope}) would fall through to help"

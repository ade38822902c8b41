"""The message extension answers exactly the command the Teams app package declares."""

from __future__ import annotations

import json
from pathlib import Path

from bot import message_extension

MANIFEST = Path(__file__).resolve().parents[3] / "appPackage" / "manifest.json"


def test_the_bot_answers_the_search_command_and_parameter_the_manifest_declares() -> None:
    [extension] = json.loads(MANIFEST.read_text())["composeExtensions"]
    assert extension["botId"] == "${{BOT_ID}}"
    [command] = extension["commands"]
    assert (command["id"], command["type"]) == (message_extension.COMMAND, "query")
    assert [p["name"] for p in command["parameters"]] == [message_extension.PARAMETER]

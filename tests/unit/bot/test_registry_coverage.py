"""Every verb the bot answers (`bot.actions.build_registry`) has a unit test against the fakes: a test in
`tests/unit/bot/test_actions*.py` marked `@covers(verb)`."""

from __future__ import annotations

import importlib
import inspect
from pathlib import Path

from bot.actions import build_registry

HERE = Path(__file__).parent


def covered_verbs() -> dict[str, list[str]]:
    """Verb → the tests that exercise it."""
    found: dict[str, list[str]] = {}
    for path in sorted(HERE.glob("test_actions*.py")):
        module = importlib.import_module(f"tests.unit.bot.{path.stem}")
        for name, test in inspect.getmembers(module, inspect.isfunction):
            if name.startswith("test_"):
                for verb in getattr(test, "covers", ()):
                    found.setdefault(verb, []).append(f"{path.stem}::{name}")
    return found


def test_every_verb_of_the_registry_has_a_unit_test() -> None:
    missing = sorted(set(build_registry()) - set(covered_verbs()))
    assert missing == [], f"verbs without a unit test marked @covers(verb): {missing}"


def test_a_test_covers_only_verbs_the_registry_answers() -> None:
    assert sorted(set(covered_verbs()) - set(build_registry())) == []

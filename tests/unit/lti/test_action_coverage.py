"""Every LTI action (each route whose handler is in `lti/course_actions.py` or `lti/publish_actions.py`, as
`setup_lti` registers them) has a unit test against the fakes: a test in `tests/unit/lti/test_*actions*.py`
marked `@covers(name)`, where name is the function the route runs (the action an `action(...)` wrapper runs)."""

from __future__ import annotations

import importlib
import inspect
from pathlib import Path

from aiohttp import web

from lti.setup import setup_lti
from tests.unit.fakes import FakeClock, FakeStore, FakeUnitOfWork
from tests.unit.lti.support import lti_config

HERE = Path(__file__).parent
ACTION_MODULES = ("lti.course_actions", "lti.publish_actions")


def registered_actions() -> dict[str, str]:
    """Action name → its route, for every route `setup_lti` registers to an action module."""
    app = web.Application()
    setup_lti(app, lti_config(FakeUnitOfWork(FakeStore()), FakeClock()))
    found: dict[str, str] = {}
    for route in app.router.routes():
        fn = inspect.unwrap(route.handler)
        if fn.__module__ in ACTION_MODULES:
            found[fn.__name__] = f"{route.method} {route.resource.canonical if route.resource else ''}"
    return found


def covered_actions() -> dict[str, list[str]]:
    """Action name → the tests that exercise it."""
    found: dict[str, list[str]] = {}
    for path in sorted(HERE.glob("test_*actions*.py")):
        module = importlib.import_module(f"tests.unit.lti.{path.stem}")
        for name, test in inspect.getmembers(module, inspect.isfunction):
            if name.startswith("test_"):
                for action in getattr(test, "covers", ()):
                    found.setdefault(action, []).append(f"{path.stem}::{name}")
    return found


def test_the_routes_name_the_actions_they_run() -> None:
    actions = registered_actions()
    assert {"save_settings", "publish", "questionnaire", "check_in", "export_csv"} <= set(actions)
    assert actions["publish"] == "POST /lti/course/publish"


def test_every_lti_action_has_a_unit_test() -> None:
    missing = sorted(set(registered_actions()) - set(covered_actions()))
    assert missing == [], f"LTI actions without a unit test marked @covers(name): {missing}"


def test_a_test_covers_only_actions_a_route_runs() -> None:
    assert sorted(set(covered_actions()) - set(registered_actions())) == []

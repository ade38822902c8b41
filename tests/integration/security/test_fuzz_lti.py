"""Generated form posts to the LTI endpoints, with a real learner's and instructor's session mixed in:
never a 5xx, and the database's invariants hold afterwards."""

from __future__ import annotations

import io
from collections.abc import AsyncIterator
from typing import Any
from urllib.parse import urlencode

import pytest
from hypothesis import strategies as st

from storage.database import create_engine
from tests.integration.security.fuzz import HOSTILE_TEXT, run_examples
from tests.integration.security.invariants import violations
from tests.support.lti.flows import launch, tokens
from tests.support.lti.world import World, open_world

ENDPOINTS = [
    "/lti/login",
    "/lti/launch",
    "/lti/deep-link",
    "/lti/course/settings",
    "/lti/course/form",
    "/lti/course/move",
    "/lti/course/publish",
    "/lti/course/scores",
    "/lti/course/questionnaire",
    "/lti/course/checkin",
]
FIELDS = [
    "session",
    "csrf",
    "state",
    "id_token",
    "iss",
    "login_hint",
    "lti_message_hint",
    "client_id",
    "lti_deployment_id",
    "target_link_uri",
    "group_size",
    "person_id",
    "group",
    "goals",
    "title",
    "met",
    "usefulness",
    "pairing_id",
]


@pytest.fixture
async def world(database_url: str) -> AsyncIterator[World]:
    async with open_world(database_url) as opened:
        yield opened


async def test_generated_form_posts_never_get_a_5xx_and_leave_the_database_sound(
    world: World, database_url: str
) -> None:
    async with world.client() as client:
        _, teacher = await launch(client, world.platform, "teacher-1")
        _, learner = await launch(client, world.platform, "learner-2")
        real = [tokens(teacher), tokens(learner)]
        session_values = st.sampled_from(
            [r["session"] for r in real] + [r["csrf"] for r in real] + [world.platform.base, "x.y"]
        )
        form = st.dictionaries(
            st.one_of(st.sampled_from(FIELDS), st.text(max_size=10)),
            st.one_of(HOSTILE_TEXT, session_values),
            max_size=8,
        )
        with_tokens = st.builds(lambda f, r: {**r, **f}, form, st.sampled_from(real))
        posts = st.tuples(st.sampled_from(ENDPOINTS), st.one_of(form, with_tokens))

        async def post(example: tuple[str, dict[str, Any]]) -> None:
            path, fields = example
            response = await client.post(
                f"{world.tool_url}{path}",
                data=io.BytesIO(urlencode(fields).encode()),  # raw bytes this large make aiohttp warn
                headers={"Content-Type": "application/x-www-form-urlencoded"},
                allow_redirects=False,
            )
            body = await response.text()
            assert response.status < 500, (path, fields, body[:300])
            assert "Traceback" not in body

        await run_examples(posts, post)
    engine = create_engine(database_url)
    try:
        assert await violations(engine) == {}
    finally:
        await engine.dispose()

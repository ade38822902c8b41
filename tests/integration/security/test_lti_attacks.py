"""Attacks on the LTI door beyond the launch checks of tests/integration/lti: each is a clear 4xx page, and
every page carries the security headers, with `frame-ancestors` naming only the registered platform."""

from __future__ import annotations

import base64
import io
import json
from collections.abc import AsyncIterator
from urllib.parse import urlencode

import pytest
from aiohttp import ClientSession

from tests.support.lti.flows import launch, launch_form, tokens
from tests.support.lti.platform import parse_form
from tests.support.lti.world import World, open_world


@pytest.fixture
async def world(database_url: str) -> AsyncIterator[World]:
    async with open_world(database_url) as opened:
        yield opened


def _cookie_state(client: ClientSession) -> set[str]:
    return {c.key for c in client.cookie_jar if c.key.startswith("lti1p3-state-")}


async def test_a_state_that_does_not_match_its_cookie_is_refused(world: World) -> None:
    async with world.client() as client:
        action, fields = await launch_form(client, world.platform, "learner-1")
        assert _cookie_state(client)  # this browser holds the cookie of its own state
        response = await client.post(action, data={**fields, "state": "state-forged-0000"})
        page = await response.text()
    assert response.status == 401 and "could not be verified" in page
    assert "Traceback" not in page


async def test_an_id_token_minted_for_another_login_hint_is_refused_with_this_login_s_state(
    world: World,
) -> None:
    async with world.client() as client:
        action, mine = await launch_form(client, world.platform, "learner-1")
        async with world.client() as attacker:
            _, theirs = await launch_form(attacker, world.platform, "teacher-1")
        response = await client.post(action, data={"id_token": theirs["id_token"], "state": mine["state"]})
        page = await response.text()
    assert response.status == 401, page[:400]
    assert "Instructor" not in page and "Form groups" not in page


async def test_a_deep_linking_return_for_another_deployment_is_refused(world: World) -> None:
    async with world.client() as client:
        status, page = await launch(client, world.platform, "teacher-1", "deep_link")
        assert status == 200
        session = tokens(page)
        payload, _, mac = session["session"].partition(".")
        claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
        claims["launch_id"] = "lti1p3-launch-of-another-deployment"
        forged = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
        response = await client.post(
            f"{world.tool_url}/lti/deep-link",
            data={"session": f"{forged}.{mac}", "csrf": session["csrf"], "group_size": "5"},
        )
    assert response.status == 401 and "not valid" in await response.text()
    assert world.platform.deep_link_items == []


async def test_an_instructor_action_with_a_learner_s_session_and_csrf_is_refused(world: World) -> None:
    async with world.client() as teacher, world.client() as learner:
        _, teacher_page = await launch(teacher, world.platform, "teacher-1")
        _, learner_page = await launch(learner, world.platform, "learner-1")
        for action in ("settings", "form", "publish", "scores", "move"):
            response = await learner.post(
                f"{world.tool_url}/lti/course/{action}", data={**tokens(learner_page), "group_size": "2"}
            )
            assert response.status == 403, action
            assert "instructor" in (await response.text()).lower()
        # the teacher's CSRF token does not go with the learner's session
        mixed = {"session": tokens(learner_page)["session"], "csrf": tokens(teacher_page)["csrf"]}
        response = await learner.post(f"{world.tool_url}/lti/course/settings", data=mixed)
        assert response.status == 403


async def test_an_instructor_action_without_the_csrf_token_is_refused(world: World) -> None:
    async with world.client() as client:
        _, page = await launch(client, world.platform, "teacher-1")
        response = await client.post(
            f"{world.tool_url}/lti/course/form", data={"session": tokens(page)["session"]}
        )
    assert response.status == 403 and "security token" in await response.text()


async def test_an_oversized_form_is_a_413_page(world: World) -> None:
    async with world.client() as client:
        _, page = await launch(client, world.platform, "learner-1")
        form = urlencode({**tokens(page), "goals": "x" * 1_500_000}).encode()
        response = await client.post(
            f"{world.tool_url}/lti/course/questionnaire",
            data=io.BytesIO(form),  # raw bytes this large make aiohttp warn
            headers={"Content-Type": "application/x-www-form-urlencoded"},
        )
        text = await response.text()
    assert response.status == 413 and "too large" in text
    assert response.headers["X-Content-Type-Options"] == "nosniff"


async def test_pages_allow_framing_only_by_the_registered_platform_and_send_the_security_headers(
    world: World,
) -> None:
    async with world.client() as client:
        response = await client.get(world.platform.login_url("learner-1"), allow_redirects=False)
        auth = await client.get(response.headers["Location"])
        action, fields = parse_form(await auth.text())
        page = await client.post(action, data=fields)
        assert page.status == 200
        csp = page.headers["Content-Security-Policy"]
        assert f"frame-ancestors 'self' {world.platform.base}" in csp
        assert "*" not in csp.split("frame-ancestors", 1)[1]
        assert page.headers["X-Content-Type-Options"] == "nosniff"
        assert page.headers["Referrer-Policy"] == "no-referrer"
        session_cookies = [c for c in client.cookie_jar if c.key == "peerlearn-lti"]
        assert session_cookies and all(c["httponly"] for c in session_cookies)
        refused = await client.get(f"{world.tool_url}/lti/course", params={"s": "forged.mac"})
        assert refused.status == 401
        assert "frame-ancestors 'self' " in refused.headers["Content-Security-Policy"]


async def test_a_deep_linking_return_from_a_session_that_was_not_a_deep_linking_launch_is_refused(
    world: World,
) -> None:
    async with world.client() as client:
        _, page = await launch(client, world.platform, "teacher-1")  # a resource link launch
        response = await client.post(
            f"{world.tool_url}/lti/deep-link", data={**tokens(page), "group_size": "5", "title": "x"}
        )
    assert 400 <= response.status < 500, response.status
    assert world.platform.deep_link_items == []

"""Every form carries a CSRF token, every instructor action checks the launch's role, and a session cannot be
edited into another course's."""

from __future__ import annotations

import base64
import json

from tests.support.lti.flows import launch, tokens
from tests.support.lti.world import World


async def test_a_form_without_its_csrf_token_is_refused(world: World) -> None:
    async with world.client() as client:
        _, page = await launch(client, world.platform, "teacher-1")
        form = {**tokens(page), "group_size": "6"}
        del form["csrf"]
        response = await client.post(f"{world.tool_url}/lti/course/settings", data=form)
        assert response.status == 403 and "security token" in await response.text()
        _, page = await launch(client, world.platform, "teacher-1")
    assert '<option value="6" selected>' not in page


async def test_a_learner_cannot_use_the_instructor_actions(world: World) -> None:
    async with world.client() as client:
        _, page = await launch(client, world.platform, "learner-1")
        for action in ("settings", "form", "move", "publish", "scores"):
            response = await client.post(f"{world.tool_url}/lti/course/{action}", data=tokens(page))
            assert response.status == 403, action
        export = await client.get(
            f"{world.tool_url}/lti/course/export.csv", params={"s": tokens(page)["session"]}
        )
        assert export.status == 403


async def test_a_session_edited_to_name_another_course_is_refused(world: World) -> None:
    async with world.client() as client:
        _, page = await launch(client, world.platform, "learner-1")
        payload, _, mac = tokens(page)["session"].partition(".")
        claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
        claims.update(program_id="another-course", instructor=True)
        forged = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
        response = await client.get(f"{world.tool_url}/lti/course", params={"s": f"{forged}.{mac}"})
    assert response.status == 401 and "not valid" in await response.text()


async def test_an_unregistered_platform_gets_its_message_in_a_page_its_iframe_may_show(world: World) -> None:
    url = world.platform.login_url("learner-1").replace(
        "iss=http", "iss=https%3A%2F%2Flms.unknown.example%2Fx"
    )
    async with world.client() as client:
        response = await client.get(url, allow_redirects=False)
        page = await response.text()
    assert response.status == 400 and "is not registered with this tool" in page and 'role="alert"' in page
    assert response.headers["Content-Security-Policy"].endswith("frame-ancestors *")


async def test_a_notice_in_a_link_made_elsewhere_is_not_shown(world: World) -> None:
    async with world.client() as client:
        await launch(client, world.platform, "learner-1")  # the browser now has the session cookie
        forged = await client.get(
            f"{world.tool_url}/lti/course", params={"alert": "Your account is locked: call 555-0100."}
        )
        assert forged.status == 200 and "555-0100" not in await forged.text()

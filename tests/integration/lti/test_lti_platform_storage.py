"""Launches without cookies (LTI Platform Storage), at the HTTP level: the browser's part, the postMessage
exchange with the platform's frame, is played by the test (Chromium plays it in tests/e2e/test_lti_storage.py)."""

from __future__ import annotations

import re

from aiohttp import ClientSession

from tests.support.lti.platform import parse_form
from tests.support.lti.world import World


def data(page: str, name: str) -> str:
    found = re.search(rf'data-{name}="([^"]*)"', page)
    assert found, page[:1500]
    return found.group(1).replace("&amp;", "&")


async def storage_login(client: ClientSession, world: World, user: str) -> tuple[str, dict[str, str], str]:
    """Login naming a storage frame → the page that stores state and nonce → the platform's auto-posted form."""
    url = world.platform.login_url(user) + "&lti_storage_target=_parent"
    response = await client.get(url, allow_redirects=False)
    page = await response.text()
    assert response.status == 200 and 'data-mode="put"' in page, page[:800]
    assert data(page, "target") == "_parent" and data(page, "origin") == world.platform.base
    assert data(page, "state-key") == f"state_{data(page, 'state')}"
    auth = await client.get(data(page, "next"))
    action, fields = parse_form(await auth.text())
    return action, fields, page


async def test_with_cookies_allowed_a_storage_login_launches_as_usual(world: World) -> None:
    async with world.client() as client:
        action, fields, _ = await storage_login(client, world, "learner-1")
        response = await client.post(action, data=fields)
        assert response.status == 200 and '<h2 id="q-h">Questionnaire</h2>' in await response.text()


async def test_without_cookies_the_launch_is_confirmed_through_platform_storage(world: World) -> None:
    async with world.client() as client:
        action, fields, login_page = await storage_login(client, world, "learner-1")
    async with world.client() as no_cookies:  # the launch arrives without the state cookie
        check = await no_cookies.post(action, data=fields)
        page = await check.text()
        assert check.status == 200 and 'data-mode="get"' in page and "Checking your sign-in" in page
        assert data(page, "nonce") == data(login_page, "nonce") and data(page, "state") == fields["state"]
        # What platform_storage.js posts after reading both values back from the platform's frame:
        again = {**fields, "lti_storage_state": fields["state"], "lti_storage_nonce": data(page, "nonce")}
        response = await no_cookies.post(action, data=again, headers={"Origin": world.tool_url})
        assert response.status == 200 and '<h2 id="q-h">Questionnaire</h2>' in await response.text()
        replay = await no_cookies.post(action, data=again, headers={"Origin": world.tool_url})
        assert replay.status == 401  # the nonce was spent


async def test_values_posted_from_another_site_or_not_read_from_storage_are_not_accepted(
    world: World,
) -> None:
    async with world.client() as client:
        action, fields, login_page = await storage_login(client, world, "learner-1")
    again = {**fields, "lti_storage_state": fields["state"], "lti_storage_nonce": data(login_page, "nonce")}
    async with world.client() as attacker:
        for headers in ({"Origin": "https://attacker.example"}, {}, {"Origin": "null"}):
            forged = await attacker.post(action, data=again, headers=headers)
            assert forged.status == 401 and "could not be confirmed" in await forged.text(), headers
        wrong = {**again, "lti_storage_nonce": "guessed"}
        response = await attacker.post(action, data=wrong, headers={"Origin": world.tool_url})
        assert response.status == 401
        # The launch was never validated, so its nonce is still good for the real browser.
        response = await attacker.post(action, data=again, headers={"Origin": world.tool_url})
        assert response.status == 200


async def test_a_login_without_a_storage_target_keeps_the_cookie_flow(world: World) -> None:
    async with world.client() as client:
        response = await client.get(world.platform.login_url("learner-1"), allow_redirects=False)
    assert response.status == 302


async def test_a_storage_target_that_is_not_a_frame_name_is_ignored(world: World) -> None:
    async with world.client() as client:
        url = world.platform.login_url("learner-1") + "&lti_storage_target=%22%3E%3Cscript%3E"
        response = await client.get(url, allow_redirects=False)
    assert response.status == 302

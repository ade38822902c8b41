"""Driving a launch the way a browser does: platform login initiation → tool /lti/login → platform /auth →
the auto-posted form to the tool's /lti/launch."""

from __future__ import annotations

import re

from aiohttp import ClientSession

from tests.support.lti.platform import Platform, parse_form


async def launch_form(
    client: ClientSession, platform: Platform, user: str, message: str = "resource"
) -> tuple[str, dict[str, str]]:
    response = await client.get(platform.login_url(user, message), allow_redirects=False)
    assert response.status == 302, await response.text()
    auth = await client.get(response.headers["Location"])
    return parse_form(await auth.text())


async def launch(
    client: ClientSession, platform: Platform, user: str, message: str = "resource"
) -> tuple[int, str]:
    action, fields = await launch_form(client, platform, user, message)
    response = await client.post(action, data=fields)
    return response.status, await response.text()


def tokens(page: str) -> dict[str, str]:
    session = re.search(r'name="session" value="([^"]+)"', page)
    csrf = re.search(r'name="csrf" value="([^"]+)"', page)
    assert session and csrf, page[:800]
    return {"session": session.group(1), "csrf": csrf.group(1)}

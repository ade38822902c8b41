"""LTI Dynamic Registration against a platform half written in `platform.py`: the administrator opens
`/lti/register?openid_configuration=…&registration_token=…`; the tool reads the platform's configuration and
shows what it will register; on the administrator's confirmation (a POST) it posts its own configuration, and
the platform answers with a client id and a deployment, which the tool stores."""

from __future__ import annotations

import re
from urllib.parse import urlencode

from aiohttp import ClientResponse, ClientSession

from tests.support.lti.flows import launch
from tests.support.lti.world import World


def review_fields(page: str) -> dict[str, str]:
    return {
        name: value.replace("&amp;", "&")
        for name, value in re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', page)
    }


async def register_and_confirm(client: ClientSession, url: str) -> ClientResponse:
    review = await client.get(url)
    page = await review.text()
    if review.status != 200:
        return review
    return await client.post(url.split("?")[0], data=review_fields(page))


def register_url(world: World, token: str | None = None) -> str:
    query = {
        "openid_configuration": f"{world.platform.base}/.well-known/openid-configuration",
        "registration_token": token or world.platform.registration_token,
    }
    return f"{world.tool_url}/lti/register?{urlencode(query)}"


def use_new_client(world: World, client_id: str, deployment_id: str) -> None:
    """The platform hands out a new client id and deployment for this registration."""
    world.platform.client_id, world.platform.deployment_id = client_id, deployment_id
    world.platform.registration.set_client_id(client_id).set_deployment_id(deployment_id)


async def test_a_registration_is_posted_stored_and_then_launches(world: World) -> None:
    use_new_client(world, "dr-client", "dr-deployment")
    async with world.client() as client:
        review = await client.get(register_url(world))
        page = await review.text()
        assert review.status == 200 and "Register Peer study groups with this platform?" in page
        assert world.platform.base in page and "peerlearn-test-lms" in page
        assert "read each course&#39;s roster" in page and f"{world.tool_url}/lti/login" in page
        assert world.platform.registrations_received == []  # nothing is registered on a GET
        response = await client.post(f"{world.tool_url}/lti/register", data=review_fields(page))
        page = await response.text()
    assert response.status == 200 and "is registered" in page and "data-lti-close" in page

    (sent,) = world.platform.registrations_received
    tool = sent["https://purl.imsglobal.org/spec/lti-tool-configuration"]
    assert sent["initiate_login_uri"] == f"{world.tool_url}/lti/login"
    assert sent["jwks_uri"] == f"{world.tool_url}/lti/jwks"
    assert sent["redirect_uris"] == [f"{world.tool_url}/lti/launch"]
    assert "contextmembership.readonly" in sent["scope"] and "lti-ags/scope/score" in sent["scope"]
    assert "lti-gs/scope/contextgroup.readonly" in sent["scope"]  # the course groups service, read-only
    assert tool["domain"] == world.tool_url.removeprefix("http://")
    assert [m["type"] for m in tool["messages"]] == ["LtiDeepLinkingRequest"]

    stored = await world.store.registration(world.platform.base, "dr-client")
    assert stored is not None and stored.deployment_ids == frozenset({"dr-deployment"})
    assert (stored.auth_login_url, stored.auth_token_url, stored.key_set_url) == (
        f"{world.platform.base}/auth",
        f"{world.platform.base}/token",
        f"{world.platform.base}/jwks",
    )
    async with world.client() as client:
        logo = await client.get(sent["logo_uri"])
        assert logo.status == 200 and logo.content_type == "image/png"
        status, page = await launch(client, world.platform, "teacher-1")
    assert status == 200 and "Study groups: Algorithms 101" in page


async def test_a_configuration_naming_another_issuer_is_refused_and_nothing_is_registered(
    world: World,
) -> None:
    world.platform.openid_issuer = "https://lms.elsewhere.example"
    async with world.client() as client:
        response = await client.get(register_url(world))
        page = await response.text()
    assert response.status == 400
    assert (
        "could not be read" in page
        and "names another issuer, &#39;https://lms.elsewhere.example&#39;" in page
    )
    assert world.platform.registrations_received == []
    assert await world.store.registration("https://lms.elsewhere.example", None) is None


async def test_an_issuer_that_is_only_a_prefix_of_the_configuration_url_is_refused(world: World) -> None:
    # http://127.0.0.1:4567 must not pass for the configuration at http://127.0.0.1:45678/.well-known/…
    world.platform.openid_issuer = world.platform.base[:-1]
    async with world.client() as client:
        response = await client.get(register_url(world))
    assert response.status == 400 and "names another issuer" in await response.text()
    assert world.platform.registrations_received == []


async def test_a_wrong_registration_token_is_refused_with_a_clear_page(world: World) -> None:
    async with world.client() as client:
        response = await register_and_confirm(client, register_url(world, token="guessed"))
        page = await response.text()
    assert response.status == 400 and "registration did not complete" in page


async def test_register_without_a_configuration_url_explains_where_to_open_it(world: World) -> None:
    async with world.client() as client:
        response = await client.get(f"{world.tool_url}/lti/register")
    assert response.status == 400 and "tool registration page" in await response.text()


async def test_a_confirmation_that_does_not_match_the_review_registers_nothing(world: World) -> None:
    async with world.client() as client:
        page = await (await client.get(register_url(world))).text()
        fields = {**review_fields(page), "registration_token": "another-token"}
        response = await client.post(f"{world.tool_url}/lti/register", data=fields)
    assert response.status == 403 and "does not match" in await response.text()
    assert world.platform.registrations_received == []


async def test_only_allowed_issuers_may_register_when_an_allowlist_is_set(world: World) -> None:
    world.config.registration_issuers = ("https://lms.school.example",)
    async with world.client() as client:
        response = await client.get(register_url(world))
        page = await response.text()
    assert response.status == 403 and "is not one of them" in page and world.platform.base in page
    world.config.registration_issuers = ("https://lms.school.example", world.platform.base + "/")
    use_new_client(world, "allowed-client", "allowed-deployment")
    async with world.client() as client:
        response = await register_and_confirm(client, register_url(world))
    assert response.status == 200 and "is registered" in await response.text()


async def test_the_registering_platform_may_frame_the_review_before_it_is_registered(world: World) -> None:
    async with world.client() as client:
        response = await client.get(register_url(world))
    assert response.headers["Content-Security-Policy"].endswith(
        f"frame-ancestors 'self' {world.platform.base}"
    )

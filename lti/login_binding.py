"""A launch must answer the sign-in this browser started: the state and the nonce are bound together.

pylti1p3 keeps the state in a cookie and the nonce in shared storage, each checked on its own: an id_token
minted for one sign-in (another user's, another tab's) would pass with the state cookie of another. So at
`/lti/login` the tool records which nonce it sent with which state (from the redirect it answers with), and
at `/lti/launch` the id_token's nonce must be the one recorded for the posted state. A launch without a state,
or whose state has no record here, is left to pylti1p3, which refuses it.
"""

from __future__ import annotations

from typing import Any

import jwt
from aiohttp import web
from yarl import URL

from lti.claims import client_id_of
from lti.config import LTI
from lti.pages import Handler, error_page
from lti.platform_storage import BINDING_LIFETIME, BINDING_PREFIX, Binding, login_params

LIFETIME = BINDING_LIFETIME
PREFIX = BINDING_PREFIX
MISMATCH = (
    "This launch does not answer the sign-in this browser started, so it was not accepted. "
    "Open the tool again from your course."
)


def _claims(id_token: str) -> dict[str, Any]:
    try:
        claims: dict[str, Any] = jwt.decode(id_token, options={"verify_signature": False})
    except jwt.PyJWTError:
        return {}
    return claims


async def _organization(request: web.Request, issuer: str, client_id: str | None) -> str | None:
    registration = await request.app[LTI].tool.registration(issuer, client_id or None)
    return registration.organization_id if registration is not None else None


async def _remember(request: web.Request, response: web.StreamResponse) -> None:
    location = response.headers.get("Location") if response.status in (302, 303) else None
    if not location:
        return
    query = URL(location).query
    state, nonce = query.get("state"), query.get("nonce")
    sent = {**(await request.post()), **request.query}
    issuer, client_id = sent.get("iss"), sent.get("client_id")
    if not state or not nonce or not isinstance(issuer, str):
        return
    organization = await _organization(request, issuer, client_id if isinstance(client_id, str) else None)
    if organization is not None:
        config = request.app[LTI]
        expires = config.clock.now() + LIFETIME
        binding = Binding(nonce, login=login_params(sent))
        await config.store.put(organization, PREFIX + state, binding.value(), expires)


async def _answers_its_login(request: web.Request) -> bool:
    form = await request.post()
    state, id_token = form.get("state"), form.get("id_token")
    if not isinstance(state, str) or not state or not isinstance(id_token, str):
        return True  # pylti1p3 refuses a launch without them, with its own message
    claims = _claims(id_token)
    organization = await _organization(request, str(claims.get("iss", "")), client_id_of(claims))
    if organization is None:
        return True  # not a registered platform: the launch view refuses it
    config = request.app[LTI]
    bound = await config.store.get(organization, PREFIX + state, config.clock.now())
    if bound is None:
        return True  # no sign-in with this state here: pylti1p3's state check refuses it
    return isinstance(bound, dict) and bound.get("nonce") == claims.get("nonce")


@web.middleware
async def login_binding(request: web.Request, handler: Handler) -> web.StreamResponse:
    if request.path == "/lti/launch" and request.method == "POST" and not await _answers_its_login(request):
        return error_page(request, 401, MISMATCH)
    response = await handler(request)
    if request.path == "/lti/login":
        await _remember(request, response)
    return response

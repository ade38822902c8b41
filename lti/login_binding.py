"""A launch must answer the sign-in this browser started: the state and the nonce are bound together.

pylti1p3 keeps the state in a cookie and the nonce in shared storage, each checked on its own: an id_token
minted for one sign-in (another user's, another tab's) would pass with the state cookie of another. So at
`/lti/login` the tool records which nonce it sent with which state (from the redirect it answers with), with
the login's parameters; at `/lti/launch` the nonce check (`lti/adapter/session.py`) takes that record out and
requires the id_token's nonce to be the one recorded for the posted state. A launch without a state, or whose
state has no record here, is refused.
"""

from __future__ import annotations

from aiohttp import web
from yarl import URL

from lti.config import LTI
from lti.pages import Handler
from lti.platform_storage import BINDING_LIFETIME, BINDING_MISMATCH, BINDING_PREFIX, Binding, login_params

LIFETIME = BINDING_LIFETIME
PREFIX = BINDING_PREFIX
MISMATCH = BINDING_MISMATCH


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


@web.middleware
async def login_binding(request: web.Request, handler: Handler) -> web.StreamResponse:
    response = await handler(request)
    if request.path == "/lti/login":
        await _remember(request, response)
    return response

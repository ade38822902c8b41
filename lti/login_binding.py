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

from core.bus import Work
from core.commands import KeepLaunchData
from lti.config import LTI
from lti.platform_storage import BINDING_LIFETIME, BINDING_MISMATCH, BINDING_PREFIX, Binding, login_params

LIFETIME = BINDING_LIFETIME
PREFIX = BINDING_PREFIX
MISMATCH = BINDING_MISMATCH


async def remember(request: web.Request, response: web.StreamResponse, work: Work) -> None:
    """Keep, in the login's unit of work, which nonce the login's redirect sent with which state."""
    location = response.headers.get("Location") if response.status in (302, 303) else None
    if not location:
        return
    query = URL(location).query
    state, nonce = query.get("state"), query.get("nonce")
    sent = {**(await request.post()), **request.query}
    issuer, client_id = sent.get("iss"), sent.get("client_id")
    if not state or not nonce or not isinstance(issuer, str):
        return
    config = request.app[LTI]
    registration = await config.tool.registration(
        work, issuer, client_id if isinstance(client_id, str) else None
    )
    if registration is not None:
        expires = config.clock.now() + LIFETIME
        binding = Binding(nonce, login=login_params(sent))
        await work.handle(
            KeepLaunchData(registration.organization_id, PREFIX + state, binding.value(), expires)
        )

"""Reuse botbuilder's outbound clients across turns instead of building two per turn.

`CloudAdapter` asks its `BotFrameworkAuthentication` for a new `ConnectorClient` and a new `UserTokenClient`
on every incoming activity. Each is an msrest client whose constructor builds a serializer over every
Bot Framework model: measured here, that was about a third of the CPU time of a whole card action. botbuilder's
older `BotFrameworkAdapter` cached connector clients per service URL, app id and scope; this does the same
for `CloudAdapter`, keyed the same way. The clients hold no per-turn state: the credentials they carry cache
and refresh their own tokens.
"""

from __future__ import annotations

from typing import Any

from botbuilder.schema import Activity
from botframework.connector import ConnectorClient
from botframework.connector.auth import (
    AuthenticateRequestResult,
    BotFrameworkAuthentication,
    ClaimsIdentity,
    ConnectorFactory,
    JwtTokenValidation,
    UserTokenClient,
)

MAX_CLIENTS = 256  # service URLs are few (one per region); the bound only guards against a flood of new ones


def _app_id(claims_identity: ClaimsIdentity) -> str:
    claims = claims_identity.claims if claims_identity is not None else None
    return str(JwtTokenValidation.get_app_id_from_claims(claims) or "") if claims else ""


class _CachingConnectorFactory(ConnectorFactory):  # type: ignore[misc]
    def __init__(self, inner: ConnectorFactory, app_id: str, cache: dict[tuple[str, str, str], Any]) -> None:
        self.inner, self.app_id, self.cache = inner, app_id, cache

    async def create(self, service_url: str, audience: str | None = None) -> ConnectorClient:
        key = (service_url, self.app_id, audience or "")
        client = self.cache.get(key)
        if client is None:
            client = await self.inner.create(service_url, audience)
            if len(self.cache) >= MAX_CLIENTS:
                self.cache.clear()
            self.cache[key] = client
        return client


class ReusedClients(BotFrameworkAuthentication):  # type: ignore[misc]
    """Delegates everything to `inner`; only the connector and user-token clients are kept and reused."""

    def __init__(self, inner: BotFrameworkAuthentication) -> None:
        self.inner = inner
        self._connectors: dict[tuple[str, str, str], Any] = {}
        self._user_token_clients: dict[str, UserTokenClient] = {}

    async def authenticate_request(self, activity: Activity, auth_header: str) -> AuthenticateRequestResult:
        result = await self.inner.authenticate_request(activity, auth_header)
        if result.connector_factory is not None:
            result.connector_factory = _CachingConnectorFactory(
                result.connector_factory, _app_id(result.claims_identity), self._connectors
            )
        return result

    async def authenticate_streaming_request(self, auth_header: str, channel_id_header: str) -> Any:
        return await self.inner.authenticate_streaming_request(auth_header, channel_id_header)

    def create_connector_factory(self, claims_identity: ClaimsIdentity) -> ConnectorFactory:
        return _CachingConnectorFactory(
            self.inner.create_connector_factory(claims_identity), _app_id(claims_identity), self._connectors
        )

    async def create_user_token_client(self, claims_identity: ClaimsIdentity) -> UserTokenClient:
        app_id = _app_id(claims_identity)
        client = self._user_token_clients.get(app_id)
        if client is None:
            client = await self.inner.create_user_token_client(claims_identity)
            if len(self._user_token_clients) >= MAX_CLIENTS:
                self._user_token_clients.clear()
            self._user_token_clients[app_id] = client
        return client

    def create_bot_framework_client(self) -> Any:
        return self.inner.create_bot_framework_client()

    def get_originating_audience(self) -> str:
        return str(self.inner.get_originating_audience())

    async def authenticate_channel_request(self, auth_header: str) -> ClaimsIdentity:
        return await self.inner.authenticate_channel_request(auth_header)

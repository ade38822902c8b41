"""Access tokens for the Bot Connector and Microsoft Graph, from msal (client credentials, cached).

msal is synchronous (it uses `requests`), so each acquisition runs in a worker thread. msal keeps the token
in its in-memory cache and answers from it until shortly before expiry, so most calls do no I/O at all."""

from __future__ import annotations

import asyncio
from typing import Any, Protocol

import msal
import requests

BOT_CONNECTOR_SCOPE = "https://api.botframework.com/.default"
GRAPH_SCOPE = "https://graph.microsoft.com/.default"
MICROSOFT_LOGIN = "https://login.microsoftonline.com"


class TokenError(Exception):
    """The identity platform refused to issue a token; the message carries its error code and description."""


class TokenSource(Protocol):
    async def token(self) -> str | None:
        """A bearer token, or None when the peer is used without authentication (local testing)."""
        ...


class NoToken:
    async def token(self) -> str | None:
        return None


class ClientCredentials:
    def __init__(
        self,
        client_id: str,
        secret: str,
        tenant: str,
        scope: str,
        *,
        authority_host: str = MICROSOFT_LOGIN,
        verify: bool | str = True,
    ) -> None:
        host = authority_host.rstrip("/")
        microsoft = host == MICROSOFT_LOGIN
        self.scope = scope
        self.app = msal.ConfidentialClientApplication(
            client_id,
            client_credential=secret,
            authority=f"{host}/{tenant}",
            token_cache=msal.TokenCache(),
            # A non-Microsoft authority host is a sovereign cloud or a local test peer: ask it directly.
            validate_authority=microsoft,
            instance_discovery=microsoft,
            verify=verify,
        )
        self._lock = asyncio.Lock()

    async def token(self) -> str | None:
        async with self._lock:  # one acquisition at a time; the others then read the cache
            result: dict[str, Any] = await asyncio.to_thread(self.app.acquire_token_for_client, [self.scope])
        if "access_token" not in result:
            raise TokenError(
                f"No token for '{self.scope}': {result.get('error', 'unknown_error')}: "
                f"{result.get('error_description', '')}".strip()
            )
        return str(result["access_token"])


class ManagedIdentity:
    """A user-assigned managed identity (MicrosoftAppType=UserAssignedMSI) on Azure."""

    def __init__(self, client_id: str, scope: str) -> None:
        self.resource = scope.removesuffix("/.default")
        self.client = msal.ManagedIdentityClient(
            msal.UserAssignedManagedIdentity(client_id=client_id), http_client=requests.Session()
        )

    async def token(self) -> str | None:
        result: dict[str, Any] = await asyncio.to_thread(
            self.client.acquire_token_for_client, resource=self.resource
        )
        if "access_token" not in result:
            raise TokenError(f"No managed-identity token: {result.get('error', 'unknown_error')}")
        return str(result["access_token"])

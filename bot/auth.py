"""Who may post to `/api/messages`: the Bot Framework channel, proven by a JWT it signed for our app id.

peerlearn checks each token itself instead of handing the header to botbuilder 4.17.1, which answers most
forgeries (no header, garbage, an unknown key, `alg: none`) with an exception, so a 500 and a stack trace,
and fetches the signing keys with blocking `requests` calls on the event loop. Here the keys come from the
channel's OpenID metadata over aiohttp, and every refusal is an `Unauthorized` whose reason is safe to log
(it never quotes the token).

What is checked, in order: `Authorization: Bearer <three base64url parts>`; the header's `alg` is RS256 and
its `kid` names a key the channel publishes, endorsed for the activity's channel (`msteams`); the signature;
`iss` is the channel's issuer; `aud` is our app id; `exp`/`nbf` hold within five minutes (Bot Framework's
documented clock skew); the `serviceurl` claim equals the activity's `serviceUrl`, so a stolen token cannot
point the bot's replies elsewhere.
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import aiohttp
import jwt
from jwt.algorithms import RSAAlgorithm

log = logging.getLogger("peerlearn.bot.auth")

BEARER = re.compile(r"^Bearer ([A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*)$")
MAX_HEADER = 8192
LEEWAY_SECONDS = 5 * 60
KEYS_MAX_AGE = 24 * 3600.0
# An unknown `kid` may mean the channel rotated its keys; look again, but not on every forged request.
UNKNOWN_KID_REFRESH_EVERY = 5 * 60.0
MAX_DOCUMENT_BYTES = 1024 * 1024


class Unauthorized(Exception):
    """The request does not carry a token the channel signed for us; `reason` is safe to log."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class KeysUnavailable(Exception):
    """The channel's signing keys could not be fetched, so no token can be checked (a 503, not a 401)."""


class SigningKeys:
    """The channel's published signing keys, fetched from its OpenID metadata and cached."""

    def __init__(self, metadata_url: str, clock: Callable[[], float] = time.monotonic) -> None:
        self.metadata_url = metadata_url
        self.clock = clock
        self._keys: dict[str, Mapping[str, Any]] = {}
        self._fetched_at: float | None = None
        self._lock = asyncio.Lock()
        self._session: aiohttp.ClientSession | None = None

    async def key(self, kid: str) -> Mapping[str, Any] | None:
        fetched = self._fetched_at
        if fetched is None or self.clock() - fetched > KEYS_MAX_AGE:
            await self._refresh(required=True)
        elif kid not in self._keys and self.clock() - fetched > UNKNOWN_KID_REFRESH_EVERY:
            await self._refresh(required=False)
        return self._keys.get(kid)

    async def _refresh(self, *, required: bool) -> None:
        async with self._lock:
            try:
                metadata = await self._get_json(self.metadata_url)
                jwks_uri = metadata.get("jwks_uri")
                if not isinstance(jwks_uri, str):
                    raise ValueError(f"metadata at '{self.metadata_url}' has no 'jwks_uri'")
                key_set = await self._get_json(jwks_uri)
                keys = key_set.get("keys")
                if not isinstance(keys, list):
                    raise ValueError(f"key set at '{jwks_uri}' has no 'keys' list")
            except (aiohttp.ClientError, TimeoutError, ValueError) as error:
                log.error("cannot fetch the Bot Framework signing keys", extra={"error": str(error)[:300]})
                if required and not self._keys:
                    raise KeysUnavailable(str(error)) from None
                return
            self._keys = {k["kid"]: k for k in keys if isinstance(k, dict) and isinstance(k.get("kid"), str)}
            self._fetched_at = self.clock()

    async def _get_json(self, url: str) -> dict[str, Any]:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=10))
        async with self._session.get(url) as response:
            response.raise_for_status()
            body = await response.content.read(MAX_DOCUMENT_BYTES + 1)
        if len(body) > MAX_DOCUMENT_BYTES:
            raise ValueError(f"document at '{url}' is larger than {MAX_DOCUMENT_BYTES} bytes")
        document = json.loads(body)
        if not isinstance(document, dict):
            raise ValueError(f"document at '{url}' is not a JSON object")
        return document

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()


_REASONS: tuple[tuple[type[jwt.PyJWTError], str], ...] = (
    (jwt.ExpiredSignatureError, "the token has expired"),
    (jwt.ImmatureSignatureError, "the token is not valid yet"),
    (jwt.InvalidAudienceError, "the token is for another audience"),
    (jwt.InvalidIssuerError, "the token has another issuer"),
    (jwt.InvalidSignatureError, "the token's signature does not verify"),
    (jwt.MissingRequiredClaimError, "the token lacks a required claim"),
)


@dataclass(frozen=True)
class VerifiedToken:
    claims: dict[str, Any]
    endorsements: list[Any] | None  # the signing key's channels, when it names them


def bearer_token(auth_header: str) -> str | None:
    """The JWT of a well-formed `Authorization: Bearer …` header of at most `MAX_HEADER` characters, else None
    (the channel's tokens and the tabs' sign-in tokens are read the same way; each says no in its own words)."""
    match = BEARER.fullmatch(auth_header) if len(auth_header) <= MAX_HEADER else None
    return match.group(1) if match is not None else None


class ChannelTokenValidator:
    def __init__(self, app_id: str, issuer: str, keys: SigningKeys) -> None:
        self.app_id, self.issuer, self.keys = app_id, issuer, keys

    @staticmethod
    def bearer(auth_header: str) -> str:
        """The token in a well-formed header, or `Unauthorized` (checked before the body is read)."""
        if not auth_header:
            raise Unauthorized("no Authorization header")
        token = bearer_token(auth_header)
        if token is None:
            raise Unauthorized("the Authorization header is not 'Bearer' and a JWT")
        return token

    async def validate(self, auth_header: str, channel_id: str, service_url: str) -> dict[str, Any]:
        return self.bind(await self.verify(auth_header), channel_id, service_url)

    async def verify(self, auth_header: str) -> VerifiedToken:
        """Signature, issuer, audience and lifetime: everything that needs no part of the body.

        Done before the body is parsed, so an unauthenticated caller never gets the JSON parser to work."""
        token = self.bearer(auth_header)
        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError:
            raise Unauthorized("the token is not a JWT") from None
        alg, kid = header.get("alg"), header.get("kid")
        if alg != "RS256":
            raise Unauthorized(f"signing algorithm '{str(alg)[:20]}' is not accepted")
        if not isinstance(kid, str):
            raise Unauthorized("the token names no signing key")
        jwk = await self.keys.key(kid)
        if jwk is None:
            raise Unauthorized("the token is signed by a key the channel does not publish")
        endorsements = jwk.get("endorsements")
        return VerifiedToken(
            self._decode(token, jwk), endorsements if isinstance(endorsements, list) else None
        )

    @staticmethod
    def bind(verified: VerifiedToken, channel_id: str, service_url: str) -> dict[str, Any]:
        """The checks that tie a verified token to the activity it came with."""
        if verified.endorsements is not None and channel_id not in verified.endorsements:
            raise Unauthorized(f"the signing key is not endorsed for channel '{channel_id[:40]}'")
        claimed = verified.claims.get("serviceurl")
        if not isinstance(claimed, str) or claimed != service_url:
            raise Unauthorized("the activity's serviceUrl differs from the token's")
        return verified.claims

    def _decode(self, token: str, jwk: Mapping[str, Any]) -> dict[str, Any]:
        try:
            public_key: Any = RSAAlgorithm.from_jwk(json.dumps(dict(jwk)))
            claims: dict[str, Any] = jwt.decode(
                token,
                public_key,
                algorithms=["RS256"],
                audience=self.app_id,
                issuer=self.issuer,
                leeway=LEEWAY_SECONDS,
                options={"require": ["exp", "iss", "aud"]},
            )
        except jwt.PyJWTError as error:
            reason = next(
                (text for kind, text in _REASONS if isinstance(error, kind)), "the token is invalid"
            )
            raise Unauthorized(reason) from None
        except (ValueError, TypeError, KeyError):  # a published key we cannot read
            raise Unauthorized("the signing key cannot be used") from None
        return claims

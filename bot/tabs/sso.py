"""Who is looking at a tab: the Entra ID token Teams gives the page (TeamsJS `authentication.getAuthToken`),
checked here, on the server, before anything is read.

Teams single sign-on gives the tab an access token for peerlearn's own Entra app (the `webApplicationInfo`
of the manifest, described in `aad.manifest.json`). The page sends it as `Authorization: Bearer <token>`
with every request; nothing trusts what the page says about the user, only what the token proves.

What is checked, in order (each refusal is a `TokenRefused` whose reason is safe to log and to show; it
never quotes the token):

1. `Bearer` and three base64url parts, at most 8 KiB;
2. the header's `alg` is RS256 and its `kid` names a key published in the OpenID metadata's `jwks_uri`
   (Entra's keys; the metadata URL is a setting, so tests and sovereign clouds point it elsewhere); an
   unknown `kid` looks the keys up again at most every five minutes, as a rotation would need;
3. the signature;
4. `aud` is the app's identifier URI `api://<BOT_DOMAIN>/<BOT_ID>` (v1 tokens) or the bare client id
   (v2 tokens carry that);
5. `exp` (and `nbf`, when present) within a leeway of two minutes;
6. `tid` and `oid` are present, `tid` is a tenant the settings allow, and `iss` is Entra's issuer *for
   that tenant*: `https://login.microsoftonline.com/<tid>/v2.0` or `https://sts.windows.net/<tid>/` (v1),
   or the metadata's own `issuer` with `{tenantid}` filled in (sovereign clouds);
7. the delegated scope `access_as_user` is in `scp`, so an app-only token for the same API is refused.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import jwt
from jwt.algorithms import RSAAlgorithm

from bot.auth import KeysUnavailable, SigningKeys, bearer_token

__all__ = ["KeySource", "KeysUnavailable", "SigningKeys", "SsoUser", "SsoValidator", "TokenRefused"]

LEEWAY_SECONDS = 120
SCOPE = "access_as_user"
ENTRA_ISSUERS = ("https://login.microsoftonline.com/{tid}/v2.0", "https://sts.windows.net/{tid}/")
_GUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")


class KeySource(Protocol):
    """Published signing keys by `kid` (`bot.auth.SigningKeys` reads them from OpenID metadata)."""

    async def key(self, kid: str) -> Mapping[str, Any] | None: ...


class TokenRefused(Exception):
    """The request does not prove who is looking (a 401); `reason` is safe to log and to show."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class SsoUser:
    """What a verified token says about the person: their tenant and Entra object id, and a name to greet."""

    tenant_id: str
    object_id: str
    name: str
    username: str  # `preferred_username` (v2) or `upn` (v1); may be empty


_REASONS: tuple[tuple[type[jwt.PyJWTError], str], ...] = (
    (jwt.ExpiredSignatureError, "the sign-in token has expired"),
    (jwt.ImmatureSignatureError, "the sign-in token is not valid yet"),
    (jwt.InvalidAudienceError, "the sign-in token was issued for another app"),
    (jwt.InvalidSignatureError, "the sign-in token's signature does not verify"),
    (jwt.MissingRequiredClaimError, "the sign-in token lacks a required claim"),
)


class SsoValidator:
    """Checks Teams SSO tokens for one Entra app (`client_id`, exposed as `audience`)."""

    def __init__(
        self,
        keys: KeySource,
        client_id: str,
        audience: str,
        allowed_tenants: Sequence[str] = (),
        issuer_template: str | None = None,
    ) -> None:
        """`allowed_tenants` empty: any tenant (a multi-tenant app); `issuer_template` adds an issuer with
        `{tenantid}` in it beside Entra's public-cloud ones."""
        self.keys = keys
        self.audiences = [a for a in (audience, client_id) if a]
        self.allowed_tenants = frozenset(t.lower() for t in allowed_tenants)
        self.issuer_templates = [*ENTRA_ISSUERS]
        if issuer_template and "{tenantid}" in issuer_template:
            self.issuer_templates.append(issuer_template.replace("{tenantid}", "{tid}"))

    @staticmethod
    def bearer(auth_header: str) -> str:
        if not auth_header:
            raise TokenRefused("no sign-in token was sent (the Authorization header is missing)")
        token = bearer_token(auth_header)
        if token is None:
            raise TokenRefused("the Authorization header is not 'Bearer' and a sign-in token")
        return token

    async def verify(self, auth_header: str) -> SsoUser:
        token = self.bearer(auth_header)
        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError:
            raise TokenRefused("the sign-in token is not a JWT") from None
        alg, kid = header.get("alg"), header.get("kid")
        if alg != "RS256":
            raise TokenRefused(f"signing algorithm '{str(alg)[:20]}' is not accepted")
        if not isinstance(kid, str) or not kid:
            raise TokenRefused("the sign-in token names no signing key")
        jwk = await self.keys.key(kid)
        if jwk is None:
            raise TokenRefused("the sign-in token is signed by a key Microsoft Entra ID does not publish")
        return self._user(self._decode(token, jwk))

    def _decode(self, token: str, jwk: Mapping[str, Any]) -> dict[str, Any]:
        try:
            public_key: Any = RSAAlgorithm.from_jwk(json.dumps(dict(jwk)))
            claims: dict[str, Any] = jwt.decode(
                token,
                public_key,
                algorithms=["RS256"],
                audience=self.audiences,
                leeway=LEEWAY_SECONDS,
                options={"require": ["exp", "iss", "aud"], "verify_iss": False},
            )
        except jwt.PyJWTError as error:
            reason = next(
                (text for kind, text in _REASONS if isinstance(error, kind)), "the sign-in token is invalid"
            )
            raise TokenRefused(reason) from None
        except (ValueError, TypeError, KeyError):  # a published key we cannot read
            raise TokenRefused("the signing key cannot be used") from None
        return claims

    def _user(self, claims: Mapping[str, Any]) -> SsoUser:
        tid, oid = claims.get("tid"), claims.get("oid")
        if not isinstance(tid, str) or not _GUID.match(tid.lower()):
            raise TokenRefused("the sign-in token names no tenant ('tid')")
        if not isinstance(oid, str) or not _GUID.match(oid.lower()):
            raise TokenRefused("the sign-in token names no user ('oid')")
        tid, oid = tid.lower(), oid.lower()
        if self.allowed_tenants and tid not in self.allowed_tenants:
            raise TokenRefused(f"the tenant '{tid}' is not one this peerlearn serves")
        if claims.get("iss") not in {template.format(tid=tid) for template in self.issuer_templates}:
            raise TokenRefused(f"the sign-in token's issuer is not Microsoft Entra ID for tenant '{tid}'")
        scopes = claims.get("scp")
        if not isinstance(scopes, str) or SCOPE not in scopes.split():
            raise TokenRefused(f"the sign-in token does not carry the '{SCOPE}' permission")
        name = claims.get("name")
        username = claims.get("preferred_username") or claims.get("upn") or ""
        return SsoUser(
            tenant_id=tid,
            object_id=oid,
            name=name if isinstance(name, str) else "",
            username=username if isinstance(username, str) else "",
        )

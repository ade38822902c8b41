"""The tab's sign-in token check, without I/O: keys come from a small in-memory key set."""

from __future__ import annotations

import json
import time
from collections.abc import Mapping
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

from bot.tabs.sso import SsoValidator, TokenRefused

CLIENT_ID = "11111111-2222-3333-4444-555555555555"
AUDIENCE = f"api://peerlearn.example.com/{CLIENT_ID}"
TENANT = "72f988bf-86f1-41af-91ab-2d7cd011db47"
OTHER = "0d2f2b6c-1f0e-4c5e-9d1a-3b9e8f7a6c54"
OID = "aaaaaaaa-0000-4000-8000-000000000001"
KID = "entra-key-1"
KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)


class Keys:
    def __init__(self, **keys: rsa.RSAPrivateKey) -> None:
        self.published = {kid: json.loads(RSAAlgorithm.to_jwk(k.public_key())) for kid, k in keys.items()}
        self.asked: list[str] = []

    async def key(self, kid: str) -> Mapping[str, Any] | None:
        self.asked.append(kid)
        return self.published.get(kid)


def token(
    *, key: rsa.RSAPrivateKey = KEY, kid: str | None = KID, alg: str = "RS256", **overrides: Any
) -> str:
    now = int(time.time())
    claims: dict[str, Any] = {
        "aud": CLIENT_ID,
        "iss": f"https://login.microsoftonline.com/{TENANT}/v2.0",
        "iat": now - 10,
        "nbf": now - 10,
        "exp": now + 3600,
        "name": "Ana Alvarez",
        "oid": OID,
        "preferred_username": "ana@contoso.example",
        "scp": "access_as_user",
        "tid": TENANT,
    }
    claims.update(overrides)
    headers = {"kid": kid} if kid is not None else {}
    signing: Any = key if alg == "RS256" else "a-shared-secret-of-enough-length-for-hs256"
    return jwt.encode(
        {k: v for k, v in claims.items() if v is not None}, signing, algorithm=alg, headers=headers
    )


def validator(tenants: tuple[str, ...] = (TENANT,), template: str | None = None) -> SsoValidator:
    return SsoValidator(Keys(**{KID: KEY}), CLIENT_ID, AUDIENCE, tenants, template)


async def refusal(auth: str, checker: SsoValidator | None = None) -> str:
    with pytest.raises(TokenRefused) as refused:
        await (checker or validator()).verify(auth)
    return refused.value.reason


async def test_a_token_entra_issued_for_the_tab_names_the_person_and_their_tenant() -> None:
    user = await validator().verify(f"Bearer {token()}")

    assert (user.tenant_id, user.object_id, user.name, user.username) == (
        TENANT,
        OID,
        "Ana Alvarez",
        "ana@contoso.example",
    )


async def test_a_v1_token_for_the_identifier_uri_is_accepted_too() -> None:
    user = await validator().verify(
        f"Bearer {token(aud=AUDIENCE, iss=f'https://sts.windows.net/{TENANT}/', upn='ana@contoso.example')}"
    )
    assert user.object_id == OID


async def test_a_forged_signature_is_refused() -> None:
    forger = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    assert await refusal(f"Bearer {token(key=forger)}") == "the sign-in token's signature does not verify"


async def test_an_expired_token_is_refused_past_the_two_minute_leeway() -> None:
    past = int(time.time()) - 3 * 60
    assert await refusal(f"Bearer {token(exp=past)}") == "the sign-in token has expired"
    within = int(time.time()) - 60
    assert (await validator().verify(f"Bearer {token(exp=within)}")).object_id == OID


async def test_a_token_for_another_app_is_refused() -> None:
    assert (
        await refusal(f"Bearer {token(aud='api://elsewhere.example.com/other')}")
        == "the sign-in token was issued for another app"
    )


async def test_a_tenant_the_settings_do_not_allow_is_refused_by_name() -> None:
    foreign = token(tid=OTHER, iss=f"https://login.microsoftonline.com/{OTHER}/v2.0")
    assert await refusal(f"Bearer {foreign}") == f"the tenant '{OTHER}' is not one this peerlearn serves"
    assert (await validator(tenants=()).verify(f"Bearer {foreign}")).tenant_id == OTHER  # any tenant


async def test_an_issuer_of_another_tenant_than_the_tokens_own_is_refused() -> None:
    mixed = token(iss=f"https://login.microsoftonline.com/{OTHER}/v2.0")
    assert await refusal(f"Bearer {mixed}") == (
        f"the sign-in token's issuer is not Microsoft Entra ID for tenant '{TENANT}'"
    )


async def test_a_sovereign_clouds_issuer_is_accepted_from_its_metadata_template() -> None:
    checker = validator(template="https://login.microsoftonline.us/{tenantid}/v2.0")
    user = await checker.verify(f"Bearer {token(iss=f'https://login.microsoftonline.us/{TENANT}/v2.0')}")
    assert user.tenant_id == TENANT


@pytest.mark.parametrize(
    ("claims", "reason"),
    [
        ({"tid": None}, "the sign-in token names no tenant ('tid')"),
        ({"oid": None}, "the sign-in token names no user ('oid')"),
        ({"oid": "not-a-guid"}, "the sign-in token names no user ('oid')"),
        ({"exp": None}, "the sign-in token lacks a required claim"),
        ({"aud": None}, "the sign-in token lacks a required claim"),
        (
            {"scp": None, "roles": ["Everything.All"]},
            "the sign-in token does not carry the 'access_as_user' permission",
        ),
        ({"scp": "User.Read"}, "the sign-in token does not carry the 'access_as_user' permission"),
    ],
)
async def test_a_token_missing_what_proves_who_is_looking_is_refused(
    claims: dict[str, Any], reason: str
) -> None:
    assert await refusal(f"Bearer {token(**claims)}") == reason


async def test_an_unknown_key_id_is_refused_after_asking_for_the_published_keys() -> None:
    keys = Keys(**{KID: KEY})
    checker = SsoValidator(keys, CLIENT_ID, AUDIENCE, (TENANT,))
    reason = await refusal(f"Bearer {token(kid='rotated-away')}", checker)
    assert reason == "the sign-in token is signed by a key Microsoft Entra ID does not publish"
    assert keys.asked == ["rotated-away"]


@pytest.mark.parametrize(
    ("header", "reason"),
    [
        ("", "no sign-in token was sent (the Authorization header is missing)"),
        ("Basic YW5hOnNlY3JldA==", "the Authorization header is not 'Bearer' and a sign-in token"),
        ("Bearer " + "a" * 9000, "the Authorization header is not 'Bearer' and a sign-in token"),
        ("Bearer abc.def.ghi", "the sign-in token is not a JWT"),
        (f"Bearer {token(alg='HS256')}", "signing algorithm 'HS256' is not accepted"),
        (f"Bearer {token(kid=None)}", "the sign-in token names no signing key"),
    ],
)
async def test_malformed_headers_are_refused_with_a_clear_reason(header: str, reason: str) -> None:
    assert await refusal(header) == reason


async def test_a_refusal_never_quotes_the_token() -> None:
    bad = token(aud="api://elsewhere.example.com/other")
    assert bad not in await refusal(f"Bearer {bad}")

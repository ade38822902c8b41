"""The tool's RSA key pairs: made here, published at `/lti/jwks` (current and previous), rotated by the CLI.

A key's id is its JWK thumbprint, the same id pylti1p3 puts in the header of what the tool signs.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from pylti1p3.registration import Registration

from core.bus import Work
from core.commands import RotateToolKey
from core.model.platforms import ToolKey
from core.ports import UnitOfWork
from core.views import platforms


def generate_key(at: datetime, key_size: int = 2048) -> ToolKey:
    private = rsa.generate_private_key(public_exponent=65537, key_size=key_size)
    private_pem = private.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    public_pem = (
        private.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )
    return ToolKey(
        kid=str(public_jwk(public_pem)["kid"]), private_pem=private_pem, public_pem=public_pem, created_at=at
    )


def public_jwk(public_pem: str) -> Mapping[str, Any]:
    return Registration.get_jwk(public_pem)


async def ensure_key(work: Work, at: datetime) -> ToolKey:
    """The current key, creating the first one on first use (in `work`, committed with the request)."""
    keys = await platforms.tool_keys(work.uow)
    if keys:
        return keys[0]
    key = generate_key(at)
    await work.handle(RotateToolKey(key))
    return key


async def jwks(uow: UnitOfWork) -> dict[str, list[Mapping[str, Any]]]:
    return {"keys": [public_jwk(k.public_pem) for k in await platforms.tool_keys(uow)]}

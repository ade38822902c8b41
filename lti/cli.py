"""`peerlearn lti …`: register a platform by hand, rotate the tool's key. The composition root passes
`open_store`, which builds an `LtiStore` from the parsed arguments (settings, database)."""

from __future__ import annotations

import argparse
import asyncio
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager
from datetime import UTC, datetime

from core.model.platforms import NewRegistration
from core.ports.lti import LtiStore
from lti.keys import generate_key

OpenStore = Callable[[argparse.Namespace], AbstractAsyncContextManager[LtiStore]]


def add_commands(
    subparsers: argparse._SubParsersAction[argparse.ArgumentParser], open_store: OpenStore
) -> None:
    lti = subparsers.add_parser("lti", help="the LTI 1.3 tool: register platforms, rotate the tool's key")
    group = lti.add_subparsers(dest="lti_command", required=True, metavar="LTI_COMMAND")

    p = group.add_parser("add-platform", help="register an LMS (issuer + client id) and its deployment")
    p.add_argument("--issuer", required=True)
    p.add_argument("--client-id", required=True)
    p.add_argument("--auth-login-url", required=True, help="the platform's OIDC authorization endpoint")
    p.add_argument("--auth-token-url", required=True, help="the platform's OAuth2 token endpoint")
    p.add_argument("--key-set-url", required=True, help="the platform's JWKS URL")
    p.add_argument("--deployment-id", action="append", default=[], help="repeat for several deployments")
    p.add_argument("--auth-audience", default=None)
    p.add_argument("--organization", default=None, help="an existing organization id (e.g. a Teams tenant's)")
    p.set_defaults(handler=lambda args: _run(_add_platform(args, open_store)))

    p = group.add_parser("rotate-key", help="make a new current key; the old one stays published as previous")
    p.set_defaults(handler=lambda args: _run(_rotate(args, open_store)))


def _run(coroutine: AsyncIterator[str] | object) -> int:
    try:
        print(asyncio.run(coroutine))  # type: ignore[arg-type]
    except LookupError as exc:
        print(f"peerlearn lti: {exc}")
        return 1
    return 0


async def _add_platform(args: argparse.Namespace, open_store: OpenStore) -> str:
    for name in ("auth_login_url", "auth_token_url", "key_set_url"):
        value = getattr(args, name)
        if not value.startswith(("https://", "http://")):
            raise LookupError(f"--{name.replace('_', '-')} is '{value}'; give a full http(s) URL.")
    new = NewRegistration(
        issuer=args.issuer,
        client_id=args.client_id,
        auth_login_url=args.auth_login_url,
        auth_token_url=args.auth_token_url,
        key_set_url=args.key_set_url,
        deployment_ids=tuple(args.deployment_id),
        auth_audience=args.auth_audience,
    )
    async with open_store(args) as store:
        saved = await store.add_registration(new, args.organization, datetime.now(UTC))
    deployments = ", ".join(sorted(saved.deployment_ids)) or "none"
    return f"registered {saved.issuer} (client {saved.client_id}) in organization {saved.organization_id}; deployments: {deployments}"


async def _rotate(args: argparse.Namespace, open_store: OpenStore) -> str:
    key = generate_key(datetime.now(UTC))
    async with open_store(args) as store:
        await store.rotate_keys(key)
    return f"new current key {key.kid}; the previous key stays in /lti/jwks until the next rotation"

"""LTI Dynamic Registration: an LMS administrator pastes `/lti/register`; the platform opens it with its
OpenID configuration URL and a registration token, and the tool posts its configuration back."""

from __future__ import annotations

import asyncio
from typing import Any

from aiohttp import web
from pylti1p3.dynamic_registration import DynamicRegistration
from pylti1p3.exception import LtiException
from requests import RequestException
from yarl import URL

from core.model.platforms import NewRegistration
from lti.bridge import LoopBridge, Timeout, TimeoutSession, run_blocking
from lti.config import LTI, SCOPES, TOOL_NAME, LtiConfig
from lti.pages import error_page, render

CONFIG_CLAIM = "https://purl.imsglobal.org/spec/lti-platform-configuration"
TOOL_CLAIM = "https://purl.imsglobal.org/spec/lti-tool-configuration"


class ToolRegistration(DynamicRegistration):
    client_name = TOOL_NAME
    description = "Form peer study groups from a short questionnaire, and follow them."

    def __init__(self, config: LtiConfig, openid_configuration: str, token: str, bridge: LoopBridge) -> None:
        self._config, self._endpoint, self._token, self._bridge = config, openid_configuration, token, bridge
        self.stored: str | None = None

    def get_request_session(self) -> TimeoutSession:
        return TimeoutSession()

    def get_initiate_login_uri(self) -> str:
        return self._config.url("/lti/login")

    def get_jwks_uri(self) -> str:
        return self._config.url("/lti/jwks")

    def get_redirect_uris(self) -> list[str]:
        return [self._config.url("/lti/launch")]

    def get_scopes(self) -> list[str]:
        return list(SCOPES)

    def get_domain(self) -> str:
        return URL(self._config.public_url).raw_authority

    def get_target_link_uri(self) -> str:
        return self._config.url("/lti/launch")

    def get_claims(self) -> list[str]:
        return ["iss", "sub", "name", "email"]

    def get_messages(self) -> list[dict[str, str]]:
        return [
            {
                "type": "LtiDeepLinkingRequest",
                "target_link_uri": self.get_target_link_uri(),
                "label": TOOL_NAME,
            }
        ]

    def get_logo_uri(self) -> str:
        return self._config.url("/lti/static/logo.png")

    def get_openid_configuration_endpoint(self) -> str:
        return self._endpoint

    def get_registration_token(self) -> str:
        return self._token

    def get_openid_configuration(self) -> dict[str, Any]:
        configuration: dict[str, Any] = super().get_openid_configuration()
        issuer = str(configuration.get("issuer", ""))
        # The configuration must come from its issuer (LTI-DR 3.5.1): no registering a platform under another name.
        if not _serves(issuer, self._endpoint):
            raise LtiException(
                f"The OpenID configuration at '{self._endpoint}' names another issuer, '{issuer}'."
            )
        return configuration

    def complete_registration(
        self, openid_configuration: dict[str, Any], openid_registration: dict[str, Any]
    ) -> Any:
        tool = openid_registration.get(TOOL_CLAIM) or {}
        new = NewRegistration(
            issuer=str(openid_configuration["issuer"]),
            client_id=str(openid_registration["client_id"]),
            auth_login_url=str(openid_configuration["authorization_endpoint"]),
            auth_token_url=str(openid_configuration["token_endpoint"]),
            key_set_url=str(openid_configuration["jwks_uri"]),
            deployment_ids=(str(tool["deployment_id"]),) if tool.get("deployment_id") else (),
            auth_audience=openid_configuration.get("authorization_server"),
            name=str(openid_configuration.get(CONFIG_CLAIM, {}).get("product_family_code") or "") or None,
        )
        saved = self._bridge.call(self._config.store.add_registration(new, None, self._config.clock.now()))
        self.stored = saved.id
        return saved


def _serves(issuer: str, endpoint: str) -> bool:
    """Whether `endpoint` lies under `issuer`: the same origin, and the issuer's path followed by a path
    boundary (so `https://lms.example` does not vouch for `https://lms.example.evil` or `:4430` for `:443`)."""
    iss, url = URL(issuer), URL(endpoint)
    if not iss.absolute or (iss.scheme, iss.host, iss.port) != (url.scheme, url.host, url.port):
        return False
    base = iss.path.rstrip("/")
    return url.path == base or url.path.startswith(f"{base}/")


async def register(request: web.Request) -> web.StreamResponse:
    config = request.app[LTI]
    endpoint = request.query.get("openid_configuration", "")
    if not endpoint.startswith(("https://", "http://")):
        return error_page(
            request,
            400,
            "Open this address from your LMS's tool registration page (it adds the platform's details).",
        )
    flow = ToolRegistration(
        config, endpoint, request.query.get("registration_token", ""), LoopBridge(asyncio.get_running_loop())
    )
    try:
        await run_blocking(flow.register)
    except (LtiException, AssertionError, KeyError, ValueError, Timeout, RequestException) as exc:
        return error_page(request, 400, f"The platform's registration did not complete: {exc}")
    return render(request, "registered.html", {})

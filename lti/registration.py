"""LTI Dynamic Registration: an LMS administrator pastes `/lti/register`; the platform opens it with its
OpenID configuration URL and a registration token. The tool reads the platform's configuration and shows
the administrator what will be registered (GET); only their confirmation (POST, carrying a token the tool
signed for that configuration URL and registration token) posts the tool's configuration to the platform.
`LtiConfig.registration_issuers`, when set, is the list of platform issuers allowed to register."""

from __future__ import annotations

import hashlib
import hmac
from typing import Any

from aiohttp import web
from pylti1p3.dynamic_registration import DynamicRegistration
from pylti1p3.exception import LtiException
from requests import RequestException
from yarl import URL

from core.commands import RegisterPlatform
from core.model.platforms import NewRegistration
from lti.bridge import Timeout, TimeoutSession, run_blocking
from lti.config import LTI, REGISTRATION_SCOPES, TOOL_NAME, LtiConfig
from lti.pages import error_page, render
from lti.security import ANCESTORS, content_security_policy, frame_ancestors

CONFIG_CLAIM = "https://purl.imsglobal.org/spec/lti-platform-configuration"
TOOL_CLAIM = "https://purl.imsglobal.org/spec/lti-tool-configuration"


class ToolRegistration(DynamicRegistration):
    client_name = TOOL_NAME
    description = "Form peer study groups from a short questionnaire, and follow them."

    def __init__(self, config: LtiConfig, openid_configuration: str, token: str) -> None:
        self._config, self._endpoint, self._token = config, openid_configuration, token
        # What the platform answered, to store once pylti1p3 is done (in the request's unit of work, on the loop).
        self.registration: NewRegistration | None = None

    def get_request_session(self) -> TimeoutSession:
        return TimeoutSession()

    def get_initiate_login_uri(self) -> str:
        return self._config.url("/lti/login")

    def get_jwks_uri(self) -> str:
        return self._config.url("/lti/jwks")

    def get_redirect_uris(self) -> list[str]:
        return [self._config.url("/lti/launch")]

    def get_scopes(self) -> list[str]:
        return list(REGISTRATION_SCOPES)

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
        self.registration = new
        return new


def _serves(issuer: str, endpoint: str) -> bool:
    """Whether `endpoint` lies under `issuer`: the same origin, and the issuer's path followed by a path
    boundary (so `https://lms.example` does not vouch for `https://lms.example.evil` or `:4430` for `:443`)."""
    iss, url = URL(issuer), URL(endpoint)
    if not iss.absolute or (iss.scheme, iss.host, iss.port) != (url.scheme, url.host, url.port):
        return False
    base = iss.path.rstrip("/")
    return url.path == base or url.path.startswith(f"{base}/")


SCOPE_WORDS = {
    "https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly": "read each course's roster",
    "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem": "create its own gradebook column",
    "https://purl.imsglobal.org/spec/lti-ags/scope/result.readonly": "read the results in its own column",
    "https://purl.imsglobal.org/spec/lti-ags/scope/score": "send participation scores to its own column",
}


def _confirmation(config: LtiConfig, endpoint: str, token: str) -> str:
    message = f"register\n{endpoint}\n{token}".encode()
    return hmac.new(config.secret_key, message, hashlib.sha256).hexdigest()


def _allowed(config: LtiConfig, issuer: str) -> bool:
    allowed = {i.rstrip("/") for i in config.registration_issuers}
    return not allowed or issuer.rstrip("/") in allowed


def _not_allowed(request: web.Request, config: LtiConfig, issuer: str) -> web.Response:
    return error_page(
        request,
        403,
        f"This tool accepts registrations only from the platforms its administrator listed, and "
        f"'{issuer[:200]}' is not one of them. Ask them to add it to LTI_REGISTRATION_ISSUERS.",
    )


def _flow(request: web.Request, params: Any) -> tuple[LtiConfig, ToolRegistration] | web.Response:
    config = request.app[LTI]
    endpoint = str(params.get("openid_configuration", ""))
    if not endpoint.startswith(("https://", "http://")):
        return error_page(
            request,
            400,
            "Open this address from your LMS's tool registration page (it adds the platform's details).",
        )
    token = str(params.get("registration_token", ""))
    return config, ToolRegistration(config, endpoint, token)


def _framed_by_platform(response: web.Response, endpoint: str) -> web.Response:
    """The platform shows these pages in its own frame before it is registered (and so before it is among the
    frame ancestors of the other pages): the origin of its configuration URL may frame them. No session is at
    stake here; the platform's registration token is what authorizes a registration."""
    response.headers["Content-Security-Policy"] = content_security_policy(frame_ancestors([endpoint]))
    return response


async def register(request: web.Request) -> web.StreamResponse:
    """Shows what will be registered, and asks the administrator to confirm."""
    return _framed_by_platform(await _review(request), request.query.get("openid_configuration", ""))


async def confirm_registration(request: web.Request) -> web.StreamResponse:
    form = await request.post()
    return _framed_by_platform(await _confirm(request), str(form.get("openid_configuration", "")))


async def _review(request: web.Request) -> web.Response:
    found = _flow(request, request.query)
    if isinstance(found, web.Response):
        return found
    config, flow = found
    try:
        platform = await run_blocking(flow.get_openid_configuration)
    except (LtiException, AssertionError, KeyError, ValueError, Timeout, RequestException) as exc:
        return error_page(request, 400, f"The platform's configuration could not be read: {exc}")
    issuer = str(platform.get("issuer", ""))
    if not _allowed(config, issuer):
        return _not_allowed(request, config, issuer)
    product = platform.get(CONFIG_CLAIM, {}) if isinstance(platform.get(CONFIG_CLAIM), dict) else {}
    context = {
        "issuer": issuer,
        "product": str(product.get("product_family_code") or "") or "not given",
        "tool_name": TOOL_NAME,
        "login_url": flow.get_initiate_login_uri(),
        "launch_url": flow.get_target_link_uri(),
        "jwks_url": flow.get_jwks_uri(),
        "scopes": [SCOPE_WORDS.get(s, s) for s in flow.get_scopes()],
        "claims": ["name", "email"],
        "openid_configuration": flow.get_openid_configuration_endpoint(),
        "registration_token": flow.get_registration_token(),
        "confirm": _confirmation(
            config, flow.get_openid_configuration_endpoint(), flow.get_registration_token()
        ),
    }
    return render(request, "register_review.html", context)


async def _confirm(request: web.Request) -> web.Response:
    form = await request.post()
    found = _flow(request, form)
    if isinstance(found, web.Response):
        return found
    config, flow = found
    expected = _confirmation(config, flow.get_openid_configuration_endpoint(), flow.get_registration_token())
    if not hmac.compare_digest(str(form.get("confirm", "")).encode(errors="replace"), expected.encode()):
        return error_page(
            request,
            403,
            "This confirmation does not match the registration shown. Open the registration again.",
        )

    def register_if_allowed() -> None:
        issuer = str(flow.get_openid_configuration().get("issuer", ""))
        if not _allowed(config, issuer):
            raise NotAllowed(issuer)
        flow.register()

    try:
        await run_blocking(register_if_allowed)
    except NotAllowed as exc:
        return _not_allowed(request, config, exc.issuer)
    except (LtiException, AssertionError, KeyError, ValueError, Timeout, RequestException) as exc:
        return error_page(request, 400, f"The platform's registration did not complete: {exc}")
    if flow.registration is None:
        return error_page(
            request, 400, "The platform's registration did not complete: it answered no client id."
        )
    async with config.bus.unit() as work:
        await work.handle(RegisterPlatform(flow.registration))
    config.tool.forget_registrations()
    if ANCESTORS in request.app:
        request.app[ANCESTORS].forget()  # the new platform may frame the pages at once
    return render(request, "registered.html", {})


class NotAllowed(Exception):
    def __init__(self, issuer: str) -> None:
        super().__init__(issuer)
        self.issuer = issuer

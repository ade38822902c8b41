"""A real LTI 1.3 platform (`lti1p3platform`'s classes) behind a small aiohttp server on 127.0.0.1:
OIDC auth endpoint, JWKS, token endpoint, NRPS (paged with `Link: rel="next"`), AGS line items and scores,
and the deep-linking return URL. It records what it received so tests can assert on it."""

from __future__ import annotations

import asyncio
import html
import json
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode

import jwt
from aiohttp import web
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from lti1p3platform.ltiplatform import LTI1P3PlatformConfAbstract
from lti1p3platform.message_launch import LTIAdvantageMessageLaunchAbstract
from lti1p3platform.registration import Registration
from lti1p3platform.request import Request, TRequest

from lti.keys import generate_key
from tests.support.lti.course_groups import CLAIM as GROUPS_CLAIM
from tests.support.lti.course_groups import SCOPE as GROUPS_SCOPE
from tests.support.lti.course_groups import FakeCourseGroups

INSTRUCTOR = "http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor"
LEARNER = "http://purl.imsglobal.org/vocab/lis/v2/membership#Learner"
DEEP_LINK_DATA: Any = "platform-opaque-data-1"
Tamper = Callable[[dict[str, Any], dict[str, Any]], None]
"""Changes a launch's claims and JWT header just before the platform signs it (the conformance cases)."""


class SigningRegistration(Registration):  # type: ignore[misc]
    """lti1p3platform parses its PEM private key twice for every signature (about 0.1 s each with
    `cryptography`'s key checks); this one parses it once, so the platform is not what tests and the
    benchmark wait for. The signed tokens are the same. `tamper`, when set, edits the claims and the header
    of the next tokens first."""

    tamper: Tamper | None = None

    def platform_encode_and_sign(self, payload: dict[str, Any], expiration: int | None = None) -> str:
        if not hasattr(self, "_signing_key"):
            pem = self.get_platform_private_key().encode()
            key = serialization.load_pem_private_key(pem, password=None)
            assert isinstance(key, rsa.RSAPrivateKey)
            self._signing_key = key
            self._signing_kid = self.get_kid()
        if expiration:
            now = int(time.time())
            payload.update({"iat": now, "exp": now + expiration})
        headers: dict[str, Any] = {"kid": self._signing_kid}
        if self.tamper is not None:
            self.tamper(payload, headers)
        return jwt.encode(payload, self._signing_key, algorithm="RS256", headers=headers)


class PlatformConf(LTI1P3PlatformConfAbstract):  # type: ignore[misc]
    def init_platform_config(self, **kwargs: Any) -> None:
        self._registration = kwargs["registration"]

    def get_registration_by_params(self, **kwargs: Any) -> Registration:
        return self._registration


class PlainRequest(Request):  # type: ignore[misc]
    def build_metadata(self, request: Any) -> TRequest:
        return request


class Launch(LTIAdvantageMessageLaunchAbstract):  # type: ignore[misc]
    def render_launch_form(self, launch_data: dict[str, Any], **kwargs: Any) -> Any:
        return launch_data


@dataclass
class Platform:
    base: str
    tool: str
    client_id: str = "peerlearn-client"
    deployment_id: str = "deployment-1"
    members: list[dict[str, Any]] = field(default_factory=list)
    page_size: int = 2
    scores: list[dict[str, Any]] = field(default_factory=list)
    line_items: list[dict[str, Any]] = field(default_factory=list)
    deep_link_items: list[dict[str, Any]] = field(default_factory=list)
    nrps_pages_served: int = 0
    id_token_expiration: int = 300
    audience: str | None = None
    tamper: Tamper | None = None
    deep_link_accept_types: set[str] = field(default_factory=lambda: {"ltiResourceLink"})
    token_requests: list[dict[str, Any]] = field(default_factory=list)
    # LTI Dynamic Registration (lti1p3platform has none, so this half is written here)
    registration_token: str = "registration-token-1"
    openid_issuer: str | None = None  # the issuer the OpenID configuration names; None: this platform's own
    registrations_received: list[dict[str, Any]] = field(default_factory=list)
    # LTI Course Groups (lti1p3platform has none either): offered in launches when set
    course_groups: FakeCourseGroups | None = None

    def __post_init__(self) -> None:
        key = generate_key(datetime.now(UTC))
        self.registration = (
            SigningRegistration()
            .set_iss(self.base)
            .set_client_id(self.client_id)
            .set_deployment_id(self.deployment_id)
            .set_oidc_login_url(f"{self.tool}/lti/login")
            .set_launch_url(f"{self.tool}/lti/launch")
            .set_deeplink_launch_url(f"{self.tool}/lti/launch")
            .set_platform_public_key(key.public_pem)
            .set_platform_private_key(key.private_pem)
            .set_tool_key_set_url(f"{self.tool}/lti/jwks")
        )
        self.conf = PlatformConf(registration=self.registration)

    def login_url(self, user: str, message: str = "resource") -> str:
        hint = json.dumps({"user": user, "message": message})
        params = {
            "iss": self.base,
            "login_hint": user,
            "lti_message_hint": hint,
            "target_link_uri": f"{self.tool}/lti/launch",
            "client_id": self.client_id,
            "lti_deployment_id": self.deployment_id,
        }
        return f"{self.tool}/lti/login?{urlencode(params)}"

    def user(self, user_id: str) -> dict[str, Any]:
        return next(m for m in self.members if m["user_id"] == user_id)

    # --- HTTP ---------------------------------------------------------------------------------------
    async def auth(self, request: web.Request) -> web.Response:
        data = dict(request.query)
        hint = json.loads(data.get("lti_message_hint", "{}"))
        member = self.user(hint["user"])
        launch = Launch(PlainRequest({"get_data": data, "form_data": {}}), self.conf)
        launch.set_user_data(member["user_id"], member["roles"], member["name"], member.get("email"))
        launch.set_launch_context_claim("course-101", context_title="Algorithms 101")
        launch.set_resource_link_claim("link-1", title="Peer study groups")
        launch.set_nrps(f"{self.base}/nrps")
        launch.set_ags(f"{self.base}/lineitems", allow_creating_lineitems=True)
        if hint.get("message") == "deep_link":
            launch.set_dl(
                f"{self.base}/dl_return",
                title="Add content",
                accept_types=self.deep_link_accept_types,
                extra_data=DEEP_LINK_DATA,  # the `data` the tool must echo (a string per the spec)
            )
        launch.set_id_token_expiration(self.id_token_expiration)
        if self.course_groups is not None:
            launch.set_extra_claims({GROUPS_CLAIM: self.course_groups.claim()})
        if self.audience:
            launch.set_extra_claims({"aud": self.audience})
        self.registration.tamper = self.tamper
        form = launch.lti_launch()
        return web.Response(
            text=_form(form["launch_url"], form["id_token"], form["state"]), content_type="text/html"
        )

    async def jwks(self, request: web.Request) -> web.Response:
        return web.json_response(self.conf.get_jwks())

    async def token(self, request: web.Request) -> web.Response:
        form = dict(await request.post())
        self.token_requests.append(form)
        # The platform fetches the tool's key set with `requests`: off the loop, which also serves the tool.
        granted = await asyncio.to_thread(self.conf.get_access_token, form)
        if self.course_groups is not None and GROUPS_SCOPE in str(form.get("scope", "")).split():
            # lti1p3platform grants only the scopes it knows: add the course groups scope it lacks
            scopes = f"{granted['scope']} {GROUPS_SCOPE}".strip()
            payload = {"sub": self.client_id, "iss": self.base, "scopes": scopes}
            granted |= {
                "access_token": self.registration.platform_encode_and_sign(payload, 3600),
                "scope": scopes,
            }
        return web.json_response(granted)

    def _authorized(self, request: web.Request, scope: str) -> None:
        token = request.headers.get("Authorization", "").removeprefix("Bearer ")
        try:  # lti1p3platform raises on a token it did not sign (or no longer would): a platform answers 401
            valid = bool(token) and self.conf.validate_token(token, [scope])
        except jwt.InvalidTokenError:
            valid = False
        if not valid:
            raise web.HTTPUnauthorized()

    async def nrps(self, request: web.Request) -> web.Response:
        self._authorized(request, "https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly")
        page = int(request.query.get("page", "1"))
        start = (page - 1) * self.page_size
        chunk = self.members[start : start + self.page_size]
        self.nrps_pages_served += 1
        headers = {}
        if start + self.page_size < len(self.members):
            headers["Link"] = f'<{self.base}/nrps?page={page + 1}>; rel="next"'
        body = {"id": f"{self.base}/nrps", "context": {"id": "course-101"}, "members": chunk}
        return web.json_response(
            body, headers=headers, content_type="application/vnd.ims.lti-nrps.v2.membershipcontainer+json"
        )

    async def lineitems(self, request: web.Request) -> web.Response:
        self._authorized(request, "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem")
        if request.method == "POST":
            item = {**(await request.json()), "id": f"{self.base}/lineitems/{len(self.line_items) + 1}"}
            self.line_items.append(item)
            return web.json_response(item, status=201)
        return web.json_response(self.line_items)

    async def score(self, request: web.Request) -> web.Response:
        self._authorized(request, "https://purl.imsglobal.org/spec/lti-ags/scope/score")
        self.scores.append({"line_item": request.match_info["item"], **(await request.json())})
        return web.json_response({}, status=200)

    async def dl_return(self, request: web.Request) -> web.Response:
        form = dict(await request.post())
        items = await asyncio.to_thread(self.conf.validate_deeplinking_resp, form)
        self.deep_link_items.extend(items)
        return web.Response(text="<h1>Content added</h1>", content_type="text/html")

    async def openid_configuration(self, request: web.Request) -> web.Response:
        return web.json_response(
            {
                "issuer": self.openid_issuer or self.base,
                "authorization_endpoint": f"{self.base}/auth",
                "token_endpoint": f"{self.base}/token",
                "jwks_uri": f"{self.base}/jwks",
                "registration_endpoint": f"{self.base}/register",
                "scopes_supported": ["openid"],
                "response_types_supported": ["id_token"],
                "id_token_signing_alg_values_supported": ["RS256"],
                "token_endpoint_auth_methods_supported": ["private_key_jwt"],
                "claims_supported": ["iss", "sub", "name", "email"],
                "https://purl.imsglobal.org/spec/lti-platform-configuration": {
                    "product_family_code": "peerlearn-test-lms",
                    "version": "1.0",
                    "messages_supported": [
                        {"type": "LtiResourceLinkRequest"},
                        {"type": "LtiDeepLinkingRequest"},
                    ],
                },
            }
        )

    async def register(self, request: web.Request) -> web.Response:
        if request.headers.get("Authorization") != f"Bearer {self.registration_token}":
            return web.json_response({"error": "invalid registration token"}, status=401)
        tool = await request.json()
        self.registrations_received.append(tool)
        config = tool["https://purl.imsglobal.org/spec/lti-tool-configuration"]
        return web.json_response(
            {
                **tool,
                "client_id": self.client_id,
                "https://purl.imsglobal.org/spec/lti-tool-configuration": {
                    **config,
                    "deployment_id": self.deployment_id,
                },
            },
            status=201,
        )

    async def course(self, request: web.Request) -> web.Response:
        """A course page of this "LMS" with the tool in an iframe, as LMSs show it."""
        user = request.query.get("user", "")
        src = html.escape(self.login_url(user), quote=True)
        return web.Response(
            text=(
                '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Algorithms 101</title>'
                "<style>body{margin:0;font-family:sans-serif}header{background:#37474f;color:#fff;padding:8px 16px}"
                "iframe{border:0;width:100%;height:1400px}</style></head><body><header>Example LMS · "
                f'Algorithms 101</header><iframe title="Peer study groups" src="{src}"></iframe></body></html>'
            ),
            content_type="text/html",
        )

    async def storage_course(self, request: web.Request) -> web.Response:
        """The course page of an LMS that offers LTI Platform Storage: it names itself (`_parent`) as the
        storage frame in the login, and answers the tool's `lti.capabilities`, `lti.put_data` and `lti.get_data`
        messages, keeping values per tool origin, as the LTI Client Side postMessages spec describes. Every
        message it receives is logged in `window.ltiMessages`."""
        user = request.query.get("user", "")
        src = html.escape(self.login_url(user) + "&lti_storage_target=_parent", quote=True)
        return web.Response(
            text=(
                '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Algorithms 101</title>'
                "<style>body{margin:0;font-family:sans-serif}header{background:#37474f;color:#fff;padding:8px 16px}"
                "iframe{border:0;width:100%;height:1400px}</style></head><body><header>Example LMS · "
                f"Algorithms 101</header><script>{PLATFORM_STORAGE}</script>"
                f'<iframe title="Peer study groups" src="{src}"></iframe></body></html>'
            ),
            content_type="text/html",
        )

    async def course_groups_endpoint(self, request: web.Request) -> web.Response:
        if self.course_groups is None:
            raise web.HTTPNotFound()
        handlers = self.course_groups.handlers(self._authorized)
        if request.method != "GET":
            return await handlers["read_only"](request)
        name = "groups" if request.path.endswith("/course-groups") else "group_sets"
        return await handlers[name](request)

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_route("*", "/course-groups", self.course_groups_endpoint)
        app.router.add_route("*", "/course-group-sets", self.course_groups_endpoint)
        app.router.add_get("/course", self.course)
        app.router.add_get("/storage-course", self.storage_course)
        app.router.add_get("/.well-known/openid-configuration", self.openid_configuration)
        app.router.add_post("/register", self.register)
        app.router.add_get("/auth", self.auth)
        app.router.add_get("/jwks", self.jwks)
        app.router.add_post("/token", self.token)
        app.router.add_get("/nrps", self.nrps)
        app.router.add_route("*", "/lineitems", self.lineitems)
        app.router.add_post("/lineitems/{item}/scores", self.score)
        app.router.add_post("/dl_return", self.dl_return)
        return app


PLATFORM_STORAGE = """
window.ltiMessages = [];
const stored = new Map();
window.addEventListener("message", (event) => {
  const m = event.data;
  if (!m || typeof m !== "object" || typeof m.subject !== "string" || !m.subject.startsWith("lti.")) return;
  window.ltiMessages.push({subject: m.subject, origin: event.origin, key: m.key});
  const reply = (body) => event.source.postMessage({...body, message_id: m.message_id}, event.origin);
  const key = event.origin + " " + m.key;
  if (m.subject === "lti.capabilities") {
    reply({subject: "lti.capabilities.response", supported_messages: [
      {subject: "lti.capabilities"}, {subject: "lti.put_data"}, {subject: "lti.get_data"}]});
  } else if (m.subject === "lti.put_data") {
    stored.set(key, m.value);
    reply({subject: "lti.put_data.response", key: m.key, value: m.value});
  } else if (m.subject === "lti.get_data") {
    if (stored.has(key)) reply({subject: "lti.get_data.response", key: m.key, value: stored.get(key)});
    else reply({subject: "lti.get_data.response", key: m.key,
                error: {code: "bad_request", message: "no value stored under this key"}});
  }
});
"""


def _form(action: str, id_token: str, state: str) -> str:
    return (
        f'<form id="f" method="post" action="{action}"><input type="hidden" name="id_token" value="{id_token}">'
        f'<input type="hidden" name="state" value="{state}"><button>Launch</button></form>'
        '<script>document.getElementById("f").submit()</script>'
    )


def parse_form(html: str) -> tuple[str, dict[str, str]]:
    action = re.search(r'action="([^"]+)"', html)
    assert action, html[:500]
    fields = dict(re.findall(r'name="([^"]+)" value="([^"]*)"', html))
    return action.group(1), fields

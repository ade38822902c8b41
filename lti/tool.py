"""The tool's use of pylti1p3: OIDC login, launch validation, and the platform services (roster, scores,
deep-linking response) from a stored launch. Framework values stop here: callers get plain `Launch` values
and raise `LaunchRefused`, which the views turn into a 400/401 page.

Everything the tool reads or keeps (registrations, its key, login bindings, kept launches, key sets) is read
and written in the request's unit of work (`work`, one `bus.unit()`), on the event loop, before and after
pylti1p3 runs: pylti1p3 itself never touches storage (`PrefetchedLaunchData`, `AiohttpSessionService`), so
when it must run in a worker thread (a platform's key set or service over the network) nothing waits for
the loop.
"""

from __future__ import annotations

import base64
import contextlib
import json
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, TypeVar

from aiohttp import web
from pylti1p3.exception import LtiException, LtiInvalidNonceException, OIDCException
from yarl import URL

from core.bus import Work
from core.commands import KeepLaunchData, SavePlatformKeySet, TakeLaunchData
from core.model.platforms import PlatformRegistration, ToolKey
from core.ports import Clock
from core.views import platforms
from lti.adapter.cookie import AiohttpCookieService
from lti.adapter.launch_data import PrefetchedLaunchData
from lti.adapter.message_launch import AiohttpMessageLaunch, NeedsNetwork
from lti.adapter.oidc_login import AiohttpOIDCLogin
from lti.adapter.request import AiohttpRequest
from lti.adapter.session import AiohttpSessionService
from lti.adapter.tool_config import DbToolConf
from lti.bridge import Timeout, TimeoutSession, run_blocking
from lti.claims import ClaimRefused, client_id_of
from lti.keys import ensure_key
from lti.platform_storage import (
    BINDING_LIFETIME,
    BINDING_PREFIX,
    TARGET_PARAM,
    VERIFIED,
    Binding,
    login_params,
    platform_origin,
    target_of,
    verified,
)
from lti.roles import is_staff
from lti.security import origin

T = TypeVar("T")
CLAIM = "https://purl.imsglobal.org/spec/lti/claim/"
GROUPS_CLAIM = "https://purl.imsglobal.org/spec/lti-gs/claim/groupsservice"
KEY_REUSE = timedelta(seconds=60)
LAUNCH_LIFETIME = timedelta(
    days=1
)  # a kept launch (an instructor's): the platform's services are called with it
REGISTRATION_REUSE = 30.0  # seconds a platform registration read is reused (see `Tool.registration`)


class LaunchRefused(Exception):
    """`unknown_platform`: the refusal of a platform that is not registered, whose page any site may frame
    (it carries no session and no action), so the message shows inside that platform's iframe."""

    def __init__(
        self,
        status: int,
        message: str,
        login_params: Mapping[str, str] | None = None,
        *,
        unknown_platform: bool = False,
    ) -> None:
        super().__init__(message)
        self.status, self.message = status, message
        self.login_params = dict(login_params or {})
        self.unknown_platform = unknown_platform


@dataclass(frozen=True)
class StorageLogin:
    """A login whose state and nonce go to the platform's storage frame before the browser goes on to `next`."""

    response: web.Response  # the redirect pylti1p3 answered with (its state cookie is copied to the page)
    next: str
    state: str
    nonce: str
    target: str
    platform_origin: str


class StorageCheck(Exception):
    """A launch without its state cookie whose login stored the state in the platform's frame: the browser
    must read it back from there (`storage_launch.html`) before the launch is validated."""

    def __init__(self, binding: Binding, id_token: str, state: str) -> None:
        super().__init__("read the state back from platform storage")
        self.binding, self.id_token, self.state = binding, id_token, state


@dataclass(frozen=True)
class Launch:
    organization_id: str
    registration_id: str
    launch_id: str
    issuer: str
    client_id: str
    deployment_id: str
    message_type: str
    subject: str
    name: str
    email: str | None
    roles: tuple[str, ...]
    context_id: str
    context_title: str
    section: str | None = None
    custom: Mapping[str, str] = field(default_factory=dict)
    has_nrps: bool = False
    has_ags: bool = False
    has_groups: bool = False  # the LTI Course Groups service (`lti/course_groups.py`)

    @property
    def is_instructor(self) -> bool:
        """The instructor's view and the right to add the tool (deep linking): see `lti/roles.py`."""
        return is_staff(self.roles)

    @property
    def course_id(self) -> str:
        return f"{self.deployment_id}:{self.context_id}"


@dataclass
class Tool:
    clock: Clock
    public_url: str
    secure: bool = field(init=False)
    # The signing key, read again after KEY_REUSE: after `rotate-key` the new key is used within that time,
    # and the previous one stays published at /lti/jwks meanwhile.
    _key: tuple[ToolKey, datetime] | None = field(default=None, init=False, repr=False)
    # Registrations by (issuer, client id), reused for REGISTRATION_REUSE seconds: a launch reads the same one
    # at login, in the login binding and at launch. A new key set or registration drops them at once.
    _registrations: dict[tuple[str, str | None], tuple[PlatformRegistration | None, float]] = field(
        default_factory=dict, init=False, repr=False
    )

    def __post_init__(self) -> None:
        self.secure = self.public_url.startswith("https://")

    async def registration(
        self, work: Work, issuer: str, client_id: str | None
    ) -> PlatformRegistration | None:
        key, now = (issuer, client_id or None), time.monotonic()
        cached = self._registrations.get(key)
        if cached is not None and now - cached[1] < REGISTRATION_REUSE:
            return cached[0]
        found = await platforms.registration(work.uow, issuer, client_id or None)
        if len(self._registrations) > 1000:
            self._registrations.clear()
        self._registrations[key] = (found, now)
        return found

    def forget_registrations(self) -> None:
        self._registrations.clear()

    @property
    def launch_url(self) -> str:
        return f"{self.public_url}/lti/launch"

    async def _context(
        self,
        work: Work,
        request: AiohttpRequest,
        registration: PlatformRegistration | None,
        prefetched: Mapping[str, Any] | None = None,
    ) -> tuple[DbToolConf, AiohttpSessionService]:
        conf = DbToolConf(registration, await self._signing_key(work), self.clock.now())
        return conf, AiohttpSessionService(request, PrefetchedLaunchData(prefetched))

    async def _signing_key(self, work: Work) -> ToolKey:
        now = self.clock.now()
        if self._key is None or now - self._key[1] >= KEY_REUSE:
            self._key = (await ensure_key(work, now), now)
        return self._key[0]

    async def login(self, request: web.Request, work: Work) -> web.Response:
        params = await AiohttpRequest.from_aiohttp(request, self.secure)
        iss, client_id = params.get_param("iss"), params.get_param("client_id") or None
        if not iss or not params.get_param("login_hint"):
            raise LaunchRefused(
                400, "This login request does not name the platform (iss) and the user (login_hint)."
            )
        registration = await self.registration(work, iss, client_id)
        if registration is None:
            raise LaunchRefused(
                400,
                f"The platform '{iss[:200]}' is not registered with this tool. Ask your LMS administrator to "
                "register it (Dynamic Registration at /lti/register, or the tool's settings in docs/ADMIN.md).",
                unknown_platform=True,
            )
        deployment = params.get_param("lti_deployment_id")
        if deployment and deployment not in registration.deployment_ids:
            raise LaunchRefused(400, f"The deployment '{deployment[:100]}' is not registered with this tool.")
        conf, session = await self._context(work, params, registration)
        login = AiohttpOIDCLogin(params, conf, session_service=session)
        # The login's parameters are kept with the state by the login binding (`lti/login_binding.py`),
        # not by pylti1p3 in a row of their own; so the redirect touches no storage and no network (a state,
        # a nonce and a URL), and is built here on the loop.
        return _refusing(lambda: login.redirect(self.launch_url))

    async def storage_login(
        self, request: web.Request, response: web.Response, work: Work
    ) -> StorageLogin | None:
        """When the login names a platform storage frame, what the page that stores state and nonce there needs
        (and the binding recorded under the state); None for a login that keeps them in cookies only."""
        params = await AiohttpRequest.from_aiohttp(request, self.secure)
        target = target_of(params.get_param(TARGET_PARAM))
        location = response.headers.get("Location", "")
        if target is None or response.status != 302 or not location:
            return None
        registration = await self.registration(
            work, params.get_param("iss"), params.get_param("client_id") or None
        )
        at = platform_origin(registration.auth_login_url) if registration else None
        state, nonce = URL(location).query.get("state"), URL(location).query.get("nonce")
        if registration is None or at is None or not state or not nonce:
            return None
        binding = Binding(nonce, target, at, login_params(params.params))
        expires = self.clock.now() + BINDING_LIFETIME
        await work.handle(
            KeepLaunchData(registration.organization_id, BINDING_PREFIX + state, binding.value(), expires)
        )
        return StorageLogin(response, location, state, nonce, target, at)

    async def launch(self, request: web.Request, work: Work) -> tuple[Launch, AiohttpCookieService]:
        params = await AiohttpRequest.from_aiohttp(request, self.secure)
        token = params.get_param("id_token")
        unverified = _unverified_claims(token)
        registration = await self.registration(work, str(unverified.get("iss", "")), client_id_of(unverified))
        if registration is None:
            raise LaunchRefused(
                401, "This launch is not for a platform and client registered with this tool."
            )
        conf, session = await self._context(work, params, registration)
        cookies = AiohttpCookieService(params)
        state = params.get_param("state")
        if state and cookies.get_cookie(state) is None:
            # The browser did not send the state cookie: blocked third-party cookies, or a forged state.
            # A login that stored the state in the platform's frame is checked there instead.
            stored = await platforms.launch_data(
                work.uow, registration.organization_id, BINDING_PREFIX + state, self.clock.now()
            )
            binding = Binding.read(stored)
            if binding is not None and binding.uses_storage:
                if params.get_param(VERIFIED) and not verified(
                    params.params, request.headers.get("Origin"), origin(self.public_url), binding, state
                ):
                    raise LaunchRefused(
                        401,
                        "This launch could not be confirmed with your LMS in this browser, so it was not accepted. "
                        "Open the tool again from your course.",
                    )
                if not params.get_param(VERIFIED):
                    raise StorageCheck(binding, token, state)
                params.add_cookie(f"lti1p3-{state}", state)
            else:
                raise LaunchRefused(
                    401,
                    "Your browser did not send back the cookie this tool set a moment ago, so the launch could not "
                    "be verified.",
                    binding.login if binding is not None else None,
                )
        if state and cookies.get_cookie(state) == state:
            # The login's binding (its nonce) is taken out once, here on the loop, before validation: an
            # id_token posted a second time finds none and is refused. A state without its cookie leaves it
            # in place, and pylti1p3 refuses the state first.
            session.login_binding = Binding.read(
                await work.handle(TakeLaunchData(registration.organization_id, BINDING_PREFIX + state))
            )
        message, body = await self._validate(params, conf, session, cookies)
        if message.fetched_key_set is not None:
            await work.handle(SavePlatformKeySet(registration.id, message.fetched_key_set))
            self.forget_registrations()
        if session.launch_data is not None and _keep(body):
            key, data = session.launch_data
            expires = self.clock.now() + LAUNCH_LIFETIME
            await work.handle(KeepLaunchData(registration.organization_id, key, data, expires))
        return _to_launch(registration, message.get_launch_id(), body), cookies

    async def _validate(
        self,
        params: AiohttpRequest,
        conf: DbToolConf,
        session: AiohttpSessionService,
        cookies: AiohttpCookieService,
    ) -> tuple[AiohttpMessageLaunch, Mapping[str, Any]]:
        """pylti1p3's validation, which touches no storage (see `AiohttpSessionService`). With the platform's key
        set cached it is CPU only (well under a millisecond: a signature check) and runs here on the loop; when
        the key set must be fetched from the platform it runs in a worker thread, as every network call does."""

        def message() -> AiohttpMessageLaunch:
            return AiohttpMessageLaunch(
                params,
                conf,
                session_service=session,
                cookie_service=cookies,
                requests_session=TimeoutSession(),
            )

        if conf.cached_key_set:
            inline = message()
            inline.offline = True
            # A key id the cached set does not know (`NeedsNetwork`) falls through to fetching the set.
            with contextlib.suppress(NeedsNetwork):
                return inline, _refusing(lambda: inline.validate().get_launch_data())
        fetching = message()
        return fetching, await self._guard(lambda: fetching.validate().get_launch_data())

    async def restore(
        self, work: Work, organization_id: str, issuer: str, client_id: str, launch_id: str
    ) -> AiohttpMessageLaunch:
        """A kept launch, read in `work`, ready for the platform's services (call them with `call`, after the
        unit of work: no transaction waits for a platform)."""
        registration = await self.registration(work, issuer, client_id)
        if registration is None or registration.organization_id != organization_id:
            raise LaunchRefused(401, "This course's platform registration is gone; launch the tool again.")
        params = AiohttpRequest({}, {}, self.secure)
        kept = await platforms.launch_data(work.uow, organization_id, launch_id, self.clock.now())
        conf, session = await self._context(work, params, registration, {launch_id: kept} if kept else None)

        def load() -> AiohttpMessageLaunch:
            launch = AiohttpMessageLaunch.from_cache(
                launch_id, params, conf, session_service=session, requests_session=TimeoutSession()
            )
            assert isinstance(launch, AiohttpMessageLaunch)
            return launch

        # Restoring is CPU only now that the launch was read beforehand: here on the loop, no thread.
        return _refusing(load)

    async def call(self, fn: Callable[[], T]) -> T:
        return await self._guard(fn)

    async def _guard(self, fn: Callable[[], T]) -> T:
        try:
            return await run_blocking(lambda: _refusing(fn))
        except Timeout as exc:
            raise LaunchRefused(504, str(exc)) from exc


def _refusing(fn: Callable[[], T]) -> T:
    """Runs pylti1p3: its refusals become `LaunchRefused`, in words."""
    try:
        return fn()
    except ClaimRefused as exc:
        raise LaunchRefused(exc.status, exc.message) from exc
    except LtiInvalidNonceException as exc:
        raise LaunchRefused(
            401,
            "This launch was already used once, so it was not accepted again. Open the tool again from your course.",
        ) from exc
    except (LtiException, OIDCException) as exc:
        raise LaunchRefused(401, f"The launch could not be verified: {exc}") from exc


def _unverified_claims(token: str) -> Mapping[str, Any]:
    """The id_token's claims, read only to find its registration (issuer and client): the validation that
    follows checks everything. A split and a base64 decode, not PyJWT's decode, which checks every character
    of the token on its way."""
    parts = token.split(".") if token else []
    try:
        if len(parts) != 3:
            raise ValueError("not three parts")
        claims = json.loads(base64.urlsafe_b64decode(parts[1] + "=" * (-len(parts[1]) % 4)))
    except ValueError as exc:  # binascii.Error and json's errors are ValueErrors
        raise LaunchRefused(400, "The launch carries no readable id_token.") from exc
    if not isinstance(claims, dict):
        raise LaunchRefused(400, "The launch carries no readable id_token.")
    return claims


def _keep(body: Mapping[str, Any]) -> bool:
    """Whether a validated launch is kept for later service calls. Only a course's staff ever calls the
    platform's services from a launch (roster, scores, groups, the deep-linking response), so a learner's
    id_token, names and email included, is not stored at all."""
    message_type = body.get(f"{CLAIM}message_type")
    return message_type == "LtiDeepLinkingRequest" or is_staff(
        tuple(str(r) for r in body.get(f"{CLAIM}roles") or ())
    )


def _to_launch(registration: PlatformRegistration, launch_id: str, body: Mapping[str, Any]) -> Launch:
    context = body.get(f"{CLAIM}context") or {}
    lis = body.get(f"{CLAIM}lis") or {}
    custom = body.get(f"{CLAIM}custom") or {}
    return Launch(
        organization_id=registration.organization_id,
        registration_id=registration.id,
        launch_id=launch_id,
        issuer=registration.issuer,
        client_id=registration.client_id,
        deployment_id=str(body.get(f"{CLAIM}deployment_id", "")),
        message_type=str(body.get(f"{CLAIM}message_type", "")),
        subject=str(body.get("sub", "")),
        name=_name(body),
        email=body.get("email") if isinstance(body.get("email"), str) else None,
        roles=tuple(str(r) for r in body.get(f"{CLAIM}roles") or ()),
        context_id=str(context.get("id") or body.get(f"{CLAIM}resource_link", {}).get("id") or "course"),
        context_title=str(context.get("title") or context.get("label") or "Course"),
        section=str(lis["course_section_sourcedid"]) if lis.get("course_section_sourcedid") else None,
        custom={str(k): str(v) for k, v in custom.items()} if isinstance(custom, dict) else {},
        has_nrps="https://purl.imsglobal.org/spec/lti-nrps/claim/namesroleservice" in body,
        has_ags="https://purl.imsglobal.org/spec/lti-ags/claim/endpoint" in body,
        has_groups=isinstance(groups := body.get(GROUPS_CLAIM), dict)
        and bool(groups.get("context_groups_url")),
    )


def _name(body: Mapping[str, Any]) -> str:
    """The person's name as the platform gives it; a launch without names (no PII) falls back to the email,
    then to a neutral label."""
    given = " ".join(str(body.get(k) or "").strip() for k in ("given_name", "family_name")).strip()
    for candidate in (body.get("name"), given, body.get("email")):
        if isinstance(candidate, str) and candidate.strip():
            return candidate.strip()[:200]
    return "Course member"

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import jwt
import requests
from pylti1p3.exception import LtiKeyException
from pylti1p3.message_launch import MessageLaunch

from lti import claims
from lti.adapter.cookie import AiohttpCookieService
from lti.adapter.request import AiohttpRequest
from lti.adapter.service_connector import AiohttpServiceConnector
from lti.adapter.session import AiohttpSessionService
from lti.adapter.tool_config import DbToolConf
from lti.claims import ClaimRefused

LEEWAY = 30  # seconds of clock skew allowed between the platform and the tool
CHECK_AGAIN = "Ask your LMS administrator to check the platform's key set URL registered with this tool."


class NeedsNetwork(Exception):
    """An offline validation came to a step that must fetch the platform's key set."""


class AiohttpMessageLaunch(
    MessageLaunch[AiohttpRequest, DbToolConf, AiohttpSessionService, AiohttpCookieService]
):
    """A launch validated by pylti1p3, with the checks it lacks (`lti/claims.py`): every audience, `azp`,
    required `exp` and `iat`, and the LTI claims, each refused in words. The platform's key set comes from our
    cache while fresh; a key id the cache does not know makes it fetch the set again once (the platform
    rotated its keys). `offline`: fetching raises `NeedsNetwork` instead (a validation on the event loop)."""

    def __init__(
        self,
        request: AiohttpRequest,
        tool_config: DbToolConf,
        *,
        session_service: AiohttpSessionService,
        requests_session: requests.Session,
        cookie_service: AiohttpCookieService | None = None,
        **_: Any,  # `from_cache` passes pylti1p3's other options; ours are fixed here
    ) -> None:
        super().__init__(
            request=request,
            tool_config=tool_config,
            session_service=session_service,
            cookie_service=cookie_service or AiohttpCookieService(request),
            requests_session=requests_session,
            service_connector_cls=AiohttpServiceConnector,
        )
        self.fetched_key_set: Mapping[str, Any] | None = None
        self.offline = False

    def _get_request_param(self, key: str) -> str:
        return self._request.get_param(key)

    def get_client_id(self) -> str:
        return claims.client_id_of(self._get_jwt_body())

    def validate_registration(self) -> AiohttpMessageLaunch:
        super().validate_registration()
        assert self._registration is not None
        claims.check_audience(self._get_jwt_body(), self._registration.get_client_id() or "")
        return self

    def validate_jwt_signature(self) -> AiohttpMessageLaunch:
        header = self._jwt.get("header", {})
        if not header.get("kid"):
            raise ClaimRefused(
                401, "The launch's signature does not name its key ('kid'), so it cannot be checked."
            )
        public_key, algorithm = self.get_public_key()
        try:
            jwt.decode(
                self._get_id_token(),
                public_key,
                algorithms=[algorithm],
                leeway=LEEWAY,
                options={"verify_aud": False, "require": ["exp", "iat"]},
            )
        except jwt.ExpiredSignatureError as exc:
            raise ClaimRefused(
                401,
                "The launch has expired (it is valid for a few minutes). Open the tool again from your course.",
            ) from exc
        except jwt.ImmatureSignatureError as exc:
            raise ClaimRefused(
                401,
                "The launch says it was issued in the future: the LMS's clock and this tool's disagree. "
                "Try again in a minute; if it persists, tell your LMS administrator.",
            ) from exc
        except jwt.MissingRequiredClaimError as exc:
            raise ClaimRefused(
                401, f"The launch has no '{exc.claim}' time, so it cannot be checked for expiry."
            ) from exc
        except jwt.InvalidTokenError as exc:
            raise ClaimRefused(
                401, f"The launch could not be verified: its signature or times are not valid ({exc})."
            ) from exc
        return self

    def validate_deployment(self) -> AiohttpMessageLaunch:
        claims.check_deployment(self._get_jwt_body())
        super().validate_deployment()
        return self

    def validate_message(self) -> AiohttpMessageLaunch:
        claims.check_message(self._get_jwt_body())
        super().validate_message()
        return self

    def fetch_public_key(self, key_set_url: str) -> Any:
        if self.offline:
            raise NeedsNetwork(key_set_url)
        key_set = super().fetch_public_key(key_set_url)
        if isinstance(key_set, dict) and isinstance(key_set.get("keys"), list):
            self.fetched_key_set = key_set
        return key_set

    def get_public_key(self) -> tuple[str, str]:
        try:
            return super().get_public_key()
        except LtiKeyException:
            if self._tool_config.cached_key_set:
                self._tool_config.cached_key_set = False
                assert self._registration is not None
                self._registration.set_key_set(None)
                try:
                    return super().get_public_key()
                except LtiKeyException:
                    self._refuse_unknown_key()
                    raise
            self._refuse_unknown_key()
            raise

    def _refuse_unknown_key(self) -> None:
        assert self._registration is not None
        key_set: Any = self._registration.get_key_set() or {}
        kid = self._jwt.get("header", {}).get("kid")
        if kid not in {key.get("kid") for key in key_set.get("keys") or () if isinstance(key, dict)}:
            raise ClaimRefused(
                401,
                f"The launch was signed with a key ('{str(kid)[:80]}') that the LMS does not publish. {CHECK_AGAIN}",
            )

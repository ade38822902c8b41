from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import requests
from pylti1p3.exception import LtiKeyException
from pylti1p3.message_launch import MessageLaunch

from lti.adapter.cookie import AiohttpCookieService
from lti.adapter.request import AiohttpRequest
from lti.adapter.service_connector import AiohttpServiceConnector
from lti.adapter.session import AiohttpSessionService
from lti.adapter.tool_config import DbToolConf


class AiohttpMessageLaunch(
    MessageLaunch[AiohttpRequest, DbToolConf, AiohttpSessionService, AiohttpCookieService]
):
    """A launch validated by pylti1p3. The platform's key set comes from our cache while fresh; a key id the
    cache does not know makes it fetch the set again once (the platform rotated its keys)."""

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

    def _get_request_param(self, key: str) -> str:
        return self._request.get_param(key)

    def fetch_public_key(self, key_set_url: str) -> Any:
        key_set = super().fetch_public_key(key_set_url)
        if isinstance(key_set, dict) and isinstance(key_set.get("keys"), list):
            self.fetched_key_set = key_set
        return key_set

    def get_public_key(self) -> tuple[str, str]:
        try:
            return super().get_public_key()
        except LtiKeyException:
            if not self._tool_config.cached_key_set:
                raise
            self._tool_config.cached_key_set = False
            assert self._registration is not None
            self._registration.set_key_set(None)
            return super().get_public_key()

from __future__ import annotations

from typing import Any

from aiohttp import web
from pylti1p3.oidc_login import OIDCLogin

from lti.adapter.cookie import AiohttpCookieService
from lti.adapter.redirect import AiohttpRedirect
from lti.adapter.request import AiohttpRequest
from lti.adapter.session import AiohttpSessionService
from lti.adapter.tool_config import DbToolConf


class AiohttpOIDCLogin(
    OIDCLogin[AiohttpRequest, DbToolConf, AiohttpSessionService, AiohttpCookieService, web.Response]
):
    def __init__(
        self,
        request: AiohttpRequest,
        tool_config: DbToolConf,
        *,
        session_service: AiohttpSessionService,
        cookie_service: AiohttpCookieService | None = None,
    ) -> None:
        super().__init__(
            request=request,
            tool_config=tool_config,
            session_service=session_service,
            cookie_service=cookie_service or AiohttpCookieService(request),
        )

    def get_redirect(self, url: str) -> AiohttpRedirect:
        return AiohttpRedirect(url, self._cookie_service)

    def get_response(self, html: str) -> web.Response:
        return web.Response(text=html, content_type="text/html")

    def get_cookies_allowed_js_check(self) -> Any:
        """pylti1p3 calls this only after `enable_check_cookies()`, which peerlearn never calls: its check is an
        inline script, which our Content-Security-Policy forbids. A launch that arrives without its state cookie
        gets a page that reopens the login in a new window instead (see `lti/views_protocol.py`)."""
        raise NotImplementedError("peerlearn explains blocked cookies at the launch, without inline script")

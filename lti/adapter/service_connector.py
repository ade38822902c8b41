from __future__ import annotations

import hashlib
import threading
import time
from collections.abc import Iterable, Sequence
from typing import Any, ClassVar

from pylti1p3.exception import LtiServiceException
from pylti1p3.service_connector import ServiceConnector, TServiceConnectorResponse

UNAUTHORIZED = 401


class AiohttpServiceConnector(ServiceConnector):
    """Access tokens are cached per issuer, client id, token endpoint and scopes (pylti1p3's key leaves out
    the client id, which would share one registration's token with another of the same issuer).

    A platform may refuse a cached token before it expires: it rotated its signing key, revoked its tokens, or
    was registered again under the same issuer and client id. A service call answered 401 with a cached token
    drops that token and is made once more with a fresh one, so the instructor sees the roster rather than an
    error until the old token would have expired."""

    _tokens: ClassVar[dict[str, tuple[str, float]]] = {}
    _lock = threading.Lock()

    def _scope_key(self, scopes: Iterable[str]) -> str:
        parts = [
            self._registration.get_issuer() or "",
            self._registration.get_client_id() or "",
            self._registration.get_auth_token_url() or "",
            *sorted(scopes),
        ]
        return hashlib.sha256("|".join(parts).encode()).hexdigest()

    def _get_cached_access_token(self, scope_key: str) -> str | None:
        with self._lock:
            cached = self._tokens.get(scope_key)
        if cached is not None and cached[1] > time.monotonic() + 30:
            return cached[0]
        return None

    def _cache_access_token(self, scope_key: str, access_token: str, expires_in: float) -> None:
        with self._lock:
            self._tokens[scope_key] = (access_token, time.monotonic() + float(expires_in))

    def _forget_access_token(self, scope_key: str, access_token: str) -> None:
        """Drops the cached token if it is still this one (another thread may have cached a fresh one)."""
        with self._lock:
            if self._tokens.get(scope_key, ("", 0.0))[0] == access_token:
                del self._tokens[scope_key]

    def make_service_request(
        self, scopes: Sequence[str], url: str, **kwargs: Any
    ) -> TServiceConnectorResponse:
        scope_key = self._scope_key(scopes)
        cached = self._get_cached_access_token(scope_key)
        try:
            return super().make_service_request(scopes, url, **kwargs)
        except LtiServiceException as exc:
            if cached is None or exc.response.status_code != UNAUTHORIZED:
                raise
            self._forget_access_token(scope_key, cached)
        return super().make_service_request(scopes, url, **kwargs)

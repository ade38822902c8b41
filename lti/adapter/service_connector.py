from __future__ import annotations

import hashlib
import threading
import time
from collections.abc import Iterable
from typing import ClassVar

from pylti1p3.service_connector import ServiceConnector


class AiohttpServiceConnector(ServiceConnector):
    """Access tokens are cached per issuer, client id and scopes (pylti1p3's key leaves out the client id,
    which would share one registration's token with another of the same issuer)."""

    _tokens: ClassVar[dict[str, tuple[str, float]]] = {}
    _lock = threading.Lock()

    def _scope_key(self, scopes: Iterable[str]) -> str:
        parts = [
            self._registration.get_issuer() or "",
            self._registration.get_client_id() or "",
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

from __future__ import annotations

from datetime import timedelta
from typing import Any

from pylti1p3.launch_data_storage.base import LaunchDataStorage

from core.ports import Clock
from core.ports.lti import LtiStore
from lti.bridge import LoopBridge

DEFAULT_LIFETIME = 86400


class DbLaunchDataStorage(LaunchDataStorage[Any]):
    """pylti1p3's key-value store for nonces, state parameters and launches, kept in the shared database under
    one organization. Keys are long random values, so no session-id cookie is needed to keep them apart."""

    def __init__(self, store: LtiStore, organization_id: str, bridge: LoopBridge, clock: Clock) -> None:
        super().__init__()
        self._store = store
        self._organization_id = organization_id
        self._bridge = bridge
        self._clock = clock

    def get_session_cookie_name(self) -> str | None:
        return None

    def can_set_keys_expiration(self) -> bool:
        return True

    def get_value(self, key: str) -> Any:
        return self._bridge.call(
            self._store.get(self._organization_id, self._prepare_key(key), self._clock.now())
        )

    def set_value(self, key: str, value: Any, exp: int | None = None) -> None:
        expires_at = self._clock.now() + timedelta(seconds=exp or DEFAULT_LIFETIME)
        self._bridge.call(self._store.put(self._organization_id, self._prepare_key(key), value, expires_at))

    def check_value(self, key: str) -> bool:
        return self.get_value(key) is not None

    def pop_value(self, key: str) -> Any:
        return self._bridge.call(
            self._store.pop(self._organization_id, self._prepare_key(key), self._clock.now())
        )

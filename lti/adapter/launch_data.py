from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pylti1p3.launch_data_storage.base import LaunchDataStorage


class PrefetchedLaunchData(LaunchDataStorage[Any]):
    """pylti1p3's key-value store for one request, without a database under it: what pylti1p3 will ask for is
    read in the request's unit of work before it runs (`prefetched`: a stored launch, by its id), and what it
    writes is kept in `written` for the caller to store in the same unit of work afterwards. pylti1p3 is
    synchronous and may run in a worker thread; so it never waits for the event loop's database.

    Keys are long random values, so no session-id cookie is needed to keep them apart."""

    def __init__(self, prefetched: Mapping[str, Any] | None = None) -> None:
        super().__init__()
        self._values: dict[str, Any] = dict(prefetched or {})
        self.written: dict[str, tuple[Any, int | None]] = {}

    def get_session_cookie_name(self) -> str | None:
        return None

    def can_set_keys_expiration(self) -> bool:
        return True

    def get_value(self, key: str) -> Any:
        return self._values.get(self._prepare_key(key))

    def set_value(self, key: str, value: Any, exp: int | None = None) -> None:
        self._values[self._prepare_key(key)] = value
        self.written[self._prepare_key(key)] = (value, exp)

    def check_value(self, key: str) -> bool:
        return self.get_value(key) is not None

    def pop_value(self, key: str) -> Any:
        self.written.pop(self._prepare_key(key), None)
        return self._values.pop(self._prepare_key(key), None)

from __future__ import annotations

from pylti1p3.session import SessionService

from lti.adapter.launch_data import DbLaunchDataStorage
from lti.adapter.request import AiohttpRequest


class AiohttpSessionService(SessionService):
    """pylti1p3's session, kept in the database. Unlike the default, a nonce is consumed when checked, so an
    id_token posted a second time is refused."""

    def __init__(self, request: AiohttpRequest, storage: DbLaunchDataStorage) -> None:
        super().__init__(request)
        self._storage = storage
        self.set_data_storage(storage)

    def check_nonce(self, nonce: str) -> bool:
        return self._storage.pop_value(self._get_key("nonce", nonce)) is not None

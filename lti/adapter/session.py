from __future__ import annotations

from pylti1p3.session import SessionService

from lti.adapter.launch_data import DbLaunchDataStorage
from lti.adapter.request import AiohttpRequest


class AiohttpSessionService(SessionService):
    """pylti1p3's session, kept in the database. Unlike the default, a nonce is consumed when checked, so an
    id_token posted a second time is refused. And since a launch is never validated twice (its nonce is spent),
    pylti1p3's record that a state was already answered by an id_token (`set_state_valid`, read back by
    `check_state_is_valid` before the cookie) is neither written nor read: two database round trips less per
    launch, and the state is always checked against its cookie (or the value read back from platform storage)."""

    def __init__(self, request: AiohttpRequest, storage: DbLaunchDataStorage) -> None:
        super().__init__(request)
        self._storage = storage
        self.set_data_storage(storage)

    def check_nonce(self, nonce: str) -> bool:
        return self._storage.pop_value(self._get_key("nonce", nonce)) is not None

    def set_state_valid(self, state: str, id_token_hash: str) -> None:
        return None

    def check_state_is_valid(self, state: str, id_token_hash: str) -> bool:
        return False

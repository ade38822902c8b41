from __future__ import annotations

from typing import Any

from pylti1p3.session import SessionService, TJwtBody

from lti.adapter.launch_data import PrefetchedLaunchData
from lti.adapter.request import AiohttpRequest
from lti.claims import ClaimRefused
from lti.platform_storage import BINDING_MISMATCH, Binding


class AiohttpSessionService(SessionService):
    """pylti1p3's session, kept in the database, with the nonce kept in the login binding.

    At `/lti/login` the tool records under the state the nonce it sent (`lti/login_binding.py`), so pylti1p3's
    own nonce row is not written. At the launch, the nonce check takes that record out (one use: an id_token
    posted a second time is refused) and the id_token's nonce must be the one sent with the posted state: an
    id_token minted for another sign-in (another user's, another tab's) does not pass with this browser's state.

    And since a launch is never validated twice, pylti1p3's record that a state was already answered by an
    id_token (`set_state_valid`, read back by `check_state_is_valid` before the cookie) is neither written nor
    read; the state is always checked against its cookie (or the value read back from platform storage).

    A launch's own storage work is done by `Tool.launch` on the event loop, around a validation that touches no
    storage: the login binding is taken out before (`login_binding`, None when there was none), and the
    validated launch is handed back in `launch_data` for the tool to keep, or not (`Tool._keep`).
    """

    def __init__(self, request: AiohttpRequest, storage: PrefetchedLaunchData) -> None:
        super().__init__(request)
        self._request = request
        self._storage = storage
        self.set_data_storage(storage)
        self.login_binding: Binding | None = None
        self.launch_data: tuple[str, Any] | None = None

    def save_nonce(self, nonce: str) -> None:
        return None  # kept with the state by the login binding

    def check_nonce(self, nonce: str) -> bool:
        binding = self.login_binding
        if binding is None:
            return False  # spent, expired, or never started here: pylti1p3 refuses it
        if binding.nonce != nonce:
            raise ClaimRefused(401, BINDING_MISMATCH)
        return True

    def save_launch_data(self, key: str, jwt_body: TJwtBody) -> None:
        self.launch_data = (key, jwt_body)

    def set_state_valid(self, state: str, id_token_hash: str) -> None:
        return None

    def check_state_is_valid(self, state: str, id_token_hash: str) -> bool:
        return False

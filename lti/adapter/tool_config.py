from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, cast

from pylti1p3.deployment import Deployment
from pylti1p3.registration import Registration
from pylti1p3.tool_config.abstract import ToolConfAbstract

from core.model.platforms import PlatformRegistration, ToolKey
from lti.adapter.request import AiohttpRequest

KEY_SET_TTL = timedelta(hours=24)


class DbToolConf(ToolConfAbstract[AiohttpRequest]):
    """The tool configuration for one request: the registration read from our database beforehand (pylti1p3
    asks synchronously), with the tool's current key pair. The platform key set cached in the database is used
    while fresh; `cached_key_set` tells the message launch to refetch it when a key id is unknown."""

    def __init__(self, registration: PlatformRegistration | None, key: ToolKey, now: datetime) -> None:
        self.issuers_relation_types = {}
        self._registration = registration
        self._key = key
        fresh = (
            registration is not None
            and registration.key_set is not None
            and registration.key_set_fetched_at is not None
            and now - registration.key_set_fetched_at < KEY_SET_TTL
        )
        self.cached_key_set = fresh
        if registration is not None:
            self.set_iss_has_many_clients(registration.issuer)

    def _matches(self, iss: str, client_id: str | None) -> PlatformRegistration | None:
        found = self._registration
        if found is None or found.issuer != iss or (client_id and client_id != found.client_id):
            return None
        return found

    def find_registration_by_issuer(  # type: ignore[override]  # pylti1p3 checks for None itself
        self, iss: str, *args: Any, **kwargs: Any
    ) -> Registration | None:
        return self.find_registration_by_params(iss, None)

    def find_registration_by_params(  # type: ignore[override]
        self, iss: str, client_id: str | None, *args: Any, **kwargs: Any
    ) -> Registration | None:
        found = self._matches(iss, client_id)
        if found is None:
            return None
        registration = (
            Registration()
            .set_issuer(found.issuer)
            .set_client_id(found.client_id)
            .set_auth_login_url(found.auth_login_url)
            .set_auth_token_url(found.auth_token_url)
            .set_key_set_url(found.key_set_url)
            .set_tool_private_key(self._key.private_pem)
            .set_tool_public_key(self._key.public_pem)
        )
        if found.auth_audience:
            registration.set_auth_audience(found.auth_audience)
        if self.cached_key_set and found.key_set is not None:
            registration.set_key_set(cast(Any, dict(found.key_set)))
        return registration

    def find_deployment(self, iss: str, deployment_id: str) -> Deployment | None:
        return self.find_deployment_by_params(iss, deployment_id, None)

    def find_deployment_by_params(
        self, iss: str, deployment_id: str, client_id: str | None, *args: Any, **kwargs: Any
    ) -> Deployment | None:
        found = self._matches(iss, client_id)
        if found is None or deployment_id not in found.deployment_ids:
            return None
        return Deployment().set_deployment_id(deployment_id)

"""What `lti/` needs from storage, as a Protocol; `storage/lti_store.py` implements it, tests may fake it.

Every method that reads or writes an organization's rows takes `organization_id`; tool keys are the tool's own.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol


@dataclass(frozen=True)
class NewRegistration:
    issuer: str
    client_id: str
    auth_login_url: str
    auth_token_url: str
    key_set_url: str
    deployment_ids: tuple[str, ...] = ()
    auth_audience: str | None = None
    name: str | None = None


@dataclass(frozen=True)
class PlatformRegistration:
    id: str
    organization_id: str
    issuer: str
    client_id: str
    auth_login_url: str
    auth_token_url: str
    key_set_url: str
    auth_audience: str | None = None
    deployment_ids: frozenset[str] = frozenset()
    key_set: Mapping[str, Any] | None = None
    key_set_fetched_at: datetime | None = None


@dataclass(frozen=True)
class ToolKey:
    kid: str
    private_pem: str
    public_pem: str
    created_at: datetime
    status: str = "current"  # "current", "previous" or "retired"


@dataclass
class KeyRing:
    current: ToolKey
    previous: list[ToolKey] = field(default_factory=list)


class LtiStore(Protocol):
    async def registration(self, issuer: str, client_id: str | None) -> PlatformRegistration | None:
        """The registration for an issuer and client id; with no client id, the issuer's only one."""
        ...

    async def add_registration(
        self, new: NewRegistration, organization_id: str | None, at: datetime
    ) -> PlatformRegistration:
        """Store a registration (and its deployments) in the given organization, or in a new LMS
        organization named after the issuer when none is given. Re-adding the same issuer and client id
        adds the new deployment ids and updates the URLs."""
        ...

    async def save_key_set(self, registration_id: str, key_set: Mapping[str, Any], at: datetime) -> None: ...

    async def tool_keys(self) -> list[ToolKey]:
        """The current key first, then the previous one(s); retired keys are not returned."""
        ...

    async def rotate_keys(self, new: ToolKey) -> None:
        """`new` becomes current, the current key becomes previous, older previous keys are retired."""
        ...

    async def put(self, organization_id: str, key: str, value: Any, expires_at: datetime) -> None: ...

    async def get(self, organization_id: str, key: str, now: datetime) -> Any | None: ...

    async def pop(self, organization_id: str, key: str, now: datetime) -> Any | None:
        """Read and delete in one go: of two concurrent callers, at most one gets the value."""
        ...

    async def purge(self, now: datetime) -> int: ...

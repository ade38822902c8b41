"""LMS platforms as the LTI door knows them: a registration (issuer + client id, its endpoints and
deployments) and the tool's own signing keys. Plain values; `core.ports.lti.LtiStore` stores them."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any


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

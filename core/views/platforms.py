"""What the LTI door reads of its protocol state, in the request's open unit of work: a platform's
registration, the origins that may frame the pages, the tool's keys, and a value a login or launch kept."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from core.model.platforms import PlatformRegistration, ToolKey
from core.ports import UnitOfWork


async def registration(uow: UnitOfWork, issuer: str, client_id: str | None) -> PlatformRegistration | None:
    """The registration for an issuer and client id; with no client id, the issuer's only one."""
    return await uow.lti.registration(issuer, client_id or None)


async def platform_urls(uow: UnitOfWork) -> list[str]:
    return await uow.lti.platform_urls()


async def tool_keys(uow: UnitOfWork) -> list[ToolKey]:
    """The current key first, then the previous one(s)."""
    return await uow.lti.tool_keys()


async def launch_data(uow: UnitOfWork, organization_id: str, key: str, now: datetime) -> Any | None:
    return await uow.lti.get(organization_id, key, now)

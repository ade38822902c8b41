"""`core.ports.lti.LtiStore` for what runs outside a request: the command line (`peerlearn lti …`), the
worker's clean-up of expired launch data, and tests that set up or inspect the LTI rows. Each call is one unit
of work over the repository (`storage/repositories/lti.py`), committed when it returns; a request reaches the
same repository as `uow.lti` in its own unit of work instead."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from core.model.platforms import NewRegistration, PlatformRegistration, ToolKey
from core.ports.lti import KnownLaunch
from storage.repositories.lti import SqlLtiRepository
from storage.unit_of_work import SqlUnitOfWork

T = TypeVar("T")


class SqlLtiStore:
    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self._sessions = sessions

    async def _once(self, call: Callable[[SqlLtiRepository], Awaitable[T]]) -> T:
        async with SqlUnitOfWork(self._sessions) as uow:
            result = await call(uow.lti)
            await uow.commit()
            return result

    async def registration(self, issuer: str, client_id: str | None) -> PlatformRegistration | None:
        return await self._once(lambda lti: lti.registration(issuer, client_id))

    async def add_registration(
        self, new: NewRegistration, organization_id: str | None, at: datetime
    ) -> PlatformRegistration:
        return await self._once(lambda lti: lti.add_registration(new, organization_id, at))

    async def platform_urls(self) -> list[str]:
        return await self._once(lambda lti: lti.platform_urls())

    async def save_key_set(self, registration_id: str, key_set: Mapping[str, Any], at: datetime) -> None:
        await self._once(lambda lti: lti.save_key_set(registration_id, key_set, at))

    async def tool_keys(self) -> list[ToolKey]:
        return await self._once(lambda lti: lti.tool_keys())

    async def rotate_keys(self, new: ToolKey) -> None:
        await self._once(lambda lti: lti.rotate_keys(new))

    async def put(self, organization_id: str, key: str, value: Any, expires_at: datetime) -> None:
        await self._once(lambda lti: lti.put(organization_id, key, value, expires_at))

    async def get(self, organization_id: str, key: str, now: datetime) -> Any | None:
        return await self._once(lambda lti: lti.get(organization_id, key, now))

    async def pop(self, organization_id: str, key: str, now: datetime) -> Any | None:
        return await self._once(lambda lti: lti.pop(organization_id, key, now))

    async def purge(self, now: datetime) -> int:
        return await self._once(lambda lti: lti.purge(now))

    async def known_launch(
        self, organization_id: str, issuer: str, subject: str, course_id: str
    ) -> KnownLaunch:
        return await self._once(lambda lti: lti.known_launch(organization_id, issuer, subject, course_id))

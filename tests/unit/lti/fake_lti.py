"""The LTI door's rows in memory (`uow.lti`), with the real repository's contract: registrations with their
deployments, the tool's keys (current first), and launch data per organization with its expiry (`pop` takes a
value out once). They live in the `FakeStore`, so a unit of work that is not committed keeps none of it."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any, Protocol

from core.model import ScopeKind
from core.model.platforms import NewRegistration, PlatformRegistration, ToolKey
from core.ports.lti import KnownLaunch


@dataclass
class LtiRows:
    registrations: dict[tuple[str, str], PlatformRegistration] = field(default_factory=dict)
    keys: list[ToolKey] = field(default_factory=list)
    data: dict[tuple[str, str], tuple[Any, datetime]] = field(default_factory=dict)


class _HasLti(Protocol):
    lti: LtiRows


class FakeLti:
    def __init__(self, store: _HasLti) -> None:
        self.s = store

    @property
    def rows(self) -> LtiRows:
        return self.s.lti

    async def registration(self, issuer: str, client_id: str | None) -> PlatformRegistration | None:
        found = [r for (i, c), r in self.rows.registrations.items() if i == issuer and client_id in (None, c)]
        return found[0] if len(found) == 1 else None

    async def add_registration(
        self, new: NewRegistration, organization_id: str | None, at: datetime
    ) -> PlatformRegistration:
        key = (new.issuer, new.client_id)
        known = self.rows.registrations.get(key)
        if known is not None and organization_id is not None and organization_id != known.organization_id:
            raise LookupError(
                f"The issuer '{new.issuer}' with client id '{new.client_id}' is already registered "
                "in another organization."
            )
        registration = PlatformRegistration(
            id=known.id if known else f"reg-{len(self.rows.registrations) + 1}",
            organization_id=organization_id or (known.organization_id if known else f"lms-{new.issuer}"),
            issuer=new.issuer,
            client_id=new.client_id,
            auth_login_url=new.auth_login_url,
            auth_token_url=new.auth_token_url,
            key_set_url=new.key_set_url,
            auth_audience=new.auth_audience,
            deployment_ids=(known.deployment_ids if known else frozenset()) | frozenset(new.deployment_ids),
        )
        self.rows.registrations[key] = registration
        return registration

    async def platform_urls(self) -> list[str]:
        return [url for r in self.rows.registrations.values() for url in (r.issuer, r.auth_login_url)]

    async def save_key_set(self, registration_id: str, key_set: Mapping[str, Any], at: datetime) -> None:
        for key, r in self.rows.registrations.items():
            if r.id == registration_id:
                self.rows.registrations[key] = replace(r, key_set=dict(key_set), key_set_fetched_at=at)

    async def tool_keys(self) -> list[ToolKey]:
        return list(self.rows.keys)

    async def rotate_keys(self, new: ToolKey) -> None:
        self.rows.keys = [new, *self.rows.keys[:1]]

    async def put(self, organization_id: str, key: str, value: Any, expires_at: datetime) -> None:
        if any(k == key and org != organization_id for org, k in self.rows.data):
            raise PermissionError(f"The launch data key '{key[:40]}' belongs to another organization.")
        self.rows.data[(organization_id, key)] = (value, expires_at)

    async def get(self, organization_id: str, key: str, now: datetime) -> Any | None:
        value, expires_at = self.rows.data.get((organization_id, key), (None, now))
        return value if expires_at > now else None

    async def pop(self, organization_id: str, key: str, now: datetime) -> Any | None:
        value = await self.get(organization_id, key, now)
        self.rows.data.pop((organization_id, key), None)
        return value

    async def purge(self, now: datetime) -> int:
        expired = [k for k, (_, expires_at) in self.rows.data.items() if expires_at <= now]
        for k in expired:
            del self.rows.data[k]
        return len(expired)

    async def known_launch(
        self, organization_id: str, issuer: str, subject: str, course_id: str
    ) -> KnownLaunch:
        # The domain's fakes import this module; read through them as the real query joins their tables.
        from tests.unit.fakes import (
            FakeEnrollments,
            FakeOrganizations,
            FakePersons,
            FakeProfiles,
            FakePrograms,
        )

        store: Any = self.s
        if await FakeOrganizations(store).get(organization_id) is None:
            return KnownLaunch(False, None, None, None, None)
        person = await FakePersons(store).by_lti_subject(organization_id, issuer, subject)
        program = await FakePrograms(store).by_scope(organization_id, ScopeKind.LMS_COURSE, course_id)
        enrollment = (
            await FakeEnrollments(store).get(organization_id, program.id, person.id)
            if person is not None and program is not None
            else None
        )
        profile = await FakeProfiles(store).get(organization_id, person.id) if person is not None else None
        return KnownLaunch(True, person, program, enrollment, profile)

"""What the LTI door needs from storage besides the domain: platform registrations (with their deployments),
the tool's keys, and short-lived launch data (login bindings, pylti1p3's validated launches).

`LtiRepository` is a repository of the unit of work (`uow.lti`, `storage/repositories/lti.py`): its reads and
writes are the request's, committed or rolled back with everything else the request does. The LTI door
reaches it through core's views (`core.views.platforms`) and commands (`core.commands`, handled by
`core.services.platforms`), never directly.

Every method that reads or writes an organization's rows takes `organization_id`; tool keys are the tool's own.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from core.model import Enrollment, Person, Profile, Program
from core.model.platforms import NewRegistration, PlatformRegistration, ToolKey


@dataclass(frozen=True)
class KnownLaunch:
    """What a launch finds already stored for its person and course, read together (`core.views.launch`)."""

    organization_exists: bool
    person: Person | None  # by the launch's issuer and subject
    program: Program | None  # the course's, by its scope
    enrollment: Enrollment | None  # the person's in that program
    profile: Profile | None  # the person's


class LtiRepository(Protocol):
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

    async def platform_urls(self) -> list[str]:
        """Every registered platform's issuer and login URL (the LTI pages may be framed by their origins)."""
        ...

    async def save_key_set(self, registration_id: str, key_set: Mapping[str, Any], at: datetime) -> None: ...

    async def tool_keys(self) -> list[ToolKey]:
        """The current key first, then the previous one(s); retired keys are not returned."""
        ...

    async def rotate_keys(self, new: ToolKey) -> None:
        """`new` becomes current, the current key becomes previous, older previous keys are retired."""
        ...

    async def put(self, organization_id: str, key: str, value: Any, expires_at: datetime) -> None:
        """Keep `value` under `key` until `expires_at`. A key another organization holds is refused
        (`PermissionError`)."""
        ...

    async def get(self, organization_id: str, key: str, now: datetime) -> Any | None: ...

    async def pop(self, organization_id: str, key: str, now: datetime) -> Any | None:
        """Read and delete in one go: of two concurrent units of work, at most one gets the value."""
        ...

    async def purge(self, now: datetime) -> int: ...

    async def known_launch(
        self, organization_id: str, issuer: str, subject: str, course_id: str
    ) -> KnownLaunch:
        """The organization, the person an LTI identity names, the course's program (scope `lms_course`), the
        person's enrollment in it and their profile: one read, for a launch of someone the tool knows."""
        ...


# The same operations, each one a unit of work of its own: what the command line and the worker's clean-up
# use (`storage.lti_store.SqlLtiStore`).
LtiStore = LtiRepository

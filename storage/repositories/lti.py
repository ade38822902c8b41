"""The LTI door's rows as a repository of the unit of work (`core.ports.lti.LtiRepository`): platform
registrations and their deployments, the tool's key pairs, and short-lived launch data. Every statement runs
in the unit's transaction, so a launch's login binding, kept launch and key set are committed (or rolled
back) with the person and course it resolves."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Select, Table, and_, bindparam, delete, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from core.model import LtiIdentity, OrganizationKind, Person, ScopeKind, TeamsIdentity, new_id
from core.model.platforms import NewRegistration, PlatformRegistration, ToolKey
from core.ports.lti import KnownLaunch
from storage.models import (
    EnrollmentRow,
    FacilitatorRow,
    LtiIdentityRow,
    OrganizationRow,
    PersonRow,
    ProfileRow,
    ProgramRow,
)
from storage.models_lti import LtiDeploymentRow, LtiLaunchDataRow, LtiRegistrationRow, LtiToolKeyRow
from storage.repositories.people import SqlProfileRepository
from storage.repositories.programs import SqlEnrollmentRepository, SqlProgramRepository

# Bulk UPDATE and DELETE here touch rows no object of the session holds: no need to look for them.
BULK = {"synchronize_session": False}
# Launch data is written and read on every login and launch: as plain table statements, without the ORM's
# bulk-statement machinery around them (no object of the session ever holds these rows).
DATA = cast(Table, LtiLaunchDataRow.__table__)


def _known_launch() -> Select[str, PersonRow, str, str, ProgramRow, str, EnrollmentRow, ProfileRow]:
    """One statement: the organization, outer-joined to the person its LTI identity names (with all their
    identities), the course's program (with its facilitators), the enrollment and the profile. A row per
    identity and facilitator; a launch is one person and one course, so a handful of rows at most. Built once
    (building it took longer than running it on SQLite), run with the launch's values as parameters."""
    named, identity = aliased(LtiIdentityRow), aliased(LtiIdentityRow)
    org = OrganizationRow.id
    return (
        select(
            OrganizationRow.id,
            PersonRow,
            identity.issuer,
            identity.subject,
            ProgramRow,
            FacilitatorRow.person_id,
            EnrollmentRow,
            ProfileRow,
        )
        .select_from(OrganizationRow)
        .outerjoin(
            named,
            and_(
                named.organization_id == org,
                named.issuer == bindparam("issuer"),
                named.subject == bindparam("subject"),
            ),
        )
        .outerjoin(PersonRow, and_(PersonRow.organization_id == org, PersonRow.id == named.person_id))
        .outerjoin(identity, and_(identity.organization_id == org, identity.person_id == PersonRow.id))
        .outerjoin(
            ProgramRow,
            and_(
                ProgramRow.organization_id == org,
                ProgramRow.scope_kind == ScopeKind.LMS_COURSE.value,
                ProgramRow.scope_id == bindparam("course_id"),
            ),
        )
        .outerjoin(
            FacilitatorRow,
            and_(FacilitatorRow.organization_id == org, FacilitatorRow.program_id == ProgramRow.id),
        )
        .outerjoin(
            EnrollmentRow,
            and_(
                EnrollmentRow.organization_id == org,
                EnrollmentRow.program_id == ProgramRow.id,
                EnrollmentRow.person_id == PersonRow.id,
            ),
        )
        .outerjoin(ProfileRow, and_(ProfileRow.organization_id == org, ProfileRow.person_id == PersonRow.id))
        .where(org == bindparam("organization_id"))
        .order_by(identity.id, FacilitatorRow.person_id)
    )


_KNOWN_LAUNCH = _known_launch()
# Taking launch data out, the same way: built once, run with its key and organization.
_POP = (
    delete(DATA)
    .where(DATA.c.key == bindparam("key"), DATA.c.organization_id == bindparam("organization_id"))
    .returning(DATA.c.value, DATA.c.expires_at)
)


def _put(insert: Callable[[Table], Any]) -> Any:
    """Keeping launch data: insert, or update the value when the key is already this organization's (a key of
    another organization is left alone: no row counted). Built once per dialect, run with the values."""
    statement = insert(DATA).values(
        organization_id=bindparam("organization_id", type_=DATA.c.organization_id.type),
        key=bindparam("key", type_=DATA.c.key.type),
        value=bindparam("value", type_=DATA.c.value.type),
        expires_at=bindparam("expires_at", type_=DATA.c.expires_at.type),
    )
    return statement.on_conflict_do_update(
        index_elements=["key"],
        set_={"value": statement.excluded.value, "expires_at": statement.excluded.expires_at},
        where=DATA.c.organization_id == statement.excluded.organization_id,
    )


_PUT = {"postgresql": _put(postgresql.insert), "sqlite": _put(sqlite.insert)}


class SqlLtiRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    def _to_registration(self, row: LtiRegistrationRow, deployments: frozenset[str]) -> PlatformRegistration:
        return PlatformRegistration(
            id=row.id,
            organization_id=row.organization_id,
            issuer=row.issuer,
            client_id=row.client_id,
            auth_login_url=row.auth_login_url,
            auth_token_url=row.auth_token_url,
            key_set_url=row.key_set_url,
            auth_audience=row.auth_audience,
            deployment_ids=deployments,
            key_set=row.key_set,
            key_set_fetched_at=row.key_set_fetched_at,
        )

    async def _deployments(self, row: LtiRegistrationRow) -> frozenset[str]:
        found = await self.session.scalars(
            select(LtiDeploymentRow.deployment_id).where(
                LtiDeploymentRow.organization_id == row.organization_id,
                LtiDeploymentRow.registration_id == row.id,
            )
        )
        return frozenset(found)

    async def registration(self, issuer: str, client_id: str | None) -> PlatformRegistration | None:
        # The registration and its deployments in one statement (an outer join: a registration may have none).
        query = (
            select(LtiRegistrationRow, LtiDeploymentRow.deployment_id)
            .outerjoin(
                LtiDeploymentRow,
                (LtiDeploymentRow.organization_id == LtiRegistrationRow.organization_id)
                & (LtiDeploymentRow.registration_id == LtiRegistrationRow.id),
            )
            .where(LtiRegistrationRow.issuer == issuer)
        )
        if client_id:
            query = query.where(LtiRegistrationRow.client_id == client_id)
        rows = (await self.session.execute(query)).all()
        registrations = {row[0].id: row[0] for row in rows}
        if len(registrations) != 1:
            return None
        (found,) = registrations.values()
        return self._to_registration(found, frozenset(row[1] for row in rows if row[1] is not None))

    async def platform_urls(self) -> list[str]:
        query = select(LtiRegistrationRow.issuer, LtiRegistrationRow.auth_login_url)
        return [url for row in (await self.session.execute(query)).all() for url in row]

    async def _organization(self, new: NewRegistration, organization_id: str | None) -> str:
        if organization_id is not None:
            found = await self.session.get(OrganizationRow, organization_id)
            if found is None:
                raise LookupError(f"No organization has the id '{organization_id}'.")
            return found.id
        existing = await self.session.scalar(
            select(OrganizationRow).where(
                OrganizationRow.kind == OrganizationKind.LMS_PLATFORM.value,
                OrganizationRow.external_id == new.issuer,
            )
        )
        if existing is not None:
            return existing.id
        row = OrganizationRow(
            id=new_id(),
            kind=OrganizationKind.LMS_PLATFORM.value,
            external_id=new.issuer,
            name=(new.name or new.issuer)[:255],
            active=True,
        )
        self.session.add(row)
        await self.session.flush()
        return row.id

    async def add_registration(
        self, new: NewRegistration, organization_id: str | None, at: datetime
    ) -> PlatformRegistration:
        session = self.session
        row = await session.scalar(
            select(LtiRegistrationRow).where(
                LtiRegistrationRow.issuer == new.issuer, LtiRegistrationRow.client_id == new.client_id
            )
        )
        if row is None:
            org = await self._organization(new, organization_id)
            row = LtiRegistrationRow(
                id=new_id(), organization_id=org, issuer=new.issuer, client_id=new.client_id, created_at=at
            )
            session.add(row)
        elif organization_id is not None and organization_id != row.organization_id:
            raise LookupError(
                f"The issuer '{new.issuer}' with client id '{new.client_id}' is already registered "
                "in another organization."
            )
        row.auth_login_url = new.auth_login_url
        row.auth_token_url = new.auth_token_url
        row.auth_audience = new.auth_audience
        row.key_set_url = new.key_set_url
        row.key_set, row.key_set_fetched_at = None, None
        await session.flush()
        known = await self._deployments(row)
        for deployment_id in dict.fromkeys(new.deployment_ids):
            if deployment_id not in known:
                session.add(
                    LtiDeploymentRow(
                        organization_id=row.organization_id,
                        registration_id=row.id,
                        deployment_id=deployment_id,
                    )
                )
        await session.flush()
        return self._to_registration(row, known | frozenset(new.deployment_ids))

    async def save_key_set(self, registration_id: str, key_set: Mapping[str, Any], at: datetime) -> None:
        await self.session.execute(
            update(LtiRegistrationRow)
            .where(LtiRegistrationRow.id == registration_id)
            .values(key_set=dict(key_set), key_set_fetched_at=at),
            execution_options=BULK,
        )

    async def tool_keys(self) -> list[ToolKey]:
        rows = await self.session.execute(
            select(
                LtiToolKeyRow.kid,
                LtiToolKeyRow.private_pem,
                LtiToolKeyRow.public_pem,
                LtiToolKeyRow.created_at,
                LtiToolKeyRow.status,
            )
            .where(LtiToolKeyRow.status != "retired")
            .order_by(LtiToolKeyRow.status, LtiToolKeyRow.created_at.desc())  # "current" before "previous"
        )
        return [ToolKey(*r) for r in rows.all()]

    async def rotate_keys(self, new: ToolKey) -> None:
        await self.session.execute(
            update(LtiToolKeyRow).where(LtiToolKeyRow.status == "previous").values(status="retired"),
            execution_options=BULK,
        )
        await self.session.execute(
            update(LtiToolKeyRow).where(LtiToolKeyRow.status == "current").values(status="previous"),
            execution_options=BULK,
        )
        self.session.add(
            LtiToolKeyRow(
                kid=new.kid,
                status="current",
                private_pem=new.private_pem,
                public_pem=new.public_pem,
                created_at=new.created_at,
            )
        )
        await self.session.flush()

    async def put(self, organization_id: str, key: str, value: Any, expires_at: datetime) -> None:
        # One statement: insert, or update the value when the key is already this organization's; a key of
        # another organization is left alone, and refused.
        bind = self.session.bind
        dialect = "postgresql" if bind is not None and bind.dialect.name == "postgresql" else "sqlite"
        values = {
            "organization_id": organization_id,
            "key": key,
            "value": {"v": value},
            "expires_at": expires_at,
        }
        result = await self.session.execute(_PUT[dialect], values)
        if getattr(result, "rowcount", 1) == 0:
            raise PermissionError(f"The launch data key '{key[:40]}' belongs to another organization.")

    async def get(self, organization_id: str, key: str, now: datetime) -> Any | None:
        found = (
            await self.session.execute(
                select(DATA.c.value).where(
                    DATA.c.key == key, DATA.c.organization_id == organization_id, DATA.c.expires_at > now
                )
            )
        ).first()
        return None if found is None else found.value.get("v")

    async def pop(self, organization_id: str, key: str, now: datetime) -> Any | None:
        # Only the unit of work whose DELETE removed the row gets the value: a nonce is accepted once (on
        # PostgreSQL a second DELETE of the row waits for the first's commit, then finds nothing).
        removed = (await self.session.execute(_POP, {"key": key, "organization_id": organization_id})).first()
        if removed is None or removed.expires_at <= now:
            return None
        return removed.value.get("v")

    async def purge(self, now: datetime) -> int:
        result = await self.session.execute(
            delete(LtiLaunchDataRow).where(LtiLaunchDataRow.expires_at <= now), execution_options=BULK
        )
        return int(getattr(result, "rowcount", 0))

    async def known_launch(
        self, organization_id: str, issuer: str, subject: str, course_id: str
    ) -> KnownLaunch:
        parameters = {"organization_id": organization_id, "issuer": issuer, "subject": subject}
        rows = (await self.session.execute(_KNOWN_LAUNCH, {**parameters, "course_id": course_id})).all()
        if not rows:
            return KnownLaunch(False, None, None, None, None)
        first = rows[0]
        person_row, program_row, enrollment_row, profile_row = first[1], first[4], first[6], first[7]
        person = None
        if person_row is not None:
            identities = dict.fromkeys((r[2], r[3]) for r in rows if r[2] is not None)
            person = Person(
                id=person_row.id,
                organization_id=person_row.organization_id,
                display_name=person_row.display_name,
                verified_email=person_row.verified_email,
                teams=TeamsIdentity(
                    person_row.tenant_id, person_row.aad_object_id, person_row.teams_user_id or ""
                )
                if person_row.aad_object_id and person_row.tenant_id
                else None,
                lti=[LtiIdentity(i, s) for i, s in identities],
                erased=person_row.erased,
            )
        program = None
        if program_row is not None:
            facilitators = list(dict.fromkeys(r[5] for r in rows if r[5] is not None))
            program = SqlProgramRepository._to_domain(program_row, sorted(facilitators))
        profiles = (
            await SqlProfileRepository(self.session)._load(organization_id, [profile_row])
            if profile_row is not None
            else []
        )
        return KnownLaunch(
            True,
            person,
            program,
            SqlEnrollmentRepository._to_domain(enrollment_row) if enrollment_row is not None else None,
            profiles[0] if profiles else None,
        )

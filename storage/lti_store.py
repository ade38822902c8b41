"""The SQL implementation of `core.ports.lti.LtiStore`. Each call is its own short transaction."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from core.model import OrganizationKind, new_id
from core.model.platforms import NewRegistration, PlatformRegistration, ToolKey
from storage.models import OrganizationRow
from storage.models_lti import LtiDeploymentRow, LtiLaunchDataRow, LtiRegistrationRow, LtiToolKeyRow

# A statement that is a whole transaction by itself (an upsert, a DELETE … RETURNING) runs without BEGIN/COMMIT.
SINGLE_STATEMENT = {"isolation_level": "AUTOCOMMIT"}


class SqlLtiStore:
    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self._sessions = sessions

    async def _to_registration(self, session: AsyncSession, row: LtiRegistrationRow) -> PlatformRegistration:
        deployments = await session.scalars(
            select(LtiDeploymentRow.deployment_id).where(
                LtiDeploymentRow.organization_id == row.organization_id,
                LtiDeploymentRow.registration_id == row.id,
            )
        )
        return PlatformRegistration(
            id=row.id,
            organization_id=row.organization_id,
            issuer=row.issuer,
            client_id=row.client_id,
            auth_login_url=row.auth_login_url,
            auth_token_url=row.auth_token_url,
            key_set_url=row.key_set_url,
            auth_audience=row.auth_audience,
            deployment_ids=frozenset(deployments),
            key_set=row.key_set,
            key_set_fetched_at=row.key_set_fetched_at,
        )

    async def registration(self, issuer: str, client_id: str | None) -> PlatformRegistration | None:
        async with self._sessions() as session:
            query = select(LtiRegistrationRow).where(LtiRegistrationRow.issuer == issuer)
            if client_id:
                query = query.where(LtiRegistrationRow.client_id == client_id)
            rows = list((await session.scalars(query.limit(2))).all())
            if len(rows) != 1:
                return None
            return await self._to_registration(session, rows[0])

    async def platform_urls(self) -> list[str]:
        async with self._sessions() as session:
            query = select(LtiRegistrationRow.issuer, LtiRegistrationRow.auth_login_url)
            return [url for row in (await session.execute(query)).all() for url in row]

    async def _organization(
        self, session: AsyncSession, new: NewRegistration, organization_id: str | None
    ) -> str:
        if organization_id is not None:
            found = await session.get(OrganizationRow, organization_id)
            if found is None:
                raise LookupError(f"No organization has the id '{organization_id}'.")
            return found.id
        existing = await session.scalar(
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
        session.add(row)
        await session.flush()
        return row.id

    async def add_registration(
        self, new: NewRegistration, organization_id: str | None, at: datetime
    ) -> PlatformRegistration:
        async with self._sessions() as session, session.begin():
            row = await session.scalar(
                select(LtiRegistrationRow).where(
                    LtiRegistrationRow.issuer == new.issuer, LtiRegistrationRow.client_id == new.client_id
                )
            )
            if row is None:
                org = await self._organization(session, new, organization_id)
                row = LtiRegistrationRow(
                    id=new_id(),
                    organization_id=org,
                    issuer=new.issuer,
                    client_id=new.client_id,
                    created_at=at,
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
            known = set(
                await session.scalars(
                    select(LtiDeploymentRow.deployment_id).where(LtiDeploymentRow.registration_id == row.id)
                )
            )
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
            return await self._to_registration(session, row)

    async def save_key_set(self, registration_id: str, key_set: Mapping[str, Any], at: datetime) -> None:
        async with self._sessions() as session, session.begin():
            await session.execute(
                update(LtiRegistrationRow)
                .where(LtiRegistrationRow.id == registration_id)
                .values(key_set=dict(key_set), key_set_fetched_at=at)
            )

    async def tool_keys(self) -> list[ToolKey]:
        async with self._sessions() as session:
            rows = await session.scalars(
                select(LtiToolKeyRow)
                .where(LtiToolKeyRow.status != "retired")
                .order_by(LtiToolKeyRow.status, LtiToolKeyRow.created_at.desc())
            )
            # "current" sorts before "previous".
            return [ToolKey(r.kid, r.private_pem, r.public_pem, r.created_at, r.status) for r in rows]

    async def rotate_keys(self, new: ToolKey) -> None:
        async with self._sessions() as session, session.begin():
            await session.execute(
                update(LtiToolKeyRow).where(LtiToolKeyRow.status == "previous").values(status="retired")
            )
            await session.execute(
                update(LtiToolKeyRow).where(LtiToolKeyRow.status == "current").values(status="previous")
            )
            session.add(
                LtiToolKeyRow(
                    kid=new.kid,
                    status="current",
                    private_pem=new.private_pem,
                    public_pem=new.public_pem,
                    created_at=new.created_at,
                )
            )

    async def put(self, organization_id: str, key: str, value: Any, expires_at: datetime) -> None:
        # One statement: insert, or update the value when the key is already this organization's; a key of
        # another organization is left alone, and refused. One statement is atomic on its own, so it runs
        # without BEGIN and COMMIT around it (two round trips fewer on PostgreSQL).
        async with self._sessions() as session:
            connection = await session.connection(execution_options=SINGLE_STATEMENT)
            bind = session.bind
            insert = (
                postgresql.insert if bind is not None and bind.dialect.name == "postgresql" else sqlite.insert
            )
            statement = insert(LtiLaunchDataRow).values(
                organization_id=organization_id, key=key, value={"v": value}, expires_at=expires_at
            )
            result = await connection.execute(
                statement.on_conflict_do_update(
                    index_elements=["key"],
                    set_={"value": statement.excluded.value, "expires_at": statement.excluded.expires_at},
                    where=LtiLaunchDataRow.organization_id == organization_id,
                )
            )
            if getattr(result, "rowcount", 1) == 0:
                raise PermissionError(f"The launch data key '{key[:40]}' belongs to another organization.")

    async def get(self, organization_id: str, key: str, now: datetime) -> Any | None:
        async with self._sessions() as session:
            row = await session.get(LtiLaunchDataRow, key)
            if row is None or row.organization_id != organization_id or row.expires_at <= now:
                return None
            return row.value.get("v")

    async def pop(self, organization_id: str, key: str, now: datetime) -> Any | None:
        async with self._sessions() as session:
            # Only the caller whose DELETE removed the row gets the value: a nonce is accepted once. One
            # statement, atomic on its own: no BEGIN and COMMIT around it.
            connection = await session.connection(execution_options=SINGLE_STATEMENT)
            removed = (
                await connection.execute(
                    delete(LtiLaunchDataRow)
                    .where(LtiLaunchDataRow.key == key, LtiLaunchDataRow.organization_id == organization_id)
                    .returning(LtiLaunchDataRow.value, LtiLaunchDataRow.expires_at)
                )
            ).first()
            if removed is None or removed.expires_at <= now:
                return None
            return removed.value.get("v")

    async def purge(self, now: datetime) -> int:
        async with self._sessions() as session, session.begin():
            result = await session.execute(delete(LtiLaunchDataRow).where(LtiLaunchDataRow.expires_at <= now))
            return int(getattr(result, "rowcount", 0))

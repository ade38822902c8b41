from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import ColumnElement, and_, delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from core.model import LtiIdentity, Organization, OrganizationKind, Person, Profile, SkillLevel, TeamsIdentity
from storage.models import LtiIdentityRow, OrganizationRow, PersonRow, ProfileRow, ProfileSkillRow
from storage.repositories._chunks import chunks
from storage.repositories._joined import by_parent


class SqlOrganizationRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    @staticmethod
    def _to_domain(row: OrganizationRow) -> Organization:
        return Organization(row.id, OrganizationKind(row.kind), row.external_id, row.name, row.active)

    async def get(self, organization_id: str) -> Organization | None:
        row = await self.session.get(OrganizationRow, organization_id)
        return None if row is None else self._to_domain(row)

    async def by_external_id(self, kind: OrganizationKind, external_id: str) -> Organization | None:
        row = await self.session.scalar(
            select(OrganizationRow).where(
                OrganizationRow.kind == kind.value, OrganizationRow.external_id == external_id
            )
        )
        return None if row is None else self._to_domain(row)

    async def add(self, organization: Organization) -> None:
        await self.save(organization)

    async def save(self, organization: Organization) -> None:
        row = await self.session.get(OrganizationRow, organization.id) or OrganizationRow(id=organization.id)
        row.kind, row.external_id = organization.kind.value, organization.external_id
        row.name, row.active = organization.name, organization.active
        self.session.add(row)
        await self.session.flush()


class SqlPersonRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def _select(self, *conditions: ColumnElement[bool]) -> list[Person]:
        """The people matching `conditions`, ordered by id, with their LTI identities: one query (a join)."""
        result = await self.session.execute(
            select(PersonRow, LtiIdentityRow)
            .outerjoin(
                LtiIdentityRow,
                and_(
                    LtiIdentityRow.organization_id == PersonRow.organization_id,
                    LtiIdentityRow.person_id == PersonRow.id,
                ),
            )
            .where(*conditions)
            .order_by(PersonRow.id, LtiIdentityRow.id)
        )
        return [
            Person(
                id=row.id,
                organization_id=row.organization_id,
                display_name=row.display_name,
                verified_email=row.verified_email,
                teams=TeamsIdentity(row.tenant_id, row.aad_object_id, row.teams_user_id or "")
                if row.aad_object_id and row.tenant_id
                else None,
                lti=[LtiIdentity(i.issuer, i.subject) for i in identities],
                erased=row.erased,
            )
            for row, identities in by_parent(result)
        ]

    async def _one(self, *conditions: ColumnElement[bool]) -> Person | None:
        found = await self._select(*conditions)
        return found[0] if found else None

    async def get(self, organization_id: str, person_id: str) -> Person | None:
        return await self._one(PersonRow.organization_id == organization_id, PersonRow.id == person_id)

    async def by_aad_object_id(self, organization_id: str, aad_object_id: str) -> Person | None:
        return await self._one(
            PersonRow.organization_id == organization_id, PersonRow.aad_object_id == aad_object_id
        )

    async def by_lti_subject(self, organization_id: str, issuer: str, subject: str) -> Person | None:
        person_id = await self.session.scalar(
            select(LtiIdentityRow.person_id).where(
                LtiIdentityRow.organization_id == organization_id,
                LtiIdentityRow.issuer == issuer,
                LtiIdentityRow.subject == subject,
            )
        )
        return None if person_id is None else await self.get(organization_id, person_id)

    async def by_lti_subjects(
        self, organization_id: str, issuer: str, subjects: Sequence[str]
    ) -> dict[str, Person]:
        """The people a platform's subjects are, by subject, in a few statements (a course roster's worth)."""
        person_of: dict[str, str] = {}
        for some in chunks(subjects):
            rows = await self.session.execute(
                select(LtiIdentityRow.subject, LtiIdentityRow.person_id).where(
                    LtiIdentityRow.organization_id == organization_id,
                    LtiIdentityRow.issuer == issuer,
                    LtiIdentityRow.subject.in_(some),
                )
            )
            person_of.update((subject, person_id) for subject, person_id in rows)
        people = {p.id: p for p in await self.many(organization_id, list(person_of.values()))}
        return {s: people[pid] for s, pid in person_of.items() if pid in people}

    async def by_verified_email(self, organization_id: str, email: str) -> list[Person]:
        return await self._select(
            PersonRow.organization_id == organization_id, PersonRow.verified_email == email
        )

    async def many(self, organization_id: str, person_ids: Sequence[str]) -> list[Person]:
        found: list[Person] = []
        for some in chunks(person_ids):
            found += await self._select(PersonRow.organization_id == organization_id, PersonRow.id.in_(some))
        return found

    async def add(self, person: Person) -> None:
        await self.save(person)

    async def save(self, person: Person) -> None:
        row = await self.session.get(PersonRow, person.id)
        if row is None:
            row = PersonRow(id=person.id, organization_id=person.organization_id)
            self.session.add(row)
        elif row.organization_id != person.organization_id:
            raise ValueError(f"Person {person.id} belongs to another organization; refusing to move it.")
        row.display_name, row.verified_email, row.erased = (
            person.display_name,
            person.verified_email,
            person.erased,
        )
        row.tenant_id = person.teams.tenant_id if person.teams else None
        row.aad_object_id = person.teams.aad_object_id if person.teams else None
        row.teams_user_id = person.teams.teams_user_id if person.teams else None
        await self.session.flush()
        await self.session.execute(delete(LtiIdentityRow).where(LtiIdentityRow.person_id == person.id))
        for identity in person.lti:
            self.session.add(
                LtiIdentityRow(
                    organization_id=person.organization_id,
                    person_id=person.id,
                    issuer=identity.issuer,
                    subject=identity.subject,
                )
            )
        await self.session.flush()

    async def remove(self, organization_id: str, person_id: str) -> None:
        await self.session.execute(
            delete(PersonRow).where(PersonRow.organization_id == organization_id, PersonRow.id == person_id)
        )
        self.session.expunge_all()


class SqlProfileRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def _load(self, organization_id: str, rows: Sequence[ProfileRow]) -> list[Profile]:
        if not rows:
            return []
        by_person: dict[tuple[str, str], list[SkillLevel]] = {}
        for some in chunks(r.person_id for r in rows):
            skills = await self.session.scalars(
                select(ProfileSkillRow)
                .where(
                    ProfileSkillRow.organization_id == organization_id, ProfileSkillRow.person_id.in_(some)
                )
                .order_by(ProfileSkillRow.id)
            )
            for s in skills:
                by_person.setdefault((s.person_id, s.direction), []).append(
                    SkillLevel(s.skill_key, s.level, s.label)
                )
        return [
            Profile(
                person_id=r.person_id,
                teaches=tuple(by_person.get((r.person_id, "teach"), ())),
                learns=tuple(by_person.get((r.person_id, "learn"), ())),
                department=r.department,
                timezone=r.timezone,
                hours_per_month=r.hours_per_month,
                goals=r.goals,
                discoverable_as_expert=r.discoverable_as_expert,
                weekly_availability=frozenset(int(h) for h in r.weekly_availability),
                mentor_capacity=r.mentor_capacity,
                is_new_hire=r.is_new_hire,
                started_on=r.started_on,
            )
            for r in rows
        ]

    async def get(self, organization_id: str, person_id: str) -> Profile | None:
        found = await self.many(organization_id, [person_id])
        return found[0] if found else None

    async def many(self, organization_id: str, person_ids: Sequence[str]) -> list[Profile]:
        rows: list[ProfileRow] = []
        for some in chunks(person_ids):
            found = await self.session.scalars(
                select(ProfileRow).where(
                    ProfileRow.organization_id == organization_id, ProfileRow.person_id.in_(some)
                )
            )
            rows += found.all()
        return await self._load(organization_id, rows)

    async def teachers_of(self, organization_id: str, skill_key: str) -> list[Profile]:
        rows = await self.session.scalars(
            select(ProfileRow)
            .join(ProfileSkillRow, ProfileSkillRow.person_id == ProfileRow.person_id)
            .where(
                ProfileRow.organization_id == organization_id,
                ProfileSkillRow.organization_id == organization_id,
                ProfileSkillRow.direction == "teach",
                ProfileSkillRow.skill_key == skill_key,
            )
            .order_by(ProfileSkillRow.level.desc(), ProfileRow.person_id)
        )
        return await self._load(organization_id, rows.all())

    async def findable_teachers(self, organization_id: str, skill_key: str, limit: int) -> list[Profile]:
        # The skill index finds the skill's teachers; only the best `limit` who opted in are loaded.
        rows = await self.session.scalars(
            select(ProfileRow)
            .join(ProfileSkillRow, ProfileSkillRow.person_id == ProfileRow.person_id)
            .where(
                ProfileRow.organization_id == organization_id,
                ProfileRow.discoverable_as_expert.is_(True),
                ProfileSkillRow.organization_id == organization_id,
                ProfileSkillRow.direction == "teach",
                ProfileSkillRow.skill_key == skill_key,
            )
            .order_by(ProfileSkillRow.level.desc(), ProfileSkillRow.person_id.desc())
            .limit(limit)
        )
        return await self._load(organization_id, rows.all())

    async def save(self, organization_id: str, profile: Profile) -> None:
        row = await self.session.get(ProfileRow, profile.person_id)
        if row is None:
            row = ProfileRow(person_id=profile.person_id, organization_id=organization_id)
            self.session.add(row)
        elif row.organization_id != organization_id:
            raise ValueError(
                f"Profile {profile.person_id} belongs to another organization; refusing to move it."
            )
        row.department, row.timezone, row.hours_per_month = (
            profile.department,
            profile.timezone,
            profile.hours_per_month,
        )
        row.goals, row.discoverable_as_expert = profile.goals, profile.discoverable_as_expert
        row.weekly_availability = sorted(profile.weekly_availability)
        row.mentor_capacity, row.is_new_hire, row.started_on = (
            profile.mentor_capacity,
            profile.is_new_hire,
            profile.started_on,
        )
        await self.session.execute(
            delete(ProfileSkillRow).where(ProfileSkillRow.person_id == profile.person_id)
        )
        for direction, skills in (("teach", profile.teaches), ("learn", profile.learns)):
            for s in skills:
                self.session.add(
                    ProfileSkillRow(
                        organization_id=organization_id,
                        person_id=profile.person_id,
                        direction=direction,
                        skill_key=s.key,
                        label=s.label,
                        level=s.level,
                    )
                )
        await self.session.flush()

    async def delete(self, organization_id: str, person_id: str) -> None:
        for table in (ProfileSkillRow, ProfileRow):
            await self.session.execute(
                delete(table).where(table.organization_id == organization_id, table.person_id == person_id)
            )

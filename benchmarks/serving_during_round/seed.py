"""A Teams tenant with one program of N people with filled-in profiles, written straight into the database.

Everyone has a Teams identity (`aad-<i>`, `29:user-<i>`), so any of them can send card actions; person 0
facilitates the program. Profiles are drawn from a fixed seed: a long tail of skills, a few departments and
time zones, and some working hours each, so the matcher has real choices to make.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from core.model import (
    Cadence,
    Enrollment,
    Organization,
    OrganizationKind,
    Person,
    Profile,
    Program,
    ProgramKind,
    ScopeKind,
    SkillLevel,
    TeamsIdentity,
)
from core.model.conversations import ConversationScope, StoredConversation
from storage import migrate
from storage.database import create_engine, session_factory
from storage.models import EnrollmentRow, PersonRow, ProfileRow, ProfileSkillRow
from storage.unit_of_work import SqlUnitOfWorkFactory

TENANT = "00000000-0000-0000-0000-00000000be11"
TEAM = "19:serving-during-round@thread.tacv2"
# Ids as the app makes them (32 hex characters): cards carry the program id, and the bot checks its shape.
ORG, PROGRAM = "0" * 31 + "a", "0" * 31 + "b"
ZONES = ("UTC", "Europe/Berlin", "America/New_York", "Asia/Kolkata", "Asia/Tokyo", "America/Los_Angeles")
BATCH = 5000  # people per transaction


@dataclass(frozen=True)
class Seeded:
    organization_id: str
    program_id: str
    people: int


def _person(i: int) -> Person:
    teams = TeamsIdentity(TENANT, f"aad-{i}", f"29:user-{i}")
    return Person(f"p{i:06d}", ORG, f"Person {i}", f"p{i}@contoso.example", teams)


def _profile(i: int, rng: random.Random, skills: list[str]) -> Profile:
    def some(low: int, high: int) -> tuple[SkillLevel, ...]:
        # A long tail: low indexes are far more popular.
        picked = {
            skills[min(int(rng.paretovariate(1.1)) - 1, len(skills) - 1)]
            for _ in range(rng.randint(low, high))
        }
        return tuple(SkillLevel.of(name, rng.randint(1, 5)) for name in sorted(picked))

    hours = frozenset(day * 24 + hour for day in range(5) for hour in rng.sample(range(9, 17), 3))
    return Profile(
        person_id=f"p{i:06d}",
        teaches=some(0, 3),
        learns=some(1, 3),
        department=f"Department {rng.randint(1, 12)}",
        timezone=rng.choice(ZONES),
        weekly_availability=hours,
    )


def _rows(ids: range, rng: random.Random, skills: list[str], now: datetime) -> list[object]:
    """The rows the repositories would write for these people (`SqlPersonRepository.save` and its
    siblings), added in bulk: through the repositories, 100,000 people take twenty minutes to seed."""
    rows: list[object] = []
    for i in ids:
        person, profile = _person(i), _profile(i, rng, skills)
        enrollment = Enrollment(f"e{i:06d}", ORG, PROGRAM, person.id, 1, now)
        assert person.teams is not None
        if i > 0:  # the facilitator is stored already
            rows.append(
                PersonRow(
                    id=person.id,
                    organization_id=ORG,
                    display_name=person.display_name,
                    verified_email=person.verified_email,
                    tenant_id=person.teams.tenant_id,
                    aad_object_id=person.teams.aad_object_id,
                    teams_user_id=person.teams.teams_user_id,
                    erased=False,
                )
            )
        rows.append(
            ProfileRow(
                person_id=person.id,
                organization_id=ORG,
                department=profile.department,
                timezone=profile.timezone,
                goals=profile.goals,
                weekly_availability=sorted(profile.weekly_availability),
            )
        )
        for direction, levels in (("teach", profile.teaches), ("learn", profile.learns)):
            rows += [
                ProfileSkillRow(
                    organization_id=ORG,
                    person_id=person.id,
                    direction=direction,
                    skill_key=s.key,
                    label=s.label,
                    level=s.level,
                )
                for s in levels
            ]
        rows.append(
            EnrollmentRow(
                id=enrollment.id,
                organization_id=ORG,
                program_id=PROGRAM,
                person_id=person.id,
                consent_version=1,
                consented_at=now,
                role=enrollment.role.value,
                status=enrollment.status.value,
                unmatched_last_round=False,
            )
        )
    return rows


async def seed(
    database_url: str, people: int, kind: ProgramKind = ProgramKind.PEER_PAIRS, service_url: str | None = None
) -> Seeded:
    """Migrate the database at `database_url` and write the tenant, program, people and enrollments; with
    `service_url`, also the team's conversation, so the sender can reach everyone through that connector."""
    engine = create_engine(database_url)
    try:
        await migrate.upgrade(engine)
        uows = SqlUnitOfWorkFactory(session_factory(engine))
        rng = random.Random(13)
        skills = [f"Skill {k}" for k in range(max(40, people // 250))]
        now = datetime.now(UTC)
        async with uows() as uow:
            await uow.organizations.add(Organization(ORG, OrganizationKind.TEAMS_TENANT, TENANT, "Contoso"))
            await uow.persons.add(_person(0))  # the facilitator
            await uow.programs.add(
                Program(
                    id=PROGRAM,
                    organization_id=ORG,
                    name="Everyone learns",
                    kind=kind,
                    scope_kind=ScopeKind.TEAMS_TEAM,
                    scope_id=TEAM,
                    group_size=2 if kind is ProgramKind.PEER_PAIRS else 6,
                    cadence=Cadence.BIWEEKLY,
                    starts_on=date.today() + timedelta(days=365),  # never due: rounds run when asked
                    facilitator_ids=[_person(0).id],
                )
            )
            await uow.commit()
        for start in range(0, people, BATCH):
            async with uows() as uow:
                rows = _rows(range(start, min(start + BATCH, people)), rng, skills, now)
                for kind_of_row in (
                    PersonRow,
                    ProfileRow,
                    ProfileSkillRow,
                    EnrollmentRow,
                ):  # foreign keys first
                    uow.session.add_all([r for r in rows if isinstance(r, kind_of_row)])
                    await uow.session.flush()
                await uow.commit()
        if service_url is not None:
            team = StoredConversation(
                ORG, ConversationScope.TEAM, TEAM, TEAM, service_url, TENANT, "28:peerlearn-bot", now
            )
            async with uows() as uow:
                await uow.conversations.save(team)
                await uow.commit()
        return Seeded(ORG, PROGRAM, people)
    finally:
        await engine.dispose()

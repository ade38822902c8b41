"""Repositories against real databases: what goes in comes back as the same core objects."""

from __future__ import annotations

from datetime import UTC, date, datetime

from core.model import (
    Concern,
    Enrollment,
    EnrollmentStatus,
    Intent,
    LtiIdentity,
    MatchReason,
    MemberRole,
    Organization,
    OrganizationKind,
    OutboxMessage,
    Pairing,
    PairingMember,
    PairingStatus,
    Person,
    Profile,
    Program,
    ProgramKind,
    ProgramOptions,
    Round,
    ScopeKind,
    SkillLevel,
    StatusChange,
    TeamsIdentity,
)
from storage.unit_of_work import SqlUnitOfWorkFactory

NOW = datetime(2026, 11, 2, 9, 30, tzinfo=UTC)


async def seed_organization(uow_factory: SqlUnitOfWorkFactory, org_id: str, tenant: str) -> None:
    async with uow_factory() as uow:
        await uow.organizations.add(Organization(org_id, OrganizationKind.TEAMS_TENANT, tenant, tenant))
        for name in ("ana", "bo"):
            await uow.persons.add(
                Person(
                    id=f"{org_id}-{name}",
                    organization_id=org_id,
                    display_name=name.title(),
                    verified_email=f"{name}@{tenant}.example",
                    teams=TeamsIdentity(tenant, f"aad-{name}", f"29:{name}"),
                    lti=[LtiIdentity("https://lms.example", f"{org_id}-{name}")],
                )
            )
        await uow.programs.add(
            Program(
                id=f"{org_id}-program",
                organization_id=org_id,
                name="Guild",
                kind=ProgramKind.MENTORING,
                scope_kind=ScopeKind.TEAMS_TEAM,
                scope_id="19:team",
                facilitator_ids=[f"{org_id}-bo"],
                starts_on=date(2026, 11, 9),
                settings=ProgramOptions(
                    group_chats=True,
                    questionnaire_deadline=date(2026, 12, 1),
                    member_attributes={f"{org_id}-bo": {"section": "B"}},
                    unknown={"from_a_newer_version": [1, 2]},
                ),
            )
        )
        await uow.commit()


async def test_a_person_with_identities_round_trips(uow_factory: SqlUnitOfWorkFactory) -> None:
    await seed_organization(uow_factory, "org-a", "tenant-a")
    async with uow_factory() as uow:
        person = await uow.persons.by_aad_object_id("org-a", "aad-ana")
        by_lti = await uow.persons.by_lti_subject("org-a", "https://lms.example", "org-a-ana")
    assert person is not None and by_lti == person
    assert person.teams == TeamsIdentity("tenant-a", "aad-ana", "29:ana")
    assert person.lti == [LtiIdentity("https://lms.example", "org-a-ana")]


async def test_a_profile_round_trips_with_its_skills(uow_factory: SqlUnitOfWorkFactory) -> None:
    await seed_organization(uow_factory, "org-a", "tenant-a")
    profile = Profile(
        person_id="org-a-ana",
        teaches=(SkillLevel.of("Kubernetes", 4),),
        learns=(SkillLevel.of("Rust", 1), SkillLevel.of("Go", 2)),
        department="Platform",
        timezone="Europe/Berlin",
        hours_per_month=6,
        goals="Ship a Rust CLI",
        discoverable_as_expert=True,
        weekly_availability=frozenset({9, 10, 33}),
        mentor_capacity=2,
        started_on=date(2024, 1, 15),
    )
    async with uow_factory() as uow:
        await uow.profiles.save("org-a", profile)
        await uow.commit()
    async with uow_factory() as uow:
        assert await uow.profiles.get("org-a", "org-a-ana") == profile
        assert await uow.profiles.teachers_of("org-a", "kubernetes") == [profile]
        assert await uow.profiles.teachers_of("org-a", "rust") == []


async def test_a_program_keeps_its_facilitators_and_settings(uow_factory: SqlUnitOfWorkFactory) -> None:
    await seed_organization(uow_factory, "org-a", "tenant-a")
    async with uow_factory() as uow:
        program = await uow.programs.by_scope("org-a", ScopeKind.TEAMS_TEAM, "19:team")
    assert program is not None
    assert program.facilitator_ids == ["org-a-bo"] and program.settings == ProgramOptions(
        group_chats=True,
        questionnaire_deadline=date(2026, 12, 1),
        member_attributes={"org-a-bo": {"section": "B"}},
        unknown={"from_a_newer_version": [1, 2]},
    )
    assert program.starts_on == date(2026, 11, 9)


async def test_a_pairing_round_trips_with_members_reasons_and_history(
    uow_factory: SqlUnitOfWorkFactory,
) -> None:
    await seed_organization(uow_factory, "org-a", "tenant-a")
    pairing = Pairing(
        id="pair-1",
        organization_id="org-a",
        program_id="org-a-program",
        round_id="round-1",
        members=[PairingMember("org-a-bo", MemberRole.MENTOR), PairingMember("org-a-ana", MemberRole.MENTEE)],
        created_at=NOW,
        shared_goal="Deploy with Helm",
        skill="kubernetes",
        score=3.5,
        reasons=[
            MatchReason("skill", 2.0, "Bo teaches Kubernetes at level 4; Ana wants to learn it at level 2")
        ],
    )
    async with uow_factory() as uow:
        await uow.rounds.save(Round("round-1", "org-a", "org-a-program", 1, NOW))
        pairing.accept("org-a-bo", NOW)
        pairing.accept("org-a-ana", NOW)
        pairing.start(NOW)
        await uow.pairings.save(pairing)
        await uow.commit()
    async with uow_factory() as uow:
        loaded = await uow.pairings.get("org-a", "pair-1")
        mine = await uow.pairings.for_person("org-a", "org-a-ana")
        recent = await uow.rounds.recent("org-a", "org-a-program", 3)
    assert loaded == pairing and mine == [pairing]
    assert loaded.history == [
        StatusChange(PairingStatus.ACCEPTED, NOW, "org-a-ana"),
        StatusChange(PairingStatus.ACTIVE, NOW, None),
    ]
    assert [r.index for r in recent] == [1]


async def test_the_outbox_keeps_one_message_per_idempotency_key(uow_factory: SqlUnitOfWorkFactory) -> None:
    await seed_organization(uow_factory, "org-a", "tenant-a")

    def message(message_id: str) -> OutboxMessage:
        key = OutboxMessage.key_for(Intent.INTRODUCTION, "org-a-ana", "pair-1")
        return OutboxMessage(message_id, "org-a", "org-a-ana", Intent.INTRODUCTION, "pair-1", key, NOW)

    async with uow_factory() as uow:
        assert await uow.outbox.add(message("m1")) is True
        assert await uow.outbox.add(message("m2")) is False
        await uow.commit()
    async with uow_factory() as uow:
        assert [m.id for m in await uow.outbox.for_recipient("org-a", "org-a-ana")] == ["m1"]


async def test_enrollments_and_concerns_round_trip(uow_factory: SqlUnitOfWorkFactory) -> None:
    await seed_organization(uow_factory, "org-a", "tenant-a")
    enrollment = Enrollment("e1", "org-a", "org-a-program", "org-a-ana", 1, NOW)
    concern = Concern("c1", "org-a", "org-a-program", "org-a-ana", "Too many meetings", NOW)
    async with uow_factory() as uow:
        await uow.enrollments.save(enrollment)
        await uow.concerns.add(concern)
        await uow.commit()
    async with uow_factory() as uow:
        assert await uow.enrollments.get("org-a", "org-a-program", "org-a-ana") == enrollment
        assert await uow.concerns.for_program("org-a", "org-a-program") == [concern]


async def test_readiness_is_counted_by_the_database_as_the_model_counts_it(
    uow_factory: SqlUnitOfWorkFactory,
) -> None:
    """Every case of `Enrollment.is_available_on` and consent, counted in SQL as the model decides it."""
    await seed_organization(uow_factory, "org-a", "tenant-a")
    day = date(2026, 12, 3)
    cases = {
        "active-current": (EnrollmentStatus.ACTIVE, None, 2),
        "active-old-consent": (EnrollmentStatus.ACTIVE, None, 1),
        "paused-until-today": (EnrollmentStatus.PAUSED, day, 2),
        "paused-until-yesterday": (EnrollmentStatus.PAUSED, date(2026, 12, 2), 3),
        "paused-until-tomorrow": (EnrollmentStatus.PAUSED, date(2026, 12, 4), 2),
        "paused-indefinitely": (EnrollmentStatus.PAUSED, None, 2),
        "left": (EnrollmentStatus.LEFT, None, 2),
    }
    enrollments = []
    async with uow_factory() as uow:
        for name, (status, paused_until, consent) in cases.items():
            person = Person(
                f"org-a-{name}", "org-a", name, None, TeamsIdentity("tenant-a", f"aad-{name}", name)
            )
            await uow.persons.add(person)
            enrollment = Enrollment(
                f"e-{name}",
                "org-a",
                "org-a-program",
                person.id,
                consent,
                NOW,
                status=status,
                paused_until=paused_until,
            )
            await uow.enrollments.save(enrollment)
            enrollments.append(enrollment)
        await uow.commit()
    joined = [e for e in enrollments if e.status is not EnrollmentStatus.LEFT]
    ready = [e for e in joined if e.is_available_on(day) and e.consent_version >= 2]
    async with uow_factory(read_only=True) as uow:
        counted = await uow.enrollments.readiness("org-a", "org-a-program", day, 2)
        assert counted == (len(joined), len(ready)) == (6, 3)
        assert await uow.enrollments.readiness("org-b", "org-a-program", day, 2) == (0, 0)  # another tenant's

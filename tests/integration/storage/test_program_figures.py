"""The program's figures counted by the database equal the same figures counted object by object
(`tests.support.figures`, the definition), on random programs with every status, response and check-in."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import pytest

from core.model import (
    CheckIn,
    Enrollment,
    EnrollmentStatus,
    MemberRole,
    Organization,
    OrganizationKind,
    Pairing,
    PairingMember,
    PairingStatus,
    Person,
    Profile,
    Program,
    ProgramKind,
    Response,
    Round,
    ScopeKind,
    SkillLevel,
    TeamsIdentity,
)
from storage.unit_of_work import SqlUnitOfWorkFactory
from tests.support.figures import tally_of

START = datetime(2026, 9, 1, 9, 0, tzinfo=UTC)
SPELLINGS = {
    "python": ["Python", "python", "PYTHON "],
    "k8s": ["Kubernetes"],
    "sql": ["SQL", "sql"],
    "go": ["Go"],
}


async def _random_program(uows: SqlUnitOfWorkFactory, org: str, rng: random.Random, people: int) -> list[str]:
    """A program of `people` with enrollments in every status, profiles, three rounds of pairings with
    every response and status, a pairing from no round, and check-ins; returns the rounds' ids."""
    program = f"{org}-program"
    async with uows() as uow:
        await uow.organizations.add(Organization(org, OrganizationKind.TEAMS_TENANT, org, org))
        ids = [f"{org}-p{k}" for k in range(people)]
        for pid in ids:
            person = Person(pid, org, pid, None, TeamsIdentity(org, f"aad-{pid}", f"29:{pid}"))
            person.erased = rng.random() < 0.1  # deleted their data; their pairings keep them as members
            await uow.persons.add(person)
        await uow.programs.add(
            Program(
                id=program,
                organization_id=org,
                name="Guild",
                kind=ProgramKind.PEER_PAIRS,
                scope_kind=ScopeKind.TEAMS_TEAM,
                scope_id="19:t",
                facilitator_ids=[ids[0]],
            )
        )
        for k, pid in enumerate(ids):
            status = rng.choice(list(EnrollmentStatus))
            consented = START + timedelta(days=rng.randrange(90))
            await uow.enrollments.save(
                Enrollment(f"{org}-e{k}", org, program, pid, 1, consented, status=status)
            )
            if rng.random() < 0.8:

                def skills(n: int) -> tuple[SkillLevel, ...]:
                    keys = rng.sample(list(SPELLINGS), n)
                    return tuple(SkillLevel.of(rng.choice(SPELLINGS[key]), rng.randint(1, 5)) for key in keys)

                await uow.profiles.save(
                    org, Profile(pid, teaches=skills(rng.randint(0, 2)), learns=skills(rng.randint(0, 2)))
                )
        rounds = [Round(f"{org}-r{i}", org, program, i, START + timedelta(days=30 * i)) for i in (1, 2, 3)]
        for round_ in rounds:
            await uow.rounds.save(round_)
        for k in range(people // 2):
            members = [
                PairingMember(pid, MemberRole.PEER, rng.choice(list(Response)))
                for pid in rng.sample(ids, rng.choice((2, 2, 3)))
            ]
            round_id = rng.choice([r.id for r in rounds] + [None])
            pairing = Pairing(
                f"{org}-x{k}", org, program, round_id, members, START, status=rng.choice(list(PairingStatus))
            )
            await uow.pairings.save(pairing)
            for m in members:
                if rng.random() < 0.5:
                    met = rng.random() < 0.7
                    usefulness = rng.choice([None, 1, 2, 3, 4, 5]) if met else None
                    await uow.check_ins.add(
                        CheckIn(
                            f"{pairing.id}-{m.person_id}",
                            org,
                            pairing.id,
                            m.person_id,
                            START,
                            met,
                            usefulness,
                        )
                    )
        await uow.commit()
    return [r.id for r in rounds]


@pytest.mark.parametrize("seed", [1, 2, 3])
async def test_the_database_counts_a_program_as_the_objects_do(
    uow_factory: SqlUnitOfWorkFactory, seed: int
) -> None:
    rng = random.Random(seed)
    rounds = await _random_program(uow_factory, "org-a", rng, 60)
    await _random_program(uow_factory, "org-b", rng, 20)  # another tenant, counted apart
    async with uow_factory(read_only=True) as uow:
        asked = [rounds[2], rounds[0]]
        counted = await uow.figures.tally("org-a", "org-a-program", asked)
        enrollments = await uow.enrollments.for_program("org-a", "org-a-program")
        pairings = await uow.pairings.for_program("org-a", "org-a-program")
        members = await uow.persons.many("org-a", sorted({m.person_id for p in pairings for m in p.members}))
        erased = {p.id for p in members if p.erased}
        assert erased  # someone who deleted their data is among the members, so leaving them out is tested
        expected = tally_of(
            enrollments,
            pairings,
            await uow.check_ins.for_program("org-a", "org-a-program"),
            await uow.profiles.many("org-a", [e.person_id for e in enrollments]),
            [r for r in [await uow.rounds.get("org-a", i) for i in asked] if r is not None],
            erased,
        )
        assert counted == expected
        # Something of every kind was counted, so the comparison proves something.
        assert (
            counted.accepted.value
            and counted.declined.value
            and counted.waiting
            and counted.meetings_held.value
        )
        assert counted.ratings and any(s.taught for s in counted.skills) and len(counted.statuses) == 3
        assert all(r.rated.count and r.proposals for r in counted.rounds)
        assert {s.key for s in counted.skills} <= {"python", "kubernetes", "sql", "go"}
        nothing = await uow.figures.tally("org-b", "org-a-program", rounds)
        assert nothing.proposals == 0 and not nothing.statuses and not nothing.skills

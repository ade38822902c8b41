"""A peer-pairs program a few months in, for the facilitator dashboard's browser tests: Fay runs it, twelve
colleagues joined in three waves, four rounds ran (the last one still being answered), people checked in
after meeting, and their profiles say what they teach and want to learn. Ben is a participant who does not
run the program. Written through the repositories, as the bot would have left it."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from core.model import (
    CheckIn,
    Enrollment,
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
from core.ports import UnitOfWorkFactory
from tests.support.tabs import TENANT, Colleague

ORG = "org-guild"
PROGRAM = "program-guild"
TEAM = "19:platform-guild@thread.tacv2"
START = datetime(2026, 8, 3, 9, 0, tzinfo=UTC)

FAY = Colleague("p-fay", "Fay Fischer", "f0f0f0f0-0000-4000-8000-000000000001")
NAMES = [
    "Ben Becker",
    "Ana Alvarez",
    "Chloe Chen",
    "Dev Desai",
    "Eli Ekström",
    "Gus García",
    "Hana Hoshino",
    "Ivo Ivanov",
    "Jo Jansen",
    "Kai Kowalski",
    "Lea Laurent",
    "Max Müller",
]
PEOPLE = [
    Colleague(f"p-{n.split()[0].lower()}", n, f"0000000{i:01x}-1111-4000-8000-{i:012d}")
    for i, n in enumerate(NAMES)
]
BEN = PEOPLE[0]
# What each teaches and wants to learn: Kubernetes is wanted by many and taught by nobody.
TEACH = ["Go", "SQL", "Rust", "Go", "SQL", "Terraform", "Go", "SQL", "Rust", "Terraform", "Go", "SQL"]
LEARN = [
    "Kubernetes",
    "Go",
    "Kubernetes",
    "Rust",
    "Kubernetes",
    "SQL",
    "Kubernetes",
    "Go",
    "Kubernetes",
    "Go",
    "SQL",
    "Kubernetes",
]


def joined_at(i: int) -> datetime:
    """Three waves: six at the start, three a fortnight later, three a month later."""
    return START - timedelta(days=1) + timedelta(days=14 * (0 if i < 6 else 1 if i < 9 else 2))


async def seed(uows: UnitOfWorkFactory) -> None:
    async with uows() as uow:
        await uow.organizations.add(Organization(ORG, OrganizationKind.TEAMS_TENANT, TENANT, "Contoso"))
        for who in [FAY, *PEOPLE]:
            teams = TeamsIdentity(TENANT, who.oid, f"29:{who.person_id}")
            email = f"{who.name.split()[0].lower()}@contoso.example"
            await uow.persons.add(Person(who.person_id, ORG, who.name, email, teams))
        program = Program(
            PROGRAM,
            ORG,
            "Platform guild",
            ProgramKind.PEER_PAIRS,
            ScopeKind.TEAMS_TEAM,
            TEAM,
            starts_on=date(2026, 8, 3),
            facilitator_ids=[FAY.person_id],
            timezone="Europe/Berlin",
        )
        await uow.programs.add(program)
        for i, who in enumerate(PEOPLE):
            await uow.enrollments.save(
                Enrollment(f"e-{who.person_id}", ORG, PROGRAM, who.person_id, 1, joined_at(i))
            )
            profile = Profile(
                who.person_id,
                teaches=(SkillLevel.of(TEACH[i], 4),),
                learns=(SkillLevel.of(LEARN[i], 2),),
                department="Platform" if i % 2 else "Data",
                timezone="Europe/Berlin",
                hours_per_month=4,
            )
            await uow.profiles.save(ORG, profile)
        for index in range(1, 5):
            opened = START + timedelta(days=14 * (index - 1))
            round_id = f"round-{index}"
            await uow.rounds.save(Round(round_id, ORG, PROGRAM, index, opened))
            present = [p for i, p in enumerate(PEOPLE) if joined_at(i) <= opened]
            pairs = [present[k : k + 2] for k in range(0, len(present) - 1, 2)]
            pairings = []
            for k, pair in enumerate(pairs):
                # One pair in each round says no; in the last round, most have not answered yet.
                declined = k == 1 and index in (2, 3)
                pending = index == 4 and k > 0
                response = (
                    Response.PENDING if pending else Response.DECLINED if declined else Response.ACCEPTED
                )
                status = (
                    PairingStatus.PROPOSED
                    if pending
                    else PairingStatus.DECLINED
                    if declined
                    else PairingStatus.ACTIVE
                )
                pairings.append(
                    Pairing(
                        f"pairing-{index}-{k}",
                        ORG,
                        PROGRAM,
                        round_id,
                        [PairingMember(p.person_id, MemberRole.PEER, response) for p in pair],
                        opened,
                        status=status,
                        skill="go",
                    )
                )
            await uow.pairings.add_new(pairings)
            for pairing in pairings:
                if pairing.status is not PairingStatus.ACTIVE or index == 4:
                    continue
                for j, member in enumerate(pairing.members):
                    met = not (index == 3 and pairing.id.endswith("-0"))
                    await uow.check_ins.add(
                        CheckIn(
                            f"c-{pairing.id}-{j}",
                            ORG,
                            pairing.id,
                            member.person_id,
                            opened + timedelta(days=10),
                            met,
                            (3 + (index + j) % 3) if met else None,
                            learned="what we learned stays with us",
                        )
                    )
        await uow.commit()

"""What the tab tests share: Entra SSO tokens signed by the local OpenID issuer (tests/integration/security/
issuer.py, the one the bot's channel tokens come from), settings that point the tabs at it, and a small
organization of three colleagues: Ana and Ben are paired in a mentoring program, Chloe only joined."""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import jwt

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
    ScopeKind,
    StatusChange,
    TeamsIdentity,
)
from core.model.notes import LearningNote, NoteAuthor, NoteTag, NoteVisibility
from core.model.skills import SkillLevel
from core.ports import UnitOfWorkFactory
from peerlearn.settings import Settings, load_settings
from tests.integration.security.issuer import APP_ID, Issuer

TENANT = "72f988bf-86f1-41af-91ab-2d7cd011db47"
OTHER_TENANT = "0d2f2b6c-1f0e-4c5e-9d1a-3b9e8f7a6c54"
DOMAIN = "peerlearn.example.com"
AUDIENCE = f"api://{DOMAIN}/{APP_ID}"
TEAMS_WEB_CLIENT = "5e3ce6c0-2b1f-4285-8d4b-75ee78787346"
ORG = "org-contoso"
PROGRAM = "program-mentoring"


@dataclass(frozen=True)
class Colleague:
    person_id: str
    name: str
    oid: str


ANA = Colleague("p-ana", "Ana Alvarez", "aaaaaaaa-0000-4000-8000-000000000001")
BEN = Colleague("p-ben", "Ben Becker", "bbbbbbbb-0000-4000-8000-000000000002")
CHLOE = Colleague("p-chloe", "Chloe Chen", "cccccccc-0000-4000-8000-000000000003")
STRANGER = Colleague("p-none", "Sam Stranger", "dddddddd-0000-4000-8000-000000000004")


def sso_claims(who: Colleague, tenant: str = TENANT, **overrides: Any) -> dict[str, Any]:
    """A v2 access token's claims as Entra issues them to Teams for peerlearn (`access_as_user`)."""
    now = int(time.time())
    claims: dict[str, Any] = {
        "aud": APP_ID,
        "iss": f"https://login.microsoftonline.com/{tenant}/v2.0",
        "iat": now - 60,
        "nbf": now - 60,
        "exp": now + 3600,
        "azp": TEAMS_WEB_CLIENT,
        "name": who.name,
        "oid": who.oid,
        "preferred_username": f"{who.name.split()[0].lower()}@contoso.example",
        "scp": "access_as_user",
        "sub": f"sub-{who.oid}",
        "tid": tenant,
        "ver": "2.0",
    }
    claims.update(overrides)
    return {k: v for k, v in claims.items() if v is not None}


def sso_token(
    issuer: Issuer, who: Colleague, *, kid: str | None = None, key: Any = None, **overrides: Any
) -> str:
    return jwt.encode(
        sso_claims(who, **overrides), key or issuer.key, algorithm="RS256", headers={"kid": kid or issuer.kid}
    )


def tab_settings(issuer: Issuer, database_url: str, data_dir: Path, **extra: Any) -> Settings:
    return load_settings(
        None,
        DATABASE_URL=database_url,
        DATA_DIR=str(data_dir),
        RUN_WORKER="false",
        PUBLIC_URL=f"https://{DOMAIN}",
        MicrosoftAppId=APP_ID,
        MicrosoftAppPassword="app-password-never-logged",
        TABS_OPENID_METADATA_URL=issuer.metadata_url,
        TABS_ALLOWED_TENANTS=TENANT,
        **extra,
    )


async def seed(uows: UnitOfWorkFactory, now: datetime | None = None) -> None:
    """Ana (mentor) and Ben (mentee) in an active pairing with check-ins; Chloe joined, unmatched."""
    now = now or datetime.now(UTC)
    async with uows() as uow:
        await uow.organizations.add(Organization(ORG, OrganizationKind.TEAMS_TENANT, TENANT, TENANT))
        for who in (ANA, BEN, CHLOE):
            email = f"{who.name.split()[0].lower()}@contoso.example"
            teams = TeamsIdentity(TENANT, who.oid, f"29:{who.person_id}")
            await uow.persons.add(Person(who.person_id, ORG, who.name, email, teams))
        await uow.programs.add(
            Program(
                PROGRAM,
                ORG,
                "Data mentoring",
                ProgramKind.MENTORING,
                ScopeKind.TEAMS_TEAM,
                "19:team-data@thread.tacv2",
                starts_on=date(2026, 11, 2),
                facilitator_ids=[CHLOE.person_id],
            )
        )
        for who in (ANA, BEN, CHLOE):
            await uow.enrollments.save(
                Enrollment(f"e-{who.person_id}", ORG, PROGRAM, who.person_id, 1, now - timedelta(days=30))
            )
        await uow.profiles.save(
            ORG,
            Profile(
                ANA.person_id,
                teaches=(SkillLevel.of("SQL", 5),),
                learns=(SkillLevel.of("Negotiation", 2),),
                department="Data",
                timezone="Europe/Berlin",
                hours_per_month=4,
                goals="Teach query tuning",
                discoverable_as_expert=True,
            ),
        )
        await uow.profiles.save(
            ORG,
            Profile(BEN.person_id, learns=(SkillLevel.of("SQL", 2),), goals="Write my first window function"),
        )
        started = now - timedelta(days=10)
        await uow.pairings.add_new(
            [
                Pairing(
                    "pairing-ana-ben",
                    ORG,
                    PROGRAM,
                    None,
                    [
                        PairingMember(ANA.person_id, MemberRole.MENTOR, Response.ACCEPTED),
                        PairingMember(BEN.person_id, MemberRole.MENTEE, Response.ACCEPTED),
                    ],
                    started - timedelta(days=2),
                    status=PairingStatus.ACTIVE,
                    shared_goal="Ben writes window functions on his own",
                    skill="sql",
                    history=[
                        StatusChange(PairingStatus.ACCEPTED, started - timedelta(days=1), BEN.person_id),
                        StatusChange(PairingStatus.ACTIVE, started, None),
                    ],
                )
            ]
        )
        await uow.check_ins.add(
            CheckIn(
                "c-ana-1",
                ORG,
                "pairing-ana-ben",
                ANA.person_id,
                now - timedelta(days=3),
                True,
                4,
                learned="Explaining EXPLAIN plans makes me understand them better",
            )
        )
        await uow.check_ins.add(
            CheckIn(
                "c-ben-1",
                ORG,
                "pairing-ana-ben",
                BEN.person_id,
                now - timedelta(days=3),
                True,
                5,
                learned="ROW_NUMBER over a partition",
                blockers="Ben's private blocker",
            )
        )
        await uow.notes.save(
            LearningNote(
                "note-ana-private",
                ORG,
                PROGRAM,
                "pairing-ana-ben",
                [NoteAuthor(ANA.person_id)],
                (NoteTag("sql", "SQL"),),
                "My private note: teaching is learning twice",
                now - timedelta(days=2),
            )
        )
        await uow.notes.save(
            LearningNote(
                "note-ben-shared",
                ORG,
                PROGRAM,
                "pairing-ana-ben",
                [NoteAuthor(BEN.person_id, attributed=True)],
                (NoteTag("sql", "SQL"),),
                "Window functions replace most self-joins",
                now - timedelta(days=1),
                visibility=NoteVisibility.SHARED,
            )
        )
        await uow.commit()

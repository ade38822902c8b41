"""Small real in-memory implementations of `core.ports`, for unit tests of the use cases (no mocks).

`FakeStore` is the "database". A `FakeUnitOfWork` works on a deep copy of it and writes the copy back only
on `commit()`, so leaving the block without committing changes nothing, as with the real one.
"""

from __future__ import annotations

import copy
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from types import TracebackType
from typing import Self

from core.errors import ConcurrentChange
from core.model import (
    CheckIn,
    Concern,
    Enrollment,
    EnrollmentStatus,
    Organization,
    OrganizationKind,
    OutboxMessage,
    Pairing,
    Person,
    Profile,
    Program,
    Round,
    ScopeKind,
)
from core.model.conversations import StoredConversation
from core.model.figures import ProgramTally
from core.model.notes import LearningNote
from tests.support.figures import tally_of
from tests.unit.fake_notes import FakeNotes
from tests.unit.fake_teams import FakeActivityClaims, FakeConversations, FakeDeliveries
from tests.unit.lti.fake_lti import FakeLti, LtiRows


@dataclass
class FakeStore:
    organizations: dict[str, Organization] = field(default_factory=dict)
    persons: dict[str, Person] = field(default_factory=dict)
    profiles: dict[str, tuple[str, Profile]] = field(default_factory=dict)
    programs: dict[str, Program] = field(default_factory=dict)
    enrollments: dict[str, Enrollment] = field(default_factory=dict)
    rounds: dict[str, Round] = field(default_factory=dict)
    pairings: dict[str, Pairing] = field(default_factory=dict)
    check_ins: dict[str, CheckIn] = field(default_factory=dict)
    concerns: dict[str, Concern] = field(default_factory=dict)
    outbox: dict[str, OutboxMessage] = field(default_factory=dict)
    erasures: int = 0
    team_owners: dict[tuple[str, str], set[str]] = field(default_factory=dict)
    team_members: dict[tuple[str, str], set[str]] = field(default_factory=dict)
    commits: int = 0
    notes: dict[str, LearningNote] = field(default_factory=dict)
    lti: LtiRows = field(default_factory=LtiRows)
    conversations: dict[tuple[str, str, str], StoredConversation] = field(default_factory=dict)
    claimed: set[str] = field(default_factory=set)
    delivery_outcomes: list[tuple[str, str, str, str, str]] = field(default_factory=list)


class FakeClock:
    def __init__(self, start: datetime = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)) -> None:
        self.current = start

    def now(self) -> datetime:
        return self.current

    def advance(self, **delta: float) -> None:
        self.current += timedelta(**delta)


def _check_version(stored: Pairing | Program | None, saved: Pairing | Program) -> None:
    """As the real repositories: a save from a stale read is refused; a save bumps the version."""
    if stored is None:
        return
    if stored is not saved and stored.version != saved.version:
        raise ConcurrentChange("This changed meanwhile, so nothing was saved. Try again.")
    saved.version += 1


class _Repo:
    def __init__(self, store: FakeStore) -> None:
        self.s = store


class FakeOrganizations(_Repo):
    async def get(self, organization_id: str) -> Organization | None:
        return self.s.organizations.get(organization_id)

    async def by_external_id(self, kind: OrganizationKind, external_id: str) -> Organization | None:
        return next(
            (o for o in self.s.organizations.values() if (o.kind, o.external_id) == (kind, external_id)), None
        )

    async def add(self, organization: Organization) -> None:
        self.s.organizations[organization.id] = organization

    async def save(self, organization: Organization) -> None:
        self.s.organizations[organization.id] = organization


class FakePersons(_Repo):
    async def get(self, organization_id: str, person_id: str) -> Person | None:
        p = self.s.persons.get(person_id)
        return p if p is not None and p.organization_id == organization_id else None

    def _in(self, organization_id: str) -> list[Person]:
        return sorted(
            (p for p in self.s.persons.values() if p.organization_id == organization_id), key=lambda p: p.id
        )

    async def by_aad_object_id(self, organization_id: str, aad_object_id: str) -> Person | None:
        return next(
            (p for p in self._in(organization_id) if p.teams and p.teams.aad_object_id == aad_object_id), None
        )

    async def by_lti_subjects(
        self, organization_id: str, issuer: str, subjects: Sequence[str]
    ) -> dict[str, Person]:
        found = {s: await self.by_lti_subject(organization_id, issuer, s) for s in subjects}
        return {s: p for s, p in found.items() if p is not None}

    async def by_lti_subject(self, organization_id: str, issuer: str, subject: str) -> Person | None:
        return next(
            (
                p
                for p in self._in(organization_id)
                if any((i.issuer, i.subject) == (issuer, subject) for i in p.lti)
            ),
            None,
        )

    async def by_verified_email(self, organization_id: str, email: str) -> list[Person]:
        return [p for p in self._in(organization_id) if p.verified_email == email]

    async def many(self, organization_id: str, person_ids: Sequence[str]) -> list[Person]:
        return [p for p in self._in(organization_id) if p.id in set(person_ids)]

    async def add(self, person: Person) -> None:
        self.s.persons[person.id] = person

    async def save(self, person: Person) -> None:
        self.s.persons[person.id] = person

    async def remove(self, organization_id: str, person_id: str) -> None:
        if await self.get(organization_id, person_id) is not None:
            del self.s.persons[person_id]


class FakeProfiles(_Repo):
    async def get(self, organization_id: str, person_id: str) -> Profile | None:
        found = self.s.profiles.get(person_id)
        return found[1] if found and found[0] == organization_id else None

    async def many(self, organization_id: str, person_ids: Sequence[str]) -> list[Profile]:
        return [p for pid in person_ids if (p := await self.get(organization_id, pid)) is not None]

    async def teachers_of(self, organization_id: str, skill_key: str) -> list[Profile]:
        found = [p for org, p in self.s.profiles.values() if org == organization_id]
        return [p for p in found if any(s.key == skill_key for s in p.teaches)]

    async def findable_teachers(self, organization_id: str, skill_key: str, limit: int) -> list[Profile]:
        found = [p for p in await self.teachers_of(organization_id, skill_key) if p.discoverable_as_expert]
        level = {p.person_id: next(s.level for s in p.teaches if s.key == skill_key) for p in found}
        return sorted(found, key=lambda p: (level[p.person_id], p.person_id), reverse=True)[:limit]

    async def save(self, organization_id: str, profile: Profile) -> None:
        self.s.profiles[profile.person_id] = (organization_id, profile)

    async def delete(self, organization_id: str, person_id: str) -> None:
        if await self.get(organization_id, person_id) is not None:
            del self.s.profiles[person_id]


class FakePrograms(_Repo):
    async def running(self) -> list[tuple[str, str]]:
        return sorted((p.organization_id, p.id) for p in self.s.programs.values() if p.active)

    async def get(self, organization_id: str, program_id: str) -> Program | None:
        p = self.s.programs.get(program_id)
        return p if p is not None and p.organization_id == organization_id else None

    async def by_scope(self, organization_id: str, scope_kind: ScopeKind, scope_id: str) -> Program | None:
        return next(
            (
                p
                for p in self.s.programs.values()
                if (p.organization_id, p.scope_kind, p.scope_id) == (organization_id, scope_kind, scope_id)
            ),
            None,
        )

    async def for_organization(self, organization_id: str) -> list[Program]:
        return sorted(
            (p for p in self.s.programs.values() if p.organization_id == organization_id),
            key=lambda p: p.name,
        )

    async def add(self, program: Program) -> None:
        self.s.programs[program.id] = program

    async def save(self, program: Program) -> None:
        _check_version(self.s.programs.get(program.id), program)
        self.s.programs[program.id] = program


class FakeEnrollments(_Repo):
    async def get(self, organization_id: str, program_id: str, person_id: str) -> Enrollment | None:
        return next(
            (e for e in await self.for_program(organization_id, program_id) if e.person_id == person_id), None
        )

    async def for_person(self, organization_id: str, person_id: str) -> list[Enrollment]:
        return [
            e
            for e in self.s.enrollments.values()
            if (e.organization_id, e.person_id) == (organization_id, person_id)
        ]

    async def for_program(self, organization_id: str, program_id: str) -> list[Enrollment]:
        return [
            e
            for e in self.s.enrollments.values()
            if (e.organization_id, e.program_id) == (organization_id, program_id)
        ]

    async def readiness(
        self, organization_id: str, program_id: str, day: date, code_of_conduct_version: int
    ) -> tuple[int, int]:
        enrollments = await self.for_program(organization_id, program_id)
        joined = [e for e in enrollments if e.status is not EnrollmentStatus.LEFT]
        ready = [e for e in joined if e.is_available_on(day) and e.consent_version >= code_of_conduct_version]
        return len(joined), len(ready)

    async def save(self, enrollment: Enrollment) -> None:
        self.s.enrollments[enrollment.id] = enrollment

    async def delete_for_person(self, organization_id: str, person_id: str) -> None:
        for e in await self.for_person(organization_id, person_id):
            del self.s.enrollments[e.id]


class FakeFigures(_Repo):
    """The program's figures counted one object at a time (`tests.support.figures`, the reference)."""

    async def tally(self, organization_id: str, program_id: str, round_ids: Sequence[str]) -> ProgramTally:
        enrollments = await FakeEnrollments(self.s).for_program(organization_id, program_id)
        pairings = [
            p
            for p in self.s.pairings.values()
            if (p.organization_id, p.program_id) == (organization_id, program_id)
        ]
        check_ins = await FakeCheckIns(self.s).for_program(organization_id, program_id)
        profiles = [profile for org, profile in self.s.profiles.values() if org == organization_id]
        rounds = [self.s.rounds[r] for r in round_ids if r in self.s.rounds]
        erased = {p.id for p in self.s.persons.values() if p.erased}
        return tally_of(enrollments, pairings, check_ins, profiles, rounds, erased)


class FakeRounds(_Repo):
    async def get(self, organization_id: str, round_id: str) -> Round | None:
        r = self.s.rounds.get(round_id)
        return r if r is not None and r.organization_id == organization_id else None

    async def recent(self, organization_id: str, program_id: str, limit: int) -> list[Round]:
        found = [
            r
            for r in self.s.rounds.values()
            if (r.organization_id, r.program_id) == (organization_id, program_id)
        ]
        return sorted(found, key=lambda r: -r.index)[:limit]

    async def save(self, round_: Round) -> None:
        self.s.rounds[round_.id] = round_


class FakePairings(_Repo):
    async def get(self, organization_id: str, pairing_id: str) -> Pairing | None:
        p = self.s.pairings.get(pairing_id)
        return p if p is not None and p.organization_id == organization_id else None

    async def for_person(self, organization_id: str, person_id: str) -> list[Pairing]:
        return [
            p
            for p in self.s.pairings.values()
            if p.organization_id == organization_id and person_id in p.member_ids()
        ]

    async def for_program(self, organization_id: str, program_id: str) -> list[Pairing]:
        return [
            p
            for p in self.s.pairings.values()
            if (p.organization_id, p.program_id) == (organization_id, program_id)
        ]

    async def many(self, organization_id: str, pairing_ids: Sequence[str]) -> list[Pairing]:
        found = (self.s.pairings.get(pid) for pid in pairing_ids)
        return [p for p in found if p is not None and p.organization_id == organization_id]

    async def save(self, pairing: Pairing) -> None:
        if not pairing.members:
            raise ValueError("a pairing without members is never stored")
        _check_version(self.s.pairings.get(pairing.id), pairing)
        self.s.pairings[pairing.id] = pairing

    async def add_new(self, pairings: Sequence[Pairing]) -> None:
        for pairing in pairings:
            assert pairing.id not in self.s.pairings, "add_new is for pairings never stored"
            await self.save(pairing)

    async def delete(self, organization_id: str, pairing_id: str) -> None:
        if await self.get(organization_id, pairing_id) is not None:
            del self.s.pairings[pairing_id]


class FakeCheckIns(_Repo):
    async def for_pairing(self, organization_id: str, pairing_id: str) -> list[CheckIn]:
        return [
            c
            for c in self.s.check_ins.values()
            if (c.organization_id, c.pairing_id) == (organization_id, pairing_id)
        ]

    async def latest_of_member(self, organization_id: str, pairing_id: str, person_id: str) -> CheckIn | None:
        mine = [c for c in await self.for_pairing(organization_id, pairing_id) if c.person_id == person_id]
        return max(mine, key=lambda c: (c.submitted_at, c.id), default=None)

    async def by_person(self, organization_id: str, person_id: str) -> list[CheckIn]:
        return [
            c
            for c in self.s.check_ins.values()
            if (c.organization_id, c.person_id) == (organization_id, person_id)
        ]

    async def for_program(self, organization_id: str, program_id: str) -> list[CheckIn]:
        ids = {p.id for p in self.s.pairings.values() if p.program_id == program_id}
        return [
            c
            for c in self.s.check_ins.values()
            if c.organization_id == organization_id and c.pairing_id in ids
        ]

    async def add(self, check_in: CheckIn) -> None:
        self.s.check_ins[check_in.id] = check_in

    async def delete_by_person(self, organization_id: str, person_id: str) -> None:
        for c in await self.by_person(organization_id, person_id):
            del self.s.check_ins[c.id]


class FakeConcerns(_Repo):
    async def for_program(self, organization_id: str, program_id: str) -> list[Concern]:
        return [
            c
            for c in self.s.concerns.values()
            if (c.organization_id, c.program_id) == (organization_id, program_id)
        ]

    async def by_reporter(self, organization_id: str, person_id: str) -> list[Concern]:
        return [
            c
            for c in self.s.concerns.values()
            if (c.organization_id, c.reporter_id) == (organization_id, person_id)
        ]

    async def add(self, concern: Concern) -> None:
        self.s.concerns[concern.id] = concern

    async def save(self, concern: Concern) -> None:
        self.s.concerns[concern.id] = concern

    async def delete_by_reporter(self, organization_id: str, person_id: str) -> None:
        for c in await self.by_reporter(organization_id, person_id):
            del self.s.concerns[c.id]


class FakeOutbox(_Repo):
    async def add(self, message: OutboxMessage) -> bool:
        keys = {(m.organization_id, m.idempotency_key) for m in self.s.outbox.values()}
        if (message.organization_id, message.idempotency_key) in keys:
            return False
        self.s.outbox[message.id] = message
        return True

    async def add_many(self, messages: Sequence[OutboxMessage]) -> int:
        return sum([await self.add(m) for m in messages])

    async def for_recipient(self, organization_id: str, person_id: str) -> list[OutboxMessage]:
        return [
            m
            for m in self.s.outbox.values()
            if (m.organization_id, m.recipient_id) == (organization_id, person_id)
        ]

    async def delete_for_recipient(self, organization_id: str, person_id: str) -> None:
        for m in await self.for_recipient(organization_id, person_id):
            del self.s.outbox[m.id]


class FakeTraces(_Repo):
    """The bot's rows about a person in the fake store: their 1:1 chat reference and team memberships."""

    async def export(self, organization_id: str, person_id: str) -> dict[str, list[dict[str, object]]]:
        return {}

    async def erase(self, organization_id: str, person_id: str, values: Sequence[str]) -> int:
        """As the real one: the person's 1:1 chat and team memberships go (the bot's rows about them)."""
        self.s.erasures += 1
        gone = [k for k in self.s.conversations if k == (organization_id, "personal", person_id)]
        for key in gone:
            del self.s.conversations[key]
        for (org, _), people in (*self.s.team_members.items(), *self.s.team_owners.items()):
            if org == organization_id and person_id in people:
                people.discard(person_id)
        return len(gone)


class FakeRosters(_Repo):
    async def owners(self, organization_id: str, team_id: str) -> list[str]:
        return sorted(self.s.team_owners.get((organization_id, team_id), set()))

    async def members(self, organization_id: str, team_id: str) -> list[str]:
        return sorted(self.s.team_members.get((organization_id, team_id), set()))

    async def is_member(self, organization_id: str, team_id: str, person_id: str) -> bool:
        return person_id in self.s.team_members.get((organization_id, team_id), set())

    async def add_members(
        self, organization_id: str, team_id: str, person_ids: Sequence[str], owners: Collection[str] = ()
    ) -> None:
        self.s.team_members.setdefault((organization_id, team_id), set()).update(person_ids)
        if owners:
            self.s.team_owners.setdefault((organization_id, team_id), set()).update(owners)

    async def remove_member(self, organization_id: str, team_id: str, person_id: str) -> None:
        self.s.team_members.get((organization_id, team_id), set()).discard(person_id)
        self.s.team_owners.get((organization_id, team_id), set()).discard(person_id)


class FakeUnitOfWork:
    """As the real one: one transaction, rolled back unless committed, versions checked at commit; it does
    not nest (entering an open unit again is a programming error)."""

    def __init__(self, store: FakeStore) -> None:
        self.store = store
        self._entered = False

    async def __aenter__(self) -> Self:
        if self._entered:
            raise RuntimeError(
                "A unit of work does not nest: the bus opens one, and handlers use it as given."
            )
        self._entered = True
        self._open()
        return self

    def _open(self) -> None:
        self.base = copy.deepcopy(self.store)
        self.working = w = copy.deepcopy(self.store)
        self.organizations, self.persons, self.profiles = (
            FakeOrganizations(w),
            FakePersons(w),
            FakeProfiles(w),
        )
        self.programs, self.enrollments, self.rounds = FakePrograms(w), FakeEnrollments(w), FakeRounds(w)
        self.pairings, self.check_ins, self.concerns = FakePairings(w), FakeCheckIns(w), FakeConcerns(w)
        self.figures = FakeFigures(w)
        self.outbox = FakeOutbox(w)
        self.traces = FakeTraces(w)
        self.rosters = FakeRosters(w)
        self.notes = FakeNotes(w)
        self.lti = FakeLti(w)
        self.conversations = FakeConversations(w)
        self.activity_claims = FakeActivityClaims(w)
        self.deliveries = FakeDeliveries(w)

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._entered = False
        del self.working

    async def commit(self) -> None:
        # Another unit of work committed a newer version of something this one saved: refuse, as the
        # database would have at the save (the fake checks at commit, where the two meet).
        for name in ("pairings", "programs"):
            base, mine, now = getattr(self.base, name), getattr(self.working, name), getattr(self.store, name)
            for key, saved in mine.items():
                if (
                    key in base
                    and saved.version != base[key].version
                    and now[key].version != base[key].version
                ):
                    raise ConcurrentChange("This changed meanwhile, so nothing was saved. Try again.")
        self.working.commits += 1
        for name in vars(self.store):
            setattr(self.store, name, copy.deepcopy(getattr(self.working, name)))

    async def rollback(self) -> None:
        self._open()


class FakeUnitOfWorkFactory:
    """New fake units of work on one store (a fresh one, or `store` to share another unit's)."""

    def __init__(self, store: FakeStore | None = None) -> None:
        self.store = store if store is not None else FakeStore()

    def __call__(self, *, read_only: bool = False) -> FakeUnitOfWork:
        return FakeUnitOfWork(self.store)


class SameUnit:
    """A factory handing out one given unit of work each time (a test's unit with a fault built in)."""

    def __init__(self, uow: FakeUnitOfWork) -> None:
        self.uow = uow

    def __call__(self, *, read_only: bool = False) -> FakeUnitOfWork:
        return self.uow

"""What delivery reads and writes: leases on periodic jobs, the outbox as a queue, delivery outcomes, what
Graph did, and the program directory the scheduler walks. The repositories are on the unit of work
(`uow.leases`, `uow.outbox_queue`, `uow.deliveries`, `uow.graph`; `storage/` implements them on SQLite and
PostgreSQL); the sender and the worker use them through `core.services.delivery_units`, a unit of work of
the bus per call."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Protocol

from core.model.delivery import AppInstallation, Claim, Finish, LeaseToken, Outcome, PairingChat


class Leases(Protocol):
    async def acquire(self, name: str, holder: str, now: datetime, until: datetime) -> bool:
        """Take or renew the lease `name` until `until`; False when another holder has it and it has not expired."""
        ...

    async def take(
        self, name: str, holder: str, now: datetime, until: datetime, fence: int | None = None
    ) -> LeaseToken | None:
        """`acquire` with a fencing token. Without `fence`: take the lease afresh (free, lapsed, or already
        this holder's), with a new token. With `fence`: renew it only if nobody took it since that token."""
        ...

    async def release(self, name: str, holder: str, at: datetime | None = None) -> None:
        """Give the lease up (free from `at`, default at once) if `holder` still has it."""
        ...


class OutboxQueue(Protocol):
    async def tenants_with_due(self, now: datetime, limit: int) -> list[str]:
        """Organizations that have rows to send now, most overdue first."""
        ...

    async def claim(
        self,
        organization_id: str,
        now: datetime,
        hold_until: datetime,
        limit: int,
        lease: LeaseToken | None = None,
    ) -> list[Claim]:
        """Take up to `limit` due rows: each becomes due again only at `hold_until` unless finished first.

        Several senders never get the same row: PostgreSQL skips rows another transaction has locked,
        and every claim bumps the row's attempt number, which fences out a slower holder. With `lease`,
        nothing is claimed unless that lease is unexpired and still has that holder and fencing token."""
        ...

    async def record(self, outcomes: Sequence[Outcome]) -> list[bool]:
        """Record outcomes in one transaction, one answer per outcome, in order: False (nothing written)
        when the row already has its outcome, or when a skip or failure was decided under a claim that
        was superseded. See `core.model.delivery.Outcome`."""
        ...

    async def finish(self, claim: Claim, result: Finish, now: datetime) -> bool:
        """Record the row's final outcome; False (and nothing written) when this claim was superseded."""
        ...

    async def finish_many(self, outcomes: Sequence[tuple[Claim, Finish]], now: datetime) -> list[bool]:
        """`finish` for several rows in one transaction: one answer per row, in order (group commit)."""
        ...

    async def postpone(self, claim: Claim, until: datetime, reason: str) -> bool:
        """Make the row due again at `until` (a retry); False when this claim was superseded."""
        ...


class DeliveryRecords(Protocol):
    async def counts_for_program(self, organization_id: str, program_id: str) -> dict[str, int]:
        """How many of the program's rows were delivered, skipped and failed (keys: the outcome values)."""
        ...

    async def failure_reasons(self, organization_id: str, program_id: str) -> list[tuple[str, int]]: ...

    async def unreachable(self, organization_id: str, program_id: str) -> list[str]:
        """Ids of the people whose latest message in the program failed (none delivered since)."""
        ...


class ProgramDirectory(Protocol):
    async def running_programs(self) -> list[tuple[str, str]]:
        """(organization id, program id) of every active program, across organizations."""
        ...


class GraphRecords(Protocol):
    async def installation(self, organization_id: str, person_id: str) -> AppInstallation | None: ...
    async def save_installation(self, installation: AppInstallation) -> None: ...
    async def chat(self, organization_id: str, pairing_id: str) -> PairingChat | None: ...
    async def save_chat(self, chat: PairingChat) -> None: ...
